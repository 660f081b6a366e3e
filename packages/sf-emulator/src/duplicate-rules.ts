// Duplicate rules (reference §2.5): an optional rule per object that matches records on fields
// compared case-insensitively (by default Email), answering DUPLICATES_DETECTED with Salesforce's
// duplicateResult. An "alert" rule lets the save through when the caller sends
// `Sforce-Duplicate-Rule-Header: allowSave=true`; a "block" rule never does. Rules run on create,
// and on update when one of the rule's fields changes. Blank values never match.
import { z } from 'zod';
import type { QueryableOrg, RecordError, SObjectRecord, WriteContext } from './contracts.js';

export const duplicateRuleSchema = z.strictObject({
  object: z.string().min(1),
  /** Fields that must all be equal (case-insensitive, trimmed) for two records to match. */
  fields: z.array(z.string().min(1)).min(1).default(['Email']),
  /** Default `Standard_{Object}_Duplicate_Rule`. */
  name: z.string().optional(),
  /** Default `Standard_{Object}_Match_Rule_v1_1`. */
  matchRule: z.string().optional(),
  /** alert: the allowSave header lets the save through; block: nothing does. */
  action: z.enum(['alert', 'block']).default('alert'),
  message: z.string().optional(),
});

export type DuplicateRuleInput = z.input<typeof duplicateRuleSchema>;
export type DuplicateRule = z.output<typeof duplicateRuleSchema>;

export const DEFAULT_DUPLICATE_MESSAGE =
  "You're creating a duplicate record. We recommend you use an existing record instead.";
/** Matching records listed in one duplicateResult. */
const MAX_MATCHES = 100;

export function parseDuplicateRules(input: unknown): DuplicateRule[] {
  return z.array(duplicateRuleSchema).parse(input);
}

/** Checks that every rule names a known object and fields; returns a message for the first that does not. */
export function unknownRuleTarget(
  rules: readonly DuplicateRule[],
  org: Pick<QueryableOrg, 'describe'>,
): string | undefined {
  for (const rule of rules) {
    const meta = org.describe(rule.object);
    if (meta === undefined) return `duplicate rule for unknown object ${rule.object}`;
    for (const f of rule.fields)
      if (!meta.fields.some((x) => x.name.toLowerCase() === f.toLowerCase()))
        return `duplicate rule on ${meta.name} names unknown field ${f}`;
  }
  return undefined;
}

const comparable = (value: unknown): string | undefined => {
  if (value === null || value === undefined) return undefined;
  const text = String(value).trim().toLowerCase();
  return text === '' ? undefined : text;
};

/** One org's rules. `check` is called by the org store for every create and update. */
export class DuplicateRules {
  private rules: DuplicateRule[] = [];

  set(rules: readonly DuplicateRule[]): void {
    this.rules = [...rules];
  }

  list(): DuplicateRule[] {
    return [...this.rules];
  }

  /**
   * The DUPLICATES_DETECTED error for `record` (about to be saved), or undefined. `changed` holds
   * the canonical names the caller set; `previous` is undefined for a create.
   */
  check(
    org: QueryableOrg,
    objectName: string,
    record: SObjectRecord,
    changed: ReadonlySet<string>,
    isCreate: boolean,
    ctx: WriteContext,
  ): RecordError | undefined {
    if (this.rules.length === 0) return undefined;
    const meta = org.describe(objectName);
    if (meta === undefined) return undefined;
    for (const rule of this.rules) {
      if (rule.object.toLowerCase() !== meta.name.toLowerCase()) continue;
      if (rule.action === 'alert' && ctx.allowDuplicateSave === true) continue;
      const fields = rule.fields
        .map((f) => meta.fields.find((x) => x.name.toLowerCase() === f.toLowerCase())?.name)
        .filter((f): f is string => f !== undefined);
      if (fields.length !== rule.fields.length) continue;
      if (!isCreate && !fields.some((f) => changed.has(f))) continue;
      const wanted = fields.map((f) => comparable(record[f]));
      if (wanted.some((v) => v === undefined)) continue;
      const first = fields[0]!;
      const candidates = org.lookup(meta.name, first, [record[first]], false) ?? org.scan(meta.name, false);
      const matches: SObjectRecord[] = [];
      for (const other of candidates) {
        if (other.Id === record.Id || other['IsDeleted'] === true) continue;
        if (fields.every((f, i) => comparable(other[f]) === wanted[i])) matches.push(other);
        if (matches.length >= MAX_MATCHES) break;
      }
      if (matches.length > 0) return duplicatesDetected(rule, meta.name, matches, ctx.apiVersion ?? '62.0');
    }
    return undefined;
  }
}

function duplicatesDetected(
  rule: DuplicateRule,
  objectName: string,
  matches: SObjectRecord[],
  version: string,
): RecordError {
  const message = rule.message ?? DEFAULT_DUPLICATE_MESSAGE;
  return {
    statusCode: 'DUPLICATES_DETECTED',
    message,
    fields: [],
    duplicateResult: {
      allowSave: rule.action === 'alert',
      duplicateRule: rule.name ?? `Standard_${objectName}_Duplicate_Rule`,
      duplicateRuleEntityType: objectName,
      errorMessage: message,
      matchResults: [
        {
          entityType: objectName,
          errors: [],
          matchEngine: 'ExactMatchEngine',
          matchRecords: matches.map((m) => ({
            additionalInformation: [],
            fieldDiffs: [],
            matchConfidence: 100.0,
            record: {
              attributes: {
                type: objectName,
                url: `/services/data/v${version}/sobjects/${objectName}/${m.Id}`,
              },
              Id: m.Id,
            },
          })),
          rule: rule.matchRule ?? `Standard_${objectName}_Match_Rule_v1_1`,
          size: matches.length,
          success: true,
        },
      ],
    },
  };
}

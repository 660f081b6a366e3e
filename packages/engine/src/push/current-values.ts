import {
  buildInQueries,
  type CrmAdapter,
  type FieldMapping,
  type Logger,
  type ObjectDescribe,
} from '@crmsync/core';

/*
 * X5 `fill_if_empty`: a mapped field is written only when the linked Salesforce record has it
 * empty, so its current value is read before the decision: one batched read per batch, the
 * linked records' `fill_if_empty` fields only, one query per object (IN-lists cut by URL length),
 * the queries of a batch together in one composite call. No mapping with the rule, no read.
 */

/** The Salesforce fields of `mappings` that are written only when empty and that the org lets crmsync update. */
export function fillIfEmptyFields(
  mappings: readonly FieldMapping[],
  describe: ObjectDescribe | undefined,
): string[] {
  if (describe === undefined) return []; // the decision waits for the describe anyway
  const updateable = new Map(
    describe.fields.filter((f) => f.updateable).map((f) => [f.name.toLowerCase(), f.name]),
  );
  const names = mappings
    .filter((m) => m.writeRule === 'fill_if_empty')
    .flatMap((m) => {
      const name = updateable.get(m.salesforce.toLowerCase());
      return name === undefined ? [] : [name];
    });
  return [...new Set(names)];
}

/** What to read: the linked records of one object and the fields to read on them. */
export interface CurrentValuesRead {
  object: string;
  fields: readonly string[];
  sfIds: readonly string[];
}

/** 15- and 18-character forms of one id share their first 15 characters. */
const idKey = (sfId: string) => sfId.slice(0, 15);

/** The current values of linked Salesforce records, by id; a record not read (or not found) has none. */
export interface CurrentValues {
  of(sfId: string): Record<string, unknown> | null;
}

const NONE: CurrentValues = { of: () => null };

/**
 * Reads `fields` of the records of every read in one `readMany` (one API call for up to five
 * queries). A query that fails alone leaves its records unread, so their `fill_if_empty` fields
 * are left out with a note rather than guessed; a failed call (a budget veto, a passing error)
 * throws, as the batch's other lookups do.
 */
export async function readCurrentValues(
  crm: CrmAdapter,
  reads: readonly CurrentValuesRead[],
  logger: Logger,
): Promise<CurrentValues> {
  const soqls = reads.flatMap((r) =>
    r.fields.length === 0 || r.sfIds.length === 0
      ? []
      : buildInQueries({
          select: ['Id', ...r.fields],
          from: r.object,
          field: 'Id',
          values: [...new Set(r.sfIds)],
        }).map((soql) => ({ object: r.object, soql })),
  );
  if (soqls.length === 0) return NONE;
  const results = await crm.readMany(soqls.map(({ soql }) => ({ kind: 'query' as const, soql })));
  const byId = new Map<string, Record<string, unknown>>();
  results.forEach((result, i) => {
    if (result.kind !== 'query') return;
    if (!result.ok) {
      logger.warn(
        { object: soqls[i]!.object, error: result.error.message },
        `could not read the current ${soqls[i]!.object} values for fill_if_empty fields; they are left out of this push`,
      );
      return;
    }
    for (const row of result.value) byId.set(idKey(String(row.Id)), row);
  });
  return { of: (sfId) => byId.get(idKey(sfId)) ?? null };
}

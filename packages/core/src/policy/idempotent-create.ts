/**
 * X4: every create is safe to resend. When the org has the external-id field, a create becomes an
 * upsert keyed by the local id, so a resend can only update. Without it, the engine records an
 * intent before the call and, after an unknown outcome, looks for what the integration user
 * created since the intent before it sends again.
 */
export const CRMSYNC_ID_FIELD = 'Crmsync_Id__c';

export type CreateMode =
  | { mode: 'upsert'; rule: 'X4'; externalIdField: string; fields: Record<string, unknown>; reason: string }
  | {
      mode: 'create_with_intent';
      rule: 'X4';
      fields: Record<string, unknown>;
      matchKeys: Record<string, string>;
      reason: string;
    };

/** The keys reconcile matches on, per object: what identifies the record crmsync would have created. */
export function intentMatchKeys(object: string, fields: Record<string, unknown>): Record<string, string> {
  const pick = (names: readonly string[]) =>
    Object.fromEntries(
      names.flatMap((n) => {
        const v = fields[n];
        return typeof v === 'string' && v.trim() !== '' ? [[n, v]] : [];
      }),
    );
  switch (object) {
    case 'Contact':
    case 'Lead':
      return pick(['Email', 'LastName', 'FirstName']);
    case 'Account':
    case 'Opportunity':
      return pick(['Name']);
    case 'Task':
    case 'Event':
      return pick(['Subject']);
    case 'Note':
      return pick(['Title']);
    default:
      return pick(['Name']);
  }
}

export function planCreate(input: {
  object: string;
  localId: string;
  fields: Record<string, unknown>;
  hasExternalIdField: boolean;
}): CreateMode {
  if (input.hasExternalIdField) {
    return {
      mode: 'upsert',
      rule: 'X4',
      externalIdField: CRMSYNC_ID_FIELD,
      fields: { ...input.fields, [CRMSYNC_ID_FIELD]: input.localId },
      reason: `Created as an upsert on ${input.object}.${CRMSYNC_ID_FIELD} = the local id, so a retried create can never make a duplicate.`,
    };
  }
  return {
    mode: 'create_with_intent',
    rule: 'X4',
    fields: input.fields,
    matchKeys: intentMatchKeys(input.object, input.fields),
    reason: `${input.object} has no ${CRMSYNC_ID_FIELD} field: the intent is recorded before the create, and an unknown outcome is reconciled before sending again.`,
  };
}

export interface CreatedCandidate {
  Id: string;
  CreatedDate: string;
  [field: string]: unknown;
}

export type ReconcileOutcome =
  | { outcome: 'found'; rule: 'X4'; sfId: string; reason: string }
  | { outcome: 'not_found'; rule: 'X4'; reason: string }
  | { outcome: 'ambiguous'; rule: 'X4'; sfIds: string[]; chosen: string; reason: string };

function same(a: unknown, b: string): boolean {
  return typeof a === 'string' && a.trim().toLowerCase() === b.trim().toLowerCase();
}

/**
 * After an unknown outcome: among records the integration user created since the intent, the
 * one matching every key is the record the lost answer would have named. Several (two crmsync
 * creates of look-alike people in one window) -> the oldest, and the log lists them all.
 */
export function reconcileCreate(input: {
  object: string;
  startedAt: Date;
  matchKeys: Record<string, string>;
  created: readonly CreatedCandidate[];
  /** Ids already linked to other local records: never adopt those. */
  alreadyLinked: ReadonlySet<string>;
}): ReconcileOutcome {
  const keys = Object.entries(input.matchKeys);
  const matches = input.created
    .filter((c) => Date.parse(c.CreatedDate) >= input.startedAt.getTime() - 1_000)
    .filter((c) => !input.alreadyLinked.has(c.Id))
    .filter((c) => keys.length > 0 && keys.every(([k, v]) => same(c[k], v)))
    .sort((a, b) => Date.parse(a.CreatedDate) - Date.parse(b.CreatedDate) || a.Id.localeCompare(b.Id));
  const first = matches[0];
  if (first === undefined) {
    return {
      outcome: 'not_found',
      rule: 'X4',
      reason: `No ${input.object} created by crmsync since ${input.startedAt.toISOString()} matches ${keys.map(([k, v]) => `${k} "${v}"`).join(', ') || 'the record'}: the create did not land and is sent again.`,
    };
  }
  if (matches.length === 1) {
    return {
      outcome: 'found',
      rule: 'X4',
      sfId: first.Id,
      reason: `The create had landed as ${first.Id}; it is linked, not sent again.`,
    };
  }
  return {
    outcome: 'ambiguous',
    rule: 'X4',
    sfIds: matches.map((m) => m.Id),
    chosen: first.Id,
    reason: `${matches.length} ${input.object} records created since the intent match; the oldest (${first.Id}) is linked and the others are listed for review.`,
  };
}

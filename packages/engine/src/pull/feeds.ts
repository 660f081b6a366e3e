import {
  CrmsyncError,
  soqlId,
  type CrmAdapter,
  type CrmConvertedLead,
  type CrmMerge,
  type CrmRead,
  type CrmReadKind,
  type CrmReadResult,
  type CrmReadValues,
  type PulledObject,
  type PulledRow,
  type WorkspaceReader,
} from '@crmsync/core';
import { stampMs } from './change-cursor.js';

/*
 * P1 feeds that are not "changed rows": merged-away records (queryAll: IsDeleted and a
 * MasterRecordId), deletions (the replication feed), converted Leads. They are small and read
 * in full each run from their own cursor, then handed to `resolvePull`, which classifies merges
 * before deletions so a merge loser is never taken for a deletion (C11). They are asked as data
 * (`planFeeds` -> `feedReads`) so the run sends them with its other probes in one or two
 * composite calls (`probe.ts`); only a purged deletion log costs more (the reconcile).
 */

export const FEEDS_CURSOR = 'pull:feeds';
export const FEED_OBJECTS: readonly PulledObject[] = ['Account', 'Contact', 'Lead'];

export interface FeedCursor {
  /** Merges and conversions stamped after this (minus the overlap) are read. ISO. */
  since: string | null;
  /** Per object: the deletion feed's `latestDateCovered`, where the next read starts (minus the overlap). */
  deleted: Partial<Record<PulledObject, string>>;
  /** Feed entries applied within the overlap: `kind:id` -> stamp, so a re-read applies nothing twice. */
  recent: Record<string, string>;
}

export function parseFeedCursor(value: unknown): FeedCursor {
  const empty: FeedCursor = { since: null, deleted: {}, recent: {} };
  if (typeof value !== 'object' || value === null) return empty;
  const v = value as Partial<Record<keyof FeedCursor, unknown>>;
  const deleted: Partial<Record<PulledObject, string>> = {};
  if (typeof v.deleted === 'object' && v.deleted !== null) {
    for (const o of FEED_OBJECTS) {
      const at = (v.deleted as Record<string, unknown>)[o];
      if (typeof at === 'string') deleted[o] = at;
    }
  }
  const recent: Record<string, string> = {};
  if (typeof v.recent === 'object' && v.recent !== null) {
    for (const [k, at] of Object.entries(v.recent)) if (typeof at === 'string') recent[k] = at;
  }
  return { since: typeof v.since === 'string' ? v.since : null, deleted, recent };
}

export interface FeedBatch {
  rows: Partial<Record<PulledObject, PulledRow[]>>;
  deletedIds: Partial<Record<PulledObject, string[]>>;
  /** Objects whose deletion log had been purged: the deletions came from a full reconcile. */
  reconciled: PulledObject[];
  next: FeedCursor;
}

/** The deletion log no longer reaches back to `start` (Salesforce keeps 15 days, less after a Recycle Bin purge). */
export function isPurgedLogError(error: unknown): boolean {
  if (!(error instanceof CrmsyncError)) return false;
  const code = error.details.sfCode;
  return (
    code === 'INVALID_REPLICATION_DATE' || /INVALID_REPLICATION_DATE|cannot be more than/i.test(error.message)
  );
}

const SF_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/** Every Salesforce id of `object` the org's links point at, whatever their state. */
async function linkedIds(reader: WorkspaceReader, orgId: string, object: PulledObject): Promise<string[]> {
  const localType = object === 'Account' ? 'company' : 'person';
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<typeof reader.records.list>> = await reader.records.list({
      type: localType,
      cursor,
      limit: 500,
      includeDeleted: true,
    });
    const links = await reader.links.getMany(
      localType,
      page.items.map((r) => r.id),
      orgId,
    );
    for (const l of links) if (l.sfObject === object && l.state === 'active') ids.push(l.sfId);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return ids;
}

/**
 * P1 full reconcile after a purged deletion log: every linked id is looked up with queryAll.
 * Missing or deleted rows are deletions; deleted rows with a MasterRecordId are merges.
 * Ids are checked against Salesforce's id syntax before they reach the query, so no literal
 * needs escaping.
 */
async function reconcileDeletions(
  crm: CrmAdapter,
  reader: WorkspaceReader,
  orgId: string,
  object: PulledObject,
): Promise<{ deleted: string[]; merges: PulledRow[] }> {
  const ids = (await linkedIds(reader, orgId, object)).filter((id) => SF_ID.test(id));
  const deleted: string[] = [];
  const merges: PulledRow[] = [];
  for (let i = 0; i < ids.length; i += 200) {
    const chunk = ids.slice(i, i + 200);
    const rows = await crm.query(
      `SELECT Id, IsDeleted, MasterRecordId, SystemModstamp FROM ${object} WHERE Id IN (${chunk.map(soqlId).join(', ')})`,
      { all: true },
    );
    const found = new Map(rows.map((r) => [String(r.Id), r]));
    for (const id of chunk) {
      const row =
        found.get(id) ?? [...found.entries()].find(([k]) => k.slice(0, 15) === id.slice(0, 15))?.[1];
      if (row === undefined) deleted.push(id);
      else if (
        row.IsDeleted === true &&
        typeof row.MasterRecordId === 'string' &&
        row.MasterRecordId !== ''
      ) {
        merges.push({
          Id: id,
          IsDeleted: true,
          MasterRecordId: row.MasterRecordId,
          SystemModstamp: String(row.SystemModstamp),
        });
      } else if (row.IsDeleted === true) deleted.push(id);
    }
  }
  return { deleted, merges };
}

/** What one run asks the feeds: merges and conversions since `since`, deletions per object in [start, end]. */
export interface FeedPlan {
  since: Date;
  deleted: Record<PulledObject, { start: Date; end: Date }>;
}

export function planFeeds(input: {
  cursor: FeedCursor;
  now: Date;
  connectedAt: Date;
  overlapMs: number;
}): FeedPlan {
  const { cursor, now, overlapMs } = input;
  const since = cursor.since === null ? new Date(0) : new Date(Date.parse(cursor.since) - overlapMs);
  const window = (object: PulledObject) => {
    const previous = cursor.deleted[object];
    const start = new Date(
      (previous === undefined ? input.connectedAt.getTime() : stampMs(previous)) - overlapMs,
    );
    return { start, end: new Date(Math.max(now.getTime(), start.getTime())) };
  };
  return { since, deleted: { Account: window('Account'), Contact: window('Contact'), Lead: window('Lead') } };
}

/** The plan as `readMany` reads; `feedAnswers` takes their results back in the same order. */
export function feedReads(plan: FeedPlan): CrmRead[] {
  return [
    ...FEED_OBJECTS.map((object): CrmRead => ({ kind: 'merged', object, since: plan.since })),
    ...FEED_OBJECTS.map((object): CrmRead => ({ kind: 'deleted', object, ...plan.deleted[object] })),
    { kind: 'converted', since: plan.since },
  ];
}

/** The feeds' answers from a `readMany` run. */
export interface FeedAnswers {
  merged: Record<PulledObject, CrmMerge[]>;
  /** A deletion read's error is kept: a purged log triggers the reconcile instead of failing the pull. */
  deleted: Record<PulledObject, CrmReadResult<'deleted'>>;
  converted: CrmConvertedLead[];
}

/** A failed read throws what its single call would have thrown. */
export function valueOf<K extends CrmReadKind>(result: CrmReadResult | undefined, kind: K): CrmReadValues[K] {
  const r = expectKind(result, kind);
  if (!r.ok) throw r.error;
  return r.value as CrmReadValues[K];
}

export function expectKind<K extends CrmReadKind>(
  result: CrmReadResult | undefined,
  kind: K,
): CrmReadResult<K> {
  if (result === undefined || result.kind !== kind) {
    throw new CrmsyncError(
      'INTERNAL',
      { expected: kind, got: result?.kind ?? null },
      { message: `readMany answered ${result?.kind ?? 'nothing'} where a ${kind} read was asked` },
    );
  }
  return result as CrmReadResult<K>;
}

export function feedAnswers(results: readonly CrmReadResult[]): FeedAnswers {
  const n = FEED_OBJECTS.length;
  const perObject = <T>(offset: number, read: (r: CrmReadResult | undefined) => T) =>
    Object.fromEntries(FEED_OBJECTS.map((o, i) => [o, read(results[offset + i])])) as Record<PulledObject, T>;
  return {
    merged: perObject(0, (r) => valueOf(r, 'merged')),
    deleted: perObject(n, (r) => expectKind(r, 'deleted')),
    converted: valueOf(results[2 * n], 'converted'),
  };
}

export async function readFeeds(input: {
  crm: CrmAdapter;
  reader: WorkspaceReader;
  orgId: string;
  cursor: FeedCursor;
  now: Date;
  overlapMs: number;
  plan: FeedPlan;
  answers: FeedAnswers;
}): Promise<FeedBatch> {
  const { crm, reader, orgId, cursor, now, overlapMs, plan, answers } = input;
  const rows: Partial<Record<PulledObject, PulledRow[]>> = {};
  const deletedIds: Partial<Record<PulledObject, string[]>> = {};
  const recent: Record<string, string> = { ...cursor.recent };
  const reconciled: PulledObject[] = [];
  const deletedCursor: Partial<Record<PulledObject, string>> = { ...cursor.deleted };
  const fresh = (key: string, at: string): boolean => {
    if (recent[key] === at) return false;
    recent[key] = at;
    return true;
  };
  const push = <T>(map: Partial<Record<PulledObject, T[]>>, object: PulledObject, item: T) => {
    (map[object] ??= []).push(item);
  };

  for (const object of FEED_OBJECTS) {
    for (const m of answers.merged[object]) {
      if (fresh(`merge:${m.loserId}`, m.at))
        push(rows, object, {
          Id: m.loserId,
          IsDeleted: true,
          MasterRecordId: m.masterId,
          SystemModstamp: m.at,
        });
    }

    const { start, end } = plan.deleted[object];
    const answer = answers.deleted[object];
    let purged = false;
    if (!answer.ok) {
      if (!isPurgedLogError(answer.error)) throw answer.error;
      purged = true;
    } else if (
      answer.value.earliestDateAvailable !== null &&
      stampMs(answer.value.earliestDateAvailable) > start.getTime()
    )
      purged = true;
    else {
      for (const d of answer.value.deleted)
        if (fresh(`delete:${d.id}`, d.deletedDate)) push(deletedIds, object, d.id);
      deletedCursor[object] = answer.value.latestDateCovered;
    }
    if (purged) {
      reconciled.push(object);
      const found = await reconcileDeletions(crm, reader, orgId, object);
      for (const id of found.deleted) push(deletedIds, object, id);
      for (const row of found.merges)
        if (fresh(`merge:${row.Id}`, row.SystemModstamp)) push(rows, object, row);
      deletedCursor[object] = end.toISOString();
    }
  }

  for (const c of answers.converted) {
    if (c.contactId === null || !fresh(`convert:${c.leadId}`, c.at)) continue;
    push(rows, 'Lead', {
      Id: c.leadId,
      IsDeleted: false,
      MasterRecordId: null,
      SystemModstamp: c.at,
      IsConverted: true,
      ConvertedContactId: c.contactId,
      ConvertedAccountId: c.accountId,
    });
  }

  // Forget entries well outside the overlap (an hour of slack for clock skew) so the cursor stays small.
  const floor = now.getTime() - 2 * overlapMs - 3_600_000;
  for (const [key, at] of Object.entries(recent)) if (stampMs(at) < floor) delete recent[key];
  return { rows, deletedIds, reconciled, next: { since: now.toISOString(), deleted: deletedCursor, recent } };
}

import {
  buildInQueries,
  CRMSYNC_ID_FIELD,
  planCreate,
  type CrmRead,
  type CrmWrite,
  type CrmWriteResult,
  type PushObject,
} from '@crmsync/core';
import { isBudgetVeto } from '../crm-session.js';
import type { PushContext } from './context.js';
import { toCrmFields, type CreateEntry } from './create-records.js';

/*
 * One batch's writes and the read-back of what they wrote, in one `/composite` call when they fit
 * (Salesforce counts a composite as one API call): upserts of new records on `Crmsync_Id__c` (X4),
 * updates of linked ones, then a `SystemModstamp` query per object (P2 no echo) that runs after them
 * in the same call. A trickle cycle then costs its X1 lookup and this call. Records created without
 * the external-id field (intent, then reconcile) are sent before, on their own (create-records.ts),
 * and read back here by Id.
 */

export interface WriteBatchInput {
  /** X4 creates as upserts on `Crmsync_Id__c`, by object. */
  upserts: ReadonlyMap<PushObject, readonly CreateEntry[]>;
  /** Updates by object; each record carries `Id`. */
  updates: ReadonlyMap<PushObject, readonly { localId: string; fields: Record<string, unknown> }[]>;
  /** Records written before this call whose SystemModstamp is wanted too, by object. */
  readBackIds: ReadonlyMap<string, readonly string[]>;
}

export interface WriteBatchResult {
  /** By object, then local id; absent when not sent (`stopped`). */
  upserts: Map<PushObject, Map<string, CrmWriteResult>>;
  updates: Map<PushObject, Map<string, CrmWriteResult>>;
  /** SystemModstamp by Salesforce id, for every record read back. */
  stamps: Map<string, string | null>;
  /** A budget veto (O3) that stopped the call before some writes were sent; null otherwise. */
  stopped: unknown;
}

/** Room in a query URL for the instance and version path of a composite subrequest. */
const URL_PREFIX = '/services/data/v99.0/query?q=';

function readBack(object: string, field: string, values: readonly string[]): CrmRead[] {
  return buildInQueries({
    select: ['Id', 'SystemModstamp'],
    from: object,
    field,
    values: [...new Set(values)],
    urlPrefix: URL_PREFIX,
  }).map((soql) => ({ kind: 'query', soql }));
}

/** Sends the writes and read-backs; per-record failures are results. Throws for anything but a budget veto. */
export async function sendWriteBatch(ctx: PushContext, input: WriteBatchInput): Promise<WriteBatchResult> {
  const result: WriteBatchResult = {
    upserts: new Map(),
    updates: new Map(),
    stamps: new Map(),
    stopped: null,
  };
  const writes: CrmWrite[] = [];
  const owners: { kind: 'upserts' | 'updates'; object: PushObject; localIds: string[] }[] = [];
  const reads: CrmRead[] = [];
  for (const [object, entries] of input.upserts) {
    if (entries.length === 0) continue;
    writes.push({
      kind: 'upsert',
      object,
      externalIdField: CRMSYNC_ID_FIELD,
      records: entries.map((e) =>
        toCrmFields(
          planCreate({ object, localId: e.localId, fields: e.fields, hasExternalIdField: true }).fields,
        ),
      ),
    });
    owners.push({ kind: 'upserts', object, localIds: entries.map((e) => e.localId) });
    reads.push(
      ...readBack(
        object,
        CRMSYNC_ID_FIELD,
        entries.map((e) => e.localId),
      ),
    );
  }
  const byIdReads = new Map<string, string[]>();
  for (const [object, ids] of input.readBackIds) byIdReads.set(object, [...ids]);
  for (const [object, list] of input.updates) {
    if (list.length === 0) continue;
    writes.push({ kind: 'update', object, records: list.map((u) => toCrmFields(u.fields)) });
    owners.push({ kind: 'updates', object, localIds: list.map((u) => u.localId) });
    byIdReads.set(object, [
      ...(byIdReads.get(object) ?? []),
      ...list.map((u) => String(u.fields.Id ?? '')).filter((id) => id !== ''),
    ]);
  }
  for (const [object, ids] of byIdReads) reads.push(...readBack(object, 'Id', ids));
  if (writes.length === 0 && reads.length === 0) return result;

  let sent: Awaited<ReturnType<PushContext['crm']['writeMany']>>;
  try {
    sent = await ctx.crm.writeMany(writes, reads);
  } catch (err) {
    if (!isBudgetVeto(err)) throw err;
    result.stopped = err;
    return result;
  }
  if (sent.stopped !== null && !isBudgetVeto(sent.stopped)) throw sent.stopped;
  result.stopped = sent.stopped;
  owners.forEach((o, i) => {
    const rs = sent.writes[i];
    if (rs === null || rs === undefined) return;
    const byLocal = new Map(o.localIds.map((id, j) => [id, rs[j]!]));
    result[o.kind].set(o.object, byLocal);
  });
  // Best effort: a failed read-back leaves stamps unknown, which only costs an echo on the next pull.
  sent.reads.forEach((r, i) => {
    if (r === null || r.kind !== 'query' || !r.ok) {
      ctx.deps.logger.warn(
        {
          workspaceId: ctx.workspaceId,
          query: reads[i]?.kind === 'query' ? reads[i].soql.slice(0, 80) : null,
          error: r !== null && !r.ok ? r.error.message : 'not sent',
        },
        'could not read back SystemModstamp after a push',
      );
      return;
    }
    for (const row of r.value)
      result.stamps.set(String(row.Id), typeof row.SystemModstamp === 'string' ? row.SystemModstamp : null);
  });
  return result;
}

import { soqlId, type CrmWriteResult, type LogEntryInput } from '@crmsync/core';
import { isBudgetVeto } from '../../crm-session.js';
import type { PushContext } from '../context.js';
import { activityKey } from './kinds.js';
import type { Sendable } from './send.js';

/**
 * E10: one EventRelation per attendee of each Event, in collections. An updated Event, or one
 * found again after a crash (upsert matched, or reconciled), may have relations already: those
 * are read first (one query per 200 Events) and not sent twice. Relations are only added: one
 * made in Salesforce stays. A refused relation is logged; the Event stays pushed.
 */
export async function relate(
  ctx: PushContext,
  events: readonly { item: Sendable; sfId: string; fresh: boolean }[],
  relationsOf: Map<string, string[]>,
  log: LogEntryInput[],
): Promise<void> {
  const have = new Set<string>();
  const retried = events.filter((e) => !e.fresh);
  for (let i = 0; i < retried.length; i += 200) {
    const ids = retried.slice(i, i + 200).map((e) => soqlId(e.sfId));
    const rows = await ctx.crm.query(
      `SELECT EventId, RelationId FROM EventRelation WHERE EventId IN (${ids.join(', ')})`,
    );
    for (const r of rows) have.add(`${String(r.EventId)}:${String(r.RelationId)}`);
  }
  const rows: { item: Sendable; fields: { EventId: string; RelationId: string } }[] = [];
  for (const e of events)
    for (const relationId of relationsOf.get(activityKey(e.item.type, e.item.id)) ?? [])
      if (!have.has(`${e.sfId}:${relationId}`))
        rows.push({ item: e.item, fields: { EventId: e.sfId, RelationId: relationId } });
  if (rows.length === 0) return;
  let out: CrmWriteResult[];
  try {
    out = await ctx.crm.create(
      'EventRelation',
      rows.map((r) => r.fields),
    );
  } catch (err) {
    if (!isBudgetVeto(err)) throw err;
    out = [];
  }
  rows.forEach((r, i) => {
    const res = out[i];
    if (res?.outcome === 'ok') return;
    const why =
      res === undefined
        ? 'the API budget is spent'
        : res.outcome === 'failed'
          ? (res.errors[0]?.message ?? res.classification.sfMessage)
          : 'the outcome is unknown';
    log.push({
      recordType: r.item.type,
      recordId: r.item.id,
      action: 'relation_failed',
      rules: ['E10'],
      reason: `Event ${r.fields.EventId} was pushed, but attendee ${r.fields.RelationId} could not be related to it: ${why}.`,
      sfObject: 'Event',
      sfId: r.fields.EventId,
      runId: ctx.runId,
    });
  });
}

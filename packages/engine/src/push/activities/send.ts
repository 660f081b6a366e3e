import {
  emailKey,
  type ActivityDecision,
  type ActivityObject,
  type CrmWriteResult,
  type ErrorClassification,
  type LinkInput,
  type LogEntryInput,
  type WhoSettlement,
} from '@crmsync/core';
import { budgetResumeAt, isBudgetVeto } from '../../crm-session.js';
import { appendEvent } from '../../events.js';
import type { PushContext } from '../context.js';
import { toCrmFields } from '../create-records.js';
import { refusedWrite } from '../refused-write.js';
import { createAll } from './create.js';
import { activityKey, activityLabel, type ActivityType } from './kinds.js';
import { settleMissingPeople, type SettledPerson } from './people.js';
import type { PlannedActivity } from './plan.js';
import { relate } from './relations.js';

/*
 * Sends what the planner decided for a batch of activities: the missing people first (E3, E10),
 * then per object (Task, Event, Note) every create in collections of 200 (upserts on
 * Crmsync_Id__c, or creates with recorded intents, X4) and every update, then the EventRelations
 * of new Events; then one recording transaction with the links, the log and the cleared
 * intents. No network call inside that transaction; per-activity failures are returned.
 */

export type ActivityOutcome =
  | {
      status: 'done';
      action: 'create' | 'update' | 'unchanged' | 'skip' | 'missing';
      sfObject: ActivityObject | null;
      sfId: string | null;
      code: string | null;
      rules: readonly string[];
      reason: string;
    }
  | {
      status: 'failed';
      retryable: boolean;
      classification: ErrorClassification | null;
      sfCode: string;
      message: string;
      rules: readonly string[];
    }
  | { status: 'budget'; resumeAt: Date; message: string };

export type Sendable = PlannedActivity & {
  decision: Extract<ActivityDecision, { action: 'create' | 'update' }>;
};

export interface Sent {
  item: Sendable;
  fields: Record<string, unknown>;
}

type Failed = Extract<ActivityOutcome, { status: 'failed' }>;

/** An activity's failure carries Salesforce's code only, not crmsync's. */
function failedOf(r: Extract<CrmWriteResult, { outcome: 'failed' }>, rules: readonly string[]): Failed {
  const { code: _code, ...failed } = refusedWrite(r, rules);
  return failed;
}

/** Fills the WhoId, and the relations, of people created for the activity (E3, E10). */
function withCreatedPeople(
  item: Sendable,
  people: Map<string, SettledPerson>,
): { fields: Record<string, unknown>; relationIds: string[] } | { problem: SettledPerson & { ok: false } } {
  const d = item.decision;
  const resolve = (w: WhoSettlement): SettledPerson => {
    if (w.via === 'existing') return { ok: true, object: w.object, id: w.id };
    return (
      people.get(emailKey(w.email) ?? w.email) ?? {
        ok: false,
        retryable: true,
        sfCode: 'NOT_PUSHED',
        message: `${w.email} was not created`,
      }
    );
  };
  const fields: Record<string, unknown> = { ...d.fields };
  if (d.who?.via === 'create') {
    const who = resolve(d.who);
    if (!who.ok) return { problem: who };
    fields.WhoId = who.id;
  }
  const relationIds: string[] = [];
  for (const rel of d.relations) {
    const r = resolve(rel);
    if (r.ok && !relationIds.includes(r.id)) relationIds.push(r.id);
  }
  return { fields, relationIds };
}

export async function sendActivities(
  ctx: PushContext,
  planned: readonly PlannedActivity[],
): Promise<Map<string, ActivityOutcome>> {
  const outcomes = new Map<string, ActivityOutcome>();
  const log: LogEntryInput[] = [];
  const links: LinkInput[] = [];
  const events: { type: string; data: Record<string, unknown> }[] = [];
  const intentsToClear: { type: ActivityType; id: string }[] = [];
  const runId = ctx.runId;
  const now = () => ctx.deps.clock.now();

  const done = (
    item: PlannedActivity,
    o: Extract<ActivityOutcome, { status: 'done' }>,
    payload: Record<string, unknown> | null,
  ) => {
    outcomes.set(activityKey(item.type, item.id), o);
    log.push({
      recordType: item.type,
      recordId: item.id,
      action: o.action,
      rules: o.rules,
      reason: o.reason,
      payload,
      sfObject: o.sfObject,
      sfId: o.sfId,
      runId,
    });
  };
  const fail = (
    item: PlannedActivity,
    o: Failed,
    sfObject: ActivityObject,
    payload: Record<string, unknown> | null,
  ) => {
    outcomes.set(activityKey(item.type, item.id), o);
    log.push({
      recordType: item.type,
      recordId: item.id,
      action: 'fail',
      rules: [...o.rules, 'O4'],
      reason: `${activityLabel(item.type, item.id)} was not pushed. ${o.message}`,
      payload,
      sfObject,
      errorCode: o.sfCode,
      errorMessage: o.message,
      runId,
    });
    events.push({ type: 'push.failed', data: { localType: item.type, localId: item.id, sfCode: o.sfCode } });
  };
  const budget = (item: PlannedActivity, err: unknown) => {
    const resumeAt = budgetResumeAt(err, now()) ?? now();
    const message = err instanceof Error ? err.message : 'The API budget is spent.';
    outcomes.set(activityKey(item.type, item.id), { status: 'budget', resumeAt, message });
    log.push({
      recordType: item.type,
      recordId: item.id,
      action: 'budget_wait',
      rules: ['O3'],
      reason: message,
      errorCode: 'API_BUDGET_EXHAUSTED',
      errorMessage: message,
      runId,
    });
  };
  const linkTo = (
    item: PlannedActivity,
    object: ActivityObject,
    sfId: string,
    snapshot: Record<string, unknown>,
    isNew: boolean,
  ) => {
    links.push({
      localType: item.type,
      localId: item.id,
      orgId: ctx.orgId,
      sfObject: object,
      sfId,
      snapshot,
      systemModstamp: null,
      state: 'active',
      mergedInto: null,
    });
    if (isNew)
      events.push({
        type: 'link.created',
        data: { localType: item.type, localId: item.id, sfObject: object, sfId },
      });
  };

  // 1. Missing records and skips are final now.
  const sendable: Sendable[] = [];
  for (const item of planned) {
    const d = item.decision;
    if (d === null) {
      done(
        item,
        {
          status: 'done',
          action: 'missing',
          sfObject: null,
          sfId: null,
          code: null,
          rules: [],
          reason: `${activityLabel(item.type, item.id)} no longer exists in crmsync; nothing to push.`,
        },
        null,
      );
    } else if (d.action === 'skip') {
      done(
        item,
        {
          status: 'done',
          action: 'skip',
          sfObject: null,
          sfId: null,
          code: d.code,
          rules: d.rules,
          reason: d.reason,
        },
        { code: d.code, notes: d.notes.map((n) => n.message) },
      );
    } else sendable.push(item as Sendable);
  }

  // 2. People the settings say to create (E3, E10), through the people path (C4, X1, X4).
  let people: Map<string, SettledPerson>;
  try {
    people = await settleMissingPeople(
      ctx,
      sendable.map((s) => s.decision),
    );
  } catch (err) {
    if (!isBudgetVeto(err)) throw err;
    for (const item of sendable) budget(item, err);
    await record();
    return outcomes;
  }
  const ready: Sent[] = [];
  const relationsOf = new Map<string, string[]>();
  for (const item of sendable) {
    const r = withCreatedPeople(item, people);
    if ('problem' in r) {
      fail(
        item,
        {
          status: 'failed',
          retryable: r.problem.retryable,
          classification: null,
          sfCode: r.problem.sfCode,
          message: `The person it is logged on could not be created: ${r.problem.message}`,
          rules: item.decision.rules,
        },
        item.decision.object,
        null,
      );
      continue;
    }
    ready.push({ item, fields: r.fields });
    relationsOf.set(activityKey(item.type, item.id), r.relationIds);
  }

  // 3. Per object: creates, then updates.
  const eventsToRelate: { item: Sendable; sfId: string; fresh: boolean }[] = [];
  for (const object of ['Task', 'Event', 'Note'] as const) {
    const creates = ready.filter(
      (s) => s.item.decision.object === object && s.item.decision.action === 'create',
    );
    const updates = ready.filter(
      (s) => s.item.decision.object === object && s.item.decision.action === 'update',
    );
    if (creates.length > 0) {
      const results = await createAll(ctx, object, creates, intentsToClear);
      for (const s of creates) {
        const r = results.get(activityKey(s.item.type, s.item.id));
        if (r === undefined) continue;
        if (r.outcome === 'budget') budget(s.item, r.error);
        else if (r.outcome === 'ok' || r.outcome === 'reconciled') {
          const landedBefore = r.outcome === 'reconciled' || !r.created;
          linkTo(s.item, object, r.id, s.fields, true);
          if (object === 'Event') eventsToRelate.push({ item: s.item, sfId: r.id, fresh: !landedBefore });
          done(
            s.item,
            {
              status: 'done',
              action: 'create',
              sfObject: object,
              sfId: r.id,
              code: null,
              rules: s.item.decision.rules,
              reason: landedBefore
                ? `${s.item.decision.reason} It had already landed in Salesforce (a retried create found it, X4), so it was linked, not created twice.`
                : s.item.decision.reason,
            },
            { fields: s.fields, notes: s.item.decision.notes.map((n) => n.message) },
          );
        } else if (r.outcome === 'failed')
          fail(s.item, failedOf(r, s.item.decision.rules), object, { fields: s.fields });
      }
    }
    if (updates.length > 0) await updateAll(ctx, object, updates, { done, fail, budget, linkTo });
    // An updated meeting may have new attendees: relate them too (those already related are kept).
    if (object === 'Event')
      for (const s of updates)
        if (
          s.item.decision.action === 'update' &&
          outcomes.get(activityKey(s.item.type, s.item.id))?.status === 'done'
        )
          eventsToRelate.push({ item: s.item, sfId: s.item.decision.sfId, fresh: false });
  }

  // 4. E10: the attendees of new and updated Events as EventRelations (one never related twice).
  await relate(ctx, eventsToRelate, relationsOf, log);

  await record();
  return outcomes;

  async function record(): Promise<void> {
    await ctx.deps.store.transaction(ctx.workspaceId, async (tx) => {
      for (const l of links) await tx.links.put(l);
      const byType = new Map<ActivityType, string[]>();
      for (const c of [
        ...intentsToClear,
        ...links.map((l) => ({ type: l.localType as ActivityType, id: l.localId })),
      ])
        byType.set(c.type, [...(byType.get(c.type) ?? []), c.id]);
      for (const [type, ids] of byType) await tx.intents.clear(ctx.orgId, type, ids);
      if (log.length > 0) await tx.log.append(log);
      for (const e of events) await appendEvent(tx, e.type, e.data);
    });
  }
}

interface Recorders {
  done: (
    item: PlannedActivity,
    o: Extract<ActivityOutcome, { status: 'done' }>,
    payload: Record<string, unknown> | null,
  ) => void;
  fail: (
    item: PlannedActivity,
    o: Failed,
    sfObject: ActivityObject,
    payload: Record<string, unknown> | null,
  ) => void;
  budget: (item: PlannedActivity, err: unknown) => void;
  linkTo: (
    item: PlannedActivity,
    object: ActivityObject,
    sfId: string,
    snapshot: Record<string, unknown>,
    isNew: boolean,
  ) => void;
}

/** E12: linked activities update their record with what changed since crmsync's last write. */
async function updateAll(
  ctx: PushContext,
  object: ActivityObject,
  list: readonly Sent[],
  rec: Recorders,
): Promise<void> {
  const send = list.filter((s) => Object.keys(s.fields).length > 0);
  let results: CrmWriteResult[] = [];
  let vetoed: unknown = null;
  try {
    results =
      send.length === 0
        ? []
        : await ctx.crm.update(
            object,
            send.map((s) => toCrmFields({ ...s.fields, Id: sfIdOf(s) })),
          );
  } catch (err) {
    if (!isBudgetVeto(err)) throw err;
    vetoed = err;
  }
  const resultOf = new Map(send.map((s, i) => [activityKey(s.item.type, s.item.id), results[i]]));
  for (const s of list) {
    const d = s.item.decision;
    const wrote = Object.keys(s.fields).length > 0;
    const r = resultOf.get(activityKey(s.item.type, s.item.id));
    if (!wrote || r?.outcome === 'ok') {
      rec.linkTo(s.item, object, sfIdOf(s), { ...(s.item.link?.snapshot ?? {}), ...s.fields }, false);
      rec.done(
        s.item,
        {
          status: 'done',
          action: wrote ? 'update' : 'unchanged',
          sfObject: object,
          sfId: sfIdOf(s),
          code: null,
          rules: d.rules,
          reason: wrote
            ? d.reason
            : `${d.reason} Nothing changed since crmsync's last write, so nothing was sent (X5).`,
        },
        { fields: s.fields },
      );
    } else if (r === undefined) rec.budget(s.item, vetoed);
    else if (r.outcome === 'failed') rec.fail(s.item, failedOf(r, d.rules), object, { fields: s.fields });
  }
}

const sfIdOf = (s: Sent): string => (s.item.decision.action === 'update' ? s.item.decision.sfId : '');

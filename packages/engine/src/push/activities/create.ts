import {
  classifyError,
  CRMSYNC_ID_FIELD,
  type ActivityObject,
  type CrmWriteResult,
  type PushIntent,
} from '@crmsync/core';
import { isBudgetVeto } from '../../crm-session.js';
import type { PushContext } from '../context.js';
import { toCrmFields } from '../create-records.js';
import { activityKey, type ActivityType } from './kinds.js';
import type { Sent } from './send.js';

/*
 * X4 for Tasks, Events and Notes: upserts on Crmsync_Id__c when the object has it; otherwise an
 * intent recorded before each create and, after an unknown outcome or a crash, a reconcile by
 * subject or title (and who or what it is on) before anything is sent again.
 */

/** X4 for activities: the type is part of the value, since an email and a call of the same id are both Tasks. */
export const activityExternalId = (type: ActivityType, id: string): string => `${type}:${id}`;

/** Clocks of crmsync and Salesforce differ a little: reconcile looks this far before the intent. */
const CLOCK_SKEW_MS = 5 * 60_000;

export type CreateOutcome =
  | { outcome: 'ok'; id: string; created: boolean }
  | { outcome: 'reconciled'; id: string }
  | Extract<CrmWriteResult, { outcome: 'failed' }>
  | { outcome: 'budget'; error: unknown };

/**
 * X4 creates of one object. With Crmsync_Id__c: upserts on it. Without: leftover intents are
 * reconciled first, then new intents are recorded (own transaction, before the call), then the
 * create; an unknown outcome is reconciled at once.
 */
export async function createAll(
  ctx: PushContext,
  object: ActivityObject,
  list: readonly Sent[],
  intentsToClear: { type: ActivityType; id: string }[],
): Promise<Map<string, CreateOutcome>> {
  const results = new Map<string, CreateOutcome>();
  const keyOf = (s: Sent) => activityKey(s.item.type, s.item.id);
  const vetoAll = (err: unknown) => {
    for (const s of list)
      if (!results.has(keyOf(s))) results.set(keyOf(s), { outcome: 'budget', error: err });
  };
  const extId = list[0]!.item.decision.action === 'create' && list[0]!.item.decision.plan.mode === 'upsert';
  try {
    if (extId) {
      const out = await ctx.crm.upsert(
        object,
        CRMSYNC_ID_FIELD,
        list.map((s) =>
          toCrmFields({ ...s.fields, [CRMSYNC_ID_FIELD]: activityExternalId(s.item.type, s.item.id) }),
        ),
      );
      list.forEach((s, i) => results.set(keyOf(s), out[i] as CreateOutcome));
      // A retried upsert that finds its record is an update, and Salesforce refuses create-only
      // fields there: send those again without them (only after a crash does this happen).
      const again = list.filter((s) => {
        const r = results.get(keyOf(s));
        return (
          r?.outcome === 'failed' && r.errors.some((e) => e.statusCode === 'INVALID_FIELD_FOR_INSERT_UPDATE')
        );
      });
      if (again.length > 0) {
        const retried = await ctx.crm.upsert(
          object,
          CRMSYNC_ID_FIELD,
          again.map((s) =>
            toCrmFields({
              ...withoutCreateOnly(s.fields),
              [CRMSYNC_ID_FIELD]: activityExternalId(s.item.type, s.item.id),
            }),
          ),
        );
        again.forEach((s, i) => results.set(keyOf(s), retried[i] as CreateOutcome));
      }
      return results;
    }
    const reader = ctx.deps.store.workspace(ctx.workspaceId);
    const wanted = new Map(list.map((s) => [keyOf(s), s]));
    const leftovers = (await reader.intents.list(ctx.orgId, { sfObject: object })).filter((i) =>
      wanted.has(activityKey(i.localType as ActivityType, i.localId)),
    );
    for (const [key, id] of await reconcile(ctx, object, leftovers)) {
      results.set(key, { outcome: 'reconciled', id });
      const s = wanted.get(key)!;
      intentsToClear.push({ type: s.item.type, id: s.item.id });
    }
    const todo = list.filter((s) => !results.has(keyOf(s)));
    if (todo.length === 0) return results;
    const startedAt = ctx.deps.clock.now();
    const intents: PushIntent[] = todo.map((s) => ({
      localType: s.item.type,
      localId: s.item.id,
      orgId: ctx.orgId,
      sfObject: object,
      startedAt,
      matchKeys: matchKeysOf(object, s.fields),
    }));
    await ctx.deps.store.transaction(ctx.workspaceId, (tx) => tx.intents.put(intents));
    const out = await ctx.crm.create(
      object,
      todo.map((s) => toCrmFields(s.fields)),
    );
    const unknown: PushIntent[] = [];
    todo.forEach((s, i) => {
      const r = out[i]!;
      if (r.outcome === 'unknown') unknown.push(intents[i]!);
      else {
        results.set(keyOf(s), r as CreateOutcome);
        intentsToClear.push({ type: s.item.type, id: s.item.id });
      }
    });
    if (unknown.length > 0) {
      const found = await reconcile(ctx, object, unknown);
      for (const intent of unknown) {
        const key = activityKey(intent.localType as ActivityType, intent.localId);
        const id = found.get(key);
        intentsToClear.push({ type: intent.localType as ActivityType, id: intent.localId });
        results.set(
          key,
          id !== undefined
            ? { outcome: 'reconciled', id }
            : {
                outcome: 'failed',
                id: null,
                errors: [],
                classification: { ...classifyError({ kind: 'http', status: 503 }, 'write'), retryable: true },
                requestLevel: true,
              },
        );
      }
    }
  } catch (err) {
    if (!isBudgetVeto(err)) throw err;
    vetoAll(err);
  }
  return results;
}

/** Fields Salesforce takes on create only (Task.TaskSubtype, Note.ParentId). */
const CREATE_ONLY = ['TaskSubtype', 'ParentId'];
const withoutCreateOnly = (fields: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(fields).filter(([k]) => !CREATE_ONLY.includes(k)));

/** What reconcile finds a created activity by: its subject or title, and who or what it is on. */
function matchKeysOf(object: ActivityObject, fields: Record<string, unknown>): Record<string, string> {
  const names = object === 'Note' ? ['Title', 'ParentId'] : ['Subject', 'WhoId', 'WhatId'];
  return Object.fromEntries(
    names.flatMap((n) =>
      typeof fields[n] === 'string' && fields[n] !== '' ? [[n, fields[n] as string]] : [],
    ),
  );
}

/** X4 reconcile: per intent, a record the integration user created since, with the same keys, not linked to anything. */
async function reconcile(
  ctx: PushContext,
  object: ActivityObject,
  intents: readonly PushIntent[],
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (intents.length === 0) return found;
  const primary = object === 'Note' ? 'Title' : 'Subject';
  const values = [...new Set(intents.map((i) => String(i.matchKeys[primary] ?? '')).filter((v) => v !== ''))];
  if (values.length === 0) return found;
  const others = object === 'Note' ? ['ParentId'] : ['WhoId', 'WhatId'];
  const rows = await ctx.crm.findCreatedSince({
    object,
    since: new Date(Math.min(...intents.map((i) => i.startedAt.getTime())) - CLOCK_SKEW_MS),
    createdById: ctx.identity.userId,
    keys: [{ field: primary, values }],
    fields: others,
  });
  const linked = new Set(
    (
      await ctx.deps.store.workspace(ctx.workspaceId).links.getBySfIds(
        ctx.orgId,
        rows.map((r) => String(r.Id)),
      )
    ).map((l) => l.sfId),
  );
  const claimed = new Set<string>();
  for (const intent of intents) {
    const row = rows.find(
      (r) =>
        !claimed.has(String(r.Id)) &&
        !linked.has(String(r.Id)) &&
        Object.entries(intent.matchKeys).every(([k, v]) => String(r[k] ?? '') === String(v)),
    );
    if (row === undefined) continue;
    claimed.add(String(row.Id));
    found.set(activityKey(intent.localType as ActivityType, intent.localId), String(row.Id));
  }
  return found;
}

import {
  classifyError,
  CRMSYNC_ID_FIELD,
  planCreate,
  reconcileCreate,
  type CrmFields,
  type CrmWriteResult,
  type LocalObjectType,
  type PushIntent,
  type PushObject,
} from '@crmsync/core';
import { budgetResumeAt, isBudgetVeto } from '../crm-session.js';
import type { PushContext } from './context.js';

/*
 * X4: every create is idempotent. With `Crmsync_Id__c` on the object a create is an upsert on the
 * local id, so a resend can never duplicate. Without it crmsync writes an intent (in its own
 * transaction, BEFORE the call), and after an unknown outcome, or when a crashed run left intents
 * behind, it asks Salesforce what the integration user created since the intent before anything
 * is sent again. What an intent is matched on and which row it adopts are core's (`planCreate`,
 * `reconcileCreate`); this file does the I/O around them.
 */

/** Clocks of crmsync and Salesforce differ a little: reconcile looks this far before the intent. */
const CLOCK_SKEW_MS = 5 * 60_000;

export interface CreateEntry {
  localType: LocalObjectType;
  localId: string;
  fields: Record<string, unknown>;
}

/** What `createRecords` creates: the people path's objects, and Opportunities for deals (D1, D4). */
export type CreateObject = PushObject | 'Opportunity';

export type CreateResult =
  | CrmWriteResult
  | { outcome: 'budget'; resumeAt: Date; message: string }
  | { outcome: 'reconciled'; id: string };

function toCrmFields(fields: Record<string, unknown>): CrmFields {
  const out: Record<string, string | number | boolean | null> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    out[k] =
      v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
        ? v
        : JSON.stringify(v);
  }
  return out;
}

export { toCrmFields };

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** An intent's match keys as core's `reconcileCreate` reads them: text values only. */
function matchKeysOf(intent: PushIntent): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(intent.matchKeys)) {
    const value = text(v);
    if (value !== null) out[k] = value;
  }
  return out;
}

/**
 * Finds, for each intent, the record the integration user created for it since the intent; each
 * row is adopted once. Salesforce is asked by each intent's first (most selective) key; core
 * checks every key.
 */
async function reconcile(
  ctx: PushContext,
  object: CreateObject,
  intents: readonly PushIntent[],
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const keyed = intents.flatMap((intent) => {
    const keys = matchKeysOf(intent);
    const first = Object.entries(keys)[0];
    return first === undefined ? [] : [{ intent, keys, field: first[0], value: first[1] }];
  });
  if (keyed.length === 0) return found;
  const since = new Date(Math.min(...keyed.map((k) => k.intent.startedAt.getTime())) - CLOCK_SKEW_MS);
  const byField = new Map<string, string[]>();
  for (const k of keyed) byField.set(k.field, [...(byField.get(k.field) ?? []), k.value]);
  const rows = await ctx.crm.findCreatedSince({
    object,
    since,
    createdById: ctx.identity.userId,
    keys: [...byField].map(([field, values]) => ({ field, values })),
    fields: [...new Set(keyed.flatMap((k) => Object.keys(k.keys)))],
  });
  const created = rows.map((r) => ({ ...r, Id: String(r.Id), CreatedDate: String(r.CreatedDate ?? '') }));
  // Rows already linked to another local record are someone else's; a row adopted here is too.
  const taken = new Set(
    (
      await ctx.deps.store.workspace(ctx.workspaceId).links.getBySfIds(
        ctx.orgId,
        created.map((r) => r.Id),
      )
    ).map((l) => l.sfId),
  );
  for (const { intent, keys } of keyed) {
    const outcome = reconcileCreate({
      object,
      startedAt: new Date(intent.startedAt.getTime() - CLOCK_SKEW_MS),
      matchKeys: keys,
      created,
      alreadyLinked: taken,
    });
    if (outcome.outcome === 'not_found') continue;
    const id = outcome.outcome === 'found' ? outcome.sfId : outcome.chosen;
    taken.add(id);
    found.set(intent.localId, id);
  }
  return found;
}

/**
 * Creates (or upserts) the entries' records; one result per entry, keyed by local id. Intents are
 * left for the caller to clear in its recording transaction (`intentsToClear`), so a crash
 * between the call and the recording leaves them for the next run to reconcile.
 */
export async function createRecords(
  ctx: PushContext,
  object: CreateObject,
  entries: readonly CreateEntry[],
  /** X4 for an object the context does not describe (Opportunity): does it carry the external-id field? */
  externalId: boolean = object === 'Opportunity' ? false : ctx.externalId[object],
): Promise<{
  results: Map<string, CreateResult>;
  intentsToClear: { localType: LocalObjectType; localIds: string[] }[];
}> {
  const results = new Map<string, CreateResult>();
  const plan = (e: CreateEntry) => ({ object, localId: e.localId, fields: e.fields });
  const size = Math.min(200, ctx.options.batchSize);
  const chunks = <T>(xs: readonly T[]) =>
    Array.from({ length: Math.ceil(xs.length / size) }, (_, i) => xs.slice(i * size, i * size + size));
  const veto = (err: unknown, rest: readonly CreateEntry[]) => {
    const resumeAt = budgetResumeAt(err, ctx.deps.clock.now())!;
    for (const e of rest)
      if (!results.has(e.localId))
        results.set(e.localId, { outcome: 'budget', resumeAt, message: (err as Error).message });
  };

  if (externalId) {
    for (const chunk of chunks(entries)) {
      try {
        const out = await ctx.crm.upsert(
          object,
          CRMSYNC_ID_FIELD,
          chunk.map((e) => toCrmFields(planCreate({ ...plan(e), hasExternalIdField: true }).fields)),
        );
        chunk.forEach((e, i) => results.set(e.localId, out[i]!));
      } catch (err) {
        if (!isBudgetVeto(err)) throw err;
        veto(err, entries);
        break;
      }
    }
    return { results, intentsToClear: [] };
  }

  const reader = ctx.deps.store.workspace(ctx.workspaceId);
  const wanted = new Set(entries.map((e) => e.localId));
  const leftovers = (await reader.intents.list(ctx.orgId, { sfObject: object })).filter((i) =>
    wanted.has(i.localId),
  );
  const clear = new Map<LocalObjectType, Set<string>>();
  const toClear = (t: LocalObjectType, id: string) => clear.set(t, (clear.get(t) ?? new Set()).add(id));
  try {
    const found = await reconcile(ctx, object, leftovers);
    for (const [localId, id] of found) results.set(localId, { outcome: 'reconciled', id });
  } catch (err) {
    if (!isBudgetVeto(err)) throw err;
    veto(err, entries);
    return { results, intentsToClear: [] };
  }

  const todo = entries.filter((e) => !results.has(e.localId));
  for (const chunk of chunks(todo)) {
    const startedAt = ctx.deps.clock.now();
    const intents: PushIntent[] = chunk.map((e) => {
      const planned = planCreate({ ...plan(e), hasExternalIdField: false });
      return {
        localType: e.localType,
        localId: e.localId,
        orgId: ctx.orgId,
        sfObject: object,
        startedAt,
        matchKeys: planned.mode === 'create_with_intent' ? planned.matchKeys : {},
      };
    });
    await ctx.deps.store.transaction(ctx.workspaceId, (tx) => tx.intents.put(intents));
    let out: CrmWriteResult[];
    try {
      out = await ctx.crm.create(
        object,
        chunk.map((e) => toCrmFields(e.fields)),
      );
    } catch (err) {
      if (!isBudgetVeto(err)) throw err;
      veto(err, entries);
      break;
    }
    const unknown: PushIntent[] = [];
    chunk.forEach((e, i) => {
      const r = out[i]!;
      if (r.outcome === 'unknown') unknown.push(intents[i]!);
      else {
        results.set(e.localId, r);
        toClear(e.localType, e.localId);
      }
    });
    if (unknown.length > 0) {
      let found: Map<string, string>;
      try {
        found = await reconcile(ctx, object, unknown);
      } catch (err) {
        if (!isBudgetVeto(err)) throw err;
        veto(err, entries);
        break;
      }
      for (const intent of unknown) {
        const id = found.get(intent.localId);
        const e = chunk.find((x) => x.localId === intent.localId)!;
        toClear(e.localType, e.localId);
        if (id !== undefined) results.set(e.localId, { outcome: 'reconciled', id });
        else {
          // Reconcile says it did not land: safe to send again later.
          const original = out[chunk.indexOf(e)]!;
          const classification =
            original.outcome === 'unknown'
              ? original.classification
              : classifyError({ kind: 'http', status: 503 }, 'write');
          results.set(e.localId, {
            outcome: 'failed',
            id: null,
            errors: [{ statusCode: classification.sfCode, message: classification.sfMessage, fields: [] }],
            classification: { ...classification, retryable: true },
            requestLevel: true,
          });
        }
      }
    }
  }
  const entryOf = new Map(entries.map((e) => [e.localId, e]));
  for (const [localId, r] of results) {
    const e = entryOf.get(localId);
    if (e !== undefined && r.outcome === 'reconciled') toClear(e.localType, localId);
  }
  return {
    results,
    intentsToClear: [...clear].map(([localType, ids]) => ({ localType, localIds: [...ids] })),
  };
}

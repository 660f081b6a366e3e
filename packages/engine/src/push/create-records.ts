import {
  classifyError,
  emailKey,
  nameKey,
  type CrmFields,
  type CrmWriteResult,
  type LocalObjectType,
  type PushIntent,
  type PushObject,
} from '@crmsync/core';
import { budgetResumeAt, isBudgetVeto } from '../crm-session.js';
import { EXTERNAL_ID_FIELD, type PushContext } from './context.js';

/*
 * X4: every create is idempotent. With `Crmsync_Id__c` on the object a create is an upsert on the
 * local id, so a resend can never duplicate. Without it crmsync writes an intent (in its own
 * transaction, BEFORE the call), and after an unknown outcome, or when a crashed run left intents
 * behind, it asks Salesforce what the integration user created since the intent (by email or
 * name) before anything is sent again.
 */

/** Clocks of crmsync and Salesforce differ a little: reconcile looks this far before the intent. */
const CLOCK_SKEW_MS = 5 * 60_000;

export interface CreateEntry {
  localType: LocalObjectType;
  localId: string;
  fields: Record<string, unknown>;
}

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

/** The field and value reconcile finds a created record by: the email for people, else the name. */
function reconcileKey(object: PushObject, fields: Record<string, unknown>): { field: string; value: string } {
  const pick = (name: string) => {
    const v = Object.entries(fields).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
    return typeof v === 'string' && v !== '' ? v : null;
  };
  if (object === 'Account') return { field: 'Name', value: pick('Name') ?? '' };
  const email = pick('Email');
  return email !== null
    ? { field: 'Email', value: email }
    : { field: 'LastName', value: pick('LastName') ?? '' };
}

function sameKey(field: string, a: unknown, b: unknown): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  return field === 'Email' ? emailKey(a) === emailKey(b) : nameKey(a) === nameKey(b);
}

/** Finds, for each intent, the record the integration user created for it since the intent; each row is claimed once. */
async function reconcile(
  ctx: PushContext,
  object: PushObject,
  intents: readonly PushIntent[],
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  if (intents.length === 0) return found;
  const since = new Date(Math.min(...intents.map((i) => i.startedAt.getTime())) - CLOCK_SKEW_MS);
  const byField = new Map<string, string[]>();
  for (const i of intents) {
    const field = String(i.matchKeys.field ?? '');
    const value = String(i.matchKeys.value ?? '');
    if (field === '' || value === '') continue;
    const values = byField.get(field);
    if (values === undefined) byField.set(field, [value]);
    else values.push(value);
  }
  if (byField.size === 0) return found;
  const rows = await ctx.crm.findCreatedSince({
    object,
    since,
    createdById: ctx.identity.userId,
    keys: [...byField].map(([field, values]) => ({ field, values })),
  });
  const claimed = new Set<string>();
  // Rows already linked to another local record are someone else's.
  const linked = new Set(
    (
      await ctx.deps.store.workspace(ctx.workspaceId).links.getBySfIds(
        ctx.orgId,
        rows.map((r) => String(r.Id)),
      )
    ).map((l) => l.sfId),
  );
  for (const intent of intents) {
    const field = String(intent.matchKeys.field ?? '');
    const row = rows.find(
      (r) =>
        !claimed.has(String(r.Id)) &&
        !linked.has(String(r.Id)) &&
        sameKey(field, r[field], intent.matchKeys.value),
    );
    if (row === undefined) continue;
    claimed.add(String(row.Id));
    found.set(intent.localId, String(row.Id));
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
  object: PushObject,
  entries: readonly CreateEntry[],
): Promise<{
  results: Map<string, CreateResult>;
  intentsToClear: { localType: LocalObjectType; localIds: string[] }[];
}> {
  const results = new Map<string, CreateResult>();
  const size = Math.min(200, ctx.options.batchSize);
  const chunks = <T>(xs: readonly T[]) =>
    Array.from({ length: Math.ceil(xs.length / size) }, (_, i) => xs.slice(i * size, i * size + size));
  const veto = (err: unknown, rest: readonly CreateEntry[]) => {
    const resumeAt = budgetResumeAt(err, ctx.deps.clock.now())!;
    for (const e of rest)
      if (!results.has(e.localId))
        results.set(e.localId, { outcome: 'budget', resumeAt, message: (err as Error).message });
  };

  if (ctx.externalId[object]) {
    for (const chunk of chunks(entries)) {
      try {
        const out = await ctx.crm.upsert(
          object,
          EXTERNAL_ID_FIELD,
          chunk.map((e) => toCrmFields({ ...e.fields, [EXTERNAL_ID_FIELD]: e.localId })),
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
      const key = reconcileKey(object, e.fields);
      return {
        localType: e.localType,
        localId: e.localId,
        orgId: ctx.orgId,
        sfObject: object,
        startedAt,
        matchKeys: { field: key.field, value: key.value },
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

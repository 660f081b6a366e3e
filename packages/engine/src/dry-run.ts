import {
  CrmsyncError,
  type CrmAdapter,
  type DealDecision,
  type PushDecision,
  type Settings,
  type SettingsProblem,
} from '@crmsync/core';
import type { CrmSessions } from './crm-session.js';
import type { EngineDeps } from './deps.js';
import { loadPushContext, type AccountCandidateSource, type PushContext } from './push/context.js';
import type { PushType } from './push/jobs.js';
import { planPush } from './push/plan.js';
import { unlinkedPeople } from './push/push-all.js';
import { loadDealContext, planDeals, type DealPushContext } from './push/deals/plan.js';
import { dealSyncPushes, unlinkedDeals } from './push/deals/push-all.js';

/*
 * O2: the same planner as the real run, over an adapter that refuses every write, so a preview can
 * never change Salesforce; nothing local is written either (the counts are returned, not logged).
 * (a) push all: what "Push all contacts" would do now; (b) a settings change: the decisions under
 * the old and the new settings over every record, as if each were touched now. Deals (D1-D6)
 * are counted beside people and companies, through the deal planner.
 */

export interface DryRunCounts {
  /** Records considered. */
  total: number;
  created: number;
  /** Linked to an existing Salesforce record (X1, X2). */
  linked: number;
  updated: number;
  deleted: number;
  skipped: number;
  skippedByReason: Record<string, number>;
  /** Decisions with several candidates (X3). */
  ambiguous: number;
  /** D1: linked deals Salesforce changed since the last pull; Salesforce's values win and nothing is sent. */
  overwritten: number;
  /** A4: children (Contacts, Opportunities, activities) that keep the skipped Account deletes in Salesforce. */
  accountChildren: number;
}

/** O2 (a): people as push all (C9) would do them, and the deal backfill (null when `dealSync` does not push). */
export interface PushAllDryRun extends DryRunCounts {
  deals: DryRunCounts | null;
}

/** The records a settings dry run decides. */
export type DryRunType = PushType | 'deal';

const WRITES = new Set(['create', 'update', 'upsert', 'delete', 'writeMany']);
const BULK_WRITES = new Set(['createIngestJob', 'uploadAndClose', 'abortJob', 'runIngest']);

/** The adapter with every write refused: reads (lookups, describes, queries) pass through. */
export function readOnlyCrm(crm: CrmAdapter): CrmAdapter {
  const refuse = (what: string) => () => {
    throw new CrmsyncError(
      'INTERNAL',
      { what },
      { message: `A dry run tried to write to Salesforce (${what}); dry runs never write.` },
    );
  };
  const bulk = new Proxy(crm.bulk, {
    get: (target, prop, receiver) =>
      typeof prop === 'string' && BULK_WRITES.has(prop)
        ? refuse(`bulk.${prop}`)
        : Reflect.get(target, prop, receiver),
  });
  return new Proxy(crm, {
    get: (target, prop, receiver) => {
      if (prop === 'bulk') return bulk;
      if (typeof prop === 'string' && WRITES.has(prop)) return refuse(prop);
      return Reflect.get(target, prop, receiver);
    },
  });
}

export function emptyCounts(): DryRunCounts {
  return {
    total: 0,
    created: 0,
    linked: 0,
    updated: 0,
    deleted: 0,
    skipped: 0,
    skippedByReason: {},
    ambiguous: 0,
    overwritten: 0,
    accountChildren: 0,
  };
}

/** A planned record in the counts; `accountChildren` is the A4 count of a deleted company. */
export function countDecision(
  counts: DryRunCounts,
  d: PushDecision | null,
  accountChildren: number | null = null,
): void {
  counts.total++;
  if (d === null) return;
  if (d.action === 'skip' && d.code === 'account_has_children')
    counts.accountChildren += accountChildren ?? 0;
  if (d.notes.some((n) => n.code === 'ambiguous_match')) counts.ambiguous++;
  switch (d.action) {
    case 'create':
      counts.created++;
      return;
    case 'link_existing':
      counts.linked++;
      return;
    case 'update':
      counts.updated++;
      return;
    case 'delete':
      counts.deleted++;
      return;
    case 'skip':
      counts.skipped++;
      counts.skippedByReason[d.code] = (counts.skippedByReason[d.code] ?? 0) + 1;
      return;
  }
}

/** O2: a deal decision in the counts; D1's `pull_instead` counts as overwritten. */
export function countDealDecision(counts: DryRunCounts, d: DealDecision | null): void {
  counts.total++;
  if (d === null) return;
  switch (d.action) {
    case 'create':
      counts.created++;
      return;
    case 'update':
      counts.updated++;
      return;
    case 'pull_instead':
      counts.overwritten++;
      return;
    case 'skip':
      counts.skipped++;
      counts.skippedByReason[d.code] = (counts.skippedByReason[d.code] ?? 0) + 1;
      return;
  }
}

async function dryContext(
  deps: EngineDeps,
  sessions: CrmSessions,
  workspaceId: string,
  extra: { settings?: Settings; accounts?: AccountCandidateSource },
): Promise<PushContext> {
  const session = await sessions.session(workspaceId);
  await session.refreshBudget();
  const ctx = await loadPushContext(deps, session, { runId: null, ...extra });
  return { ...ctx, crm: readOnlyCrm(ctx.crm) };
}

/** O2 (a): what push all (C9) would do now. */
export async function dryRunPushAll(
  deps: EngineDeps,
  sessions: CrmSessions,
  workspaceId: string,
  options: { pageSize?: number; accounts?: AccountCandidateSource } = {},
): Promise<PushAllDryRun> {
  const ctx = await dryContext(
    deps,
    sessions,
    workspaceId,
    options.accounts === undefined ? {} : { accounts: options.accounts },
  );
  const counts = emptyCounts();
  for await (const ids of unlinkedPeople(deps, workspaceId, ctx.orgId, options.pageSize ?? 2_000)) {
    for (const p of await planPush(ctx, 'person', ids, 'push_all')) countDecision(counts, p.decision);
  }
  const deals = await dryRunPushAllDeals(deps, ctx, options.pageSize ?? 2_000);
  await ctx.session.flushLedger();
  return { ...counts, deals };
}

/** What `pushAllDeals` would do now: every deal never linked in the org, planned as the real run plans it. */
async function dryRunPushAllDeals(
  deps: EngineDeps,
  push: PushContext,
  pageSize: number,
): Promise<DryRunCounts | null> {
  if (!dealSyncPushes(push.settings)) return null;
  const counts = emptyCounts();
  const ctx = await loadDealContext(push);
  for await (const ids of unlinkedDeals(deps, push.workspaceId, push.orgId, pageSize)) {
    for (let i = 0; i < ids.length; i += push.options.batchSize)
      for (const p of await planDeals(ctx, ids.slice(i, i + push.options.batchSize), 'change'))
        countDealDecision(counts, p.decision);
  }
  return counts;
}

export interface SettingsDryRun {
  before: Record<DryRunType, DryRunCounts>;
  after: Record<DryRunType, DryRunCounts>;
  /** Records whose decision differs (action or skip reason), up to `sampleSize`, for the admin to look at. */
  changed: { type: DryRunType; id: string; before: string; after: string }[];
  /** What the new settings get wrong against the connected org (D6 stage mapping, X5 field maps). */
  problems: SettingsProblem[];
}

const label = (d: PushDecision | DealDecision | null) =>
  d === null ? 'missing' : d.action === 'skip' ? `skip:${d.code}` : d.action;

/**
 * O2 (b): every live person, company and deal decided under the current settings and under
 * `next`, as if touched now, with the deletes still pending (a deleted person or company whose
 * link is active: e.g. an Account kept for its children, A4); `check` lists what `next` gets
 * wrong against the org.
 */
export async function dryRunSettingsChange(
  deps: EngineDeps,
  sessions: CrmSessions,
  workspaceId: string,
  next: Settings,
  options: {
    pageSize?: number;
    sampleSize?: number;
    accounts?: AccountCandidateSource;
    check?: (settings: Settings) => Promise<SettingsProblem[]>;
  } = {},
): Promise<SettingsDryRun> {
  const accounts = options.accounts === undefined ? {} : { accounts: options.accounts };
  const oldCtx = await dryContext(deps, sessions, workspaceId, accounts);
  const newCtx: PushContext = { ...oldCtx, settings: next };
  const result: SettingsDryRun = {
    before: { person: emptyCounts(), company: emptyCounts(), deal: emptyCounts() },
    after: { person: emptyCounts(), company: emptyCounts(), deal: emptyCounts() },
    changed: [],
    problems: options.check === undefined ? [] : await options.check(next),
  };
  const sample = options.sampleSize ?? 100;
  const reader = deps.store.workspace(workspaceId);
  const pageSize = options.pageSize ?? 1_000;
  for (const type of ['company', 'person'] as const) {
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof reader.records.list>> = await reader.records.list({
        type,
        cursor,
        limit: pageSize,
        includeDeleted: true,
      });
      const ids = await pendingOrLive(reader, type, page.items, oldCtx.orgId);
      if (ids.length > 0) {
        const [before, after] = [
          await planPush(oldCtx, type, ids, 'change'),
          await planPush(newCtx, type, ids, 'change'),
        ];
        before.forEach((p, i) => {
          countDecision(result.before[type], p.decision, p.accountChildren);
          const q = after[i]!;
          countDecision(result.after[type], q.decision, q.accountChildren);
          if (label(p.decision) !== label(q.decision) && result.changed.length < sample) {
            result.changed.push({ type, id: p.id, before: label(p.decision), after: label(q.decision) });
          }
        });
      }
      cursor = page.nextCursor;
    } while (cursor !== null);
  }
  await dryRunDealSettings(deps, [oldCtx, newCtx], result, pageSize, sample);
  await oldCtx.session.flushLedger();
  return result;
}

/** The ids of a page a settings dry run decides: live records, and deleted ones whose delete is still pending. */
async function pendingOrLive(
  reader: ReturnType<EngineDeps['store']['workspace']>,
  type: PushType,
  items: readonly { id: string; deletedAt: Date | null }[],
  orgId: string,
): Promise<string[]> {
  const deleted = items.filter((r) => r.deletedAt !== null).map((r) => r.id);
  const pending = new Set(
    deleted.length === 0
      ? []
      : (await reader.links.getMany(type, deleted, orgId))
          .filter((l) => l.state === 'active')
          .map((l) => l.localId),
  );
  return items.filter((r) => r.deletedAt === null || pending.has(r.id)).map((r) => r.id);
}

/** The deal part of O2 (b): every live deal planned under both settings, in batches as the worker plans. */
async function dryRunDealSettings(
  deps: EngineDeps,
  [oldPush, newPush]: readonly [PushContext, PushContext],
  result: SettingsDryRun,
  pageSize: number,
  sample: number,
): Promise<void> {
  const reader = deps.store.workspace(oldPush.workspaceId);
  let contexts: [DealPushContext, DealPushContext] | null = null;
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<typeof reader.records.list<'deal'>>> = await reader.records.list({
      type: 'deal',
      cursor,
      limit: pageSize,
    });
    const ids = page.items.map((r) => r.id);
    if (ids.length > 0) contexts ??= [await loadDealContext(oldPush), await loadDealContext(newPush)];
    for (let i = 0; contexts !== null && i < ids.length; i += oldPush.options.batchSize) {
      const batch = ids.slice(i, i + oldPush.options.batchSize);
      const before = await planDeals(contexts[0], batch, 'change');
      const after = await planDeals(contexts[1], batch, 'change');
      before.forEach((p, j) => {
        const q = after[j]!;
        countDealDecision(result.before.deal, p.decision);
        countDealDecision(result.after.deal, q.decision);
        if (label(p.decision) !== label(q.decision) && result.changed.length < sample)
          result.changed.push({
            type: 'deal',
            id: p.id,
            before: label(p.decision),
            after: label(q.decision),
          });
      });
    }
    cursor = page.nextCursor;
  } while (cursor !== null);
}

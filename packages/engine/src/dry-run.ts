import { CrmsyncError, type CrmAdapter, type PushDecision, type Settings } from '@crmsync/core';
import type { CrmSessions } from './crm-session.js';
import type { EngineDeps } from './deps.js';
import { loadPushContext, type AccountCandidateSource, type PushContext } from './push/context.js';
import type { PushType } from './push/jobs.js';
import { planPush } from './push/plan.js';
import { unlinkedPeople } from './push/push-all.js';

/*
 * O2: the same planner as the real run, over an adapter that refuses every write, so a preview can
 * never change Salesforce; nothing local is written either (the counts are returned, not logged).
 * (a) push all: what "Push all contacts" would do now; (b) a settings change: the decisions under
 * the old and the new settings over every record, as if each were touched now.
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
}

const WRITES = new Set(['create', 'update', 'upsert', 'delete']);
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
  };
}

export function countDecision(counts: DryRunCounts, d: PushDecision | null): void {
  counts.total++;
  if (d === null) return;
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
): Promise<DryRunCounts> {
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
  await ctx.session.flushLedger();
  return counts;
}

export interface SettingsDryRun {
  before: Record<PushType, DryRunCounts>;
  after: Record<PushType, DryRunCounts>;
  /** Records whose decision differs (action or skip reason), up to `sampleSize`, for the admin to look at. */
  changed: { type: PushType; id: string; before: string; after: string }[];
}

const label = (d: PushDecision | null) =>
  d === null ? 'missing' : d.action === 'skip' ? `skip:${d.code}` : d.action;

/** O2 (b): every live person and company decided under the current settings and under `next`, as if touched now. */
export async function dryRunSettingsChange(
  deps: EngineDeps,
  sessions: CrmSessions,
  workspaceId: string,
  next: Settings,
  options: { pageSize?: number; sampleSize?: number; accounts?: AccountCandidateSource } = {},
): Promise<SettingsDryRun> {
  const accounts = options.accounts === undefined ? {} : { accounts: options.accounts };
  const oldCtx = await dryContext(deps, sessions, workspaceId, accounts);
  const newCtx: PushContext = { ...oldCtx, settings: next };
  const result: SettingsDryRun = {
    before: { person: emptyCounts(), company: emptyCounts() },
    after: { person: emptyCounts(), company: emptyCounts() },
    changed: [],
  };
  const reader = deps.store.workspace(workspaceId);
  const pageSize = options.pageSize ?? 1_000;
  for (const type of ['company', 'person'] as const) {
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof reader.records.list>> = await reader.records.list({
        type,
        cursor,
        limit: pageSize,
      });
      const ids = page.items.map((r) => r.id);
      if (ids.length > 0) {
        const [before, after] = [
          await planPush(oldCtx, type, ids, 'change'),
          await planPush(newCtx, type, ids, 'change'),
        ];
        before.forEach((p, i) => {
          countDecision(result.before[type], p.decision);
          const q = after[i]!;
          countDecision(result.after[type], q.decision);
          if (
            label(p.decision) !== label(q.decision) &&
            result.changed.length < (options.sampleSize ?? 100)
          ) {
            result.changed.push({ type, id: p.id, before: label(p.decision), after: label(q.decision) });
          }
        });
      }
      cursor = page.nextCursor;
    } while (cursor !== null);
  }
  await oldCtx.session.flushLedger();
  return result;
}

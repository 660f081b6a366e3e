import { CrmsyncError, type Settings } from '@crmsync/core';
import type { CrmSessions } from '../../crm-session.js';
import type { EngineDeps } from '../../deps.js';
import { overwriteDealsOnce } from '../../pull/opportunities-overwrite.js';
import { loadPushContext, type AccountCandidateSource, type PushContext } from '../context.js';
import { newRunId, type PushAllProgress } from '../push-all.js';
import { unlinkedIds } from '../unlinked.js';
import { trafficFor } from '../worker.js';
import { executeDealPlan, type DealOutcome } from './execute.js';
import { loadDealContext, planDeals } from './plan.js';

/*
 * Deals pushed now, outside the worker: the backfill (C9 applied to deals: every deal never
 * linked in this org) and the manual push of chosen deals (M1). Both obey the pause (L3) and the
 * API budget (O3), run D1's one-time overwrite first as the worker does, and go through the same
 * planner and executor as the worker, so their outcomes and log entries are the worker's.
 * `dealSync` is never overridden: a manual push re-creates an Opportunity deleted in Salesforce
 * (M1), but under `off` or `pull` no deal travels (D2, D3), as `decideDealPush` says.
 */

/** D1/D4: the modes under which local deals go to Salesforce. */
export const dealSyncPushes = (settings: Settings): boolean =>
  settings.deals.dealSync === 'push' || settings.deals.dealSync === 'bidirectional';

/** Ids of live deals with no link in the org, one store page at a time. */
export const unlinkedDeals = (
  deps: Pick<EngineDeps, 'store'>,
  workspaceId: string,
  orgId: string,
  pageSize: number,
): AsyncGenerator<string[]> =>
  // A deal whose Opportunity was deleted in Salesforce is not backfilled: only a manual push re-creates it (M1).
  unlinkedIds(deps, workspaceId, 'deal', orgId, pageSize, () => true);

export interface DealPushAllResult extends PushAllProgress {
  runId: string;
  /** The deal sync mode in force: under `off` and `pull` nothing is considered (D2, D3). */
  dealSync: Settings['deals']['dealSync'];
}

export interface DealPushAllOptions {
  runId?: string;
  onProgress?: (progress: PushAllProgress) => void;
  /** Deals read from the store at once; default 2,000. */
  pageSize?: number;
  accounts?: AccountCandidateSource;
}

function tally(progress: PushAllProgress, outcome: DealOutcome): void {
  progress.done++;
  if (outcome.status !== 'done') progress.failed++;
  else if (outcome.action === 'create') progress.created++;
  else if (outcome.action === 'update' || outcome.action === 'unchanged' || outcome.action === 'overwritten')
    progress.linked++;
  else progress.skipped++;
}

/** Throws PAUSED / DISCONNECTED when traffic is stopped (L3); per-deal failures are outcomes. */
async function openPush(
  deps: EngineDeps,
  sessions: CrmSessions,
  workspaceId: string,
  extra: { runId?: string | null; accounts?: AccountCandidateSource },
): Promise<PushContext> {
  const connection = await deps.store.workspace(workspaceId).connection.get();
  if (connection === null) throw new CrmsyncError('DISCONNECTED', { workspaceId });
  const gate = trafficFor(connection, 'manual_push', deps.clock.now());
  if (!gate.allowed)
    throw new CrmsyncError(gate.code, { workspaceId, rule: gate.rule }, { message: gate.reason });
  const session = await sessions.session(workspaceId);
  await session.refreshBudget();
  const push = await loadPushContext(deps, session, extra);
  // D1: turning bidirectional sync on overwrites linked deals from Salesforce before any deal is pushed.
  await overwriteDealsOnce({
    store: deps.store,
    crm: push.crm,
    logger: deps.logger,
    workspaceId,
    orgId: push.orgId,
    settings: push.settings,
  });
  return push;
}

/** C9 for deals: every deal never linked in this org, pushed now under `dealSync`. */
export async function pushAllDeals(
  deps: EngineDeps,
  sessions: CrmSessions,
  workspaceId: string,
  options: DealPushAllOptions = {},
): Promise<DealPushAllResult> {
  const runId = options.runId ?? newRunId(deps, 'push-all-deals');
  const push = await openPush(deps, sessions, workspaceId, {
    runId,
    ...(options.accounts === undefined ? {} : { accounts: options.accounts }),
  });
  const progress: PushAllProgress = { total: 0, done: 0, created: 0, linked: 0, skipped: 0, failed: 0 };
  const dealSync = push.settings.deals.dealSync;
  if (!dealSyncPushes(push.settings)) return { ...progress, runId, dealSync };
  const pageSize = options.pageSize ?? 2_000;
  for await (const ids of unlinkedDeals(deps, workspaceId, push.orgId, pageSize))
    progress.total += ids.length;
  options.onProgress?.({ ...progress });
  const ctx = await loadDealContext(push);
  for await (const ids of unlinkedDeals(deps, workspaceId, push.orgId, pageSize)) {
    for (let i = 0; i < ids.length; i += push.options.batchSize) {
      const planned = await planDeals(ctx, ids.slice(i, i + push.options.batchSize), 'change');
      for (const o of (await executeDealPlan(ctx, planned)).values()) tally(progress, o);
      options.onProgress?.({ ...progress });
    }
  }
  await push.session.flushLedger();
  return { ...progress, runId, dealSync };
}

export interface DealPushResult {
  type: 'deal';
  id: string;
  outcome: DealOutcome;
}

/** M1 for deals: the chosen deals now, re-creating an Opportunity deleted in Salesforce; the result per deal. */
export async function pushDealsNow(
  deps: EngineDeps,
  sessions: CrmSessions,
  workspaceId: string,
  dealIds: readonly string[],
  opts: { accounts?: AccountCandidateSource } = {},
): Promise<DealPushResult[]> {
  const push = await openPush(deps, sessions, workspaceId, opts);
  const ctx = await loadDealContext(push);
  const ids = [...new Set(dealIds)];
  const results: DealPushResult[] = [];
  for (let i = 0; i < ids.length; i += push.options.batchSize) {
    const batch = ids.slice(i, i + push.options.batchSize);
    const outcomes = await executeDealPlan(ctx, await planDeals(ctx, batch, 'manual'));
    for (const id of batch) {
      const outcome = outcomes.get(id);
      if (outcome !== undefined) results.push({ type: 'deal', id, outcome });
    }
  }
  await push.session.flushLedger();
  return results;
}

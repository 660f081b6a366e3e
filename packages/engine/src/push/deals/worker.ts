import { backoffDelay, CrmsyncError, type Job } from '@crmsync/core';
import { budgetResumeAt, type CrmSession } from '../../crm-session.js';
import type { EngineDeps } from '../../deps.js';
import { overwriteDealsOnce } from '../../pull/opportunities-overwrite.js';
import { engineOptions, type PushContext } from '../context.js';
import { DEAL_QUEUE, parseDealJobKey } from '../jobs.js';
import type { PushBatchReport } from '../worker.js';
import { executeDealPlan, type DealOutcome } from './execute.js';
import { loadDealContext, planDeals } from './plan.js';

/*
 * The deal part of a push batch (D1-D6), run after companies and people so a deal's Account
 * and Contacts exist when its Opportunity and contact roles are written. A job ends as the
 * people's do: completed, retried with backoff (O4), parked, or rescheduled for the budget (O3).
 */

/** Claims one batch of deal jobs, decides and sends; adds its counts to `report`. Throws only for the store or a broken adapter. */
export async function runDealJobs(
  deps: EngineDeps,
  session: CrmSession,
  workspaceId: string,
  report: PushBatchReport,
  context: () => Promise<PushContext>,
): Promise<Map<string, DealOutcome>> {
  const options = engineOptions(deps);
  const owner = { workerId: deps.workerId };
  const outcomes = new Map<string, DealOutcome>();
  const jobs = await deps.queue.claim({
    workspaceId,
    queue: DEAL_QUEUE,
    limit: options.batchSize,
    leaseMs: options.leaseMs,
    workerId: deps.workerId,
  });
  if (jobs.length === 0) return outcomes;
  report.claimed += jobs.length;
  const extend = setInterval(
    () =>
      void deps.queue
        .extendLease(
          jobs.map((j) => j.id),
          { ...owner, leaseMs: options.leaseMs },
        )
        .catch(() => {}),
    Math.max(1_000, options.leaseMs / 3),
  );
  try {
    const refs = jobs.flatMap((job) => {
      const id = parseDealJobKey(job.key);
      return id === null ? [] : [{ job, id }];
    });
    const unknown = jobs.filter((j) => parseDealJobKey(j.key) === null);
    if (unknown.length > 0)
      await deps.queue.complete(
        unknown.map((j) => j.id),
        owner,
      );
    try {
      const push = await context();
      // D1: turning bidirectional sync on overwrites linked deals from Salesforce before any deal is pushed.
      await overwriteDealsOnce({
        store: deps.store,
        crm: push.crm,
        logger: deps.logger,
        workspaceId,
        orgId: push.orgId,
        settings: push.settings,
      });
      const ctx = await loadDealContext(push);
      const planned = await planDeals(
        ctx,
        refs.map((r) => r.id),
        'change',
      );
      for (const [id, o] of await executeDealPlan(ctx, planned)) outcomes.set(id, o);
    } catch (err) {
      const resumeAt = budgetResumeAt(err, deps.clock.now());
      let stop: DealOutcome;
      if (resumeAt !== null) stop = { status: 'budget', resumeAt, message: (err as Error).message };
      else if (err instanceof CrmsyncError && err.retryable) {
        const sfCode = typeof err.details.sfCode === 'string' ? err.details.sfCode : err.code;
        stop = {
          status: 'failed',
          retryable: true,
          classification: null,
          code: err.code,
          sfCode,
          message: err.message,
          rules: ['O4'],
        };
      } else {
        await deps.queue.release(
          jobs.map((j) => j.id),
          owner,
        );
        throw err;
      }
      const e = stop;
      await deps.store.transaction(workspaceId, (tx) =>
        tx.log.append(
          refs.map((r) =>
            e.status === 'budget'
              ? {
                  recordType: 'deal' as const,
                  recordId: r.id,
                  action: 'budget_wait',
                  rules: ['O3'],
                  reason: e.message,
                  errorCode: 'API_BUDGET_EXHAUSTED',
                  errorMessage: e.message,
                }
              : {
                  recordType: 'deal' as const,
                  recordId: r.id,
                  action: 'fail',
                  rules: ['O4'],
                  reason: e.status === 'failed' ? e.message : '',
                  errorCode: e.status === 'failed' ? e.sfCode : null,
                  errorMessage: e.status === 'failed' ? e.message : null,
                },
          ),
        ),
      );
      for (const r of refs) outcomes.set(r.id, stop);
    }
    for (const { job, id } of refs) await settleDealJob(deps, job, outcomes.get(id), report);
  } finally {
    clearInterval(extend);
  }
  return outcomes;
}

async function settleDealJob(
  deps: EngineDeps,
  job: Job,
  outcome: DealOutcome | undefined,
  report: PushBatchReport,
): Promise<void> {
  const options = engineOptions(deps);
  const owner = { workerId: deps.workerId };
  if (outcome === undefined || outcome.status === 'done') {
    await deps.queue.complete([job.id], owner);
    report.completed++;
    return;
  }
  if (outcome.status === 'budget') {
    // No attempt counted: a new job at resumeAt (it waits while this one is leased), then this one ends.
    await deps.store.transaction(job.workspaceId, (tx) =>
      tx.jobs.enqueue({ queue: job.queue, key: job.key, runAt: outcome.resumeAt }),
    );
    await deps.queue.complete([job.id], owner);
    report.budgetWaits++;
    return;
  }
  const attempt = job.attempts + 1;
  const max = Math.min(options.maxAttempts, outcome.classification?.maxAttempts ?? options.maxAttempts);
  const error = `${outcome.sfCode}: ${outcome.message}`;
  if (outcome.retryable && attempt < max) {
    const random = deps.random();
    const fallback = backoffDelay(
      { baseMs: options.backoffBaseMs, capMs: options.backoffMaxMs, maxAttempts: max },
      attempt,
      random,
    );
    const delay = Math.min(
      options.backoffMaxMs,
      outcome.classification === null ? fallback : outcome.classification.backoffMs(attempt, random),
    );
    await deps.queue.fail(job.id, { ...owner, error, retryAt: new Date(deps.clock.now().getTime() + delay) });
    report.retrying++;
    return;
  }
  await deps.queue.fail(job.id, { ...owner, error, retryAt: null });
  report.parked++;
}

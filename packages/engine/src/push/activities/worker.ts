import { backoffDelay, CrmsyncError, type Job } from '@crmsync/core';
import { budgetResumeAt } from '../../crm-session.js';
import type { EngineDeps } from '../../deps.js';
import { engineOptions, type PushContext } from '../context.js';
import {
  ACTIVITY_QUEUE,
  activityJobKey,
  activityKey,
  parseActivityJobKey,
  type ActivityType,
} from './kinds.js';
import { planActivities } from './plan.js';
import { sendActivities, type ActivityOutcome } from './send.js';
import type { PushBatchReport } from '../worker.js';

/*
 * The activity leg of a push batch, run after companies and people (so the people an activity is
 * logged on are linked first): claims one batch of activity jobs, plans and sends them, and ends
 * each job as completed, retried with backoff (O4), parked, or rescheduled after the API budget
 * (O3) - as the people leg does.
 */

/** The counts of `PushBatchReport` an activity batch adds to. */
export type ActivityBatchCounts = Pick<
  PushBatchReport,
  'claimed' | 'completed' | 'retrying' | 'parked' | 'budgetWaits'
>;

/** Claims one batch of activity jobs; adds its counts to `report`. Throws only for the store or a broken adapter, never for an activity. */
export async function runActivityBatch(
  deps: EngineDeps,
  workspaceId: string,
  report: ActivityBatchCounts,
  loadContext: () => Promise<PushContext>,
): Promise<Map<string, ActivityOutcome>> {
  const options = engineOptions(deps);
  const result = new Map<string, ActivityOutcome>();
  const owner = { workerId: deps.workerId };
  const jobs = await deps.queue.claim({
    workspaceId,
    queue: ACTIVITY_QUEUE,
    limit: options.batchSize,
    leaseMs: options.leaseMs,
    workerId: deps.workerId,
  });
  if (jobs.length === 0) return result;
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
      const ref = parseActivityJobKey(job.key);
      return ref === null ? [] : [{ job, ...ref }];
    });
    const unknownJobs = jobs.filter((j) => parseActivityJobKey(j.key) === null);
    if (unknownJobs.length > 0)
      await deps.queue.complete(
        unknownJobs.map((j) => j.id),
        owner,
      );
    let outcomes: Map<string, ActivityOutcome>;
    try {
      const ctx = await loadContext();
      outcomes = await sendActivities(ctx, await planActivities(ctx, refs));
    } catch (err) {
      // A veto or a passing failure while reading stops the whole batch: every job tries again later.
      const resumeAt = budgetResumeAt(err, deps.clock.now());
      let whole: ActivityOutcome;
      if (resumeAt !== null) whole = { status: 'budget', resumeAt, message: (err as Error).message };
      else if (err instanceof CrmsyncError && err.retryable)
        whole = {
          status: 'failed',
          retryable: true,
          classification: null,
          sfCode: typeof err.details.sfCode === 'string' ? err.details.sfCode : err.code,
          message: err.message,
          rules: ['O4'],
        };
      else {
        await deps.queue.release(
          jobs.map((j) => j.id),
          owner,
        );
        throw err;
      }
      outcomes = new Map(refs.map((r) => [activityKey(r.type, r.id), whole]));
      await deps.store.transaction(workspaceId, (tx) =>
        tx.log.append(
          refs.map((r) => ({
            recordType: r.type,
            recordId: r.id,
            action: whole.status === 'budget' ? 'budget_wait' : 'fail',
            rules: whole.status === 'budget' ? ['O3'] : ['O4'],
            reason: whole.message,
            errorCode:
              whole.status === 'budget'
                ? 'API_BUDGET_EXHAUSTED'
                : whole.status === 'failed'
                  ? whole.sfCode
                  : null,
            errorMessage: whole.message,
          })),
        ),
      );
    }
    // Finished jobs end in one call; the others one by one (each with its own retry time).
    const finished: string[] = [];
    for (const { job, type, id } of refs) {
      const outcome = outcomes.get(activityKey(type, id));
      if (outcome !== undefined) result.set(activityKey(type, id), outcome);
      if (outcome === undefined || outcome.status === 'done') finished.push(job.id);
      else await settle(deps, job, type, id, outcome, report);
    }
    if (finished.length > 0) {
      await deps.queue.complete(finished, owner);
      report.completed += finished.length;
    }
  } finally {
    clearInterval(extend);
  }
  return result;
}

async function settle(
  deps: EngineDeps,
  job: Job,
  type: ActivityType,
  id: string,
  outcome: Exclude<ActivityOutcome, { status: 'done' }>,
  report: ActivityBatchCounts,
): Promise<void> {
  const options = engineOptions(deps);
  const owner = { workerId: deps.workerId };
  if (outcome.status === 'budget') {
    await deps.store.transaction(job.workspaceId, (tx) =>
      tx.jobs.enqueue({ queue: ACTIVITY_QUEUE, key: activityJobKey(type, id), runAt: outcome.resumeAt }),
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
    const delay = Math.min(
      options.backoffMaxMs,
      outcome.classification === null
        ? backoffDelay(
            { baseMs: options.backoffBaseMs, capMs: options.backoffMaxMs, maxAttempts: max },
            attempt,
            random,
          )
        : outcome.classification.backoffMs(attempt, random),
    );
    await deps.queue.fail(job.id, { ...owner, error, retryAt: new Date(deps.clock.now().getTime() + delay) });
    report.retrying++;
    return;
  }
  await deps.queue.fail(job.id, { ...owner, error, retryAt: null });
  report.parked++;
}

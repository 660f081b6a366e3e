import {
  backoffDelay,
  CrmsyncError,
  type ErrorClassification,
  type Job,
  type LocalObjectType,
} from '@crmsync/core';
import { budgetResumeAt } from '../crm-session.js';
import type { EngineDeps } from '../deps.js';
import { engineOptions } from './context.js';
import type { PushBatchReport } from './worker.js';

/*
 * How a push worker holds and ends its jobs, the same for people and companies, deals and
 * activities: claim one batch and keep its lease, stop the whole batch on a budget veto (O3) or
 * a failure that passes (O4), and end each job as completed, retried with backoff and jitter
 * (O4), parked for a manual retry, or rescheduled when the API budget is spent (O3).
 */

/** The counts of `PushBatchReport` the settling of jobs adds to. */
export type JobCounts = Pick<
  PushBatchReport,
  'claimed' | 'completed' | 'retrying' | 'parked' | 'budgetWaits'
>;

/** What settling a job reads of a record's outcome; the outcome of every push path fits. */
export type SettleOutcome =
  | { status: 'done' }
  | { status: 'budget'; resumeAt: Date }
  | {
      status: 'failed';
      retryable: boolean;
      classification: ErrorClassification | null;
      sfCode: string;
      message: string;
    };

/** The outcome of every record of a batch that stopped before any per-record result. */
export type BatchStop =
  | { status: 'budget'; resumeAt: Date; message: string }
  | {
      status: 'failed';
      retryable: true;
      classification: null;
      code: string;
      sfCode: string;
      message: string;
      rules: readonly string[];
    };

/** A claimed batch whose leases are extended until `done`, so long work never loses them half-way. */
export interface ClaimedBatch {
  jobs: Job[];
  /** Stops extending the leases (the jobs are settled or released by then). */
  done(): void;
}

/** Claims one batch of `queue` (at most `limit`, default the batch size) and keeps its leases alive. */
export async function claimBatch(
  deps: EngineDeps,
  workspaceId: string,
  queue: string,
  report: JobCounts,
  limit?: number,
): Promise<ClaimedBatch> {
  const options = engineOptions(deps);
  const owner = { workerId: deps.workerId };
  const jobs = await deps.queue.claim({
    workspaceId,
    queue,
    limit: limit ?? options.batchSize,
    leaseMs: options.leaseMs,
    workerId: deps.workerId,
  });
  if (jobs.length === 0) return { jobs, done: () => {} };
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
  return { jobs, done: () => clearInterval(extend) };
}

/**
 * Runs `work` on a claimed batch's jobs whose key `parse` reads; jobs with a key this path did not
 * write are completed first. Returns null for an empty batch; throws what `work` throws; the
 * batch is `done` either way.
 */
export async function workOnBatch<R extends object, T>(
  deps: EngineDeps,
  batch: ClaimedBatch,
  parse: (key: string) => R | null,
  work: (refs: (R & { job: Job })[], jobs: Job[]) => Promise<T>,
): Promise<T | null> {
  const { jobs } = batch;
  try {
    if (jobs.length === 0) return null;
    const refs = jobs.flatMap((job) => {
      const ref = parse(job.key);
      return ref === null ? [] : [{ ...ref, job }];
    });
    const unknownJobs = jobs.filter((j) => parse(j.key) === null);
    if (unknownJobs.length > 0)
      await deps.queue.complete(
        unknownJobs.map((j) => j.id),
        { workerId: deps.workerId },
      );
    return await work(refs, jobs);
  } finally {
    batch.done();
  }
}

/** `claimBatch` then `workOnBatch`: one batch of `queue`, leases extended while `work` runs. */
export async function withClaimedBatch<R extends object, T>(
  deps: EngineDeps,
  workspaceId: string,
  queue: string,
  parse: (key: string) => R | null,
  report: JobCounts,
  work: (refs: (R & { job: Job })[], jobs: Job[]) => Promise<T>,
  /** Jobs to claim; default the batch size. */
  limit?: number,
): Promise<T | null> {
  return workOnBatch(deps, await claimBatch(deps, workspaceId, queue, report, limit), parse, work);
}

/**
 * A batch failed while reading or sending, before any per-record result. A budget veto (O3) or a
 * failure that passes (O4) becomes every record's outcome, said on each record in the log (O1);
 * anything else releases all `jobs` untouched and is thrown again.
 */
export async function stopBatch(
  deps: EngineDeps,
  workspaceId: string,
  jobs: readonly Job[],
  records: readonly { recordType: LocalObjectType; recordId: string }[],
  err: unknown,
): Promise<BatchStop> {
  const resumeAt = budgetResumeAt(err, deps.clock.now());
  let stop: BatchStop;
  if (resumeAt !== null) stop = { status: 'budget', resumeAt, message: (err as Error).message };
  else if (err instanceof CrmsyncError && err.retryable)
    stop = {
      status: 'failed',
      retryable: true,
      classification: null,
      code: err.code,
      sfCode: typeof err.details.sfCode === 'string' ? err.details.sfCode : err.code,
      message: err.message,
      rules: ['O4'],
    };
  else {
    await deps.queue.release(
      jobs.map((j) => j.id),
      { workerId: deps.workerId },
    );
    throw err;
  }
  const e = stop;
  await deps.store.transaction(workspaceId, (tx) =>
    tx.log.append(
      records.map((r) => ({
        ...r,
        action: e.status === 'budget' ? 'budget_wait' : 'fail',
        rules: e.status === 'budget' ? ['O3'] : ['O4'],
        reason: e.message,
        errorCode: e.status === 'budget' ? 'API_BUDGET_EXHAUSTED' : e.sfCode,
        errorMessage: e.message,
      })),
    ),
  );
  return stop;
}

/** Ends one claimed job by its record's outcome; no outcome (the record is gone) completes it. */
export async function settleJob(
  deps: EngineDeps,
  job: Job,
  outcome: SettleOutcome | undefined,
  report: JobCounts,
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

/**
 * `settleJob` for a batch: the finished jobs end in one `complete` call (one round trip on
 * PostgreSQL instead of one per job); the others one by one, each with its own retry time.
 */
export async function settleJobs(
  deps: EngineDeps,
  items: readonly { job: Job; outcome: SettleOutcome | undefined }[],
  report: JobCounts,
): Promise<void> {
  const finished: string[] = [];
  const waits: { job: Job; resumeAt: Date }[] = [];
  for (const { job, outcome } of items) {
    if (outcome === undefined || outcome.status === 'done') finished.push(job.id);
    else if (outcome.status === 'budget') waits.push({ job, resumeAt: outcome.resumeAt });
    else await settleJob(deps, job, outcome, report);
  }
  // O3, as settleJob does it, for a whole vetoed batch at once: new jobs at the resume time (no
  // attempt counted; they wait while these are leased), then these end.
  if (waits.length > 0) {
    await deps.store.transaction(waits[0]!.job.workspaceId, (tx) =>
      tx.jobs.enqueue(
        waits.map(({ job, resumeAt }) => ({ queue: job.queue, key: job.key, runAt: resumeAt })),
      ),
    );
    report.budgetWaits += waits.length;
  }
  const ending = [...finished, ...waits.map((w) => w.job.id)];
  if (ending.length === 0) return;
  await deps.queue.complete(ending, { workerId: deps.workerId });
  report.completed += finished.length;
}

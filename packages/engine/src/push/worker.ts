import {
  allowTraffic,
  backoffDelay,
  CrmsyncError,
  type Connection,
  type Job,
  type TrafficDecision,
} from '@crmsync/core';
import { toLifecycle } from '../lifecycle.js';
import { budgetResumeAt, type CrmSessions } from '../crm-session.js';
import type { EngineDeps } from '../deps.js';
import { engineOptions, loadPushContext, type AccountCandidateSource } from './context.js';
import { executePlan, outcomeKey, type PushOutcome } from './execute.js';
import { jobKey, parseJobKey, PUSH_QUEUE, type PushType } from './jobs.js';
import { planPush } from './plan.js';
import { runDealJobs } from './deals/worker.js';
import { runActivityBatch } from './activities/worker.js';

/*
 * The push worker: claims a batch of jobs per type (companies first, so their Accounts exist
 * before the people that go under them), re-reads everything, decides and sends. A job ends as
 * completed, retried later with backoff and jitter (O4), parked for a manual retry, or
 * rescheduled when the API budget is spent (O3, no attempt counted).
 */

export interface PushBatchReport {
  /** Why nothing ran, when traffic is not allowed now (L1, L3). */
  gated: TrafficDecision | null;
  /** True when nothing was claimed because a partial batch is still gathering (see `gather.ts`). */
  gathering: boolean;
  claimed: number;
  completed: number;
  retrying: number;
  parked: number;
  budgetWaits: number;
  outcomes: Map<string, PushOutcome>;
}

/** The lifecycle as core's `allowTraffic` reads it, from the stored connection. */
export function trafficFor(
  connection: Connection,
  traffic: 'auto_push' | 'manual_push',
  now: Date,
): TrafficDecision {
  return allowTraffic(toLifecycle(connection), traffic, now);
}

export interface PushWorkerOptions {
  /** X2 candidates; default: the org's Accounts loaded once per run. */
  accounts?: AccountCandidateSource;
  /**
   * C10/A4, local deletes: when given, jobs of records deleted locally go here (the pull side's
   * `applyLocalDeletes`, which counts an Account's remaining children first) instead of through
   * decidePush, which can delete a person but leaves a company's Account alone until its
   * children are counted. Throwing leaves the jobs to be retried.
   */
  localDeletes?: (workspaceId: string, refs: { type: PushType; id: string }[]) => Promise<unknown>;
  /** The long-running worker's gathering (`PushGatherer.ready`): false leaves the due jobs queued a little longer. */
  gather?: () => Promise<boolean>;
}

/** Runs one batch per push queue for a workspace. Throws only for the store or a broken adapter, never for a record. */
export async function runPushBatch(
  deps: EngineDeps,
  sessions: CrmSessions,
  workspaceId: string,
  opts: PushWorkerOptions = {},
): Promise<PushBatchReport> {
  const options = engineOptions(deps);
  const report: PushBatchReport = {
    gated: null,
    gathering: false,
    claimed: 0,
    completed: 0,
    retrying: 0,
    parked: 0,
    budgetWaits: 0,
    outcomes: new Map(),
  };
  const connection = await deps.store.workspace(workspaceId).connection.get();
  if (connection === null) {
    report.gated = {
      allowed: false,
      rule: 'L3',
      code: 'DISCONNECTED',
      reason: 'Salesforce is not connected.',
      retryAt: null,
    };
    return report;
  }
  // L1/L3: leave jobs pending and unclaimed; nothing is lost.
  const gate = trafficFor(connection, 'auto_push', deps.clock.now());
  if (!gate.allowed) {
    report.gated = gate;
    return report;
  }
  if (opts.gather !== undefined && !(await opts.gather())) {
    report.gathering = true;
    return report;
  }
  const session = await sessions.session(workspaceId);
  await session.refreshBudget();
  let ctx: Awaited<ReturnType<typeof loadPushContext>> | null = null;

  for (const type of ['company', 'person'] as const satisfies readonly PushType[]) {
    const jobs = await deps.queue.claim({
      workspaceId,
      queue: PUSH_QUEUE[type],
      limit: options.batchSize,
      leaseMs: options.leaseMs,
      workerId: deps.workerId,
    });
    if (jobs.length === 0) continue;
    report.claimed += jobs.length;
    const owner = { workerId: deps.workerId };
    // Long batches (describes, a cold Account index) must not lose their lease half-way.
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
      const refs = jobs.flatMap((j) => {
        const ref = parseJobKey(j.key);
        return ref === null ? [] : [{ job: j, ...ref }];
      });
      const unknownJobs = jobs.filter((j) => parseJobKey(j.key) === null);
      if (unknownJobs.length > 0)
        await deps.queue.complete(
          unknownJobs.map((j) => j.id),
          owner,
        );
      let outcomes: Map<string, PushOutcome>;
      let batchError: Extract<PushOutcome, { status: 'budget' | 'failed' }> | null = null;
      let live = refs;
      if (opts.localDeletes !== undefined && refs.length > 0) {
        const rows = await deps.store.workspace(workspaceId).records.getMany(
          type,
          refs.map((r) => r.id),
        );
        const deleted = new Set(rows.filter((r) => r.deletedAt !== null).map((r) => r.id));
        const gone = refs.filter((r) => deleted.has(r.id));
        if (gone.length > 0) {
          await opts.localDeletes(
            workspaceId,
            gone.map((r) => ({ type: r.type, id: r.id })),
          );
          await deps.queue.complete(
            gone.map((r) => r.job.id),
            owner,
          );
          report.completed += gone.length;
          live = refs.filter((r) => !deleted.has(r.id));
        }
      }
      try {
        ctx ??= await loadPushContext(
          deps,
          session,
          opts.accounts === undefined ? {} : { accounts: opts.accounts },
        );
        outcomes =
          live.length === 0
            ? new Map()
            : await executePlan(
                ctx,
                await planPush(
                  ctx,
                  type,
                  live.map((r) => r.id),
                  'change',
                ),
              );
      } catch (err) {
        // A budget veto while reading (lookups, describes) stops the whole batch: reschedule all of it.
        const resumeAt = budgetResumeAt(err, deps.clock.now());
        if (resumeAt !== null) {
          batchError = { status: 'budget', resumeAt, message: (err as Error).message };
          const stop = batchError;
          outcomes = new Map(live.map((r) => [outcomeKey(r.type, r.id), stop]));
        } else if (err instanceof CrmsyncError && err.retryable) {
          // A lookup or describe failed in a way that passes (O4): every job of the batch tries again later.
          const sfCode = typeof err.details.sfCode === 'string' ? err.details.sfCode : err.code;
          const failed: Extract<PushOutcome, { status: 'failed' }> = {
            status: 'failed',
            retryable: true,
            classification: null,
            code: err.code,
            sfCode,
            message: err.message,
            rules: ['O4'],
          };
          batchError = failed;
          outcomes = new Map(live.map((r) => [outcomeKey(r.type, r.id), failed]));
        } else {
          await deps.queue.release(
            jobs.map((j) => j.id),
            owner,
          );
          throw err;
        }
      }
      if (batchError !== null) {
        // The batch stopped before any per-record result: say why on each record (O1).
        const e = batchError;
        await deps.store.transaction(workspaceId, (tx) =>
          tx.log.append(
            live.map((r) =>
              e.status === 'budget'
                ? {
                    recordType: r.type,
                    recordId: r.id,
                    action: 'budget_wait',
                    rules: ['O3'],
                    reason: e.message,
                    errorCode: 'API_BUDGET_EXHAUSTED',
                    errorMessage: e.message,
                  }
                : {
                    recordType: r.type,
                    recordId: r.id,
                    action: 'fail',
                    rules: ['O4'],
                    reason: e.message,
                    errorCode: e.sfCode,
                    errorMessage: e.message,
                  },
            ),
          ),
        );
      }
      for (const { job, type: t, id } of live) {
        const outcome = outcomes.get(outcomeKey(t, id));
        if (outcome !== undefined) report.outcomes.set(outcomeKey(t, id), outcome);
        await settleJob(deps, job, t, id, outcome, report, options);
      }
    } finally {
      clearInterval(extend);
    }
  }
  // D1-D6: deals after people, so their Accounts and Contacts exist for the Opportunity and its roles.
  await runDealJobs(
    deps,
    session,
    workspaceId,
    report,
    async () =>
      (ctx ??= await loadPushContext(
        deps,
        session,
        opts.accounts === undefined ? {} : { accounts: opts.accounts },
      )),
  );
  // E1-E12: activities last, so the people, companies and deals they are logged on are linked.
  await runActivityBatch(
    deps,
    workspaceId,
    report,
    async () =>
      (ctx ??= await loadPushContext(
        deps,
        session,
        opts.accounts === undefined ? {} : { accounts: opts.accounts },
      )),
  );
  await session.flushLedger();
  return report;
}

async function settleJob(
  deps: EngineDeps,
  job: Job,
  type: PushType,
  id: string,
  outcome: PushOutcome | undefined,
  report: PushBatchReport,
  options: ReturnType<typeof engineOptions>,
): Promise<void> {
  const owner = { workerId: deps.workerId };
  if (outcome === undefined || outcome.status === 'done') {
    await deps.queue.complete([job.id], owner);
    report.completed++;
    return;
  }
  if (outcome.status === 'budget') {
    // No attempt counted: a new job at resumeAt (it waits while this one is leased), then this one ends.
    await deps.store.transaction(job.workspaceId, (tx) =>
      tx.jobs.enqueue({ queue: PUSH_QUEUE[type], key: jobKey(type, id), runAt: outcome.resumeAt }),
    );
    await deps.queue.complete([job.id], owner);
    report.budgetWaits++;
    return;
  }
  const attempt = job.attempts + 1;
  const max = Math.min(options.maxAttempts, outcome.classification?.maxAttempts ?? options.maxAttempts);
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
    await deps.queue.fail(job.id, {
      ...owner,
      error: `${outcome.sfCode}: ${outcome.message}`,
      retryAt: new Date(deps.clock.now().getTime() + delay),
    });
    report.retrying++;
    return;
  }
  await deps.queue.fail(job.id, { ...owner, error: `${outcome.sfCode}: ${outcome.message}`, retryAt: null });
  report.parked++;
}

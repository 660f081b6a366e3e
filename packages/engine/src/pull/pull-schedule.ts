import type { StoreTransaction } from '@crmsync/core';
import { budgetResumeAt } from '../crm-session.js';
import { pullOptions, type PullDeps } from './pull-deps.js';
import { runPull, type PullReport } from './run-pull.js';

/*
 * P1 schedule: one `pull` job per workspace, re-enqueued `pollIntervalMinutes` after each run
 * on the injected clock. The job names the workspace, not a payload: what to read comes from the
 * cursors. While the configuration window is open (L1) the next run is set for the window's end.
 */

export const PULL_QUEUE = 'pull';
export const pullJobKey = (workspaceId: string): string => `workspace:${workspaceId}`;

/** Enqueues the workspace's pull job inside `tx` (coalesces with a pending one; the earlier time wins). */
export async function schedulePull(tx: StoreTransaction, runAt: Date): Promise<void> {
  await tx.jobs.enqueue({ queue: PULL_QUEUE, key: pullJobKey(tx.workspaceId), runAt });
}

/**
 * Where the database keeps schedules (PostgreSQL: pg-boss cron), it also enqueues the workspace's
 * pull every interval when none is pending, so the schedule outlives a lost job; the current
 * interval is written each time. Best effort: the re-enqueue chain above is the cadence.
 */
export async function keepPullSchedule(
  deps: Pick<PullDeps, 'queue' | 'logger'>,
  workspaceId: string,
  everyMinutes: number,
): Promise<void> {
  if (deps.queue.schedule === undefined) return;
  try {
    await deps.queue.schedule(workspaceId, PULL_QUEUE, pullJobKey(workspaceId), everyMinutes);
  } catch (error) {
    deps.logger.warn(
      { workspaceId, error: error instanceof Error ? error.message : String(error) },
      'could not keep the pull schedule in the database; the next pull is queued anyway',
    );
  }
}

export type PullJobOutcome =
  | { ran: false }
  | { ran: true; report: PullReport; nextRunAt: Date }
  | { ran: true; error: string; nextRunAt: Date };

/**
 * Claims the workspace's due `pull` job, runs an automatic pull and schedules the next one.
 * A failed run is retried at the next interval, or when the API budget frees after an O3 veto
 * (pages already applied stay applied: each committed with its cursor).
 */
export async function runDuePull(deps: PullDeps, workspaceId: string): Promise<PullJobOutcome> {
  const options = pullOptions(deps);
  const [job] = await deps.queue.claim({
    workspaceId,
    queue: PULL_QUEUE,
    limit: 1,
    leaseMs: options.leaseMs,
    workerId: deps.workerId,
  });
  if (job === undefined) return { ran: false };
  const settings = (await deps.store.workspace(workspaceId).settings.get()).settings;
  const interval = settings.pull.pollIntervalMinutes * 60_000;
  const owner = { workerId: deps.workerId };
  try {
    const report = await runPull(deps, workspaceId, { trigger: 'schedule' });
    const now = deps.clock.now();
    const nextRunAt =
      report.status === 'gated' && report.retryAt !== null && report.retryAt > now
        ? report.retryAt
        : new Date(now.getTime() + interval);
    await deps.store.transaction(workspaceId, (tx) => schedulePull(tx, nextRunAt));
    await deps.queue.complete([job.id], owner);
    await keepPullSchedule(deps, workspaceId, settings.pull.pollIntervalMinutes);
    return { ran: true, report, nextRunAt };
  } catch (error) {
    // O3: a budget veto says when the budget frees; anything else waits one interval.
    const nextRunAt =
      budgetResumeAt(error, deps.clock.now()) ?? new Date(deps.clock.now().getTime() + interval);
    const message = error instanceof Error ? error.message : String(error);
    deps.logger.warn({ workspaceId, error: message }, 'pull failed; retried at the next interval');
    await deps.queue.fail(job.id, { ...owner, error: message, retryAt: nextRunAt });
    return { ran: true, error: message, nextRunAt };
  }
}

import type { Clock, JobQueue, QueueCounts } from '@crmsync/core';

/*
 * A trickle of changes (a few per second) would otherwise go out one or two records per call. The
 * long-running worker holds its claim until a full batch is queued or the longest-waiting job has
 * waited `gatherMs`, so a trickle is sent in batches of up to `size` records (one X1 lookup and one
 * write composite each) at the cost of at most `gatherMs` of latency. The wait is read from the
 * queue (`waitingSince`), not kept per process, so several workers agree on the moment and the
 * first to claim takes the whole batch instead of each sending its own part of it. It never
 * sleeps: it answers "not yet" and the worker loop's own idle wait brings it back, so one worker
 * serving many workspaces is never held by one of them.
 */

export interface PushGatherOptions {
  /** Longest a queued job waits for company; 0 sends whatever is due at once. */
  gatherMs: number;
  /** A batch this large goes at once. */
  size: number;
}

/** Jobs that can run now or soon: pending ones, less those waiting for a retry time. */
function waiting(counts: QueueCounts, queues: ReadonlySet<string>): number {
  let n = 0;
  for (const row of counts.byQueue) if (queues.has(row.queue)) n += row.pending - row.retrying;
  return n;
}

export class PushGatherer {
  constructor(
    private readonly queue: Pick<JobQueue, 'counts' | 'waitingSince'>,
    private readonly clock: Clock,
    private readonly queues: ReadonlySet<string>,
  ) {}

  /**
   * Whether the worker should claim now: false while a partial batch is still gathering, and when
   * nothing waits (a job that arrives between this answer and a claim then waits its turn instead
   * of going out alone).
   */
  async ready(workspaceId: string, options: PushGatherOptions): Promise<boolean> {
    if (options.gatherMs <= 0) return true;
    const n = waiting(await this.queue.counts(workspaceId), this.queues);
    if (n === 0) return false;
    if (n >= options.size) return true;
    const since = await this.queue.waitingSince(workspaceId, [...this.queues]);
    return since === null || this.clock.now().getTime() - since.getTime() >= options.gatherMs;
  }
}

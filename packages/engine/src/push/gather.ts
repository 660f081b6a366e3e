import type { Clock, JobQueue, QueueCounts } from '@crmsync/core';

/*
 * A trickle of changes (a few per second) would otherwise go out one or two records per call. The
 * long-running worker holds its claim until a full batch is queued or the first waiting job has
 * waited `gatherMs`, so a trickle is sent in collections of up to `size` records at the cost of at
 * most `gatherMs` of latency. It never sleeps: it answers "not yet" and the worker loop's own idle
 * wait brings it back, so one worker serving many workspaces is never held by one of them.
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
  /** When this worker first saw jobs waiting in a workspace, by workspace. */
  readonly #since = new Map<string, number>();

  constructor(
    private readonly queue: Pick<JobQueue, 'counts'>,
    private readonly clock: Clock,
    private readonly queues: ReadonlySet<string>,
  ) {}

  /** Whether the worker should claim now; false while a partial batch is still gathering. */
  async ready(workspaceId: string, options: PushGatherOptions): Promise<boolean> {
    if (options.gatherMs <= 0) return true;
    const n = waiting(await this.queue.counts(workspaceId), this.queues);
    const now = this.clock.now().getTime();
    if (n === 0 || n >= options.size) {
      this.#since.delete(workspaceId);
      return true;
    }
    const since = this.#since.get(workspaceId) ?? now;
    if (now - since >= options.gatherMs) {
      this.#since.delete(workspaceId);
      return true;
    }
    this.#since.set(workspaceId, since);
    return false;
  }
}

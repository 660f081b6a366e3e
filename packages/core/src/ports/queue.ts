/**
 * The job queue the engine's workers pull from. A job names a record (`queue` + `key`, e.g.
 * `push-person` + `person:<id>`), never a payload: the worker re-reads the record, its link and
 * the settings in force when it runs, so rapid edits of one record coalesce into one job.
 *
 * Jobs are enqueued only inside a store transaction (`StoreTransaction.jobs.enqueue`), so a
 * change and its job commit together or not at all (transactional outbox). Everything here is
 * scoped to one workspace: a claim never returns another workspace's job.
 *
 * Leases run on the store's injected clock. A worker that crashes simply stops extending its
 * lease; when `leaseUntil` passes, the job is claimable again.
 */

/** What `enqueue` is given. */
export interface EnqueueJob {
  /** The worker family, e.g. `push-person`, `push-company`, `pull`. */
  queue: string;
  /** The record the job is about, e.g. `person:p-1`. Unique among a queue's pending jobs. */
  key: string;
  /** Not before this instant; now when absent. */
  runAt?: Date;
}

/** Enqueue inside a store transaction. Commits or rolls back with the transaction it is in. */
export interface JobEnqueuer {
  /**
   * Adds one pending job per key, or coalesces into the pending job already there (one row
   * stays, its `runAt` moves to the earlier of the two). A key whose job is leased right now
   * gets a NEW pending job, so a change made while the record is being pushed is not lost; it
   * is claimable only once the leased job completes, fails or its lease expires.
   */
  enqueue(jobs: EnqueueJob | readonly EnqueueJob[]): Promise<void>;
}

export type JobState = 'pending' | 'leased' | 'failed';

export interface Job {
  /** Opaque, unique across the whole store. */
  id: string;
  workspaceId: string;
  queue: string;
  key: string;
  state: JobState;
  runAt: Date;
  /** Failed attempts so far (incremented by `fail`). */
  attempts: number;
  leaseUntil: Date | null;
  workerId: string | null;
  lastError: string | null;
  createdAt: Date;
}

export interface ClaimOptions {
  workspaceId: string;
  queue: string;
  /** At most this many jobs, at most one per key. */
  limit: number;
  leaseMs: number;
  /** Identifies the claimer; `complete`, `fail`, `release` and `extendLease` must name it. */
  workerId: string;
}

/** Lease operations name the worker that holds the lease: a worker whose lease expired and was taken over cannot touch the new holder's job. */
export interface LeaseOwner {
  workerId: string;
}

export interface QueueCountRow {
  queue: string;
  /** Waiting to run, due or not, including jobs whose lease expired (they will be claimed again). */
  pending: number;
  /** Pending jobs that already failed at least once and wait for their retry time. */
  retrying: number;
  /** Held by a worker under an unexpired lease. */
  leased: number;
  /** Parked by `fail` with no retry time; they wait for a manual retry. */
  failed: number;
}

export interface QueueCounts {
  total: Omit<QueueCountRow, 'queue'>;
  byQueue: QueueCountRow[];
}

/**
 * The worker's side of the queue. Every method is atomic on its own. A method given ids it does
 * not hold (unknown, completed, or leased by another worker) leaves those jobs alone and returns
 * only the ids it acted on, so a worker can tell that its lease was lost.
 */
export interface JobQueue {
  /**
   * Atomically leases up to `limit` due jobs of `queue` in one workspace, earliest `runAt`
   * first, then in the order they were enqueued. Due means pending with `runAt <= now`, or leased with an expired lease (a crashed
   * worker's job). Ordered per key: a key with a job under an unexpired lease yields nothing,
   * and one claim never returns two jobs of the same key, so two workers never push the same
   * record at once.
   */
  claim(options: ClaimOptions): Promise<Job[]>;
  /** Finishes jobs: they leave every count (Postgres keeps them as pg-boss `completed` rows until its maintenance archives them). */
  complete(ids: readonly string[], owner: LeaseOwner): Promise<string[]>;
  /**
   * Records a failed attempt (attempts + 1, `lastError`). With a `retryAt` the job returns to
   * pending at that instant; with `retryAt: null` it is parked as `failed` until `retryFailed`.
   * If the key already has a newer pending job, that job carries the retry instead (they coalesce).
   */
  fail(id: string, options: LeaseOwner & { error: string; retryAt: Date | null }): Promise<boolean>;
  /** Gives jobs back unchanged (no attempt counted), due now: for a worker shutting down. */
  release(ids: readonly string[], owner: LeaseOwner): Promise<string[]>;
  /** Moves the lease of held jobs to now + `leaseMs`. */
  extendLease(ids: readonly string[], options: LeaseOwner & { leaseMs: number }): Promise<string[]>;
  /** Makes parked (`failed`) jobs of a workspace pending again, due now; optionally only some queues or keys. */
  retryFailed(workspaceId: string, filter?: { queue?: string; keys?: readonly string[] }): Promise<number>;
  /** Workspaces that have a job of `queue` claimable now, so a worker serving many knows where to claim. */
  dueWorkspaces(queue: string): Promise<string[]>;
  /** For `crmsync status`. Read-only. */
  counts(workspaceId: string): Promise<QueueCounts>;
  /**
   * The `runAt` of the longest-waiting due job of `queues` that never failed; null when none waits.
   * Read-only. The push gathering reads it, so every worker (on any machine) agrees on when a
   * partial batch has waited long enough, and one of them claims it whole.
   */
  waitingSince(workspaceId: string, queues: readonly string[]): Promise<Date | null>;
  /**
   * A recurring job kept by the database itself (PostgreSQL: a pg-boss cron schedule, run by the
   * workers' pg-boss maintenance): `key` of `queue` is enqueued every `everyMinutes` (whole hours
   * above 60 minutes), unless a job of that key is already pending. Calling it again replaces the
   * workspace's schedule of that queue. The pull's own re-enqueue stays the cadence; this keeps
   * a schedule alive if that chain ever breaks. Absent on SQLite, where one process holds the chain.
   */
  schedule?(workspaceId: string, queue: string, key: string, everyMinutes: number): Promise<void>;
}

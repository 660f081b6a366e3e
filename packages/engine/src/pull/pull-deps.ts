import type { Clock, CrmAdapter, JobQueue, Logger, Store } from '@crmsync/core';

/**
 * What the pull side needs. `getCrm` is the push engineer's `crm-session.ts` (an adapter for the
 * workspace's current connection with the O3 budget governor wired in); the pull side asks for
 * it only outside store transactions, because no network call may run inside one.
 */
export interface PullDeps {
  store: Store;
  queue: JobQueue;
  clock: Clock;
  logger: Logger;
  getCrm: (workspaceId: string) => Promise<CrmAdapter>;
  /** Names this process's leases on `pull` jobs. */
  workerId: string;
  options?: Partial<PullOptions>;
}

export interface PullOptions {
  /**
   * P1: how far before the stored cursor each incremental read starts again, so a change that
   * committed late with an older SystemModstamp is still seen; rows already applied are dropped
   * by id and stamp.
   */
  overlapMs: number;
  /** Rows per `changedSince` page; each page is applied in one transaction. */
  pageSize: number;
  /** Lease on a claimed `pull` job. */
  leaseMs: number;
}

export const DEFAULT_PULL_OPTIONS: PullOptions = {
  overlapMs: 5 * 60_000,
  pageSize: 2_000,
  leaseMs: 10 * 60_000,
};

export function pullOptions(deps: Pick<PullDeps, 'options'>): PullOptions {
  return { ...DEFAULT_PULL_OPTIONS, ...deps.options };
}

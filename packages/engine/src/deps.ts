import type {
  Clock,
  Connection,
  CrmAdapter,
  CrmRequestEvent,
  CrmResponseEvent,
  JobQueue,
  Logger,
  Store,
} from '@crmsync/core';

/** What the composition root hands the engine to reach a CRM for one workspace's connection. */
export interface CrmConnectOptions {
  workspaceId: string;
  connection: Connection;
  /** O3: the budget governor; throws to veto a request before it is sent. */
  onRequest: (event: CrmRequestEvent) => void;
  onResponse: (event: CrmResponseEvent) => void;
  /** After a token refresh: the engine stores the new (encrypted) credentials. */
  onCredentials: (credentials: Record<string, string>) => void;
}

export type CrmFactory = (options: CrmConnectOptions) => Promise<CrmAdapter>;

export interface EngineOptions {
  /** Records per push batch and per collection call (Salesforce's maximum is 200). */
  batchSize: number;
  /** Lease on claimed jobs; a crashed worker's jobs return after it. */
  leaseMs: number;
  /** Push-all (C9) uses Bulk API 2.0 above this many records. */
  bulkThreshold: number;
  /** Bulk API 2.0 poll interval. */
  bulkPollIntervalMs: number;
  bulkPollTimeoutMs: number;
  /** O4 backoff: first retry delay and cap. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** After this many failed attempts a retryable failure is parked for a manual retry. */
  maxAttempts: number;
  /**
   * `runPushBatch` waits up to this long for a full batch before claiming a partial one, so a
   * trickle goes out in collections, not one record per call (`push/gather.ts`). 0 (the default,
   * and what tests that need immediacy keep) claims at once; the long-running worker sets ~2 s.
   * `runUntilIdle` never waits.
   */
  pushGatherMs: number;
  /**
   * Person and company jobs claimed per push batch, and the gathering's full batch; unset, the
   * batch size. The long-running worker claims 400: one X1 lookup and one write composite (two
   * collections of 200 each way and their read-back) still carry them.
   */
  pushClaimSize?: number;
}

/** What `crmsync worker` (and the bench that stands in for it) runs with: a trickle gathered up to 5 s, 400 a batch. */
export const WORKER_PUSH_OPTIONS = {
  pushGatherMs: 5_000,
  pushClaimSize: 400,
} as const satisfies Partial<EngineOptions>;

export const DEFAULT_ENGINE_OPTIONS: EngineOptions = {
  batchSize: 200,
  leaseMs: 5 * 60_000,
  bulkThreshold: 2_000,
  bulkPollIntervalMs: 2_000,
  bulkPollTimeoutMs: 30 * 60_000,
  backoffBaseMs: 1_000,
  backoffMaxMs: 15 * 60_000,
  maxAttempts: 10,
  pushGatherMs: 0,
};

/** Dependencies come in one named object; no module-level singletons (STYLE 5). */
export interface EngineDeps {
  store: Store;
  queue: JobQueue;
  connectCrm: CrmFactory;
  clock: Clock;
  logger: Logger;
  /** 0..1, for backoff jitter; tests pass a seeded generator. */
  random: () => number;
  /** Names this process's leases. */
  workerId: string;
  options?: Partial<EngineOptions>;
}

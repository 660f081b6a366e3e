// What Bulk API 2.0 needs from the rest of the emulator, passed in so bulk/ imports neither the
// SOQL engine nor the server, and so tests can drive job progress without real time passing.
import type { QueryableOrg } from '../contracts.js';

/** The SOQL engine's answer, records shaped for the wire (attributes + fields in SELECT order). */
export interface SoqlResult {
  records: Array<Record<string, unknown>>;
  totalSize: number;
  objectName: string;
  /** Column names in SELECT order, e.g. `Id`, `Account.Name`. */
  fields: string[];
  /** Per column, the keys leading to its value in a record (`['Account', 'Name']`); else `fields` split on dots. */
  paths?: string[][];
}

/** Runs one SOQL statement; throws a SalesforceError (MALFORMED_QUERY, INVALID_FIELD, ...) for bad SOQL. */
export type SoqlExecutor = (
  org: QueryableOrg,
  soql: string,
  options: { includeDeleted: boolean },
) => SoqlResult;

/**
 * Decides when background job work runs. Each task is one bounded step (a chunk of records);
 * a step that leaves work behind schedules the next one, so jobs advance only when the scheduler
 * runs them. Tasks must run in the order they were scheduled.
 */
export interface BulkScheduler {
  schedule(task: () => void): void;
}

export interface BulkDeps {
  executeSoql: SoqlExecutor;
  /** Default: one step per `setImmediate` turn, so HTTP requests interleave with processing. */
  scheduler?: BulkScheduler;
  /** Records applied (ingest) or formatted (query) per step; default 10,000 like Salesforce's internal batches. */
  recordsPerStep?: number;
  /**
   * Rows per query-results page when the client sends no `maxRecords`. Salesforce returns "as many
   * rows as can be listed"; the default is large because jsforce 3.10.16's `bulk2.query()` crashes
   * with ERR_STREAM_WRITE_AFTER_END when results span several pages.
   */
  defaultQueryPageSize?: number;
  /** Monotonic milliseconds for the processing-time counters; default `performance.now`. */
  monotonicMs?: () => number;
  /**
   * Called after a step that wrote records. Ingest writes happen in scheduler steps after the
   * requests that caused them, so persistence cannot learn of them from the request alone.
   */
  onRecordsWritten?: () => void;
}

export interface ResolvedBulkDeps {
  executeSoql: SoqlExecutor;
  scheduler: BulkScheduler;
  recordsPerStep: number;
  defaultQueryPageSize: number;
  monotonicMs: () => number;
  onRecordsWritten: () => void;
}

/** Runs each step on its own event-loop turn: jobs progress in the background, never inside a request. */
export const immediateScheduler: BulkScheduler = {
  schedule(task) {
    setImmediate(task);
  },
};

/**
 * A scheduler that runs nothing until told to: tests use it to hold a job in UploadComplete or
 * InProgress and observe it there, then `runAll()` to finish it.
 */
export interface ManualScheduler extends BulkScheduler {
  /** Runs the oldest pending step; false when none was pending. */
  runNext(): boolean;
  /** Runs steps (including ones scheduled meanwhile) until none is pending; returns how many ran. */
  runAll(): number;
  readonly pending: number;
}

export function createManualScheduler(): ManualScheduler {
  const queue: Array<() => void> = [];
  const runNext = (): boolean => {
    const task = queue.shift();
    if (task === undefined) return false;
    task();
    return true;
  };
  return {
    schedule(task) {
      queue.push(task);
    },
    runNext,
    runAll() {
      let ran = 0;
      while (runNext()) ran += 1;
      return ran;
    },
    get pending() {
      return queue.length;
    },
  };
}

export function resolveBulkDeps(deps: BulkDeps): ResolvedBulkDeps {
  return {
    executeSoql: deps.executeSoql,
    scheduler: deps.scheduler ?? immediateScheduler,
    recordsPerStep: deps.recordsPerStep ?? 10_000,
    defaultQueryPageSize: deps.defaultQueryPageSize ?? 1_000_000,
    monotonicMs: deps.monotonicMs ?? (() => performance.now()),
    onRecordsWritten: deps.onRecordsWritten ?? (() => {}),
  };
}

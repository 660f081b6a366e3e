import { backoffDelay, CrmsyncError, type Link, type LogCount } from '@crmsync/core';
import { budgetResumeAt, type CrmSessions } from '../crm-session.js';
import type { EngineDeps } from '../deps.js';
import { engineOptions, type AccountCandidateSource } from './context.js';
import { dealSyncPushes, pushAllDeals, type DealPushAllResult } from './deals/push-all.js';
import { newRunId, pushAll, unlinkedPeople, type PushAllProgress } from './push-all.js';
import { trafficFor } from './worker.js';

/*
 * C9 "Push all contacts" as queue work, for many workers (PostgreSQL): the unlinked people are cut
 * into chunk jobs of at most 10,000 on the `push-all` queue, each naming a key range of person ids
 * (never the people themselves). A worker claims one chunk at a time and pushes it through the
 * same `pushAll` as the in-process run (Bulk API 2.0 above the threshold, the job id persisted
 * before the upload), limited to the chunk's range and resuming only the chunk's own Bulk jobs.
 *
 * Chunks are disjoint, and the queue holds one lease per chunk, so two workers never push the
 * same person as part of a run. A re-run of a chunk (its worker died, its lease ran out) resumes
 * its Bulk job and re-reads who is still unlinked: what landed is linked and is never sent again.
 * Once every chunk is done, the deal backfill runs as one last job when `dealSync` pushes.
 *
 * Progress lives beside the pull cursors, one small document per run and per chunk (the queue
 * names records and carries no state); the run's log entries all carry the run id.
 */

export const PUSH_ALL_QUEUE = 'push-all';
/** A chunk never holds more people than this: its Bulk job stays one job, well inside any lease. */
export const MAX_CHUNK_SIZE = 10_000;
/** People read from the store at once while cutting chunks and inside a chunk. */
const PAGE_SIZE = 2_000;

/** What a `push-all` job names: a key range of people of a run, or the run's deal backfill. */
export type PushAllJobRef =
  | {
      kind: 'chunk';
      runId: string;
      index: number;
      /** Exclusive lower bound: the previous chunk's last person id (null for the first chunk). */
      after: string | null;
      /** Inclusive upper bound. */
      last: string;
    }
  | { kind: 'deals'; runId: string };

/** `<run>/<index>/<after>/<last>` or `<run>/deals`, each part URI-encoded so `/` only separates. */
export function pushAllJobKey(ref: PushAllJobRef): string {
  const run = encodeURIComponent(ref.runId);
  if (ref.kind === 'deals') return `${run}/deals`;
  return `${run}/${ref.index}/${encodeURIComponent(ref.after ?? '')}/${encodeURIComponent(ref.last)}`;
}

export function parsePushAllJobKey(key: string): PushAllJobRef | null {
  const parts = key.split('/');
  try {
    const runId = decodeURIComponent(parts[0] ?? '');
    if (runId === '') return null;
    if (parts.length === 2 && parts[1] === 'deals') return { kind: 'deals', runId };
    const [, index, after, last] = parts;
    if (parts.length !== 4 || !/^\d+$/.test(index ?? '') || last === undefined || last === '') return null;
    const from = decodeURIComponent(after ?? '');
    return {
      kind: 'chunk',
      runId,
      index: Number(index),
      after: from === '' ? null : from,
      last: decodeURIComponent(last),
    };
  } catch {
    return null;
  }
}

/** The Bulk jobs of one chunk carry this tag, so only a re-run of that chunk resumes them. */
const bulkTagOf = (runId: string, index: number) => `${runId}#${index}`;

// ---------------------------------------------------------------------------------------------
// Run and chunk documents (in the cursors table, keyed by the org)

type StepState = 'queued' | 'running' | 'retrying' | 'done';

interface RunDoc {
  runId: string;
  total: number;
  chunks: number;
  chunkSize: number;
  /** Whether the deal backfill follows the people (`dealSync` pushed when the run was queued). */
  deals: boolean;
  createdAt: string;
}

interface ChunkDoc extends PushAllProgress {
  state: StepState;
  bulk: boolean;
  attempts: number;
  lastError: string | null;
}

interface DealsDoc {
  state: StepState;
  result: DealPushAllResult | null;
  lastError: string | null;
}

const runDocName = (runId: string) => `push-all/${runId}`;
/** The run queued last, so a refused second run can name the one still going. */
const LATEST_RUN = 'push-all/latest';
const chunkDocName = (runId: string, index: number) => `push-all/${runId}/${index}`;
const dealsDocName = (runId: string) => `push-all/${runId}/deals`;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const STATES: readonly unknown[] = ['queued', 'running', 'retrying', 'done'];
const COUNTS = ['total', 'done', 'created', 'linked', 'skipped', 'failed'] as const;

/** The documents are crmsync's own; anything else reads as absent. */
function parseRunDoc(v: unknown): RunDoc | null {
  if (!isObject(v) || typeof v.runId !== 'string' || typeof v.createdAt !== 'string') return null;
  if (!isCount(v.total) || !isCount(v.chunks) || !isCount(v.chunkSize) || typeof v.deals !== 'boolean')
    return null;
  return {
    runId: v.runId,
    total: v.total,
    chunks: v.chunks,
    chunkSize: v.chunkSize,
    deals: v.deals,
    createdAt: v.createdAt,
  };
}

function parseChunkDoc(v: unknown): ChunkDoc | null {
  if (!isObject(v) || !STATES.includes(v.state) || typeof v.bulk !== 'boolean' || !isCount(v.attempts))
    return null;
  if (!COUNTS.every((k) => isCount(v[k]))) return null;
  return {
    state: v.state as StepState,
    bulk: v.bulk,
    attempts: v.attempts,
    lastError: typeof v.lastError === 'string' ? v.lastError : null,
    total: v.total as number,
    done: v.done as number,
    created: v.created as number,
    linked: v.linked as number,
    skipped: v.skipped as number,
    failed: v.failed as number,
  };
}

function parseDealsDoc(v: unknown): DealsDoc | null {
  if (!isObject(v) || !STATES.includes(v.state)) return null;
  return {
    state: v.state as StepState,
    result: isObject(v.result) ? (v.result as unknown as DealPushAllResult) : null,
    lastError: typeof v.lastError === 'string' ? v.lastError : null,
  };
}

const zero = (): PushAllProgress => ({ total: 0, done: 0, created: 0, linked: 0, skipped: 0, failed: 0 });

// ---------------------------------------------------------------------------------------------
// Queueing a run

export interface EnqueuePushAllOptions {
  runId?: string;
  /** People per chunk job, 1 to 10,000 (default 10,000): smaller chunks spread a run over more workers. */
  chunkSize?: number;
}

export interface QueuedPushAll {
  runId: string;
  /** Unlinked people when the run was queued. */
  total: number;
  chunks: number;
  chunkSize: number;
  deals: boolean;
}

/**
 * Cuts the unlinked people into chunk jobs and queues them, with the run's documents, in one
 * transaction; sends nothing. Throws PAUSED/DISCONNECTED as `pushAll` does (L3), INVALID_INPUT
 * for a chunk size outside 1-10,000, and CONFLICT while an earlier run still has jobs queued or
 * held (two runs would push the same people at once).
 */
export async function enqueuePushAll(
  deps: EngineDeps,
  workspaceId: string,
  options: EnqueuePushAllOptions = {},
): Promise<QueuedPushAll> {
  const chunkSize = options.chunkSize ?? MAX_CHUNK_SIZE;
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE)
    throw new CrmsyncError('INVALID_INPUT', {
      problem: `the chunk size must be a whole number from 1 to ${MAX_CHUNK_SIZE.toLocaleString('en-US')}, not ${chunkSize}`,
    });
  const reader = deps.store.workspace(workspaceId);
  const connection = await reader.connection.get();
  if (connection === null) throw new CrmsyncError('DISCONNECTED', { workspaceId });
  const gate = trafficFor(connection, 'manual_push', deps.clock.now());
  if (!gate.allowed)
    throw new CrmsyncError(gate.code, { workspaceId, rule: gate.rule }, { message: gate.reason });
  const left = (await deps.queue.counts(workspaceId)).byQueue.find((q) => q.queue === PUSH_ALL_QUEUE);
  if (left !== undefined && left.pending + left.leased > 0) {
    const latest = await reader.cursors.get(connection.orgId, LATEST_RUN);
    const id = isObject(latest) && typeof latest.runId === 'string' ? latest.runId : null;
    throw new CrmsyncError(
      'CONFLICT',
      { resource: 'push-all run', ...(id === null ? {} : { id }) },
      {
        message: `A push all${id === null ? '' : ` (${id})`} is still queued or running in workspace ${workspaceId}, with ${left.pending + left.leased} job${left.pending + left.leased === 1 ? '' : 's'} left; two runs would push the same people. Follow it${id === null ? '' : ` with \`crmsync push-all --follow ${id}\``} and start a new one when it ends.`,
      },
    );
  }
  const runId = options.runId ?? newRunId(deps);
  const deals = dealSyncPushes((await reader.settings.get()).settings);

  const chunks: { after: string | null; last: string; count: number }[] = [];
  let open: (typeof chunks)[number] | null = null;
  let previousLast: string | null = null;
  for await (const ids of unlinkedPeople(deps, workspaceId, connection.orgId, PAGE_SIZE)) {
    for (const id of ids) {
      if (open === null) {
        open = { after: previousLast, last: id, count: 0 };
        chunks.push(open);
      }
      open.last = id;
      open.count++;
      if (open.count === chunkSize) {
        previousLast = id;
        open = null;
      }
    }
  }
  const total = chunks.reduce((n, c) => n + c.count, 0);
  const run: RunDoc = {
    runId,
    total,
    chunks: chunks.length,
    chunkSize,
    deals,
    createdAt: deps.clock.now().toISOString(),
  };
  await deps.store.transaction(workspaceId, async (tx) => {
    const orgId = connection.orgId;
    await tx.cursors.put(orgId, runDocName(runId), run);
    await tx.cursors.put(orgId, LATEST_RUN, { runId });
    for (const [index, c] of chunks.entries()) {
      const doc: ChunkDoc = {
        ...zero(),
        total: c.count,
        state: 'queued',
        bulk: false,
        attempts: 0,
        lastError: null,
      };
      await tx.cursors.put(orgId, chunkDocName(runId, index), doc);
    }
    if (deals)
      await tx.cursors.put(orgId, dealsDocName(runId), { state: 'queued', result: null, lastError: null });
    const jobs = chunks.map((c, index) => ({
      queue: PUSH_ALL_QUEUE,
      key: pushAllJobKey({ kind: 'chunk', runId, index, after: c.after, last: c.last }),
    }));
    if (chunks.length === 0 && deals)
      jobs.push({ queue: PUSH_ALL_QUEUE, key: pushAllJobKey({ kind: 'deals', runId }) });
    if (jobs.length > 0) await tx.jobs.enqueue(jobs);
  });
  return { runId, total, chunks: chunks.length, chunkSize, deals };
}

// ---------------------------------------------------------------------------------------------
// Running a chunk (the worker's side)

/** As `unlinkedPeople`: a link deleted locally counts as linked. */
const countsAsLinked = (l: Link) => l.state === 'active' || l.state === 'deleted_locally';

/**
 * Ids of live, unlinked people in (after, last], a store page at a time. Deleted rows are read
 * too, so the range's last id (records are only ever soft-deleted) always ends it. The store's
 * record cursor is the id of the last record read (`RecordReader.list` is ordered by id).
 */
async function* rangeIds(
  deps: Pick<EngineDeps, 'store'>,
  workspaceId: string,
  orgId: string,
  range: { after: string | null; last: string },
  pageSize: number,
): AsyncGenerator<string[]> {
  const reader = deps.store.workspace(workspaceId);
  let cursor = range.after;
  for (;;) {
    const page = await reader.records.list({ type: 'person', cursor, limit: pageSize, includeDeleted: true });
    const end = page.items.findIndex((r) => r.id === range.last);
    const live = (end < 0 ? page.items : page.items.slice(0, end + 1))
      .filter((r) => r.deletedAt === null)
      .map((r) => r.id);
    const linked = new Set(
      (await reader.links.getMany('person', live, orgId)).filter(countsAsLinked).map((l) => l.localId),
    );
    const out = live.filter((id) => !linked.has(id));
    if (out.length > 0) yield out;
    if (end >= 0 || page.nextCursor === null) return;
    cursor = page.nextCursor;
  }
}

export interface PushAllJobReport {
  /** 0 or 1: a worker holds one push-all job at a time. */
  claimed: number;
  completed: number;
  /** Given back unfinished because the worker is stopping; another worker resumes it. */
  released: number;
  /** Failed as a whole (network, database, budget) and due again after a backoff. */
  retrying: number;
}

export interface RunPushAllJobOptions {
  accounts?: AccountCandidateSource;
  /** A worker shutting down: the chunk stops between pages and is released, due now. */
  signal?: AbortSignal;
}

type StepEnd = 'done' | 'stopped';

/**
 * Claims at most one `push-all` job of the workspace and runs it, extending its lease meanwhile.
 * Leaves the queue alone while manual pushes are not allowed (L3). A chunk's people's failures
 * are outcomes in its counts and the log; only a failure of the chunk as a whole (the network,
 * the database, a budget veto before any record) fails the job, which is retried with backoff and
 * never parked. Throws only what the queue throws.
 */
export async function runPushAllJob(
  deps: EngineDeps,
  sessions: CrmSessions,
  workspaceId: string,
  opts: RunPushAllJobOptions = {},
): Promise<PushAllJobReport> {
  const report: PushAllJobReport = { claimed: 0, completed: 0, released: 0, retrying: 0 };
  if (opts.signal?.aborted === true) return report;
  const connection = await deps.store.workspace(workspaceId).connection.get();
  if (connection === null || !trafficFor(connection, 'manual_push', deps.clock.now()).allowed) return report;
  const options = engineOptions(deps);
  const owner = { workerId: deps.workerId };
  const [job] = await deps.queue.claim({
    workspaceId,
    queue: PUSH_ALL_QUEUE,
    limit: 1,
    leaseMs: options.leaseMs,
    workerId: deps.workerId,
  });
  if (job === undefined) return report;
  report.claimed = 1;
  // A lease taken over (this worker stalled past it) stops the chunk: its new holder runs it.
  const lost = new AbortController();
  const extend = setInterval(
    () =>
      void deps.queue.extendLease([job.id], { ...owner, leaseMs: options.leaseMs }).then(
        (held) => held.length === 0 && lost.abort(),
        () => undefined,
      ),
    Math.max(1_000, options.leaseMs / 3),
  );
  const signal = opts.signal === undefined ? lost.signal : AbortSignal.any([opts.signal, lost.signal]);
  const ref = parsePushAllJobKey(job.key);
  const step: Step = {
    deps,
    sessions,
    workspaceId,
    orgId: connection.orgId,
    signal,
    accounts: opts.accounts,
  };
  try {
    const end: StepEnd =
      ref === null
        ? 'done'
        : ref.kind === 'chunk'
          ? await runChunk(step, ref)
          : await runDeals(step, ref.runId);
    if (lost.signal.aborted) return report;
    if (end === 'done') {
      await deps.queue.complete([job.id], owner);
      report.completed++;
    } else {
      await deps.queue.release([job.id], owner);
      report.released++;
    }
  } catch (err) {
    if (lost.signal.aborted) return report;
    const now = deps.clock.now();
    const attempt = job.attempts + 1;
    const retryAt =
      budgetResumeAt(err, now) ??
      new Date(
        now.getTime() +
          backoffDelay(
            {
              baseMs: options.backoffBaseMs,
              capMs: options.backoffMaxMs,
              maxAttempts: Number.MAX_SAFE_INTEGER,
            },
            attempt,
            deps.random(),
          ),
      );
    const message = err instanceof Error ? err.message : String(err);
    await deps.queue.fail(job.id, { ...owner, error: message, retryAt });
    report.retrying++;
    deps.logger.warn(
      { workspaceId, job: job.key, attempt, retryAt: retryAt.toISOString(), error: message },
      'a push-all job failed as a whole; it is tried again after a backoff',
    );
    if (ref !== null) await markRetrying(step, ref, message).catch(() => undefined);
  } finally {
    clearInterval(extend);
  }
  return report;
}

interface Step {
  deps: EngineDeps;
  sessions: CrmSessions;
  workspaceId: string;
  orgId: string;
  signal: AbortSignal;
  accounts: AccountCandidateSource | undefined;
}

const putDoc = (s: Step, name: string, doc: unknown) =>
  s.deps.store.transaction(s.workspaceId, (tx) => tx.cursors.put(s.orgId, name, doc));

async function readChunkDoc(s: Step, runId: string, index: number): Promise<ChunkDoc | null> {
  return parseChunkDoc(
    await s.deps.store.workspace(s.workspaceId).cursors.get(s.orgId, chunkDocName(runId, index)),
  );
}

async function markRetrying(s: Step, ref: PushAllJobRef, lastError: string): Promise<void> {
  if (ref.kind === 'deals') {
    const doc = parseDealsDoc(
      await s.deps.store.workspace(s.workspaceId).cursors.get(s.orgId, dealsDocName(ref.runId)),
    );
    await putDoc(s, dealsDocName(ref.runId), { state: 'retrying', result: doc?.result ?? null, lastError });
    return;
  }
  const doc = await readChunkDoc(s, ref.runId, ref.index);
  if (doc !== null)
    await putDoc(s, chunkDocName(ref.runId, ref.index), { ...doc, state: 'retrying', lastError });
}

/**
 * One chunk through `pushAll`. Its counts add up over attempts: what an earlier attempt created or
 * linked is no longer unlinked, so it is carried; what it skipped or failed is decided again.
 */
async function runChunk(s: Step, ref: Extract<PushAllJobRef, { kind: 'chunk' }>): Promise<StepEnd> {
  const name = chunkDocName(ref.runId, ref.index);
  const before = await readChunkDoc(s, ref.runId, ref.index);
  const carried = { created: before?.created ?? 0, linked: before?.linked ?? 0 };
  const attempts = (before?.attempts ?? 0) + 1;
  const doc = (p: PushAllProgress, state: StepState, bulk: boolean): ChunkDoc => ({
    state,
    bulk: bulk || (before?.bulk ?? false),
    attempts,
    lastError: null,
    // Until pushAll has counted the range, the count the chunk was queued with.
    total:
      state === 'running' && p.total === 0
        ? (before?.total ?? 0)
        : carried.created + carried.linked + p.total,
    done: carried.created + carried.linked + p.done,
    created: carried.created + p.created,
    linked: carried.linked + p.linked,
    skipped: p.skipped,
    failed: p.failed,
  });
  await putDoc(s, name, doc(zero(), 'running', false));
  // Progress is written in order, one small transaction per page or Bulk job of the chunk.
  let writing = Promise.resolve();
  const result = await pushAll(s.deps, s.sessions, s.workspaceId, {
    runId: ref.runId,
    bulkTag: bulkTagOf(ref.runId, ref.index),
    ids: (pageSize) => rangeIds(s.deps, s.workspaceId, s.orgId, ref, pageSize),
    signal: s.signal,
    onProgress: (p) => {
      writing = writing.then(() => putDoc(s, name, doc(p, 'running', false))).catch(() => undefined);
    },
    ...(s.accounts === undefined ? {} : { accounts: s.accounts }),
  });
  await writing;
  if (result.stopped === true) {
    await putDoc(s, name, doc(result, 'queued', result.bulk));
    return 'stopped';
  }
  await putDoc(s, name, doc(result, 'done', result.bulk));
  await queueDealsWhenPeopleDone(s, ref.runId);
  return 'done';
}

/** After the last chunk (whichever worker ends it), the deal backfill, once: a second enqueue coalesces or finds it done. */
async function queueDealsWhenPeopleDone(s: Step, runId: string): Promise<void> {
  const reader = s.deps.store.workspace(s.workspaceId);
  const run = parseRunDoc(await reader.cursors.get(s.orgId, runDocName(runId)));
  if (run === null || !run.deals) return;
  for (let i = 0; i < run.chunks; i++) if ((await readChunkDoc(s, runId, i))?.state !== 'done') return;
  const deals = parseDealsDoc(await reader.cursors.get(s.orgId, dealsDocName(runId)));
  if (deals?.state === 'done') return;
  await s.deps.store.transaction(s.workspaceId, (tx) =>
    tx.jobs.enqueue({ queue: PUSH_ALL_QUEUE, key: pushAllJobKey({ kind: 'deals', runId }) }),
  );
}

/** The deal backfill of a run (D1-D6), after its people so a deal's Contacts exist for its roles. */
async function runDeals(s: Step, runId: string): Promise<StepEnd> {
  await putDoc(s, dealsDocName(runId), { state: 'running', result: null, lastError: null });
  const result = await pushAllDeals(s.deps, s.sessions, s.workspaceId, {
    runId: `${runId}-deals`,
    ...(s.accounts === undefined ? {} : { accounts: s.accounts }),
  });
  await putDoc(s, dealsDocName(runId), { state: 'done', result, lastError: null });
  return 'done';
}

// ---------------------------------------------------------------------------------------------
// Following a run

export interface PushAllRunStatus {
  runId: string;
  /** When the run was queued. */
  startedAt: Date;
  /** `done` once every chunk and the deal backfill (when it runs) are done. */
  state: 'running' | 'done';
  /** The people of every chunk, added up. */
  progress: PushAllProgress;
  /** Whether any chunk's creates went through Bulk API 2.0. */
  bulk: boolean;
  chunks: { total: number; queued: number; running: number; retrying: number; done: number };
  /** The latest whole-chunk failure of a chunk that is waiting to be tried again. */
  lastError: string | null;
  /** The deal backfill's result once it ran; null when it does not run (or not yet). */
  deals: DealPushAllResult | null;
  /** The run's log entries by action, rules and reason; filled once the run is done. */
  byReason: LogCount[];
}

/** Reads a queued run's progress (a few small reads per call); null for a run the workspace does not have. */
export async function pushAllRunStatus(
  deps: Pick<EngineDeps, 'store'>,
  workspaceId: string,
  runId: string,
): Promise<PushAllRunStatus | null> {
  const reader = deps.store.workspace(workspaceId);
  const connection = await reader.connection.get();
  if (connection === null) return null;
  const orgId = connection.orgId;
  const run = parseRunDoc(await reader.cursors.get(orgId, runDocName(runId)));
  if (run === null) return null;
  const progress = zero();
  const chunks = { total: run.chunks, queued: 0, running: 0, retrying: 0, done: 0 };
  let bulk = false;
  let lastError: string | null = null;
  const names = Array.from({ length: run.chunks }, (_, i) => chunkDocName(runId, i));
  const docs = await reader.cursors.getMany(orgId, names);
  for (const name of names) {
    const doc = parseChunkDoc(docs.get(name) ?? null);
    if (doc === null) {
      chunks.queued++;
      continue;
    }
    chunks[doc.state]++;
    bulk ||= doc.bulk;
    if (doc.state === 'retrying') lastError = doc.lastError;
    for (const k of COUNTS) progress[k] += doc[k];
  }
  const dealsDoc = run.deals ? parseDealsDoc(await reader.cursors.get(orgId, dealsDocName(runId))) : null;
  if (dealsDoc?.state === 'retrying') lastError = dealsDoc.lastError;
  const done = chunks.done === run.chunks && (!run.deals || dealsDoc?.state === 'done');
  return {
    runId,
    startedAt: new Date(run.createdAt),
    state: done ? 'done' : 'running',
    progress,
    bulk,
    chunks,
    lastError,
    deals: dealsDoc?.result ?? null,
    byReason: done ? await reader.log.countByOutcome(runId) : [],
  };
}

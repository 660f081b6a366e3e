import {
  CrmsyncError,
  type BulkJobRecord,
  type BulkResults,
  type EventInput,
  type LinkInput,
  type LogCount,
  type LogEntryInput,
  type PushObject,
} from '@crmsync/core';
import type { CrmSessions } from '../crm-session.js';
import type { EngineDeps } from '../deps.js';
import {
  EXTERNAL_ID_FIELD,
  loadPushContext,
  type AccountCandidateSource,
  type PushContext,
} from './context.js';
import { toCrmFields } from './create-records.js';
import { executePlan, type DeferredCreate, type PushOutcome } from './execute.js';
import { planPush } from './plan.js';
import { unlinkedIds } from './unlinked.js';
import { prefetchPeople } from './people-prefetch.js';
import { trafficFor } from './worker.js';

/*
 * C9 "Push all contacts": every unlinked person now, as Contacts or Leads per C4, ignoring C2/C3.
 * Pages through the store (memory stays flat whatever the count), reports progress, tags every log
 * entry with the run id and ends with counts by reason. Above `bulkThreshold` people, on an org
 * with `Crmsync_Id__c`, the creates go through Bulk API 2.0 as upserts on it, driven step by step:
 * the job id is persisted BEFORE the upload, so a crash during upload or poll resumes that job
 * (poll it, read its results) instead of uploading again. Resuming never resends what landed
 * (landed people are linked, so they are no longer unlinked) and never creates twice (X4).
 */

export interface PushAllProgress {
  total: number;
  done: number;
  created: number;
  linked: number;
  skipped: number;
  failed: number;
}

export interface PushAllResult extends PushAllProgress {
  runId: string;
  /** Whether the creates went through Bulk API 2.0. */
  bulk: boolean;
  /** Log entries of the run grouped by action, rules and reason. */
  byReason: LogCount[];
  /** Set when `signal` stopped the run between pages: what was planned but not sent goes on the next run. */
  stopped?: true;
}

export interface PushAllOptions {
  runId?: string;
  onProgress?: (progress: PushAllProgress) => void;
  /** People planned at once (one X1 lookup each); default 2,000. */
  pageSize?: number;
  /** Rows per Bulk job; default 10,000. */
  bulkJobSize?: number;
  accounts?: AccountCandidateSource;
  /** The people to consider, a store page at a time; default every unlinked person (a queued run's chunk gives its key range). */
  ids?: (pageSize: number) => AsyncIterable<string[]>;
  /**
   * Tags the Bulk jobs this call creates (their stored `runId`; default the run id) and resumes
   * only jobs with this tag, so a chunk of a queued run (`push-all-queue.ts`) never resumes a
   * job another worker has in flight. Without it, jobs tagged as chunks (`#` in the tag) are
   * left to their chunk.
   */
  bulkTag?: string;
  /** Stops between pages (a worker shutting down); nothing planned but unsent is lost, it is still unlinked. */
  signal?: AbortSignal;
}

/** Local states of a persisted Bulk job besides Salesforce's. */
const APPLIED = 'Applied';
const ABANDONED = 'Abandoned';

/** Ids of live, unlinked people, one store page at a time (a link deleted locally counts as linked). */
export const unlinkedPeople = (deps: EngineDeps, workspaceId: string, orgId: string, pageSize: number) =>
  unlinkedIds(
    deps,
    workspaceId,
    'person',
    orgId,
    pageSize,
    (l) => l.state === 'active' || l.state === 'deleted_locally',
  );

export function newRunId(deps: Pick<EngineDeps, 'clock' | 'random'>, prefix = 'push-all'): string {
  return `${prefix}-${deps.clock.now().toISOString().replace(/[-:.]/g, '')}-${Math.floor(deps.random() * 1e9).toString(36)}`;
}

function tally(progress: PushAllProgress, outcome: PushOutcome): void {
  progress.done++;
  if (outcome.status === 'failed' || outcome.status === 'budget') progress.failed++;
  else if (outcome.action === 'create') progress.created++;
  else if (outcome.action === 'link' || outcome.action === 'update' || outcome.action === 'unchanged')
    progress.linked++;
  else progress.skipped++;
}

/** What a Bulk job's row was sent for: a person (C9) or the Account of its company (C7). */
interface BulkEntry {
  localId: string;
  fields: Record<string, unknown>;
  /** For a person: what the planner decided (null when resuming a job a crashed run left). */
  decision: Pick<DeferredCreate['decision'], 'rules' | 'reason'> | null;
}

/**
 * A create waiting in the Bulk buffer: only what the job and its log entry need, not the planned
 * record (a full buffer of those held every person's document and company until the job ran).
 */
interface BufferedCreate extends BulkEntry {
  decision: Pick<DeferredCreate['decision'], 'rules' | 'reason'>;
  account: DeferredCreate['account'];
}

const toBuffered = (c: DeferredCreate): BufferedCreate => ({
  localId: c.item.id,
  fields: c.fields,
  decision: { rules: c.decision.rules, reason: c.decision.reason },
  account: c.account,
});

/** Result rows applied per group of multi-row writes: memory per job stays at one slice's links, log entries and events. */
const APPLY_SLICE = 500;

/** The writes for one slice of a job's results. */
interface ResultWrites {
  links: LinkInput[];
  log: LogEntryInput[];
  events: EventInput[];
}

/**
 * Applies a finished Bulk job's results: links, log entries, events, in one transaction, written
 * a slice of rows at a time in multi-row statements. People count in the run's progress (once
 * committed); Accounts (C7) do not. Returns the Salesforce id of each row that landed, by local id.
 */
async function applyBulkResults(
  ctx: PushContext,
  job: BulkJobRecord,
  results: BulkResults,
  pending: Map<string, BulkEntry> | null,
  progress: PushAllProgress,
): Promise<Map<string, string>> {
  const object = job.object as PushObject;
  const localType = object === 'Account' ? 'company' : 'person';
  const isPerson = localType === 'person';
  const runId = ctx.runId;
  const bulkNote = `Sent through Bulk API 2.0 job ${job.sfJobId}.`;
  const localOf = (row: Record<string, string>) => row[EXTERNAL_ID_FIELD] ?? '';
  const snapshotOf = (row: Record<string, string>) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(row))
      if (k !== EXTERNAL_ID_FIELD && !k.startsWith('sf__')) out[k] = v === '#N/A' || v === '' ? null : v;
    return out;
  };
  const landed = new Map<string, string>();
  let failed = 0;

  const landedWrites = (rows: BulkResults['successful']): ResultWrites => {
    const w: ResultWrites = { links: [], log: [], events: [] };
    for (const s of rows) {
      const localId = localOf(s.row);
      if (localId === '') continue;
      const d = pending?.get(localId);
      const fields = d?.fields ?? snapshotOf(s.row);
      landed.set(localId, s.id);
      w.links.push({
        localType,
        localId,
        orgId: ctx.orgId,
        sfObject: object,
        sfId: s.id,
        snapshot: fields,
        systemModstamp: null,
        state: 'active',
        mergedInto: null,
      });
      const data = { localType, localId, sfObject: object, sfId: s.id };
      w.events.push({ type: 'link.created', data }, { type: 'record.created_in_salesforce', data });
      w.log.push({
        recordType: localType,
        recordId: localId,
        action: 'create',
        rules: isPerson ? [...(d?.decision?.rules ?? ['C9', 'C4']), 'X4'] : ['C7', 'A3', 'X4'],
        reason: isPerson
          ? `${d?.decision?.reason ?? 'Pushed by "Push all contacts" (C9).'} ${bulkNote}`
          : `Created as Account ${s.id} because a person of this company was pushed as a Contact (C7). ${bulkNote}`,
        payload: { fields, bulkJobId: job.sfJobId },
        sfObject: object,
        sfId: s.id,
        runId,
      });
    }
    return w;
  };

  const failEntry = (localId: string, errorCode: string, message: string): LogEntryInput => ({
    recordType: localType,
    recordId: localId,
    action: 'fail',
    rules: [isPerson ? 'C9' : 'C7', 'O4'],
    reason: message,
    payload: { bulkJobId: job.sfJobId },
    sfObject: object,
    errorCode,
    errorMessage: message,
    runId,
  });

  const failedWrites = (rows: BulkResults['failed']): ResultWrites => {
    const w: ResultWrites = { links: [], log: [], events: [] };
    for (const f of rows) {
      const localId = localOf(f.row);
      if (localId === '') continue;
      const message = `Salesforce refused it: ${f.error.statusCode}: ${f.error.message}${f.error.fields.length > 0 ? ` (fields: ${f.error.fields.join(', ')})` : ''}.${f.classification.retryable ? ' Run push all again or retry it.' : ' Fix the cause, then push it again.'}`;
      w.log.push(failEntry(localId, f.error.statusCode, message));
      w.events.push({
        type: 'push.failed',
        data: { localType, localId, code: f.classification.code, sfCode: f.error.statusCode },
      });
      failed++;
    }
    return w;
  };

  const unprocessedWrites = (rows: BulkResults['unprocessed']): ResultWrites => {
    const w: ResultWrites = { links: [], log: [], events: [] };
    const message = `Bulk API job ${job.sfJobId} did not process it; run push all again to send it.`;
    for (const u of rows) {
      const localId = localOf(u.row);
      if (localId === '') continue;
      w.log.push(failEntry(localId, 'BULK_UNPROCESSED', message));
      failed++;
    }
    return w;
  };

  await ctx.deps.store.transaction(ctx.workspaceId, async (tx) => {
    landed.clear();
    failed = 0;
    const write = async (w: ResultWrites) => {
      if (w.links.length > 0) await tx.links.putMany(w.links);
      if (w.log.length > 0) await tx.log.append(w.log);
      if (w.events.length > 0) await tx.events.appendMany(w.events);
    };
    const { successful, failed: refused, unprocessed } = results;
    for (let i = 0; i < successful.length; i += APPLY_SLICE)
      await write(landedWrites(successful.slice(i, i + APPLY_SLICE)));
    for (let i = 0; i < refused.length; i += APPLY_SLICE)
      await write(failedWrites(refused.slice(i, i + APPLY_SLICE)));
    for (let i = 0; i < unprocessed.length; i += APPLY_SLICE)
      await write(unprocessedWrites(unprocessed.slice(i, i + APPLY_SLICE)));
    await tx.bulkJobs.updateState(ctx.orgId, job.sfJobId, APPLIED);
  });
  if (isPerson) {
    progress.done += landed.size + failed;
    progress.created += landed.size;
    progress.failed += failed;
  }
  return landed;
}

const waitOptions = (ctx: PushContext) => ({
  intervalMs: ctx.options.bulkPollIntervalMs,
  timeoutMs: ctx.options.bulkPollTimeoutMs,
});

/** Finishes the Bulk jobs a crashed run left: polls and applies the ones that were uploaded; abandons the ones that never were. */
async function resumeBulkJobs(
  ctx: PushContext,
  progress: PushAllProgress,
  bulkTag: string | undefined,
): Promise<void> {
  const reader = ctx.deps.store.workspace(ctx.workspaceId);
  const ours = (j: BulkJobRecord) =>
    bulkTag === undefined ? !(j.runId ?? '').includes('#') : j.runId === bulkTag;
  const open = (await reader.bulkJobs.list({ orgId: ctx.orgId })).filter(
    (j) => j.state !== APPLIED && j.state !== ABANDONED && j.operation !== 'query' && ours(j),
  );
  for (const job of open) {
    const sf = await ctx.crm.bulk.getJob(job.sfJobId);
    if (sf.state === 'Open') {
      // Never closed: whatever was uploaded was not processed. Abort it; its people are still unlinked and go again.
      await ctx.crm.bulk.abortJob(job.sfJobId).catch(() => undefined);
      await ctx.deps.store.transaction(ctx.workspaceId, (tx) =>
        tx.bulkJobs.updateState(ctx.orgId, job.sfJobId, ABANDONED),
      );
      continue;
    }
    const finished =
      sf.state === 'UploadComplete' || sf.state === 'InProgress'
        ? await ctx.crm.bulk.waitForJob(job.sfJobId, waitOptions(ctx))
        : sf;
    const results = await ctx.crm.bulk.getResults(finished.id);
    const runId = bulkTag === undefined ? (job.runId ?? ctx.runId) : ctx.runId;
    await applyBulkResults({ ...ctx, runId }, job, results, null, progress);
  }
}

/** One Bulk upsert on `Crmsync_Id__c`, its job id persisted before the upload; applied when done. */
async function runIngestJob(
  ctx: PushContext,
  object: PushObject,
  entries: readonly BulkEntry[],
  progress: PushAllProgress,
  bulkTag: string,
): Promise<Map<string, string>> {
  const rows = entries.map((e) => toCrmFields({ ...e.fields, [EXTERNAL_ID_FIELD]: e.localId }));
  const pending = new Map(entries.map((e) => [e.localId, e]));
  let record: BulkJobRecord | null = null;
  const { job, results } = await ctx.crm.bulk.runIngest({
    jobId: null,
    object,
    operation: 'upsert',
    externalIdField: EXTERNAL_ID_FIELD,
    rows,
    wait: waitOptions(ctx),
    onJobCreated: async (created) => {
      record = {
        orgId: ctx.orgId,
        sfJobId: created.id,
        object,
        operation: 'upsert',
        state: created.state,
        localIds: entries.map((e) => e.localId),
        runId: bulkTag,
        createdAt: ctx.deps.clock.now(),
      };
      const r = record;
      await ctx.deps.store.transaction(ctx.workspaceId, (tx) => tx.bulkJobs.put(r));
    },
  });
  const persisted: BulkJobRecord = record ?? {
    orgId: ctx.orgId,
    sfJobId: job.id,
    object,
    operation: 'upsert',
    state: job.state,
    localIds: [],
    runId: bulkTag,
    createdAt: ctx.deps.clock.now(),
  };
  return applyBulkResults(ctx, persisted, results, pending, progress);
}

/**
 * Sends buffered creates of people: first, in one Bulk job, the Accounts of their companies that
 * do not exist yet (C7), then the people with those Accounts' ids. A person whose Account did not
 * land is not sent; it fails with the Account's reason and goes again on the next run.
 */
async function runBulkJob(
  ctx: PushContext,
  object: PushObject,
  creates: BufferedCreate[],
  progress: PushAllProgress,
  bulkTag: string,
): Promise<void> {
  const accounts = new Map<string, Record<string, unknown>>();
  for (const c of creates) if (c.account !== undefined) accounts.set(c.account.companyId, c.account.fields);
  let accountIds = new Map<string, string>();
  if (accounts.size > 0) {
    accountIds = await runIngestJob(
      ctx,
      'Account',
      [...accounts].map(([localId, fields]) => ({ localId, fields, decision: null })),
      progress,
      bulkTag,
    );
    const now = ctx.deps.clock.now().toISOString();
    ctx.accounts.remember(
      [...accountIds].map(([companyId, Id]) => {
        const fields = accounts.get(companyId) ?? {};
        return {
          Id,
          Name: String(fields.Name ?? ''),
          Website: typeof fields.Website === 'string' ? fields.Website : null,
          CreatedDate: now,
          LastModifiedDate: now,
        };
      }),
    );
  }
  const send: BulkEntry[] = [];
  const orphans: LogEntryInput[] = [];
  for (const c of creates) {
    const accountId = c.account === undefined ? undefined : accountIds.get(c.account.companyId);
    if (c.account !== undefined && accountId === undefined) {
      const message = `Its company's Account could not be created (see the company's log), so the person was not sent. Run push all again once the Account can be created.`;
      orphans.push({
        recordType: 'person',
        recordId: c.localId,
        action: 'fail',
        rules: [...c.decision.rules, 'C7', 'O4'],
        reason: message,
        payload: { companyId: c.account.companyId },
        sfObject: 'Account',
        errorCode: 'ACCOUNT_NOT_CREATED',
        errorMessage: message,
        runId: ctx.runId,
      });
      progress.done++;
      progress.failed++;
      continue;
    }
    send.push({
      localId: c.localId,
      fields: accountId === undefined ? c.fields : { ...c.fields, AccountId: accountId },
      decision: c.decision,
    });
  }
  if (orphans.length > 0) await ctx.deps.store.transaction(ctx.workspaceId, (tx) => tx.log.append(orphans));
  if (send.length > 0) await runIngestJob(ctx, object, send, progress, bulkTag);
}

/** Counts the people push all would consider, one page at a time. */
async function countIds(pages: AsyncIterable<string[]>): Promise<number> {
  let n = 0;
  for await (const ids of pages) n += ids.length;
  return n;
}

/** C9. Throws PAUSED/DISCONNECTED when traffic is stopped; per-record failures are counted and logged. */
export async function pushAll(
  deps: EngineDeps,
  sessions: CrmSessions,
  workspaceId: string,
  options: PushAllOptions = {},
): Promise<PushAllResult> {
  const connection = await deps.store.workspace(workspaceId).connection.get();
  if (connection === null) throw new CrmsyncError('DISCONNECTED', { workspaceId });
  const gate = trafficFor(connection, 'manual_push', deps.clock.now());
  if (!gate.allowed)
    throw new CrmsyncError(gate.code, { workspaceId, rule: gate.rule }, { message: gate.reason });
  const session = await sessions.session(workspaceId);
  await session.refreshBudget();
  const runId = options.runId ?? newRunId(deps);
  const loaded = await loadPushContext(deps, session, {
    runId,
    ...(options.accounts === undefined ? {} : { accounts: options.accounts }),
  });
  const pageSize = options.pageSize ?? 2_000;
  const progress: PushAllProgress = { total: 0, done: 0, created: 0, linked: 0, skipped: 0, failed: 0 };
  const report = () => options.onProgress?.({ ...progress });

  const idPages = () => options.ids?.(pageSize) ?? unlinkedPeople(deps, workspaceId, loaded.orgId, pageSize);
  const bulkTag = options.bulkTag ?? runId;
  await resumeBulkJobs(loaded, progress, options.bulkTag);
  progress.total = progress.done + (await countIds(idPages()));
  report();
  const object: PushObject = loaded.settings.contacts.createAs === 'lead' ? 'Lead' : 'Contact';
  const large = progress.total - progress.done > loaded.options.bulkThreshold;
  const bulk = large && loaded.externalId[object] && loaded.externalId.Account;
  // A large run reads the org's Contacts and Leads once (Bulk) instead of looking up every page (X1).
  const people = large ? await prefetchPeople(loaded.crm, waitOptions(loaded)) : null;
  const ctx: PushContext = people === null ? loaded : { ...loaded, people };
  const jobSize = options.bulkJobSize ?? 10_000;
  let buffer: BufferedCreate[] = [];
  let bufferObject: PushObject = object;

  const flush = async () => {
    if (buffer.length === 0) return;
    const creates = buffer;
    buffer = [];
    await runBulkJob(ctx, bufferObject, creates, progress, bulkTag);
    report();
  };

  pages: for await (const ids of idPages()) {
    for (let i = 0; i < ids.length; i += bulk ? pageSize : ctx.options.batchSize) {
      if (options.signal?.aborted === true) break pages;
      const batch = ids.slice(i, i + (bulk ? pageSize : ctx.options.batchSize));
      const planned = await planPush(ctx, 'person', batch, 'push_all');
      const deferred: DeferredCreate[] = [];
      const outcomes = await executePlan(
        ctx,
        planned,
        bulk ? { deferCreates: (o, c) => ((bufferObject = o), deferred.push(...c)) } : {},
      );
      for (const o of outcomes.values()) tally(progress, o);
      for (const c of deferred) buffer.push(toBuffered(c));
      report();
      if (buffer.length >= jobSize) await flush();
    }
  }
  const stopped = options.signal?.aborted === true;
  if (!stopped) await flush();
  await session.flushLedger();
  const byReason = await deps.store.workspace(workspaceId).log.countByOutcome(runId);
  return { ...progress, runId, bulk, byReason, ...(stopped ? { stopped: true as const } : {}) };
}

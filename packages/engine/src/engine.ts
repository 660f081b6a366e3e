import type { CrmAdapter, Settings, SettingsProblem, Traffic } from '@crmsync/core';
import { createAccountIndex, accountIndexSource, type AccountIndex } from './account-index.js';
import { CrmSessions } from './crm-session.js';
import { DEFAULT_ENGINE_OPTIONS, type EngineDeps, type EngineOptions } from './deps.js';
import { dryRunPushAll, dryRunSettingsChange, type PushAllDryRun, type SettingsDryRun } from './dry-run.js';
import { ingest, ingestMany, type IngestChange, type IngestOptions, type IngestResult } from './ingest.js';
import {
  ingestActivities,
  type ActivityIngestChange,
  type ActivityIngestResult,
} from './push/activities/ingest.js';
import { createLifecycle, type Lifecycle, type LifecycleState, type NewConnection } from './lifecycle.js';
import { applyLocalDeletes, type LocalDeleteRef, type LocalDeletesReport } from './pull/local-deletes.js';
import type { PullDeps } from './pull/pull-deps.js';
import { keepPullSchedule, runDuePull, schedulePull, type PullJobOutcome } from './pull/pull-schedule.js';
import { runPull, type PullReport, type PullRequest } from './pull/run-pull.js';
import { manualPush, type ManualPushRequest, type ManualPushResult } from './push/manual-push.js';
import { pushAll, type PushAllOptions, type PushAllResult } from './push/push-all.js';
import {
  enqueuePushAll,
  pushAllRunStatus,
  runPushAllJob,
  type EnqueuePushAllOptions,
  type PushAllJobReport,
  type PushAllRunStatus,
  type QueuedPushAll,
} from './push/push-all-queue.js';
import {
  pushAllDeals,
  pushDealsNow,
  type DealPushAllResult,
  type DealPushResult,
} from './push/deals/push-all.js';
import { checkSettingsAgainstOrg } from './settings-check.js';
import { PushGatherer } from './push/gather.js';
import { DEAL_QUEUE, PUSH_QUEUE } from './push/jobs.js';
import { ACTIVITY_QUEUE } from './push/activities/kinds.js';
import { runPushBatch, type PushBatchReport, type PushWorkerOptions } from './push/worker.js';
import { retryFailed, type RetryFilter } from './retry.js';

/**
 * The engine as the composition root (CLI, server, workers) sees it: one object wired from one
 * set of dependencies. Every operation is scoped to a workspace id; none crosses workspaces.
 */
export interface Engine {
  readonly options: EngineOptions;
  readonly lifecycle: Lifecycle;
  readonly accountIndex: AccountIndex;
  /** L1: saves the connection, starts the window, loads the X2 Account index and schedules the first pull. */
  connect(workspaceId: string, connection: NewConnection): Promise<LifecycleState>;
  disconnect(workspaceId: string): Promise<LifecycleState>;
  ingest(workspaceId: string, change: IngestChange): Promise<IngestResult>;
  ingestMany(
    workspaceId: string,
    changes: readonly IngestChange[],
    options?: IngestOptions,
  ): Promise<IngestResult[]>;
  /** Emails, notes, tasks, calls, meetings and meeting summaries (E1-E12), as `ingestMany`. */
  ingestActivities(
    workspaceId: string,
    changes: readonly ActivityIngestChange[],
    options?: IngestOptions,
  ): Promise<ActivityIngestResult[]>;
  /**
   * One batch of each push queue (automatic push: gated by L1/L3 and the budget). With
   * `pushGatherMs` set, a partial batch waits that long for more jobs (`gathering` in the report).
   */
  runPushBatch(workspaceId: string): Promise<PushBatchReport>;
  /** M1. */
  pushNow(workspaceId: string, request: ManualPushRequest): Promise<ManualPushResult[]>;
  /** M1 for deals: the chosen deals now (re-creates an Opportunity deleted in Salesforce; obeys dealSync, L3, O3). */
  pushDealsNow(workspaceId: string, dealIds: readonly string[]): Promise<DealPushResult[]>;
  /** C9, then the deal backfill (every deal never linked, when dealSync pushes) under its own run id. */
  pushAll(
    workspaceId: string,
    options?: Omit<PushAllOptions, 'accounts'>,
  ): Promise<PushAllResult & { deals: DealPushAllResult }>;
  /**
   * C9 for many workers: the unlinked people cut into chunk jobs of at most 10,000 on the
   * `push-all` queue (sends nothing; workers run them with `runPushAllJob`), then the deal backfill.
   */
  enqueuePushAll(workspaceId: string, options?: EnqueuePushAllOptions): Promise<QueuedPushAll>;
  /** Claims and runs at most one push-all chunk (or a run's deal backfill); `signal` stops it between pages and releases it. */
  runPushAllJob(workspaceId: string, options?: { signal?: AbortSignal }): Promise<PushAllJobReport>;
  /** A queued run's progress, summed over its chunks; null when the workspace has no such run. */
  pushAllRun(workspaceId: string, runId: string): Promise<PushAllRunStatus | null>;
  /** O2 previews: no write to Salesforce or to local records. */
  dryRunPushAll(workspaceId: string): Promise<PushAllDryRun>;
  /** O2 (b), with `problems`: what `checkSettingsAgainstOrg` finds in `next`. */
  dryRunSettings(workspaceId: string, next: Settings): Promise<SettingsDryRun>;
  /** D6, X5 on save: `settings` checked against the connected org; every problem with its path ([] when not connected). */
  checkSettingsAgainstOrg(workspaceId: string, settings: Settings): Promise<SettingsProblem[]>;
  /** P1-P4: a pull now (manual pulls are refused during the L1 window). */
  pull(workspaceId: string, request: PullRequest): Promise<PullReport>;
  /** Runs the workspace's scheduled pull job when it is due. */
  runDuePull(workspaceId: string): Promise<PullJobOutcome>;
  /** C10/A4: deleted linked local records travel to Salesforce when deletion sync is on. */
  applyLocalDeletes(workspaceId: string, refs: readonly LocalDeleteRef[]): Promise<LocalDeletesReport>;
  /** O4: parked failures become due again. */
  retryFailed(workspaceId: string, filter: RetryFilter): Promise<number>;
  /**
   * Runs push batches and due pulls until nothing is claimable now (`crmsync sync --until-idle`).
   * Returns the number of rounds run. Gated or budget-stopped work stays queued.
   */
  runUntilIdle(
    workspaceId: string,
    options?: { maxRounds?: number },
  ): Promise<{ rounds: number; pushed: number }>;
  /** The workspace's budget-governed CRM adapter (for `crmsync doctor` and other read-only checks). */
  crm(workspaceId: string): Promise<CrmAdapter>;
  /** The traffic decision now, for status lines. */
  gate(workspaceId: string, traffic: Traffic): ReturnType<Lifecycle['gate']>;
}

export function createEngine(deps: EngineDeps): Engine {
  const options = { ...DEFAULT_ENGINE_OPTIONS, ...deps.options };
  const sessions = new CrmSessions(deps);
  const getCrm = (workspaceId: string) => sessions.getCrm(workspaceId);
  const accountIndex = createAccountIndex({ store: deps.store, logger: deps.logger, getCrm });
  const lifecycle = createLifecycle({
    store: deps.store,
    clock: deps.clock,
    logger: deps.logger,
    onConnected: async (workspaceId) => {
      await accountIndex.load(workspaceId);
    },
  });
  const pullDeps: PullDeps = {
    store: deps.store,
    queue: deps.queue,
    clock: deps.clock,
    logger: deps.logger,
    getCrm,
    workerId: deps.workerId,
  };
  const accounts = (workspaceId: string) => accountIndexSource(accountIndex, workspaceId);
  const gatherer = new PushGatherer(
    deps.queue,
    deps.clock,
    new Set([...Object.values(PUSH_QUEUE), DEAL_QUEUE, ACTIVITY_QUEUE]),
  );
  const pushBatch = (workspaceId: string, extra: Pick<PushWorkerOptions, 'gather'> = {}) =>
    runPushBatch(deps, sessions, workspaceId, {
      accounts: accounts(workspaceId),
      localDeletes: (ws, refs) => applyLocalDeletes(pullDeps, ws, refs),
      ...extra,
    });

  const engine: Engine = {
    options,
    lifecycle,
    accountIndex,
    async connect(workspaceId, connection) {
      sessions.forget(workspaceId);
      const state = await lifecycle.connect(workspaceId, connection);
      await deps.store.transaction(workspaceId, (tx) => schedulePull(tx, deps.clock.now()));
      const { settings } = await deps.store.workspace(workspaceId).settings.get();
      await keepPullSchedule(deps, workspaceId, settings.pull.pollIntervalMinutes);
      return state;
    },
    async disconnect(workspaceId) {
      const state = await lifecycle.disconnect(workspaceId);
      sessions.forget(workspaceId);
      return state;
    },
    ingest: (workspaceId, change) => ingest(deps, workspaceId, change),
    ingestMany: (workspaceId, changes, o) => ingestMany(deps, workspaceId, changes, o),
    ingestActivities: (workspaceId, changes, o) => ingestActivities(deps, workspaceId, changes, o),
    runPushBatch: (workspaceId) =>
      pushBatch(workspaceId, {
        gather: () =>
          gatherer.ready(workspaceId, {
            gatherMs: options.pushGatherMs,
            size: options.pushClaimSize ?? options.batchSize,
          }),
      }),
    pushNow: (workspaceId, request) =>
      manualPush(deps, sessions, workspaceId, request, { accounts: accounts(workspaceId) }),
    pushDealsNow: (workspaceId, dealIds) =>
      pushDealsNow(deps, sessions, workspaceId, dealIds, { accounts: accounts(workspaceId) }),
    async pushAll(workspaceId, o = {}) {
      const people = await pushAll(deps, sessions, workspaceId, { ...o, accounts: accounts(workspaceId) });
      // After the people, so a deal's Contacts exist for its contact roles (D6).
      const deals = await pushAllDeals(deps, sessions, workspaceId, {
        runId: `${people.runId}-deals`,
        accounts: accounts(workspaceId),
      });
      return { ...people, deals };
    },
    enqueuePushAll: (workspaceId, o) => enqueuePushAll(deps, workspaceId, o),
    runPushAllJob: (workspaceId, o = {}) =>
      runPushAllJob(deps, sessions, workspaceId, { ...o, accounts: accounts(workspaceId) }),
    pushAllRun: (workspaceId, runId) => pushAllRunStatus(deps, workspaceId, runId),
    dryRunPushAll: (workspaceId) =>
      dryRunPushAll(deps, sessions, workspaceId, { accounts: accounts(workspaceId) }),
    dryRunSettings: (workspaceId, next) =>
      dryRunSettingsChange(deps, sessions, workspaceId, next, {
        accounts: accounts(workspaceId),
        check: (settings) => engine.checkSettingsAgainstOrg(workspaceId, settings),
      }),
    checkSettingsAgainstOrg: (workspaceId, settings) =>
      checkSettingsAgainstOrg({ store: deps.store, getCrm }, workspaceId, settings),
    pull: (workspaceId, request) => runPull(pullDeps, workspaceId, request),
    runDuePull: (workspaceId) => runDuePull(pullDeps, workspaceId),
    applyLocalDeletes: (workspaceId, refs) => applyLocalDeletes(pullDeps, workspaceId, refs),
    retryFailed: (workspaceId, filter) => retryFailed(deps, workspaceId, filter),
    async runUntilIdle(workspaceId, o = {}) {
      const maxRounds = o.maxRounds ?? 10_000;
      let rounds = 0;
      let pushed = 0;
      while (rounds < maxRounds) {
        rounds++;
        // Draining: whatever is due goes now, partial batches included.
        const push = await pushBatch(workspaceId);
        pushed += push.completed;
        const pull = await engine.runDuePull(workspaceId);
        const progressed = push.claimed > 0 || pull.ran;
        if (!progressed || push.gated !== null) break;
      }
      return { rounds, pushed };
    },
    crm: getCrm,
    gate: (workspaceId, traffic) => lifecycle.gate(workspaceId, traffic),
  };
  return engine;
}

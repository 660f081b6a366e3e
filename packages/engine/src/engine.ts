import type { CrmAdapter, Settings, Traffic } from '@crmsync/core';
import { createAccountIndex, accountIndexSource, type AccountIndex } from './account-index.js';
import { CrmSessions } from './crm-session.js';
import { DEFAULT_ENGINE_OPTIONS, type EngineDeps, type EngineOptions } from './deps.js';
import { dryRunPushAll, dryRunSettingsChange, type DryRunCounts, type SettingsDryRun } from './dry-run.js';
import { ingest, ingestMany, type IngestChange, type IngestOptions, type IngestResult } from './ingest.js';
import { createLifecycle, type Lifecycle, type LifecycleState, type NewConnection } from './lifecycle.js';
import { applyLocalDeletes, type LocalDeleteRef, type LocalDeletesReport } from './pull/local-deletes.js';
import type { PullDeps } from './pull/pull-deps.js';
import { runDuePull, schedulePull, type PullJobOutcome } from './pull/pull-schedule.js';
import { runPull, type PullReport, type PullRequest } from './pull/run-pull.js';
import { manualPush, type ManualPushRequest, type ManualPushResult } from './push/manual-push.js';
import { pushAll, type PushAllOptions, type PushAllResult } from './push/push-all.js';
import { runPushBatch, type PushBatchReport } from './push/worker.js';
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
  /** One batch of each push queue (automatic push: gated by L1/L3 and the budget). */
  runPushBatch(workspaceId: string): Promise<PushBatchReport>;
  /** M1. */
  pushNow(workspaceId: string, request: ManualPushRequest): Promise<ManualPushResult[]>;
  /** C9. */
  pushAll(workspaceId: string, options?: Omit<PushAllOptions, 'accounts'>): Promise<PushAllResult>;
  /** O2 previews: no write to Salesforce or to local records. */
  dryRunPushAll(workspaceId: string): Promise<DryRunCounts>;
  dryRunSettings(workspaceId: string, next: Settings): Promise<SettingsDryRun>;
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

  const engine: Engine = {
    options,
    lifecycle,
    accountIndex,
    async connect(workspaceId, connection) {
      sessions.forget(workspaceId);
      const state = await lifecycle.connect(workspaceId, connection);
      await deps.store.transaction(workspaceId, (tx) => schedulePull(tx, deps.clock.now()));
      return state;
    },
    async disconnect(workspaceId) {
      const state = await lifecycle.disconnect(workspaceId);
      sessions.forget(workspaceId);
      return state;
    },
    ingest: (workspaceId, change) => ingest(deps, workspaceId, change),
    ingestMany: (workspaceId, changes, o) => ingestMany(deps, workspaceId, changes, o),
    runPushBatch: (workspaceId) =>
      runPushBatch(deps, sessions, workspaceId, {
        accounts: accounts(workspaceId),
        localDeletes: (ws, refs) => applyLocalDeletes(pullDeps, ws, refs),
      }),
    pushNow: (workspaceId, request) =>
      manualPush(deps, sessions, workspaceId, request, { accounts: accounts(workspaceId) }),
    pushAll: (workspaceId, o = {}) =>
      pushAll(deps, sessions, workspaceId, { ...o, accounts: accounts(workspaceId) }),
    dryRunPushAll: (workspaceId) =>
      dryRunPushAll(deps, sessions, workspaceId, { accounts: accounts(workspaceId) }),
    dryRunSettings: (workspaceId, next) =>
      dryRunSettingsChange(deps, sessions, workspaceId, next, { accounts: accounts(workspaceId) }),
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
        const push = await engine.runPushBatch(workspaceId);
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

import {
  allowTraffic,
  CrmsyncError,
  endWindowNow,
  pause as pauseLifecycle,
  resume as resumeLifecycle,
  startLifecycle,
  effectiveState,
  type Clock,
  type Connection,
  type ConnectionLifecycle,
  type Logger,
  type Store,
  type StoreTransaction,
  type Traffic,
  type TrafficDecision,
} from '@crmsync/core';

/*
 * L1-L3 over the stored connection. The rules themselves are core's (`policy/lifecycle.ts`);
 * this file reads and writes the connection row and answers "may this traffic run now?" on the
 * injected clock. A window that has ended turns the integration active without anyone acting
 * (L2): nothing here needs to run at the window's end, because every gate computes the
 * effective state from `windowEndsAt` and `now`; jobs ingested during the window stay pending
 * (the push worker leaves gated jobs alone) and run once the gate opens.
 */

/** What `connect` is given: the connection without the lifecycle fields, which it sets. */
export type NewConnection = Omit<Connection, 'state' | 'windowEndsAt' | 'connectedAt'>;

export interface LifecycleState {
  /** The state in force now (L2: `configuring` whose window has passed reads `active`). */
  state: ConnectionLifecycle['state'];
  /** What is stored; differs from `state` only after a window ended on its own. */
  storedState: ConnectionLifecycle['state'];
  orgId: string;
  connectedAt: Date;
  windowEndsAt: Date | null;
}

export interface LifecycleDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** X2: called after a connection is saved, outside the transaction (it calls Salesforce). */
  onConnected?: (workspaceId: string) => Promise<void>;
}

export interface Lifecycle {
  /**
   * L1: saves the connection in `configuring` for the window from the settings (or `active`
   * when the window is 0 hours). A reconnect to the SAME org keeps its links, cursors and Account
   * index; a different org starts from nothing, and the old org's links are never written
   * through because links are keyed by org id.
   */
  connect(workspaceId: string, connection: NewConnection): Promise<LifecycleState>;
  /** L2: "start syncing now" ends the window early. */
  startSyncingNow(workspaceId: string): Promise<LifecycleState>;
  /** L3: stops all traffic, manual push included; queued jobs stay queued. */
  pause(workspaceId: string): Promise<LifecycleState>;
  /** L3: back to `configuring` when the window is still open, else `active`. */
  resume(workspaceId: string): Promise<LifecycleState>;
  /** L3: stops traffic; links, cursors and the connection's org id are kept for a reconnect. */
  disconnect(workspaceId: string): Promise<LifecycleState>;
  /** The effective state now; throws DISCONNECTED when the workspace was never connected. */
  state(workspaceId: string): Promise<LifecycleState>;
  /** L1-L3: whether `traffic` may run now, with the sentence for the log, API and CLI. */
  gate(workspaceId: string, traffic: Traffic): Promise<TrafficDecision & { connection: Connection | null }>;
}

export function toLifecycle(
  connection: Pick<Connection, 'state' | 'connectedAt' | 'windowEndsAt'>,
): ConnectionLifecycle {
  return {
    state: connection.state,
    connectedAt: connection.connectedAt,
    windowEndsAt: connection.windowEndsAt,
  };
}

function describe(connection: Connection, now: Date): LifecycleState {
  return {
    state: effectiveState(toLifecycle(connection), now),
    storedState: connection.state,
    orgId: connection.orgId,
    connectedAt: connection.connectedAt,
    windowEndsAt: connection.windowEndsAt,
  };
}

const notConnected = (workspaceId: string): CrmsyncError =>
  new CrmsyncError(
    'DISCONNECTED',
    { workspaceId },
    {
      message: `Workspace ${workspaceId} has no Salesforce connection. Connect an org first (crmsync connect).`,
    },
  );

/** The gate's refusal as the error a manual command throws (L1: the message says when the window ends). */
export function refusal(decision: Extract<TrafficDecision, { allowed: false }>): CrmsyncError {
  return new CrmsyncError(
    decision.code,
    decision.retryAt === null
      ? { rule: decision.rule }
      : { rule: decision.rule, endsAt: decision.retryAt.toISOString() },
    { message: decision.reason },
  );
}

export function createLifecycle(deps: LifecycleDeps): Lifecycle {
  const { store, clock, logger } = deps;

  async function change(
    workspaceId: string,
    what: string,
    next: (current: ConnectionLifecycle, now: Date) => ConnectionLifecycle,
  ): Promise<LifecycleState> {
    const saved = await store.transaction(workspaceId, async (tx) => {
      const current = await tx.connection.get();
      if (current === null) throw notConnected(workspaceId);
      const lc = next(toLifecycle(current), tx.now);
      await tx.connection.updateState(lc.state, { windowEndsAt: lc.windowEndsAt });
      return { ...current, state: lc.state, windowEndsAt: lc.windowEndsAt };
    });
    logger.info({ workspaceId, orgId: saved.orgId, state: saved.state }, what);
    return describe(saved, clock.now());
  }

  async function loadConnection(workspaceId: string): Promise<Connection | null> {
    return store.workspace(workspaceId).connection.get();
  }

  return {
    async connect(workspaceId, input) {
      const saved = await store.transaction(workspaceId, async (tx: StoreTransaction) => {
        const previous = await tx.connection.get();
        const settings = (await tx.settings.get()).settings;
        // L1: every connection starts the window from the settings in force. A reconnect to the
        // same org finds its links (keyed by org id) where it left them; another org finds none.
        const lc: ConnectionLifecycle = startLifecycle(tx.now, settings);
        const sameOrg = previous !== null && previous.orgId === input.orgId;
        const connection: Connection = {
          ...input,
          state: lc.state,
          connectedAt: lc.connectedAt,
          windowEndsAt: lc.windowEndsAt,
        };
        await tx.connection.put(connection);
        return { connection, sameOrg, previousOrg: previous?.orgId ?? null };
      });
      logger.info(
        {
          workspaceId,
          orgId: input.orgId,
          state: saved.connection.state,
          reconnect: saved.sameOrg,
          previousOrg: saved.previousOrg,
        },
        saved.sameOrg ? 'reconnected to the same Salesforce org; links kept' : 'connected a Salesforce org',
      );
      if (deps.onConnected !== undefined) await deps.onConnected(workspaceId);
      return describe(saved.connection, clock.now());
    },
    startSyncingNow: (workspaceId) =>
      change(workspaceId, 'configuration window ended early (L2)', (lc) => endWindowNow(lc)),
    pause: (workspaceId) => change(workspaceId, 'integration paused (L3)', (lc) => pauseLifecycle(lc)),
    resume: (workspaceId) =>
      change(workspaceId, 'integration resumed (L3)', (lc, now) => resumeLifecycle(lc, now)),
    disconnect: (workspaceId) =>
      change(workspaceId, 'Salesforce disconnected (L3); links kept', (lc) => ({
        ...lc,
        state: 'disconnected',
      })),
    async state(workspaceId) {
      const connection = await loadConnection(workspaceId);
      if (connection === null) throw notConnected(workspaceId);
      return describe(connection, clock.now());
    },
    async gate(workspaceId, traffic) {
      const connection = await loadConnection(workspaceId);
      if (connection === null) {
        return {
          allowed: false,
          rule: 'L3',
          code: 'DISCONNECTED',
          reason: notConnected(workspaceId).message,
          retryAt: null,
          connection: null,
        };
      }
      return { ...allowTraffic(toLifecycle(connection), traffic, clock.now()), connection };
    },
  };
}

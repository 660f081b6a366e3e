import type { TestContext } from 'node:test';
import type { PulledObject } from '@crmsync/core';
import { createAccountIndex, type AccountIndex } from '../src/account-index.js';
import { createLifecycle, type Lifecycle } from '../src/lifecycle.js';
import type { PullDeps } from '../src/pull/pull-deps.js';
import { runPull, type PullReport } from '../src/pull/run-pull.js';
import { connectedWorkspace, type EmulatorProcess, type Harness, type WorkspaceOptions } from './harness.js';

/*
 * Pull-side helpers over the shared engine harness (`harness.ts`: emulator in its own process,
 * fresh org, SQLite file or scratch PostgreSQL database, real adapter, manual clock): the pull's deps, the lifecycle and the
 * Account index, the org's clock kept in step with crmsync's, and edits made in Salesforce as a
 * sales user (a person), never as crmsync's integration user.
 */

export interface PullWorld extends Harness {
  pullDeps: PullDeps;
  lifecycle: Lifecycle;
  accountIndex: AccountIndex;
  /** Moves crmsync's clock and the org's clock together. */
  advance(ms: number): Promise<void>;
  /** Sets only the org's clock (a Salesforce transaction that commits late carries an older stamp). */
  setOrgClock(at: Date): Promise<void>;
  pull(options?: { record?: string }): Promise<Extract<PullReport, { status: 'done' }>>;
  createAsPerson(object: string, fields: Record<string, unknown>): Promise<string>;
  updateAsPerson(object: string, id: string, fields: Record<string, unknown>): Promise<void>;
  deleteAsPerson(id: string): Promise<void>;
  /** Every write the org received, all objects and operations. */
  writeTotal(): Promise<number>;
  /** The local record linked to a Salesforce id in the connected org (any link state). */
  linked(sfId: string): Promise<{
    localType: string;
    localId: string;
    state: string;
    mergedInto: string | null;
    systemModstamp: string | null;
  } | null>;
}

export async function pullWorld(
  t: TestContext,
  emu: EmulatorProcess,
  o: WorkspaceOptions = {},
): Promise<PullWorld> {
  const h = await connectedWorkspace(t, emu, { externalId: false, ...o });
  const getCrm = (ws: string) => h.sessions.getCrm(ws);
  const pullDeps: PullDeps = {
    store: h.store,
    queue: h.queue,
    clock: h.clock,
    logger: h.deps.logger,
    getCrm,
    workerId: h.deps.workerId,
    options: { overlapMs: 5 * 60_000 },
  };
  const accountIndex = createAccountIndex({ store: h.store, logger: h.deps.logger, getCrm });
  const lifecycle = createLifecycle({
    store: h.store,
    clock: h.clock,
    logger: h.deps.logger,
    onConnected: async (ws) => void (await accountIndex.load(ws)),
  });
  const setOrgClock = async (at: Date) => {
    await h.control('POST', '/clock', { now: at.toISOString() });
  };
  await setOrgClock(h.clock.now());
  const check = <T extends { success: boolean; errors?: unknown }>(what: string, r: T): T => {
    if (!r.success) throw new Error(`${what} failed: ${JSON.stringify(r.errors)}`);
    return r;
  };
  return {
    ...h,
    pullDeps,
    lifecycle,
    accountIndex,
    async advance(ms) {
      await h.clock.advance(ms);
      await setOrgClock(h.clock.now());
    },
    setOrgClock,
    async pull(options = {}) {
      const report = await runPull(pullDeps, h.workspaceId, {
        trigger: 'manual',
        ...(options.record === undefined ? {} : { record: options.record }),
      });
      if (report.status !== 'done') throw new Error(`pull gated: ${report.reason}`);
      return report;
    },
    async createAsPerson(object, fields) {
      return check(
        `create ${object}`,
        await h.control<{ id: string; success: boolean; errors: unknown }>(
          'POST',
          `/records/${object}`,
          fields,
        ),
      ).id;
    },
    async updateAsPerson(object, id, fields) {
      check(
        `update ${id}`,
        await h.control<{ success: boolean; errors: unknown }>('PATCH', `/records/${object}/${id}`, fields),
      );
    },
    async deleteAsPerson(id) {
      check(
        `delete ${id}`,
        await h.control<{ success: boolean; errors: unknown }>('DELETE', `/records/any/${id}`),
      );
    },
    async writeTotal() {
      const { totals } = await h.writes();
      return Object.values(totals).reduce((n, ops) => n + Object.values(ops).reduce((a, b) => a + b, 0), 0);
    },
    async linked(sfId) {
      const [link] = await h.store.workspace(h.workspaceId).links.getBySfIds(h.org.orgId, [sfId]);
      return link === undefined
        ? null
        : {
            localType: link.localType,
            localId: link.localId,
            state: link.state,
            mergedInto: link.mergedInto,
            systemModstamp: link.systemModstamp,
          };
    },
  };
}

export const MINUTE = 60_000;
export type { PulledObject };

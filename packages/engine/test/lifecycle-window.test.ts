import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CrmsyncError } from '@crmsync/core';
import { ingest } from '../src/ingest.js';
import { manualPush } from '../src/push/manual-push.js';
import { runPushBatch } from '../src/push/worker.js';
import { runPull } from '../src/pull/run-pull.js';
import { runDuePull, schedulePull } from '../src/pull/pull-schedule.js';
import { person, startEmulatorProcess, type EmulatorProcess } from './harness.js';
import { pullWorld, type PullWorld } from './pull-harness.js';

let emu: EmulatorProcess;
before(async () => {
  emu = await startEmulatorProcess();
});
after(() => emu.close());

const HOUR = 3_600_000;

/** Connects the harness's org through the lifecycle (L1), as `crmsync connect` does. */
async function connect(w: PullWorld, orgId = w.org.orgId, accessToken = w.org.accessToken) {
  return w.lifecycle.connect(w.workspaceId, {
    orgId,
    instanceUrl: w.org.instanceUrl,
    loginUrl: w.org.loginUrl,
    credentials: { flow: 'token', instanceUrl: w.org.instanceUrl, accessToken },
    integrationUserId: null,
  });
}

const contactsNamed = async (w: PullWorld, lastName: string) =>
  w.soql<{ Id: string }>(`SELECT Id FROM Contact WHERE LastName = '${lastName}'`);

describe('lifecycle (L1-L3)', () => {
  test('L1 connecting starts the configuration window: manual pull refused with the window end, manual push allowed, no automatic push or pull', async (t) => {
    const w = await pullWorld(t, emu, {
      settings: { lifecycle: { configurationWindowHours: 6 }, contacts: { pushContacts: true } },
    });
    const state = await connect(w);
    const endsAt = new Date(w.clock.now().getTime() + 6 * HOUR);
    assert.equal(state.state, 'configuring');
    assert.equal(state.windowEndsAt?.toISOString(), endsAt.toISOString());

    await assert.rejects(runPull(w.pullDeps, w.workspaceId, { trigger: 'manual' }), (e: unknown) => {
      assert.ok(e instanceof CrmsyncError);
      assert.equal(e.code, 'CONFIGURATION_WINDOW');
      assert.ok(e.message.includes(endsAt.toISOString()), e.message);
      return true;
    });

    await w.createAsPerson('Contact', { LastName: 'InOrg' });
    const requestsBefore = (await w.requests()).total;
    await w.store.transaction(w.workspaceId, (tx) => schedulePull(tx, w.clock.now()));
    const auto = await runDuePull(w.pullDeps, w.workspaceId);
    assert.equal(auto.ran && 'report' in auto ? auto.report.status : null, 'gated');
    assert.equal(
      auto.ran ? auto.nextRunAt.toISOString() : null,
      endsAt.toISOString(),
      'the automatic pull waits for the window end',
    );

    const queued = await ingest(w.deps, w.workspaceId, {
      type: 'person',
      op: 'upsert',
      data: person('p-auto', { lastName: 'Queued' }),
    });
    assert.equal(queued.ok && queued.queued, true);
    const push = await runPushBatch(w.deps, w.sessions, w.workspaceId);
    assert.equal(push.gated?.rule, 'L1');
    assert.equal((await w.requests()).total, requestsBefore, 'no automatic traffic reached Salesforce');
    assert.equal(
      (await w.store.workspace(w.workspaceId).records.list({ type: 'person' })).items.length,
      1,
      'nothing pulled',
    );

    await ingest(w.deps, w.workspaceId, {
      type: 'person',
      op: 'upsert',
      data: person('p-manual', { lastName: 'Manual' }),
    });
    const manual = await manualPush(w.deps, w.sessions, w.workspaceId, { people: ['p-manual'] });
    assert.equal(manual.length, 1);
    assert.equal((await contactsNamed(w, 'Manual')).length, 1, 'manual push works in the window');
    assert.equal((await contactsNamed(w, 'Queued')).length, 0);
  });

  test('L2 when the window ends sync starts by itself and records changed during the window are pushed under the settings in force then', async (t) => {
    const w = await pullWorld(t, emu, {
      settings: { lifecycle: { configurationWindowHours: 6 }, contacts: { pushContacts: true } },
    });
    await connect(w);
    await ingest(w.deps, w.workspaceId, {
      type: 'person',
      op: 'upsert',
      data: person('p-1', { lastName: 'Waited' }),
    });
    // Settings change during the window: people are to be created as Leads now.
    await w.setSettings({
      lifecycle: { configurationWindowHours: 6 },
      contacts: { pushContacts: true, createAs: 'lead' },
    });
    assert.equal((await runPushBatch(w.deps, w.sessions, w.workspaceId)).gated?.rule, 'L1');
    await w.advance(6 * HOUR);
    assert.equal((await w.lifecycle.state(w.workspaceId)).state, 'active', 'nobody acted');
    const push = await runPushBatch(w.deps, w.sessions, w.workspaceId);
    assert.equal(push.gated, null);
    assert.equal(push.completed, 1);
    assert.equal(
      (await w.soql(`SELECT Id FROM Lead WHERE LastName = 'Waited'`)).length,
      1,
      'pushed as a Lead: the settings in force when the window ended',
    );
    assert.equal((await contactsNamed(w, 'Waited')).length, 0);
    await w.store.transaction(w.workspaceId, (tx) => schedulePull(tx, w.clock.now()));
    const auto = await runDuePull(w.pullDeps, w.workspaceId);
    assert.equal(auto.ran && 'report' in auto ? auto.report.status : null, 'done');
  });

  test('L2 "start syncing now" ends the window early', async (t) => {
    const w = await pullWorld(t, emu, { settings: { lifecycle: { configurationWindowHours: 6 } } });
    await connect(w);
    await w.createAsPerson('Contact', { LastName: 'Early' });
    await assert.rejects(runPull(w.pullDeps, w.workspaceId, { trigger: 'manual' }), /configuration window/);
    const state = await w.lifecycle.startSyncingNow(w.workspaceId);
    assert.equal(state.state, 'active');
    assert.equal(state.windowEndsAt, null);
    assert.deepEqual((await w.pull()).counts, { create_local: 1 });
  });

  test('L3 pause stops all traffic, manual push included, and loses nothing queued; resume continues', async (t) => {
    const w = await pullWorld(t, emu, {
      settings: { lifecycle: { configurationWindowHours: 0 }, contacts: { pushContacts: true } },
    });
    await connect(w);
    await ingest(w.deps, w.workspaceId, {
      type: 'person',
      op: 'upsert',
      data: person('p-1', { lastName: 'Paused' }),
    });
    assert.equal((await w.lifecycle.pause(w.workspaceId)).state, 'paused');
    await assert.rejects(
      manualPush(w.deps, w.sessions, w.workspaceId, { people: ['p-1'] }),
      (e: unknown) => e instanceof CrmsyncError && e.code === 'PAUSED',
    );
    await assert.rejects(
      runPull(w.pullDeps, w.workspaceId, { trigger: 'manual' }),
      (e: unknown) => e instanceof CrmsyncError && e.code === 'PAUSED',
    );
    assert.equal((await runPushBatch(w.deps, w.sessions, w.workspaceId)).gated?.rule, 'L3');
    assert.equal((await w.queue.counts(w.workspaceId)).total.pending, 1, 'the job is still queued');
    assert.equal((await contactsNamed(w, 'Paused')).length, 0);
    assert.equal((await w.lifecycle.resume(w.workspaceId)).state, 'active');
    assert.equal((await runPushBatch(w.deps, w.sessions, w.workspaceId)).completed, 1);
    assert.equal((await contactsNamed(w, 'Paused')).length, 1);
  });

  test('L3 disconnect stops traffic and keeps the links; a reconnect to the same org uses them, another org never does', async (t) => {
    const w = await pullWorld(t, emu, { settings: { lifecycle: { configurationWindowHours: 0 } } });
    await connect(w);
    const con = await w.createAsPerson('Contact', { LastName: 'Linked' });
    await w.pull();
    const link = await w.linked(con);
    assert.equal(link?.state, 'active');
    assert.equal((await w.lifecycle.disconnect(w.workspaceId)).state, 'disconnected');
    await assert.rejects(
      runPull(w.pullDeps, w.workspaceId, { trigger: 'manual' }),
      (e: unknown) => e instanceof CrmsyncError && e.code === 'DISCONNECTED',
    );
    assert.deepEqual(await w.linked(con), link, 'the link is kept');

    await connect(w);
    await w.updateAsPerson('Contact', con, { Title: 'Back' });
    await w.advance(60_000);
    assert.deepEqual(
      (await w.pull()).counts,
      { update_local: 1 },
      'the same person is updated through its link, not created again',
    );

    // Another org (a sandbox, say): the old org's links are never used to write.
    const sandbox = await fetch(`${emu.url}/__emulator/orgs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    }).then((r) => r.json() as Promise<{ orgId: string; accessToken: string }>);
    const productionWrites = await w.writeTotal();
    await connect(w, sandbox.orgId, sandbox.accessToken);
    w.sessions.forget(w.workspaceId);
    assert.equal((await w.lifecycle.state(w.workspaceId)).orgId, sandbox.orgId);
    assert.deepEqual(await w.store.workspace(w.workspaceId).links.getBySfIds(sandbox.orgId, [con]), []);
    const [pushed] = await manualPush(w.deps, w.sessions, w.workspaceId, { people: [link!.localId] });
    assert.ok(pushed);
    const sandboxWrites = await fetch(`${emu.url}/__emulator/orgs/${sandbox.orgId}/writes`).then(
      (r) => r.json() as Promise<{ totals: Record<string, Record<string, number>> }>,
    );
    assert.equal(sandboxWrites.totals.Contact?.create, 1, 'created afresh in the new org');
    assert.equal(await w.writeTotal(), productionWrites, "nothing written through the old org's link");
  });
});

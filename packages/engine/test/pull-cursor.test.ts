import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CrmSessions } from '../src/crm-session.js';
import { runPull } from '../src/pull/run-pull.js';
import { runDuePull, schedulePull, PULL_QUEUE } from '../src/pull/pull-schedule.js';
import { startEmulatorProcess, type EmulatorProcess } from './harness.js';
import { MINUTE, pullWorld } from './pull-harness.js';

let emu: EmulatorProcess;
before(async () => {
  emu = await startEmulatorProcess();
});
after(() => emu.close());

const DAY = 24 * 60 * MINUTE;

describe('pull: cursors and schedule (P1)', () => {
  test('P1 the cursor survives a restart: a reopened store pulls only what changed since', async (t) => {
    const w = await pullWorld(t, emu);
    await w.createAsPerson('Contact', { LastName: 'First', Email: 'first@acme.com' });
    assert.equal((await w.pull()).counts.create_local, 1);

    // A restart: the same database opened again by the production opener, new sessions.
    const reopened = await w.reopen();
    const deps = { ...w.deps, store: reopened.store, queue: reopened.queue };
    const sessions = new CrmSessions(deps);
    const pullDeps = {
      ...w.pullDeps,
      store: reopened.store,
      queue: reopened.queue,
      getCrm: (ws: string) => sessions.getCrm(ws),
    };

    await w.advance(MINUTE);
    const again = await runPull(pullDeps, w.workspaceId, { trigger: 'manual' });
    assert.equal(again.status, 'done');
    assert.deepEqual(
      again.status === 'done' ? again.counts : null,
      {},
      'nothing pulled twice after the restart',
    );
    const second = await w.createAsPerson('Contact', { LastName: 'Second', Email: 'second@acme.com' });
    await w.advance(MINUTE);
    const third = await runPull(pullDeps, w.workspaceId, { trigger: 'manual' });
    assert.deepEqual(third.status === 'done' ? third.counts : null, { create_local: 1 });
    assert.ok((await reopened.store.workspace(w.workspaceId).links.getBySfIds(w.org.orgId, [second]))[0]);
    assert.equal(
      (await reopened.store.workspace(w.workspaceId).records.list({ type: 'person' })).items.length,
      2,
    );
    assert.equal((await w.soql('SELECT Id FROM Contact')).length, 2);
  });

  for (const overlapMs of [5 * MINUTE, 0]) {
    test(`P1 a change that commits late with an older SystemModstamp ${overlapMs > 0 ? 'is caught by the overlap window' : 'is missed without an overlap window (why the overlap exists)'}`, async (t) => {
      const w = await pullWorld(t, emu);
      w.pullDeps.options = { overlapMs };
      const a = await w.createAsPerson('Contact', { LastName: 'Late', Title: 'Before' });
      const b = await w.createAsPerson('Contact', { LastName: 'OnTime' });
      await w.pull();
      // A fast transaction stamped two minutes later was already read, so the cursor stands there;
      // the emulator's stamps never go backwards, so that read is represented by the cursor position.
      const reader = w.store.workspace(w.workspaceId);
      const cursor = (await reader.cursors.get(w.org.orgId, 'pull:Contact')) as {
        at: string;
        id: string;
        recent: Record<string, string>;
      };
      const ahead = new Date(
        Date.parse(cursor.at.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) + 2 * MINUTE,
      ).toISOString();
      await w.store.transaction(w.workspaceId, (tx) =>
        tx.cursors.put(w.org.orgId, 'pull:Contact', { ...cursor, at: ahead, id: b }),
      );
      // ...and a slower transaction commits now, its SystemModstamp older than the cursor.
      await w.updateAsPerson('Contact', a, { Title: 'After' });
      const [row] = await w.soql<{ Title: string; SystemModstamp: string }>(
        `SELECT Title, SystemModstamp FROM Contact WHERE Id = '${a}'`,
      );
      assert.equal(row?.Title, 'After');
      assert.ok(
        Date.parse(row!.SystemModstamp.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')) < Date.parse(ahead),
        'the late row is older than the cursor',
      );
      const report = await w.pull();
      const local = await reader.records.get('person', (await w.linked(a))!.localId);
      assert.equal(local?.data.title, overlapMs > 0 ? 'After' : 'Before');
      assert.equal(
        report.counts.update_local ?? 0,
        overlapMs > 0 ? 1 : 0,
        'the on-time row re-read in the overlap is not applied twice',
      );
      assert.equal(report.counts.create_local ?? 0, 0);
    });
  }

  test('P1 a purged deletion log (replication date error) triggers a full reconcile of linked ids', async (t) => {
    const w = await pullWorld(t, emu, { settings: { contacts: { deletionSync: true } } });
    const gone = await w.createAsPerson('Contact', { LastName: 'Gone' });
    const kept = await w.createAsPerson('Contact', { LastName: 'Kept' });
    await w.pull();
    await w.deleteAsPerson(gone);
    // Sixteen days without a pull: Salesforce keeps 15 days of deletions.
    await w.advance(16 * DAY);
    const report = await w.pull();
    assert.ok(report.reconciled.includes('Contact'), 'the Contact deletion feed was reconciled in full');
    assert.deepEqual(
      (await w.soql<{ Id: string }>('SELECT Id FROM Contact')).map((r) => r.Id),
      [kept],
    );
    const reader = w.store.workspace(w.workspaceId);
    assert.notEqual((await reader.records.get('person', (await w.linked(gone))!.localId))?.deletedAt, null);
    assert.equal((await reader.records.get('person', (await w.linked(kept))!.localId))?.deletedAt, null);
    // The next run reads the feed normally again.
    await w.advance(MINUTE);
    assert.deepEqual((await w.pull()).reconciled, []);
  });

  test('P1 the pull job re-enqueues itself every pollIntervalMinutes on the injected clock', async (t) => {
    const w = await pullWorld(t, emu, { settings: { pull: { pollIntervalMinutes: 7 } } });
    await w.store.transaction(w.workspaceId, (tx) => schedulePull(tx, w.clock.now()));
    await w.createAsPerson('Contact', { LastName: 'Polled' });
    const first = await runDuePull(w.pullDeps, w.workspaceId);
    assert.equal(first.ran, true);
    assert.equal(first.ran && 'report' in first ? first.report.status : null, 'done');
    assert.equal(first.ran ? first.nextRunAt.getTime() - w.clock.now().getTime() : 0, 7 * MINUTE);
    assert.equal((await w.store.workspace(w.workspaceId).records.list({ type: 'person' })).items.length, 1);
    assert.deepEqual(
      await runDuePull(w.pullDeps, w.workspaceId),
      { ran: false },
      'not due before the interval',
    );
    await w.advance(7 * MINUTE);
    const second = await runDuePull(w.pullDeps, w.workspaceId);
    assert.equal(second.ran, true);
    const counts = await w.queue.counts(w.workspaceId);
    assert.equal(
      counts.byQueue.find((q) => q.queue === PULL_QUEUE)?.pending,
      1,
      'always exactly one pull job waiting',
    );
  });
});

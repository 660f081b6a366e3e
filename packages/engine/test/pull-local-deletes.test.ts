import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { applyLocalDeletes } from '../src/pull/local-deletes.js';
import { startEmulatorProcess, type EmulatorProcess } from './harness.js';
import { pullWorld, type PullWorld } from './pull-harness.js';

let emu: EmulatorProcess;
before(async () => {
  emu = await startEmulatorProcess();
});
after(() => emu.close());

async function deleteLocally(w: PullWorld, type: 'person' | 'company', id: string): Promise<void> {
  await w.store.transaction(w.workspaceId, (tx) => tx.records.delete(type, id).then(() => undefined));
}

describe('local deletes travelling to Salesforce (C10, A4)', () => {
  for (const on of [true, false]) {
    test(`C10 contacts deletion sync ${on ? 'on: deleting a linked local person deletes the Salesforce Contact' : 'off: the Contact stays and the link is marked deleted locally'}`, async (t) => {
      const w = await pullWorld(t, emu, { settings: { contacts: { deletionSync: on } } });
      const con = await w.createAsPerson('Contact', { LastName: 'Doomed' });
      await w.pull();
      const local = (await w.linked(con))!;
      const writes = await w.writeTotal();
      await deleteLocally(w, 'person', local.localId);
      const report = await applyLocalDeletes(w.pullDeps, w.workspaceId, [
        { type: 'person', id: local.localId },
      ]);
      assert.equal(report.status, 'done');
      const [result] = report.status === 'done' ? report.results : [];
      assert.equal(result?.outcome, on ? 'deleted_in_salesforce' : 'skipped');
      assert.ok(result?.rules.includes('C10'));
      const remaining = await w.soql<{ Id: string }>('SELECT Id FROM Contact');
      assert.deepEqual(
        remaining.map((r) => r.Id),
        on ? [] : [con],
      );
      assert.equal(await w.writeTotal(), writes + (on ? 1 : 0));
      assert.equal((await w.linked(con))?.state, on ? 'deleted_in_salesforce' : 'deleted_locally');
      const log = await w.store
        .workspace(w.workspaceId)
        .log.list({ record: { type: 'person', id: local.localId }, rule: 'C10' });
      assert.equal(log.items[0]?.action, on ? 'delete' : 'skip');
    });
  }

  test('A4 an Account with children that are not being deleted is skipped with their count; deleting them too lets it go', async (t) => {
    const w = await pullWorld(t, emu, {
      settings: { accounts: { deletionSync: true }, contacts: { deletionSync: true } },
    });
    const acc = await w.createAsPerson('Account', { Name: 'Parent Co' });
    const c1 = await w.createAsPerson('Contact', { LastName: 'One', AccountId: acc });
    const c2 = await w.createAsPerson('Contact', { LastName: 'Two', AccountId: acc });
    await w.createAsPerson('Opportunity', {
      Name: 'Deal',
      StageName: 'Prospecting',
      CloseDate: '2027-01-31',
      AccountId: acc,
    });
    await w.pull();
    const company = (await w.linked(acc))!;
    const p1 = (await w.linked(c1))!;
    const p2 = (await w.linked(c2))!;

    // The company and one of its people are deleted: the other Contact and the Opportunity remain.
    await deleteLocally(w, 'company', company.localId);
    await deleteLocally(w, 'person', p1.localId);
    const first = await applyLocalDeletes(w.pullDeps, w.workspaceId, [
      { type: 'company', id: company.localId },
      { type: 'person', id: p1.localId },
    ]);
    assert.equal(first.status, 'done');
    const companyResult =
      first.status === 'done' ? first.results.find((r) => r.type === 'company') : undefined;
    assert.equal(companyResult?.outcome, 'skipped');
    assert.equal(companyResult?.outcome === 'skipped' ? companyResult.code : null, 'account_has_children');
    assert.match(companyResult?.reason ?? '', /2 child records/);
    assert.deepEqual(
      (await w.soql<{ Id: string }>('SELECT Id FROM Account')).map((r) => r.Id),
      [acc],
      'Salesforce: the Account stays',
    );
    assert.deepEqual(
      (await w.soql<{ Id: string }>('SELECT Id FROM Contact')).map((r) => r.Id),
      [c2],
      "the deleted person's Contact went",
    );
    const log = await w.store
      .workspace(w.workspaceId)
      .log.list({ record: { type: 'company', id: company.localId }, rule: 'A4' });
    assert.equal(log.items[0]?.action, 'skip');
    assert.match(log.items[0]?.reason ?? '', /2 child records/);

    // Once the remaining Contact and the Opportunity are gone, the Account goes.
    await deleteLocally(w, 'person', p2.localId);
    const [opp] = await w.soql<{ Id: string }>('SELECT Id FROM Opportunity');
    await w.deleteAsPerson(opp!.Id);
    const second = await applyLocalDeletes(w.pullDeps, w.workspaceId, [
      { type: 'person', id: p2.localId },
      { type: 'company', id: company.localId },
    ]);
    assert.equal(
      second.status === 'done' ? second.results.find((r) => r.type === 'company')?.outcome : null,
      'deleted_in_salesforce',
    );
    assert.deepEqual(await w.soql('SELECT Id FROM Account'), []);
  });

  test('A4 account deletion sync off: the Account is never deleted and the link is marked deleted locally', async (t) => {
    const w = await pullWorld(t, emu, { settings: { accounts: { deletionSync: false } } });
    const acc = await w.createAsPerson('Account', { Name: 'Lonely Co' });
    await w.pull();
    const company = (await w.linked(acc))!;
    await deleteLocally(w, 'company', company.localId);
    const report = await applyLocalDeletes(w.pullDeps, w.workspaceId, [
      { type: 'company', id: company.localId },
    ]);
    assert.equal(report.status === 'done' ? report.results[0]?.outcome : null, 'skipped');
    assert.equal((await w.soql('SELECT Id FROM Account')).length, 1);
    assert.equal((await w.linked(acc))?.state, 'deleted_locally');
  });
});

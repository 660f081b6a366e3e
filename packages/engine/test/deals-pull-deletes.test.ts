import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CrmsyncError } from '@crmsync/core';
import { drain, startEmulatorProcess, type EmulatorProcess } from './harness.js';
import { MINUTE, pullWorld, type PullWorld } from './pull-harness.js';
import { deal, dealLink, dealLog, ingestDeals, localDeal, STAGES } from './deals-harness.js';

/*
 * Opportunities deleted in Salesforce, caught by the pull (P1) through the replication feed in the
 * run's shared read (one subrequest per pull, not one query per deal): the link is marked, the
 * local deal stays (deals have no deletion sync) and is not re-created by the worker. And the
 * manual pull of one Opportunity by id (P3). Edits in Salesforce are made as a sales user.
 */

let emu: EmulatorProcess;
before(async () => {
  emu = await startEmulatorProcess();
});
after(() => emu.close());

const DAY = 24 * 60 * MINUTE;
const calls = async (w: PullWorld) => (await w.requests()).counted;
const newOpp = (w: PullWorld, name: string) =>
  w.createAsPerson('Opportunity', { Name: name, StageName: 'Prospecting', CloseDate: '2027-02-01' });

for (const dealSync of ['pull', 'off'] as const) {
  test(`P1, ${dealSync === 'pull' ? 'D3' : 'D2'}: an Opportunity deleted in Salesforce ${dealSync === 'pull' ? 'is caught by the pull in the same calls as an idle pull: its link is marked and the local deal stays' : 'is not read once deal sync is off: the link stays as it was'}`, async (t) => {
    const w = await pullWorld(t, emu, { settings: { deals: { dealSync: 'pull', stageMapping: STAGES } } });
    // The emulator gives its oldest kept deletion as earliestDateAvailable, so an org whose first
    // deletion is newer than a read's start looks purged (and is reconciled); an old deletion keeps
    // this test on the feed path whose cost it measures.
    await w.deleteAsPerson(await newOpp(w, 'Early'));
    const ids = [await newOpp(w, 'One'), await newOpp(w, 'Two'), await newOpp(w, 'Three')];
    assert.equal((await w.pull()).counts.deal_create_local, 3);
    const local = await Promise.all(ids.map(async (id) => (await w.linked(id))!.localId));
    if (dealSync === 'off') await w.setSettings({ deals: { dealSync: 'off', stageMapping: STAGES } });
    await w.advance(10 * MINUTE);
    await w.pull();

    await w.advance(2 * MINUTE);
    let at = await calls(w);
    await w.pull();
    const idle = (await calls(w)) - at;

    await w.deleteAsPerson(ids[0]!);
    await w.deleteAsPerson(ids[1]!);
    // The replication feed reports whole minutes that have passed.
    await w.advance(2 * MINUTE);
    at = await calls(w);
    const report = await w.pull();
    assert.equal((await calls(w)) - at, idle, 'two deletions cost what an idle pull costs');

    if (dealSync === 'pull') {
      assert.equal(report.counts.deal_mark_link, 2);
      assert.deepEqual(await Promise.all(ids.map(async (id) => (await w.linked(id))?.state)), [
        'deleted_in_salesforce',
        'deleted_in_salesforce',
        'active',
      ]);
      const entry = (await dealLog(w, local[0]!)).find((e) => e.action === 'pull_mark_link');
      assert.ok(entry?.rules.includes('D3') && entry.rules.includes('P1'), JSON.stringify(entry?.rules));
      assert.match(String(entry?.reason), new RegExp(`Opportunity ${ids[0]} was deleted in Salesforce`));
    } else {
      assert.equal(report.counts.deal_mark_link ?? 0, 0);
      assert.equal((await w.linked(ids[0]!))?.state, 'active', 'deal sync off reads no deal deletions');
    }
    for (const id of local) assert.notEqual(await localDeal(w, id), null, 'the local deals stay');

    // Re-reading the overlap marks nothing twice.
    await w.advance(MINUTE);
    assert.equal((await w.pull()).counts.deal_mark_link ?? 0, 0);
  });
}

test('P1, D1: after a deleted Opportunity is caught by the pull, a local change to its deal is not pushed (no re-create)', async (t) => {
  const w = await pullWorld(t, emu, {
    settings: { deals: { dealSync: 'bidirectional', stageMapping: STAGES } },
  });
  await ingestDeals(w, [deal('d1')]);
  await drain(w);
  await w.pull();
  const [opp] = await w.soql<{ Id: string }>('SELECT Id FROM Opportunity');
  assert.equal((await w.linked(opp!.Id))?.localId, 'd1');
  await w.deleteAsPerson(opp!.Id);
  await w.advance(2 * MINUTE);
  assert.equal((await w.pull()).counts.deal_mark_link, 1);
  const writes = await w.writeTotal();
  await ingestDeals(w, [deal('d1', { amount: 42 })]);
  assert.equal((await w.queue.counts(w.workspaceId)).total.pending, 0, 'the change is not even queued');
  await drain(w);
  assert.equal(await w.writeTotal(), writes, 'nothing written');
  assert.equal((await w.soql('SELECT Id FROM Opportunity')).length, 0);
  assert.equal((await localDeal(w, 'd1'))?.amount, 42, 'the local deal stays and keeps its change');
});

test('P1: a purged deletion log (sixteen days without a pull) reconciles the linked Opportunities with queryAll', async (t) => {
  const w = await pullWorld(t, emu, { settings: { deals: { dealSync: 'pull', stageMapping: STAGES } } });
  const gone = await newOpp(w, 'Gone');
  const kept = await newOpp(w, 'Kept');
  await w.pull();
  await w.deleteAsPerson(gone);
  await w.advance(16 * DAY);
  const report = await w.pull();
  assert.equal(report.counts.deal_mark_link, 1);
  assert.equal((await w.linked(gone))?.state, 'deleted_in_salesforce');
  assert.equal((await w.linked(kept))?.state, 'active');
  // The next run reads the feed normally again.
  await w.advance(MINUTE);
  assert.equal((await w.pull()).counts.deal_mark_link ?? 0, 0);
});

test('P3: a manual pull of one Opportunity by id brings it in, then marks it once deleted; refused naming deals.dealSync when deal sync does not pull', async (t) => {
  const w = await pullWorld(t, emu, { settings: { deals: { dealSync: 'pull', stageMapping: STAGES } } });
  const id = await w.createAsPerson('Opportunity', {
    Name: 'Single',
    StageName: 'Closed Won',
    CloseDate: '2027-04-01',
    Amount: 500,
  });
  const other = await newOpp(w, 'Not asked for');
  const report = await w.pull({ record: id });
  assert.equal(report.counts.deal_create_local, 1);
  const link = await w.linked(id);
  const pulled = await localDeal(w, link!.localId);
  assert.deepEqual([pulled?.name, pulled?.stage, pulled?.amount], ['Single', 'Won', 500]);
  assert.equal(await w.linked(other), null, 'only the record asked for');

  await w.deleteAsPerson(id);
  assert.equal((await w.pull({ record: id })).counts.deal_mark_link, 1, 'queryAll sees the deletion at once');
  assert.equal((await w.linked(id))?.state, 'deleted_in_salesforce');
  assert.notEqual(await localDeal(w, link!.localId), null);

  await w.setSettings({ deals: { dealSync: 'push', stageMapping: STAGES } });
  await assert.rejects(
    w.pull({ record: other }),
    (err: unknown) =>
      err instanceof CrmsyncError &&
      err.code === 'INVALID_INPUT' &&
      /Opportunity .* was not pulled: deal sync is "push".*deals\.dealSync/.test(err.message),
  );
  assert.equal(await w.linked(other), null);
  await assert.rejects(w.pull({ record: '00T000000000001AAA' }), /nor of an Opportunity.*006/);
});

test('D4: under dealSync push (no pull, no read first) an update refused because the Opportunity was deleted marks the link; the deal is not re-created nor retried', async (t) => {
  const w = await pullWorld(t, emu, { settings: { deals: { dealSync: 'push', stageMapping: STAGES } } });
  await ingestDeals(w, [deal('d1'), deal('d2')]);
  await drain(w);
  const [gone, kept] = await Promise.all(['d1', 'd2'].map(async (id) => (await dealLink(w, id))!.sfId));
  await w.deleteAsPerson(gone!);
  await ingestDeals(w, [deal('d1', { amount: 5 }), deal('d2', { amount: 6 })]);
  await drain(w);
  assert.equal((await dealLink(w, 'd1'))?.state, 'deleted_in_salesforce');
  const skip = (await dealLog(w, 'd1')).find((e) => e.action === 'skip');
  assert.match(String(skip?.reason), /was deleted in Salesforce.*push the deal by hand/);
  assert.ok(skip?.rules.includes('D4'));
  assert.deepEqual(
    (await w.soql<{ Id: string; Amount: number }>('SELECT Id, Amount FROM Opportunity')).map((r) => [
      r.Id,
      r.Amount,
    ]),
    [[kept, 6]],
    'the other deal of the batch landed; nothing re-created',
  );
  assert.equal((await w.queue.counts(w.workspaceId)).total.pending, 0, 'nothing left to retry');
  await ingestDeals(w, [deal('d1', { amount: 7 })]);
  assert.equal((await w.queue.counts(w.workspaceId)).total.pending, 0, 'a later change is not queued');
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { isDealHidden, Settings } from '@crmsync/core';
import { drain, startEmulatorProcess, type EmulatorProcess } from './harness.js';
import { pullWorld, type PullWorld } from './pull-harness.js';
import {
  deal,
  dealLink,
  dealLog,
  ingestDeals,
  localDeal,
  OPP_FIELDS,
  STAGES,
  type OppRow,
} from './deals-harness.js';

/*
 * Deals both ways (D1, D3, D5, P2): Salesforce the source of truth for synced deals, the one-time
 * overwrite when bidirectional sync is turned on, pulled Opportunities never echoed back. Edits in
 * Salesforce are made as a sales user through the emulator's control API.
 */

let emu: EmulatorProcess;
before(async () => {
  emu = await startEmulatorProcess();
});
after(() => emu.close());

const opp = async (w: PullWorld, id: string) =>
  (await w.soql<OppRow>(`SELECT ${OPP_FIELDS} FROM Opportunity WHERE Id = '${id}'`))[0];
const updates = async (w: PullWorld, id: string) => (await w.writes([id])).records[id]?.update ?? 0;
const pending = async (w: PullWorld) => (await w.queue.counts(w.workspaceId)).total.pending;

for (const dealSync of ['bidirectional', 'push'] as const) {
  test(`D1: a deal changed on both sides (${dealSync}): ${dealSync === 'bidirectional' ? 'Salesforce wins and the local change is logged as overwritten' : 'D4 sends the local change'}`, async (t) => {
    const w = await pullWorld(t, emu, { settings: { deals: { dealSync, stageMapping: STAGES } } });
    await ingestDeals(w, [deal('d1', { amount: 1000 })]);
    await drain(w);
    const sfId = (await dealLink(w, 'd1'))!.sfId;
    await w.advance(1_000);
    await w.updateAsPerson('Opportunity', sfId, { StageName: 'Closed Won', Amount: 9000 });
    await ingestDeals(w, [deal('d1', { amount: 1234 })]);
    const before = await updates(w, sfId);
    await drain(w);
    const row = await opp(w, sfId);
    const local = await localDeal(w, 'd1');
    if (dealSync === 'bidirectional') {
      assert.equal(await updates(w, sfId), before, 'nothing is written to the Opportunity');
      assert.equal(row?.Amount, 9000);
      assert.equal(local?.amount, 9000, "Salesforce's amount replaces the local change");
      assert.equal(local?.stage, 'Won', 'the StageName comes back through the stage mapping');
      const entry = (await dealLog(w, 'd1')).find((e) => e.action === 'overwritten');
      assert.ok(entry?.rules.includes('D1'));
      assert.match(String(entry?.reason), new RegExp(`Opportunity ${sfId} changed in Salesforce`));
      assert.match(String(entry?.reason), /local amount, stage are overwritten/);
      assert.equal(await pending(w), 0, 'the applied change is not queued for push (P2)');
      assert.equal((await dealLink(w, 'd1'))?.systemModstamp, row?.SystemModstamp);

      // Now in step, the next local change is pushed (after one SystemModstamp read).
      await w.advance(1_000);
      await ingestDeals(w, [deal('d1', { amount: 5, stage: 'Won' })]);
      await drain(w);
      assert.equal((await opp(w, sfId))?.Amount, 5);
      assert.equal((await opp(w, sfId))?.StageName, 'Closed Won');
    } else {
      assert.equal(await updates(w, sfId), before + 1);
      assert.equal(row?.Amount, 1234, 'the local change is sent');
      assert.equal(
        row?.StageName,
        'Closed Won',
        'a field crmsync did not change keeps its Salesforce edit (X5)',
      );
      assert.ok(!(await dealLog(w, 'd1')).some((e) => e.action === 'overwritten'));
    }
  });
}

for (const to of ['bidirectional', 'pull'] as const) {
  test(`D1: turning ${to} sync on ${to === 'bidirectional' ? 'overwrites already-linked deals from Salesforce once' : 'overwrites nothing'}`, async (t) => {
    const w = await pullWorld(t, emu, { settings: { deals: { dealSync: 'push', stageMapping: STAGES } } });
    await ingestDeals(w, [deal('d1', { amount: 1000 })]);
    await drain(w);
    await w.pull(); // records the mode crmsync acted on
    await w.setSettings({ deals: { dealSync: 'off', stageMapping: STAGES } });
    await ingestDeals(w, [deal('d1', { amount: 999 })]);
    assert.equal(await pending(w), 0, 'D2: not queued');
    await w.setSettings({ deals: { dealSync: to, stageMapping: STAGES } });
    await w.advance(1_000);
    await w.pull();
    const overwritten = () => dealLog(w, 'd1').then((l) => l.filter((e) => e.action === 'pull_update_local'));
    if (to === 'bidirectional') {
      assert.equal((await localDeal(w, 'd1'))?.amount, 1000, "Salesforce's value replaces the local one");
      const [entry] = await overwritten();
      assert.ok(entry?.rules.includes('D1'));
      assert.match(String(entry?.reason), /Deal sync changed from "push" to bidirectional/);
      await w.advance(1_000);
      await w.pull();
      assert.equal((await overwritten()).length, 1, 'only once');
    } else {
      assert.equal(
        (await localDeal(w, 'd1'))?.amount,
        999,
        'an unchanged Opportunity is not pulled back (P2)',
      );
      assert.equal((await overwritten()).length, 0);
    }
  });
}

test('D3, D2: dealSync pull brings Opportunities in under their Account and never pushes; off pulls nothing and keeps the pulled deals', async (t) => {
  const w = await pullWorld(t, emu, { settings: { deals: { dealSync: 'pull', stageMapping: STAGES } } });
  const account = await w.createAsPerson('Account', { Name: 'Acme' });
  const sfId = await w.createAsPerson('Opportunity', {
    Name: 'Big one',
    StageName: 'Prospecting',
    CloseDate: '2027-01-15',
    Amount: 300,
    AccountId: account,
  });
  const report = await w.pull();
  assert.equal(report.counts.deal_create_local, 1);
  const link = await w.linked(sfId);
  const company = await w.linked(account);
  assert.equal(link?.localType, 'deal');
  const local = await localDeal(w, link!.localId);
  assert.equal(local?.name, 'Big one');
  assert.equal(local?.stage, 'Open', 'StageName maps back to the local stage');
  assert.equal(local?.closeDate, '2027-01-15');
  assert.equal(local?.origin, 'salesforce');
  assert.equal(local?.companyId, company?.localId);
  assert.ok((await dealLog(w, link!.localId)).some((e) => e.rules.includes('D3')));

  await ingestDeals(w, [{ ...local!, amount: 1 }]);
  await drain(w);
  assert.equal((await opp(w, sfId))?.Amount, 300, 'D3: local changes never go to Salesforce');

  await w.setSettings({ deals: { dealSync: 'off', stageMapping: STAGES } });
  await w.advance(1_000);
  await w.updateAsPerson('Opportunity', sfId, { Amount: 777 });
  await w.createAsPerson('Opportunity', { Name: 'New', StageName: 'Prospecting', CloseDate: '2027-01-15' });
  const off = await w.pull();
  assert.equal(off.counts.deal_create_local ?? 0, 0, 'D2: nothing is pulled');
  assert.equal((await localDeal(w, link!.localId))?.amount, 1, 'D2: the deal already pulled stays');
});

test('D5: with hideDeals pulled deals are hidden, yet still updated from Salesforce and still pushed', async (t) => {
  const settings = { deals: { dealSync: 'bidirectional' as const, hideDeals: true, stageMapping: STAGES } };
  const w = await pullWorld(t, emu, { settings });
  const sfId = await w.createAsPerson('Opportunity', {
    Name: 'Hidden',
    StageName: 'Prospecting',
    CloseDate: '2027-02-01',
  });
  await w.pull();
  const id = (await w.linked(sfId))!.localId;
  const parsed = Settings.parse({ version: 2, ...settings });
  assert.equal(isDealHidden((await localDeal(w, id))!, parsed), true);
  assert.equal(
    isDealHidden((await localDeal(w, id))!, Settings.parse({ version: 2 })),
    false,
    'hideDeals off: shown',
  );

  await w.advance(1_000);
  await w.updateAsPerson('Opportunity', sfId, { Amount: 42 });
  await w.pull();
  assert.equal((await localDeal(w, id))?.amount, 42, 'still updated');
  assert.ok((await dealLog(w, id)).some((e) => e.action === 'pull_update_local' && e.rules.includes('D5')));

  await w.advance(1_000);
  await ingestDeals(w, [{ ...(await localDeal(w, id))!, amount: 43 }]);
  await drain(w);
  assert.equal((await opp(w, sfId))?.Amount, 43, 'still pushed');
});

test("P2, D1: a pulled Opportunity is never echoed back, crmsync's own write is not pulled back, and a pull reads Opportunities in one query whatever their number", async (t) => {
  const w = await pullWorld(t, emu, {
    settings: { deals: { dealSync: 'bidirectional', stageMapping: STAGES } },
  });
  await w.createAsPerson('Opportunity', {
    Name: 'From SF',
    StageName: 'Prospecting',
    CloseDate: '2027-02-01',
  });
  const writesBefore = await w.writeTotal();
  await w.pull();
  assert.equal(await pending(w), 0, 'no push job from a pulled change');
  assert.equal((await drain(w))[0]?.claimed, 0);
  assert.equal(await w.writeTotal(), writesBefore, 'nothing written to Salesforce');

  await ingestDeals(w, [deal('mine')]);
  await drain(w);
  await w.advance(1_000);
  const report = await w.pull();
  assert.equal(report.counts.deal_update_local ?? 0, 0, "crmsync's own write is not pulled back");
  assert.ok(!(await dealLog(w, 'mine')).some((e) => e.action.startsWith('pull_')));

  // One query per pull: an idle pull and a pull of five changed Opportunities cost the same calls.
  const calls = async () => (await w.requests()).counted;
  await w.advance(1_000);
  let at = await calls();
  await w.pull();
  const idle = (await calls()) - at;
  for (let i = 0; i < 5; i++)
    await w.createAsPerson('Opportunity', {
      Name: `Bulk ${i}`,
      StageName: 'Prospecting',
      CloseDate: '2027-02-01',
    });
  await w.advance(1_000);
  at = await calls();
  const busy = await w.pull();
  assert.equal(busy.counts.deal_create_local, 5);
  assert.equal((await calls()) - at, idle);
});

test('D1: linked Opportunities are checked with one SystemModstamp query per batch, not one per deal', async (t) => {
  const w = await pullWorld(t, emu, {
    settings: { deals: { dealSync: 'bidirectional', stageMapping: STAGES } },
  });
  const ids = Array.from({ length: 6 }, (_, i) => `d${i}`);
  await ingestDeals(
    w,
    ids.map((id) => deal(id)),
  );
  await drain(w);
  const calls = async () => (await w.requests()).counted;
  const costOf = async (changed: readonly string[], amount: number) => {
    await w.advance(1_000);
    await ingestDeals(
      w,
      changed.map((id) => deal(id, { amount })),
    );
    const at = await calls();
    await drain(w);
    return (await calls()) - at;
  };
  const one = await costOf(['d0'], 1);
  const six = await costOf(ids, 2);
  assert.equal(six, one, 'six deals cost the API calls of one');
  const rows = await w.soql<OppRow>(`SELECT ${OPP_FIELDS} FROM Opportunity`);
  assert.deepEqual(
    rows.map((r) => r.Amount),
    ids.map(() => 2),
  );
});

test('D1: a linked Opportunity deleted in Salesforce is found by the batch read; the link is marked and the deal is not re-created', async (t) => {
  const w = await pullWorld(t, emu, {
    settings: { deals: { dealSync: 'bidirectional', stageMapping: STAGES } },
  });
  await ingestDeals(w, [deal('d1')]);
  await drain(w);
  const sfId = (await dealLink(w, 'd1'))!.sfId;
  await w.deleteAsPerson(sfId);
  await ingestDeals(w, [deal('d1', { amount: 5 })]);
  await drain(w);
  assert.equal((await w.soql('SELECT Id FROM Opportunity')).length, 0, 'not re-created');
  assert.equal((await dealLink(w, 'd1'))?.state, 'deleted_in_salesforce');
  const skip = (await dealLog(w, 'd1')).find((e) => e.action === 'skip');
  assert.match(String(skip?.reason), /push the deal by hand to create it again/);
});

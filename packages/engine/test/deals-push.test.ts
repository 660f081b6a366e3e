import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ingestMany } from '../src/ingest.js';
import {
  company,
  connectedWorkspace,
  drain,
  externalIdSchema,
  ingestAll,
  linkOf,
  person,
  startEmulatorProcess,
  type EmulatorProcess,
  type Harness,
} from './harness.js';
import {
  deal,
  dealLink,
  dealLog,
  drainWithRetries,
  ingestDeals,
  OPP_FIELDS,
  OPPORTUNITY_EXTERNAL_ID,
  STAGES,
  type OppRow,
} from './deals-harness.js';

/*
 * Deals pushed end to end (D2, D3, D4, D6, X4): ingest -> worker -> the emulator in its own
 * process, each setting on and off, outcomes read back over SOQL and the write counter.
 */

let emu: EmulatorProcess;
before(async () => {
  emu = await startEmulatorProcess();
});
after(() => emu.close());

const opps = (h: Harness, where = '') => h.soql<OppRow>(`SELECT ${OPP_FIELDS} FROM Opportunity${where}`);

test('D4, D2, D3: dealSync push creates and updates Opportunities; off and pull push nothing', async (t) => {
  const push = await connectedWorkspace(t, emu, {
    settings: { deals: { dealSync: 'push', stageMapping: STAGES } },
  });
  await ingestDeals(push, [deal('d1', { amount: 5000 }), deal('d2', { stage: 'Won' })]);
  await drain(push);
  const rows = await opps(push, ' ORDER BY Name');
  assert.deepEqual(
    rows.map((r) => [r.Name, r.StageName, r.Amount, r.CloseDate]),
    [
      ['Deal d1', 'Prospecting', 5000, '2027-03-31'],
      ['Deal d2', 'Closed Won', 1000, '2027-03-31'],
    ],
  );
  assert.equal((await dealLink(push, 'd1'))?.sfId, rows[0]!.Id);
  assert.ok((await dealLog(push, 'd1')).some((e) => e.action === 'create' && e.rules.includes('D4')));

  // A local change goes to the linked Opportunity: one update, no second create.
  await ingestDeals(push, [deal('d1', { amount: 7500, stage: 'Lost' })]);
  await drain(push);
  const [d1] = await opps(push, ` WHERE Id = '${rows[0]!.Id}'`);
  assert.equal(d1?.Amount, 7500);
  assert.equal(d1?.StageName, 'Closed Lost');
  const w = (await push.writes([rows[0]!.Id])).records[rows[0]!.Id];
  assert.equal(w?.create, 1);
  assert.equal(w?.update, 1);

  for (const dealSync of ['off', 'pull'] as const) {
    const h = await connectedWorkspace(t, emu, { settings: { deals: { dealSync, stageMapping: STAGES } } });
    await ingestDeals(h, [deal('d1')]);
    const report = await drain(h);
    assert.equal(report[0]?.claimed, 0, `${dealSync}: nothing is queued`);
    assert.equal((await opps(h)).length, 0, `${dealSync}: no Opportunity`);
    const entry = (await dealLog(h, 'd1')).find((e) => e.action === 'not_eligible');
    assert.ok(entry?.rules.includes(dealSync === 'off' ? 'D2' : 'D3'), `${dealSync}: logged with its rule`);
  }
});

test('D2: a deal queued under push is not sent once deal sync is turned off before the worker runs', async (t) => {
  const h = await connectedWorkspace(t, emu, {
    settings: { deals: { dealSync: 'push', stageMapping: STAGES } },
  });
  await ingestDeals(h, [deal('d1')]);
  await h.setSettings({ deals: { dealSync: 'off', stageMapping: STAGES } });
  await drain(h);
  assert.equal((await opps(h)).length, 0);
  const skip = (await dealLog(h, 'd1')).find((e) => e.action === 'skip');
  assert.ok(skip?.rules.includes('D2'));
});

test('D6: a deal at an unmapped stage is refused naming the deal, the stage and deals.stageMapping; the rest of the batch lands; mapped it lands', async (t) => {
  const h = await connectedWorkspace(t, emu, {
    settings: { deals: { dealSync: 'push', stageMapping: { Open: 'Prospecting', Odd: 'Not A Stage' } } },
  });
  await ingestDeals(h, [
    deal('good'),
    deal('unmapped', { stage: 'Negotiating' }),
    deal('invalid', { stage: 'Odd' }),
  ]);
  await drain(h);
  assert.deepEqual(
    (await opps(h)).map((r) => r.Name),
    ['Deal good'],
  );
  const unmapped = (await dealLog(h, 'unmapped')).find((e) => e.action === 'skip');
  assert.ok(unmapped?.rules.includes('D6'));
  assert.match(String(unmapped?.reason), /Deal unmapped/);
  assert.match(String(unmapped?.reason), /"Negotiating"/);
  assert.match(String(unmapped?.reason), /deals\.stageMapping/);
  assert.match(String(unmapped?.reason), /"Prospecting"/, 'the allowed StageName values are listed');
  const invalid = (await dealLog(h, 'invalid')).find((e) => e.action === 'skip');
  assert.equal(invalid?.payload?.code, 'stage_mapping_invalid');
  assert.match(String(invalid?.reason), /"Not A Stage", which is not a StageName value of the org/);

  // With the stage mapped, the same deal goes through.
  await h.setSettings({
    deals: { dealSync: 'push', stageMapping: { Open: 'Prospecting', Negotiating: 'Negotiation/Review' } },
  });
  await ingestDeals(h, [deal('unmapped', { stage: 'Negotiating', amount: 1 })]);
  await drain(h);
  const [row] = await opps(h, " WHERE Name = 'Deal unmapped'");
  assert.equal(row?.StageName, 'Negotiation/Review');
});

test('D6: a deal without a close date is refused with the field to fill; bad input at ingest names the record and field; nothing else is lost', async (t) => {
  const h = await connectedWorkspace(t, emu, {
    settings: { deals: { dealSync: 'push', stageMapping: STAGES } },
  });
  const results = await ingestMany(h.deps, h.workspaceId, [
    { type: 'deal', op: 'upsert', data: deal('ok') },
    { type: 'deal', op: 'upsert', data: deal('noname', { name: '' }) },
    { type: 'deal', op: 'upsert', data: deal('nodate', { closeDate: null }) },
    { type: 'deal', op: 'upsert', data: deal('baddate', { closeDate: '31/03/2027' }) },
  ]);
  assert.deepEqual(
    results.map((r) => r.ok),
    [true, false, true, false],
  );
  const noname = results[1]!;
  assert.ok(!noname.ok);
  assert.match(noname.message, /^Deal noname \(row 2\) was not saved: name: must not be empty/);
  const baddate = results[3]!;
  assert.ok(!baddate.ok && baddate.problems[0]?.field === 'closeDate');
  await drain(h);
  assert.deepEqual(
    (await opps(h)).map((r) => r.Name),
    ['Deal ok'],
  );
  const nodate = (await dealLog(h, 'nodate')).find((e) => e.action === 'skip');
  assert.ok(nodate?.rules.includes('D6'));
  assert.match(String(nodate?.reason), /Deal nodate was not sent: its closeDate is empty/);
});

test('D6, C7: the deal company is pushed first (even with account push off) and the Opportunity goes under its Account; without a company there is no Account', async (t) => {
  const h = await connectedWorkspace(t, emu, {
    settings: { accounts: { pushAccounts: false }, deals: { dealSync: 'push', stageMapping: STAGES } },
  });
  await ingestAll(h, 'company', [company('c1', { name: 'Acme' })]);
  await ingestDeals(h, [deal('d1', { companyId: 'c1' }), deal('d2')]);
  await drain(h);
  const accounts = await h.soql<{ Id: string; Name: string }>('SELECT Id, Name FROM Account');
  assert.deepEqual(
    accounts.map((a) => a.Name),
    ['Acme'],
  );
  assert.equal((await linkOf(h, 'company', 'c1'))?.sfId, accounts[0]!.Id);
  const [d1] = await opps(h, " WHERE Name = 'Deal d1'");
  const [d2] = await opps(h, " WHERE Name = 'Deal d2'");
  assert.equal(d1?.AccountId, accounts[0]!.Id);
  assert.equal(d2?.AccountId, null);
  const companyLog = (
    await h.store.workspace(h.workspaceId).log.list({ record: { type: 'company', id: 'c1' }, limit: 10 })
  ).items;
  assert.ok(
    companyLog.some((e) => e.action === 'create' && e.rules.includes('D6') && !e.rules.includes('M1')),
  );
  // A second deal of the same company reuses the Account.
  await ingestDeals(h, [deal('d3', { companyId: 'c1' })]);
  await drain(h);
  const [d3] = await opps(h, " WHERE Name = 'Deal d3'");
  assert.equal(d3?.AccountId, accounts[0]!.Id);
  assert.equal((await h.soql('SELECT Id FROM Account')).length, 1);
});

test('D6: deal people that are Contacts become OpportunityContactRoles once; a Lead is skipped with a reason', async (t) => {
  const h = await connectedWorkspace(t, emu, {
    settings: { contacts: { pushContacts: true }, deals: { dealSync: 'push', stageMapping: STAGES } },
    seed: { Lead: [{ LastName: 'Lee', Company: 'Other', Email: 'lead@acme.test' }] },
  });
  await ingestAll(h, 'person', [
    person('p1', { email: 'p1@acme.test' }),
    person('p2', { email: 'lead@acme.test' }),
    person('p3', { email: 'p3@acme.test' }),
  ]);
  await ingestDeals(h, [deal('d1', { personIds: ['p1', 'p2'] }), deal('d0')]);
  await drain(h);
  const contact = await linkOf(h, 'person', 'p1');
  assert.equal(contact?.sfObject, 'Contact');
  assert.equal((await linkOf(h, 'person', 'p2'))?.sfObject, 'Lead');
  const opp = (await dealLink(h, 'd1'))!.sfId;
  const roles = () =>
    h.soql<{ ContactId: string }>(
      `SELECT ContactId FROM OpportunityContactRole WHERE OpportunityId = '${opp}'`,
    );
  assert.deepEqual(
    (await roles()).map((r) => r.ContactId),
    [contact!.sfId],
  );
  const skipped = (await dealLog(h, 'd1')).find((e) => e.action === 'contact_role_skipped');
  assert.ok(skipped?.rules.includes('D6'));
  assert.match(String(skipped?.reason), /Person p2 gets no contact role: it is in Salesforce as Lead/);
  assert.equal(
    (await h.soql('SELECT Id FROM OpportunityContactRole')).length,
    1,
    'a deal without people has no roles',
  );

  // Pushed again with one more Contact: only the new role is added, the first is not duplicated.
  await ingestDeals(h, [deal('d1', { personIds: ['p1', 'p2', 'p3'], amount: 2 })]);
  await drain(h);
  const after = (await roles()).map((r) => r.ContactId).sort();
  assert.deepEqual(after, [contact!.sfId, (await linkOf(h, 'person', 'p3'))!.sfId].sort());
});

test('X4: with Crmsync_Id__c on Opportunity a deal is upserted on its local id; a retried create never duplicates', async (t) => {
  const h = await connectedWorkspace(t, emu, {
    schema: externalIdSchema(OPPORTUNITY_EXTERNAL_ID),
    settings: { deals: { dealSync: 'push', stageMapping: STAGES } },
  });
  await ingestDeals(h, [deal('d1')]);
  await h.control('POST', '/faults', {
    method: 'PATCH',
    pathPrefix: '/composite/sobjects',
    dropWriteResponses: 1,
  });
  await drainWithRetries(h);
  await h.control('DELETE', '/faults');
  const rows = await h.soql<{ Id: string; Crmsync_Id__c: string }>(
    'SELECT Id, Crmsync_Id__c FROM Opportunity',
  );
  assert.deepEqual(
    rows.map((r) => r.Crmsync_Id__c),
    ['d1'],
  );
  assert.equal((await dealLink(h, 'd1'))?.sfId, rows[0]!.Id);
  assert.equal((await h.writes([rows[0]!.Id])).records[rows[0]!.Id]?.create, 1);
  const create = (await dealLog(h, 'd1')).find((e) => e.action === 'create');
  assert.match(
    String(create?.reason),
    /already landed in Salesforce/,
    'the resent upsert matched the first (X4)',
  );
});

test('X4: without Crmsync_Id__c a dropped create response is reconciled: the Opportunity exists once and is linked', async (t) => {
  const h = await connectedWorkspace(t, emu, {
    externalId: false,
    settings: { deals: { dealSync: 'push', stageMapping: STAGES } },
  });
  await ingestDeals(h, [deal('d1'), deal('d2')]);
  await h.control('POST', '/faults', {
    method: 'POST',
    pathPrefix: '/composite/sobjects',
    dropWriteResponses: 1,
  });
  await drainWithRetries(h);
  await h.control('DELETE', '/faults');
  const rows = await opps(h, ' ORDER BY Name');
  assert.deepEqual(
    rows.map((r) => r.Name),
    ['Deal d1', 'Deal d2'],
  );
  for (const r of rows) assert.equal((await h.writes([r.Id])).records[r.Id]?.create, 1);
  assert.equal((await dealLink(h, 'd1'))?.sfId, rows[0]!.Id);
  assert.equal((await dealLink(h, 'd2'))?.sfId, rows[1]!.Id);
  assert.deepEqual(
    await h.store.workspace(h.workspaceId).intents.list(h.org.orgId),
    [],
    'no intent left behind',
  );
  const creates = [...(await dealLog(h, 'd1')), ...(await dealLog(h, 'd2'))].filter(
    (e) => e.action === 'create',
  );
  assert.equal(creates.length, 2);
  assert.ok(
    creates.every((e) => /already landed in Salesforce/.test(e.reason)),
    'both were found by reconcile (X4)',
  );
});

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ingest } from '../src/ingest.js';
import { runPushBatch } from '../src/push/worker.js';
import { startEmulatorProcess, type EmulatorProcess } from './harness.js';
import { pullWorld } from './pull-harness.js';

let emu: EmulatorProcess;
before(async () => {
  emu = await startEmulatorProcess();
});
after(() => emu.close());

describe('pull: changed records (P2, P3, P4)', () => {
  test('P3 pullRecords on: Contacts, Leads and Accounts already in Salesforce become linked local records', async (t) => {
    const w = await pullWorld(t, emu);
    const acc = await w.createAsPerson('Account', { Name: 'Acme', Website: 'https://www.acme.com' });
    const con = await w.createAsPerson('Contact', {
      LastName: 'Lovelace',
      FirstName: 'Ada',
      Email: 'ada@acme.com',
      Title: 'CTO',
      AccountId: acc,
      Phone: '+1 555',
    });
    const lead = await w.createAsPerson('Lead', {
      LastName: 'Hopper',
      Company: 'Navy',
      Email: 'grace@navy.mil',
    });
    const report = await w.pull();
    assert.equal(report.counts.create_local, 3);
    const reader = w.store.workspace(w.workspaceId);
    const company = await w.linked(acc);
    const person = await w.linked(con);
    const leadPerson = await w.linked(lead);
    assert.ok(company && person && leadPerson);
    const p = await reader.records.get('person', person.localId);
    assert.equal(p?.data.lastName, 'Lovelace');
    assert.equal(p?.data.title, 'CTO');
    assert.equal(p?.data.origin, 'salesforce');
    assert.deepEqual(p?.data.phones, [{ type: 'work', number: '+1 555' }]);
    assert.equal(p?.data.companyId, company.localId, 'the Contact is put in the company of its Account');
    assert.equal(
      (await reader.records.get('company', company.localId))?.data.website,
      'https://www.acme.com',
    );
    // Salesforce side: the rows are the ones linked.
    const rows = await w.soql<{ Id: string; Email: string }>(
      `SELECT Id, Email FROM Contact WHERE Email = 'ada@acme.com'`,
    );
    assert.deepEqual(
      rows.map((r) => r.Id),
      [con],
    );
  });

  test('P3 pullRecords off: nothing is created locally', async (t) => {
    const w = await pullWorld(t, emu, {
      settings: { pull: { pullRecords: { contacts: false, leads: false, accounts: false } } },
    });
    await w.createAsPerson('Contact', { LastName: 'Lovelace', Email: 'ada@acme.com' });
    await w.createAsPerson('Account', { Name: 'Acme' });
    const report = await w.pull();
    assert.equal(report.counts.create_local ?? 0, 0);
    const people = await w.store.workspace(w.workspaceId).records.list({ type: 'person' });
    assert.equal(people.items.length, 0);
    assert.equal((await w.soql(`SELECT Id FROM Contact`)).length, 1);
  });

  test('P3 a person already in Salesforce is linked by the pull, so a later local edit updates it and is never pushed as a second Contact', async (t) => {
    const w = await pullWorld(t, emu, { settings: { contacts: { pushContacts: true } } });
    const con = await w.createAsPerson('Contact', { LastName: 'Lovelace', Email: 'ada@acme.com' });
    await w.pull();
    const link = await w.linked(con);
    assert.ok(link);
    const p = await w.store.workspace(w.workspaceId).records.get('person', link.localId);
    assert.ok(p);
    const edited = await ingest(w.deps, w.workspaceId, {
      type: 'person',
      op: 'upsert',
      data: { ...p.data, title: 'Countess' },
    });
    assert.equal(edited.ok, true);
    await runPushBatch(w.deps, w.sessions, w.workspaceId);
    const rows = await w.soql<{ Id: string; Title: string | null }>(
      `SELECT Id, Title FROM Contact WHERE Email = 'ada@acme.com'`,
    );
    assert.deepEqual(rows, [{ Id: con, Title: 'Countess' }]);
    const { records } = await w.writes([con]);
    assert.equal(records[con]?.create, 1, 'created once, by the person in Salesforce');
  });

  test("P2 no echo: pulled changes are never queued for push and the write counter does not move; a row carrying the stamp of crmsync's own write is ignored", async (t) => {
    const w = await pullWorld(t, emu, { settings: { contacts: { pushContacts: true } } });
    const con = await w.createAsPerson('Contact', {
      LastName: 'Lovelace',
      Email: 'ada@acme.com',
      Title: 'CTO',
    });
    const acc = await w.createAsPerson('Account', { Name: 'Acme', Website: 'acme.com' });
    const before = await w.writeTotal();
    await w.pull();
    await w.updateAsPerson('Contact', con, { Title: 'CEO' });
    await w.advance(60_000);
    const afterEdit = await w.writeTotal();
    const report = await w.pull();
    assert.equal(report.counts.update_local, 1);
    const counts = await w.queue.counts(w.workspaceId);
    assert.equal(counts.total.pending, 0, 'nothing pulled was queued for push');
    const push = await runPushBatch(w.deps, w.sessions, w.workspaceId);
    assert.equal(push.claimed, 0);
    assert.equal(await w.writeTotal(), afterEdit, 'crmsync wrote nothing to Salesforce');
    assert.equal(afterEdit, before + 1, "only the person's own edit");
    assert.ok(await w.linked(acc));

    // crmsync's own write comes back with the stamp crmsync recorded: ignored (P2).
    const crm = await w.sessions.getCrm(w.workspaceId);
    const [written] = await crm.update('Contact', [{ Id: con, Title: 'Written by crmsync' }]);
    assert.equal(written?.outcome, 'ok');
    const [row] = await w.soql<{ SystemModstamp: string }>(
      `SELECT SystemModstamp FROM Contact WHERE Id = '${con}'`,
    );
    const link = (await w.store.workspace(w.workspaceId).links.getBySfIds(w.org.orgId, [con]))[0]!;
    await w.store.transaction(w.workspaceId, (tx) =>
      tx.links.put({ ...link, systemModstamp: row!.SystemModstamp }),
    );
    await w.advance(60_000);
    const echo = await w.pull();
    assert.equal(echo.counts.update_local ?? 0, 0);
    assert.equal(echo.counts.ignore, 1);
    const person = await w.store.workspace(w.workspaceId).records.get('person', link.localId);
    assert.equal(person?.data.title, 'CEO', 'the echo was not applied');
    const log = await w.store
      .workspace(w.workspaceId)
      .log.list({ record: { type: 'person', id: link.localId }, rule: 'P2' });
    assert.equal(log.items.length, 1);
    assert.match(log.items[0]!.reason, /same SystemModstamp/);
  });

  for (const on of [true, false]) {
    test(`P4 inferLeadAccounts ${on ? 'on: a pulled Lead joins the company on its email domain; free-mail never matches' : 'off: pulled Leads get no company'}`, async (t) => {
      const w = await pullWorld(t, emu, { settings: { pull: { inferLeadAccounts: on } } });
      await w.store.transaction(w.workspaceId, (tx) =>
        tx.records.upsert('company', {
          id: 'c-acme',
          workspaceId: w.workspaceId,
          externalId: null,
          name: 'Acme',
          website: 'https://www.acme.com',
          industry: null,
          size: null,
          stage: null,
          ownerId: null,
          origin: 'local',
        }),
      );
      await w.store.transaction(w.workspaceId, (tx) =>
        tx.records.upsert('company', {
          id: 'c-gmail',
          workspaceId: w.workspaceId,
          externalId: null,
          name: 'Gmail fans',
          website: 'gmail.com',
          industry: null,
          size: null,
          stage: null,
          ownerId: null,
          origin: 'local',
        }),
      );
      const jane = await w.createAsPerson('Lead', {
        LastName: 'Doe',
        Company: 'Acme',
        Email: 'jane@sales.acme.com',
      });
      const bob = await w.createAsPerson('Lead', {
        LastName: 'Roe',
        Company: 'Self',
        Email: 'bob@gmail.com',
      });
      await w.pull();
      const reader = w.store.workspace(w.workspaceId);
      const janeP = await reader.records.get('person', (await w.linked(jane))!.localId);
      const bobP = await reader.records.get('person', (await w.linked(bob))!.localId);
      assert.equal(janeP?.data.companyId, on ? 'c-acme' : null);
      assert.equal(bobP?.data.companyId, null);
      if (on) {
        const log = await reader.log.list({ record: { type: 'person', id: bobP!.id }, rule: 'P4' });
        assert.match(log.items[0]?.reason ?? '', /free-mail/);
      }
      // Attaching a company this way does not push it (nor anything else).
      assert.equal((await w.queue.counts(w.workspaceId)).total.pending, 0);
      assert.equal((await w.soql(`SELECT Id FROM Account`)).length, 0);
    });
  }

  test('P3 a manual pull of one record pulls that record only and leaves the cursors alone', async (t) => {
    const w = await pullWorld(t, emu);
    const one = await w.createAsPerson('Contact', { LastName: 'Chosen', Email: 'chosen@acme.com' });
    const other = await w.createAsPerson('Contact', { LastName: 'Other' });
    const report = await w.pull({ record: one });
    assert.deepEqual(report.counts, { create_local: 1 });
    assert.ok(await w.linked(one));
    assert.equal(await w.linked(other), null);
    assert.equal(await w.store.workspace(w.workspaceId).cursors.get(w.org.orgId, 'pull:Contact'), null);
    await assert.rejects(
      w.pull({ record: 'not-an-id' }),
      /not the id of a Salesforce Account, Contact or Lead/,
    );
    // The next full pull still sees the other one, and does not create the chosen one twice.
    assert.deepEqual((await w.pull()).counts, { create_local: 1, ignore: 1 });
    assert.equal((await w.store.workspace(w.workspaceId).records.list({ type: 'person' })).items.length, 2);
  });
});

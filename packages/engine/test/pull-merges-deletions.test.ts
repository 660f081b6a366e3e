import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startEmulatorProcess, type EmulatorProcess } from './harness.js';
import { MINUTE, pullWorld } from './pull-harness.js';

let emu: EmulatorProcess;
before(async () => {
  emu = await startEmulatorProcess();
});
after(() => emu.close());

describe('pull: deletions, merges and conversions (C10, C11, C12, A4, A5)', () => {
  for (const on of [true, false]) {
    test(`C10 contacts deletion sync ${on ? 'on: a Contact deleted in Salesforce deletes the local person' : 'off: the person stays and its link is marked deleted in Salesforce'}`, async (t) => {
      const w = await pullWorld(t, emu, { settings: { contacts: { deletionSync: on } } });
      const con = await w.createAsPerson('Contact', { LastName: 'Gone', Email: 'gone@acme.com' });
      const kept = await w.createAsPerson('Contact', { LastName: 'Kept', Email: 'kept@acme.com' });
      await w.pull();
      const local = (await w.linked(con))!;
      await w.deleteAsPerson(con);
      // The deletion feed reports whole minutes that have passed.
      await w.advance(2 * MINUTE);
      await w.pull();
      const deletedRows = await w.soql<{ Id: string }>(`SELECT Id FROM Contact`);
      assert.deepEqual(
        deletedRows.map((r) => r.Id),
        [kept],
        'Salesforce: the Contact is gone',
      );
      const person = await w.store.workspace(w.workspaceId).records.get('person', local.localId);
      assert.equal(person?.deletedAt !== null, on);
      assert.equal((await w.linked(con))?.state, 'deleted_in_salesforce');
      assert.equal((await w.linked(kept))?.state, 'active');
      const log = await w.store
        .workspace(w.workspaceId)
        .log.list({ record: { type: 'person', id: local.localId }, rule: 'C10' });
      assert.equal(log.items[0]?.action, on ? 'pull_delete_local' : 'pull_mark_link');
      const events = await w.store.workspace(w.workspaceId).events.listAfter(0);
      assert.equal(
        events.some((e) => e.type === (on ? 'person.deleted' : 'link.state_changed')),
        true,
      );
    });
  }

  test('A4 account deletion sync on: an Account deleted in Salesforce deletes the local company and leaves the index', async (t) => {
    const w = await pullWorld(t, emu, { settings: { accounts: { deletionSync: true } } });
    const acc = await w.createAsPerson('Account', { Name: 'Gone Inc', Website: 'gone.com' });
    await w.pull();
    const local = (await w.linked(acc))!;
    await w.deleteAsPerson(acc);
    await w.advance(2 * MINUTE);
    await w.pull();
    assert.equal((await w.soql(`SELECT Id FROM Account`)).length, 0);
    assert.notEqual(
      (await w.store.workspace(w.workspaceId).records.get('company', local.localId))?.deletedAt,
      null,
    );
    assert.equal(await w.store.workspace(w.workspaceId).accountIndex.count(w.org.orgId), 0);
  });

  for (const on of [true, false]) {
    test(`C11 merge sync ${on ? "on: the loser's person is merged into the survivor's (survivor wins, blanks filled, activities move)" : "off: the loser's link is marked merged"}; a merge loser is never a deletion even with C10 on`, async (t) => {
      const w = await pullWorld(t, emu, { settings: { contacts: { deletionSync: true, mergeSync: on } } });
      const survivor = await w.createAsPerson('Contact', {
        LastName: 'Lovelace',
        FirstName: 'Ada',
        Email: 'ada@acme.com',
      });
      const loser = await w.createAsPerson('Contact', {
        LastName: 'Lovelace (dup)',
        Email: 'ada.l@acme.com',
        Title: 'Countess',
      });
      await w.pull();
      const s = (await w.linked(survivor))!;
      const l = (await w.linked(loser))!;
      await w.store.transaction(w.workspaceId, (tx) =>
        tx.records.upsert('note', {
          id: 'n1',
          workspaceId: w.workspaceId,
          externalId: null,
          personId: l.localId,
          companyId: null,
          dealId: null,
          ownerId: null,
          title: 'Call notes',
          body: 'x',
          createdAt: w.clock.now().toISOString(),
        }),
      );
      await w.control('POST', '/merge', { object: 'Contact', masterId: survivor, mergeIds: [loser] });
      await w.advance(2 * MINUTE);
      await w.pull();
      const [all] = await (
        await w.sessions.getCrm(w.workspaceId)
      ).query(`SELECT Id, IsDeleted, MasterRecordId FROM Contact WHERE Id = '${loser}'`, { all: true });
      assert.equal(all?.IsDeleted, true);
      assert.equal(all?.MasterRecordId, survivor, 'Salesforce: the loser was merged into the survivor');
      const reader = w.store.workspace(w.workspaceId);
      const loserPerson = await reader.records.get('person', l.localId);
      const survivorPerson = await reader.records.get('person', s.localId);
      const loserLink = await w.linked(loser);
      if (on) {
        assert.notEqual(loserPerson?.deletedAt, null, "the loser's local record is merged away");
        assert.equal(survivorPerson?.data.firstName, 'Ada');
        assert.equal(survivorPerson?.data.lastName, 'Lovelace', "the survivor's values win");
        assert.equal(survivorPerson?.data.title, 'Countess', 'blanks are filled from the loser');
        assert.equal(
          ((await reader.records.get('note', 'n1'))?.data as { personId: string }).personId,
          s.localId,
          'activities move',
        );
        assert.equal(loserLink?.state, 'merged');
      } else {
        assert.equal(loserPerson?.deletedAt, null, 'not treated as a deletion');
        assert.equal(loserLink?.state, 'merged');
        assert.equal(loserLink?.mergedInto, survivor);
        assert.equal(survivorPerson?.data.title, null);
      }
      const deletions = await reader.log.list({ actions: ['pull_delete_local'] });
      assert.equal(deletions.items.length, 0, 'C10 never saw the merge loser as a deletion');
    });
  }

  for (const on of [true, false]) {
    test(`A5 account merge sync ${on ? 'on: companies merge and people move to the survivor' : 'off: the loser company stays, its link marked merged'}`, async (t) => {
      const w = await pullWorld(t, emu, { settings: { accounts: { mergeSync: on, deletionSync: true } } });
      const master = await w.createAsPerson('Account', { Name: 'Acme', Website: 'acme.com' });
      const dup = await w.createAsPerson('Account', { Name: 'ACME Corp', Industry: 'Tools' });
      const con = await w.createAsPerson('Contact', { LastName: 'Doe', AccountId: dup });
      await w.pull();
      const m = (await w.linked(master))!;
      const d = (await w.linked(dup))!;
      const p = (await w.linked(con))!;
      // A local-only value on the loser: Salesforce never sends it back, so the merge alone decides it.
      const dupCompany = (await w.store.workspace(w.workspaceId).records.get('company', d.localId))!;
      await w.store.transaction(w.workspaceId, (tx) =>
        tx.records.upsert('company', { ...dupCompany.data, stage: 'Customer' }),
      );
      await w.control('POST', '/merge', { object: 'Account', masterId: master, mergeIds: [dup] });
      await w.advance(2 * MINUTE);
      await w.pull();
      const reader = w.store.workspace(w.workspaceId);
      assert.deepEqual(
        (await w.soql<{ Id: string }>(`SELECT Id FROM Account`)).map((r) => r.Id),
        [master],
      );
      const company = await reader.records.get('company', m.localId);
      const person = await reader.records.get('person', p.localId);
      if (on) {
        assert.notEqual((await reader.records.get('company', d.localId))?.deletedAt, null);
        assert.equal(company?.data.stage, 'Customer', 'blanks filled from the merged company');
        assert.equal(person?.data.companyId, m.localId, 'people move to the survivor');
      } else {
        assert.equal((await reader.records.get('company', d.localId))?.deletedAt, null);
        assert.equal((await w.linked(dup))?.state, 'merged');
        assert.equal(company?.data.stage, null);
      }
      assert.deepEqual(
        (await reader.accountIndex.findByNames(w.org.orgId, ['ACME Corp'])).length,
        0,
        'the merged-away Account left the index',
      );
    });
  }

  test('C12 a Lead converted in Salesforce re-links the person to the new Contact and its company to the new Account', async (t) => {
    const w = await pullWorld(t, emu);
    const lead = await w.createAsPerson('Lead', {
      LastName: 'Hopper',
      Company: 'Navy',
      Email: 'grace@navy.mil',
    });
    await w.pull();
    const local = (await w.linked(lead))!;
    const converted = await w.control<{ success: boolean; contactId: string; accountId: string }>(
      'POST',
      '/convert-lead',
      { leadId: lead },
    );
    assert.equal(converted.success, true);
    await w.advance(MINUTE);
    const report = await w.pull();
    assert.ok((report.counts.relink ?? 0) >= 1);
    const [row] = await w.soql<{ IsConverted: boolean; ConvertedContactId: string }>(
      `SELECT IsConverted, ConvertedContactId FROM Lead WHERE Id = '${lead}'`,
    );
    assert.equal(row?.ConvertedContactId, converted.contactId);
    const now = await w.linked(converted.contactId);
    assert.equal(now?.localId, local.localId, 'the same person, now linked to the Contact');
    assert.equal(await w.linked(lead), null, 'no link to the Lead remains');
    const company = await w.linked(converted.accountId);
    assert.ok(company, 'the new Account is linked to a company');
    const person = await w.store.workspace(w.workspaceId).records.get('person', local.localId);
    assert.equal(person?.data.companyId, company.localId);
    const people = await w.store.workspace(w.workspaceId).records.list({ type: 'person' });
    assert.equal(people.items.length, 1, 'no second person from the new Contact');
    const events = await w.store.workspace(w.workspaceId).events.listAfter(0);
    assert.ok(events.some((e) => e.type === 'lead.converted'));
  });
});

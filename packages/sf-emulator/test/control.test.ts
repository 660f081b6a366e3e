import { test } from 'node:test';
import assert from 'node:assert/strict';
import jsforce from 'jsforce';
import { API_VERSION, emulatorFor, freshOrg } from './helpers.js';

test('control API', async (t) => {
  const emulator = await emulatorFor(t);

  await t.test(
    'orgs over HTTP: create returns working credentials, list shows it, orgs never share data',
    async () => {
      const res = await fetch(`${emulator.url}/__emulator/orgs`, {
        method: 'POST',
        body: JSON.stringify({ name: 'Http Org', dailyApiLimit: 100 }),
      });
      assert.equal(res.status, 201);
      const created = (await res.json()) as {
        orgId: string;
        username: string;
        password: string;
        clientId: string;
        clientSecret: string;
        instanceUrl: string;
      };
      assert.match(created.orgId, /^00D[A-Za-z0-9]{15}$/);
      const conn = new jsforce.Connection({
        oauth2: { loginUrl: emulator.url, clientId: created.clientId, clientSecret: created.clientSecret },
        version: API_VERSION,
      });
      await conn.login(created.username, created.password);
      await conn.sobject('Account').create({ Name: 'Only here' });
      const list = (await (await fetch(`${emulator.url}/__emulator/orgs`)).json()) as Array<{
        orgId: string;
      }>;
      assert.ok(list.some((o) => o.orgId === created.orgId));
      const other = freshOrg(emulator);
      assert.equal((await other.conn.query('SELECT Id FROM Account')).totalSize, 0);
      assert.equal((await conn.query('SELECT Id FROM Account')).totalSize, 1);
      const unknown = await fetch(`${emulator.url}/__emulator/orgs/00DA1000000ZZZZ/writes`);
      assert.equal(unknown.status, 404);
    },
  );

  await t.test(
    'merge: losers deleted with MasterRecordId, children re-parented, master SystemModstamp bumped',
    async () => {
      const { conn, org } = freshOrg(emulator);
      const [master, loser] = (await conn
        .sobject('Contact')
        .create([{ LastName: 'Master' }, { LastName: 'Loser' }])) as Array<{ id: string }>;
      const task = await conn.sobject('Task').create({ Subject: 'Follow up', WhoId: loser!.id });
      const before = await conn.sobject('Contact').retrieve(master!.id);
      const res = await fetch(`${emulator.url}/__emulator/orgs/${org.orgId}/merge`, {
        method: 'POST',
        body: JSON.stringify({ object: 'Contact', masterId: master!.id, mergeIds: [loser!.id] }),
      });
      const outcome = (await res.json()) as {
        success: boolean;
        mergedRecordIds: string[];
        updatedRelatedIds: string[];
      };
      assert.deepEqual(outcome, {
        success: true,
        id: master!.id,
        mergedRecordIds: [loser!.id],
        updatedRelatedIds: [task.id],
      });
      const losers = await conn.query<{ Id: string; MasterRecordId: string; IsDeleted: boolean }>(
        'SELECT Id, MasterRecordId, IsDeleted FROM Contact WHERE IsDeleted = true AND MasterRecordId != null',
        { scanAll: true },
      );
      assert.deepEqual(
        losers.records.map((r) => [r.Id, r.MasterRecordId, r.IsDeleted]),
        [[loser!.id, master!.id, true]],
      );
      const [movedTask] = await conn.sobject('Task').retrieve([task.id!]);
      assert.equal(movedTask?.['WhoId'], master!.id);
      const after = await conn.sobject('Contact').retrieve(master!.id);
      assert.ok(String(after['SystemModstamp']) > String(before['SystemModstamp']));
      assert.equal(after['LastModifiedById'], org.salesUsers[0]?.id, 'a person merged it');
    },
  );

  await t.test(
    'convert a lead: contact, account and opportunity created; lead marked converted',
    async () => {
      const { conn, org } = freshOrg(emulator);
      const lead = await conn
        .sobject('Lead')
        .create({ FirstName: 'Li', LastName: 'Convert', Company: 'Convert Co', Email: 'li@convert.example' });
      const outcome = emulator.control.convertLead(org.orgId, { leadId: lead.id!, createOpportunity: true });
      assert.equal(outcome.success, true);
      if (!outcome.success) return;
      const stored = await conn.sobject('Lead').retrieve(lead.id!);
      assert.equal(stored['IsConverted'], true);
      assert.equal(stored['ConvertedContactId'], outcome.contactId);
      assert.equal(stored['ConvertedAccountId'], outcome.accountId);
      assert.equal(stored['ConvertedOpportunityId'], outcome.opportunityId);
      assert.match(String(stored['ConvertedDate']), /^\d{4}-\d\d-\d\d$/);
      const [contact] = await conn.sobject('Contact').retrieve([outcome.contactId]);
      assert.deepEqual(
        [contact?.['Email'], contact?.['AccountId'], contact?.['CreatedById']],
        ['li@convert.example', outcome.accountId, org.salesUsers[0]?.id],
      );
    },
  );

  await t.test(
    'delete cascades from an Account to its Contacts and activities; undelete restores them all',
    async () => {
      const { conn, org } = freshOrg(emulator);
      const account = await conn.sobject('Account').create({ Name: 'Cascade' });
      const contact = await conn.sobject('Contact').create({ LastName: 'Child', AccountId: account.id });
      const opp = await conn
        .sobject('Opportunity')
        .create({ Name: 'Deal', StageName: 'Prospecting', CloseDate: '2025-06-30', AccountId: account.id });
      const task = await conn.sobject('Task').create({ Subject: 'Call', WhatId: account.id });
      await conn.sobject('Account').destroy(account.id!);
      const gone = await conn.sobject('Contact').retrieve([contact.id!]);
      assert.equal(gone[0], null);
      for (const id of [contact.id!, opp.id!, task.id!])
        assert.equal(org.store.getById(id)?.['IsDeleted'], true, id);

      const res = await fetch(`${emulator.url}/__emulator/orgs/${org.orgId}/records/${account.id}/undelete`, {
        method: 'POST',
      });
      assert.equal(((await res.json()) as { success: boolean }).success, true);
      const back = await conn.query<{ Id: string }>(
        `SELECT Id FROM Contact WHERE AccountId = '${account.id}'`,
      );
      assert.deepEqual(
        back.records.map((r) => r.Id),
        [contact.id],
      );
      assert.equal(org.store.getById(task.id!)?.['IsDeleted'], false);
    },
  );

  await t.test(
    'edits as a person count as the sales user; write counts prove each record was written once',
    async () => {
      const { conn, org } = freshOrg(emulator);
      const created = await conn.sobject('Contact').create({ LastName: 'Counted' });
      const edit = await fetch(`${emulator.url}/__emulator/orgs/${org.orgId}/records/Contact/${created.id}`, {
        method: 'PATCH',
        body: JSON.stringify({ Title: 'Edited in Salesforce' }),
      });
      assert.equal(((await edit.json()) as { success: boolean }).success, true);
      const [read] = await conn.sobject('Contact').retrieve([created.id!]);
      assert.equal(read?.['LastModifiedById'], org.salesUsers[0]?.id);
      const writes = (await (
        await fetch(`${emulator.url}/__emulator/orgs/${org.orgId}/writes?ids=${created.id}`)
      ).json()) as {
        records: Record<string, { create: number; update: number; total: number; lastUserId: string }>;
        totals: Record<string, { create: number; update: number }>;
      };
      assert.deepEqual(
        [
          writes.records[created.id!]?.create,
          writes.records[created.id!]?.update,
          writes.records[created.id!]?.total,
        ],
        [1, 1, 2],
      );
      assert.deepEqual([writes.totals['Contact']?.create, writes.totals['Contact']?.update], [1, 1]);
    },
  );

  await t.test(
    'request counts by endpoint and method, resettable; the clock moves by advanceMs or to a time',
    async () => {
      const { conn, org } = freshOrg(emulator);
      await conn.sobject('Account').create({ Name: 'R1' });
      await conn.sobject('Account').create([{ Name: 'R2' }, { Name: 'R3' }]);
      await conn.query('SELECT Id FROM Account');
      const tally = (await (await fetch(`${emulator.url}/__emulator/orgs/${org.orgId}/requests`)).json()) as {
        total: number;
        counted: number;
        byEndpoint: Record<string, number>;
      };
      assert.equal(tally.byEndpoint['POST /sobjects/{type}'], 1);
      assert.equal(tally.byEndpoint['POST /composite/sobjects'], 1);
      assert.equal(tally.total, 3);
      await fetch(`${emulator.url}/__emulator/orgs/${org.orgId}/requests`, { method: 'DELETE' });
      assert.equal(emulator.control.requests(org.orgId).total, 0);

      const moved = (await (
        await fetch(`${emulator.url}/__emulator/orgs/${org.orgId}/clock`, {
          method: 'POST',
          body: JSON.stringify({ now: '2030-01-01T00:00:00Z' }),
        })
      ).json()) as { now: string };
      assert.match(moved.now, /^2030-01-01T00:00:00/);
      const later = await conn.sobject('Account').create({ Name: 'Future' });
      const [future] = await conn.sobject('Account').retrieve([later.id!]);
      assert.match(String(future?.['CreatedDate']), /^2030-01-01T00:00:0/);
    },
  );

  await t.test('reset empties the org and seeds it, resolving _ref/@ref between records', async () => {
    const { conn, org } = freshOrg(emulator);
    await conn.sobject('Account').create({ Name: 'Old' });
    const res = await fetch(`${emulator.url}/__emulator/orgs/${org.orgId}/reset`, {
      method: 'POST',
      body: JSON.stringify({
        seed: {
          Account: [{ _ref: 'acme', Name: 'Acme' }],
          Contact: [{ LastName: 'Seeded', AccountId: '@acme' }],
        },
      }),
    });
    const seeded = (await res.json()) as { created: Record<string, string[]>; errors: unknown[] };
    assert.deepEqual(seeded.errors, []);
    const rows = await conn.query<{ Name: string }>('SELECT Name FROM Account');
    assert.deepEqual(
      rows.records.map((r) => r.Name),
      ['Acme'],
    );
    const [contact] = await conn.sobject('Contact').retrieve([seeded.created['Contact']![0]!]);
    assert.equal(contact?.['AccountId'], seeded.created['Account']![0]);
  });
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ingest, ingestMany } from '../src/ingest.js';
import {
  connectedWorkspace,
  drain,
  ingestAll,
  linkOf,
  logOf,
  person,
  startEmulatorProcess,
  type EmulatorProcess,
} from './harness.js';

/*
 * Ingest: record, eligibility log entry and job in one transaction (the outbox), coalescing, and
 * bad input failing alone with a message naming the record and the field.
 */

let emu: EmulatorProcess;
before(async () => {
  emu = await startEmulatorProcess();
});
after(() => emu.close());

test('C2: ingest queues a net-new person with push contacts on, and only logs why not with it off', async (t) => {
  for (const pushContacts of [true, false]) {
    const h = await connectedWorkspace(t, emu, { settings: { contacts: { pushContacts } } });
    const r = await ingest(h.deps, h.workspaceId, { type: 'person', op: 'upsert', data: person('p1') });
    assert.ok(r.ok);
    assert.equal(r.queued, pushContacts);
    assert.equal((await h.queue.counts(h.workspaceId)).total.pending, pushContacts ? 1 : 0);
    const [entry] = await logOf(h, 'person', 'p1');
    assert.equal(entry?.action, pushContacts ? 'queue_push' : 'not_eligible');
    assert.ok(entry?.rules.includes('C2'));
    await drain(h);
    assert.equal(
      (await h.soql("SELECT Id FROM Contact WHERE Email = 'p1@example.com'")).length,
      pushContacts ? 1 : 0,
    );
  }
});

test('Outbox: rapid edits of one record coalesce into one job, each edit logged; the push sends the latest values once', async (t) => {
  const h = await connectedWorkspace(t, emu, { settings: { contacts: { pushContacts: true } } });
  for (const title of ['One', 'Two', 'Three']) await ingestAll(h, 'person', [person('p1', { title })]);
  const counts = await h.queue.counts(h.workspaceId);
  assert.equal(counts.total.pending, 1);
  assert.equal((await logOf(h, 'person', 'p1')).length, 3);
  await drain(h);
  const rows = await h.soql<{ Id: string; Title: string }>(
    "SELECT Id, Title FROM Contact WHERE Email = 'p1@example.com'",
  );
  assert.deepEqual(
    rows.map((r) => r.Title),
    ['Three'],
  );
  assert.equal((await h.writes([rows[0]!.Id])).records[rows[0]!.Id]?.total, 1);
});

test('Bad input: each bad row fails alone with the record, row and field named; good rows, unicode and a 10,000-character name are kept', async (t) => {
  const h = await connectedWorkspace(t, emu, { settings: { contacts: { pushContacts: true } } });
  const results = await ingestMany(h.deps, h.workspaceId, [
    { type: 'person', op: 'upsert', data: person('ok1', { lastName: 'Ünïcødé 山田' }) },
    { type: 'person', op: 'upsert', data: { id: 'bad1', firstName: 'No last name' } },
    { type: 'person', op: 'upsert', data: person('bad2', { phones: [{ type: 'fax', number: '1' }] }) },
    { type: 'person', op: 'upsert', data: person('long', { lastName: 'L'.repeat(10_000) }) },
    { type: 'person', op: 'upsert', data: person('ok1', { lastName: 'Ünïcødé 山田', title: 'dup row' }) },
    { type: 'company', op: 'upsert', data: { id: 'c1' } },
  ]);
  assert.deepEqual(
    results.map((r) => r.ok),
    [true, false, false, true, true, false],
  );
  const bad1 = results[1]!;
  assert.ok(!bad1.ok);
  assert.match(bad1.message, /Person bad1 \(row 2\)/);
  assert.deepEqual(
    bad1.problems.map((p) => p.field),
    ['lastName'],
  );
  const bad2 = results[2]!;
  assert.ok(!bad2.ok && bad2.problems[0]!.field === 'phones.0.type');
  const c1 = results[5]!;
  assert.ok(!c1.ok && /Company c1/.test(c1.message) && c1.problems.some((p) => p.field === 'name'));
  assert.equal(await h.store.workspace(h.workspaceId).records.get('person', 'bad1'), null);
  await drain(h);
  const rows = await h.soql<{ LastName: string; Email: string }>(
    "SELECT LastName, Email FROM Contact WHERE Email IN ('ok1@example.com', 'long@example.com')",
  );
  assert.equal(rows.length, 2);
  assert.ok(rows.some((r) => r.LastName === 'Ünïcødé 山田'));
  assert.ok(
    rows.some((r) => r.LastName.length === 80),
    'X6: the long name is cut to the field length',
  );
});

test('Bad input: an external id another record holds fails that record alone; the rest of its chunk is saved', async (t) => {
  const h = await connectedWorkspace(t, emu, {});
  await ingestAll(h, 'person', [person('a', { externalId: 'host-1' })]);
  const results = await ingestMany(h.deps, h.workspaceId, [
    { type: 'person', op: 'upsert', data: person('b', { externalId: 'host-1' }) },
    { type: 'person', op: 'upsert', data: person('c', { externalId: 'host-2' }) },
  ]);
  assert.deepEqual(
    results.map((r) => r.ok),
    [false, true],
  );
  assert.ok(!results[0]!.ok && results[0]!.code === 'CONFLICT' && /externalId/.test(results[0]!.message));
  assert.ok((await h.store.workspace(h.workspaceId).records.get('person', 'c')) !== null);
});

test('C10: deleting a linked person deletes its Contact with deletion sync on; off, the Contact stays and the link is marked deleted locally', async (t) => {
  for (const deletionSync of [true, false]) {
    const h = await connectedWorkspace(t, emu, {
      settings: { contacts: { pushContacts: true, deletionSync } },
    });
    await ingestAll(h, 'person', [person('p1')]);
    await drain(h);
    const sfId = (await linkOf(h, 'person', 'p1'))!.sfId;
    const r = await ingest(h.deps, h.workspaceId, { type: 'person', op: 'delete', id: 'p1' });
    assert.ok(r.ok);
    await drain(h);
    const rows = await h.soql(`SELECT Id FROM Contact WHERE Id = '${sfId}'`);
    assert.equal(rows.length, deletionSync ? 0 : 1);
    assert.equal((await linkOf(h, 'person', 'p1'))?.state, 'deleted_locally');
    const events = await h.store.workspace(h.workspaceId).events.listAfter(0);
    assert.equal(
      events.some((e) => e.type === 'record.deleted_in_salesforce'),
      deletionSync,
    );
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CrmRead, CrmReadResult, CrmReadValues } from '@crmsync/core';
import { MAX_COMPOSITE_QUERIES, MAX_COMPOSITE_SUBREQUESTS, packComposites } from '../src/read-many.js';
import { connected, emulatorTotal, mustConvert, type Connected } from './helpers.js';

const idOf = (r: { outcome: string; id?: string | null } | undefined): string =>
  r?.outcome === 'ok' && typeof r.id === 'string' ? r.id : '';

function value<K extends keyof CrmReadValues>(result: CrmReadResult | undefined, kind: K): CrmReadValues[K] {
  if (result === undefined || result.kind !== kind)
    throw new Error(`expected a ${kind} result, got ${JSON.stringify(result)}`);
  if (!result.ok) throw new Error(`the ${kind} read failed: ${result.error.message}`);
  return result.value as CrmReadValues[K];
}

/** Runs `fn` and returns how many API calls it cost, by the emulator's counter and by the adapter's hook. */
async function cost<T>(
  c: Connected,
  fn: () => Promise<T>,
): Promise<{ result: T; emulator: number; hook: number }> {
  const emulatorBefore = emulatorTotal(c);
  const hookBefore = c.requests.length;
  const result = await fn();
  return { result, emulator: emulatorTotal(c) - emulatorBefore, hook: c.requests.length - hookBefore };
}

test(`packComposites cuts reads in order at ${MAX_COMPOSITE_QUERIES} queries or ${MAX_COMPOSITE_SUBREQUESTS} subrequests`, () => {
  const q = { query: true };
  const f = { query: false };
  assert.deepEqual(
    packComposites([q, q, q, q, q]).map((g) => g.length),
    [5],
  );
  assert.deepEqual(
    packComposites([q, f, q, q, q, q, f, q]).map((g) => g.length),
    [7, 1],
    'a feed read rides along; the sixth query waits',
  );
  assert.deepEqual(
    packComposites(Array.from({ length: 26 }, () => f)).map((g) => g.length),
    [25, 1],
  );
  assert.deepEqual(packComposites([]), []);
});

test('readMany: five queries and three deletion feeds cost ONE API call and answer what the single calls answer', async (t) => {
  const c = await connected(t);
  const before = new Date(Date.parse(c.emu.control.describeOrg(c.orgId).now as string) - 60_000);
  const contacts = await c.sf.create('Contact', [
    { LastName: 'Master' },
    { LastName: 'Loser' },
    { LastName: 'Gone' },
  ]);
  const leads = await c.sf.create('Lead', [{ LastName: 'Convert Me', Company: 'Umbrella' }]);
  const accounts = await c.sf.create('Account', [{ Name: 'Acme', Website: 'acme.example' }]);
  c.emu.control.setClock(c.orgId, { advanceMs: 5_000 });
  c.emu.control.merge(c.orgId, {
    object: 'Contact',
    masterId: idOf(contacts[0]),
    mergeIds: [idOf(contacts[1])],
  });
  const conversion = mustConvert(c.emu.control.convertLead(c.orgId, { leadId: idOf(leads[0]) }));
  await c.sf.delete('Contact', [idOf(contacts[2])]);
  c.emu.control.setClock(c.orgId, { advanceMs: 120_000 });
  const end = new Date(c.emu.control.describeOrg(c.orgId).now as string);

  const reads: CrmRead[] = [
    { kind: 'merged', object: 'Contact', since: before },
    { kind: 'deleted', object: 'Contact', start: before, end },
    { kind: 'deleted', object: 'Lead', start: before, end },
    { kind: 'deleted', object: 'Account', start: before, end },
    { kind: 'converted', since: before },
    { kind: 'changed', object: 'Account', fields: ['Name', 'Website'], cursor: null },
    { kind: 'changed', object: 'Contact', fields: ['LastName'], cursor: null },
    { kind: 'query', soql: `SELECT Id FROM Lead WHERE Id = '${idOf(leads[0])}'` },
  ];
  const batched = await cost(c, () => c.sf.readMany(reads));
  assert.equal(batched.emulator, 1, 'the emulator received one request');
  assert.equal(batched.hook, 1, 'one request passed the O3 hook');
  assert.match(c.requests.at(-1)?.url ?? '', /\/composite$/);

  const [merged, delContact, delLead, delAccount, converted, changedAccounts, changedContacts, query] =
    batched.result;
  assert.deepEqual(
    value(merged, 'merged').map((m) => [m.loserId, m.masterId]),
    [[idOf(contacts[1]), idOf(contacts[0])]],
    'queryAll runs inside the composite',
  );
  assert.deepEqual(
    new Set(value(delContact, 'deleted').deleted.map((d) => d.id)),
    new Set([idOf(contacts[1]), idOf(contacts[2])]),
  );
  assert.deepEqual(value(delLead, 'deleted').deleted, []);
  assert.deepEqual(value(delAccount, 'deleted').deleted, []);
  assert.deepEqual(
    value(converted, 'converted').map((l) => [l.leadId, l.contactId]),
    [[idOf(leads[0]), conversion.contactId]],
  );
  assert.ok(
    value(changedAccounts, 'changed').records.some(
      (r) => r.Id === idOf(accounts[0]) && r.Website === 'acme.example',
    ),
  );
  assert.deepEqual(
    new Set(value(changedContacts, 'changed').records.map((r) => r.Id)),
    new Set([idOf(contacts[0]), conversion.contactId]),
    "the master and the converted Lead's new Contact; the merged-away and deleted ones are not",
  );
  assert.deepEqual(
    value(query, 'query').map((r) => r.Id),
    [idOf(leads[0])],
  );

  // The same answers as the single-call methods, which cost one call each.
  const single = await cost(c, async () => ({
    merged: await c.sf.mergedSince('Contact', before),
    deleted: await c.sf.deletedIds('Contact', before, end),
    converted: await c.sf.convertedLeadsSince(before),
    changed: await c.sf.changedSince('Contact', ['LastName'], null),
  }));
  assert.equal(single.emulator, 4);
  assert.deepEqual(value(merged, 'merged'), single.result.merged);
  assert.deepEqual(value(delContact, 'deleted'), single.result.deleted);
  assert.deepEqual(value(converted, 'converted'), single.result.converted);
  assert.deepEqual(value(changedContacts, 'changed'), single.result.changed);
});

test(`readMany: a sixth query opens a second composite (${MAX_COMPOSITE_QUERIES} queries per composite)`, async (t) => {
  const c = await connected(t);
  const soql = (n: number): CrmRead => ({ kind: 'query', soql: `SELECT Id FROM Contact LIMIT ${n}` });
  const five = await cost(c, () => c.sf.readMany([1, 2, 3, 4, 5].map(soql)));
  assert.equal(five.emulator, 1);
  const six = await cost(c, () => c.sf.readMany([1, 2, 3, 4, 5, 6].map(soql)));
  assert.equal(six.emulator, 2);
  assert.equal(six.result.length, 6);
  assert.ok(six.result.every((r) => r.ok));
});

test('readMany: a page is followed only when it came back full; a failed read is reported alone', async (t) => {
  const c = await connected(t);
  c.emu.control.seed(c.orgId, {
    Contact: Array.from({ length: 2_001 }, (_, i) => ({ LastName: `Many ${i}` })),
  });
  const now = new Date(c.emu.control.describeOrg(c.orgId).now as string);
  const reads: CrmRead[] = [
    { kind: 'query', soql: 'SELECT Id FROM Contact' },
    { kind: 'query', soql: 'SELECT Id FROM Lead' },
    { kind: 'deleted', object: 'Contact', start: new Date(now.getTime() - 30 * 86_400_000), end: now },
  ];
  const run = await cost(c, () => c.sf.readMany(reads));
  assert.equal(run.emulator, 2, 'one composite and one further page of the full query');
  const [contacts, leads, purged] = run.result;
  assert.equal(value(contacts, 'query').length, 2_001);
  assert.deepEqual(value(leads, 'query'), []);
  assert.equal(purged?.kind, 'deleted');
  assert.equal(purged?.ok, false);
  if (purged?.ok === false) assert.equal(purged.error.details.sfCode, 'INVALID_REPLICATION_DATE');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connected, mustConvert, X4_SCHEMA } from './helpers.js';

const idOf = (r: { outcome: string; id?: string | null } | undefined): string =>
  r?.outcome === 'ok' && typeof r.id === 'string' ? r.id : '';

test('changedSince pages by (SystemModstamp, Id): every record once, in order, and later edits show up after the cursor', async (t) => {
  const c = await connected(t);
  const created = await c.sf.create(
    'Contact',
    Array.from({ length: 7 }, (_, i) => ({ LastName: `Feed ${i}` })),
  );
  const seen: string[] = [];
  let cursor = null;
  for (let page = 0; page < 10; page++) {
    const result = await c.sf.changedSince('Contact', ['LastName'], cursor, 3);
    seen.push(...result.records.map((r) => String(r.Id)));
    cursor = result.cursor;
    if (!result.more) break;
  }
  assert.deepEqual(seen, created.map(idOf));

  const empty = await c.sf.changedSince('Contact', ['LastName'], cursor, 3);
  assert.deepEqual(empty.records, []);
  assert.deepEqual(empty.cursor, cursor);

  await c.sf.update('Contact', [{ Id: idOf(created[2]), LastName: 'Feed 2 edited' }]);
  const after = await c.sf.changedSince('Contact', ['LastName'], cursor, 3);
  assert.deepEqual(
    after.records.map((r) => [r.Id, r.LastName]),
    [[idOf(created[2]), 'Feed 2 edited']],
  );
});

test('X2: the Account index loads every Account and follows changes by cursor', async (t) => {
  const c = await connected(t);
  const created = await c.sf.create('Account', [
    { Name: 'Acme', Website: 'https://www.acme.example/about' },
    { Name: 'Globex', Website: null },
  ]);
  const index = await c.sf.loadAccounts();
  assert.deepEqual(
    index.rows.map((r) => [r.Id, r.Name, r.Website]),
    [
      [idOf(created[0]), 'Acme', 'https://www.acme.example/about'],
      [idOf(created[1]), 'Globex', null],
    ],
  );
  assert.ok(
    index.rows.every((r) => r.CreatedDate !== '' && r.LastModifiedDate !== '' && r.SystemModstamp !== ''),
  );
  await c.sf.update('Account', [{ Id: idOf(created[1]), Website: 'globex.example' }]);
  const added = await c.sf.create('Account', [{ Name: 'Initech' }]);
  const changes = await c.sf.accountsChangedSince(index.cursor);
  assert.deepEqual(
    changes.records.map((r) => [r.Id, r.Website]),
    [
      [idOf(created[1]), 'globex.example'],
      [idOf(added[0]), null],
    ],
  );
  assert.equal(changes.more, false);
});

test('P1: merges, conversions and the replication feeds are read back as the emulator made them', async (t) => {
  const c = await connected(t, { emulator: { schema: X4_SCHEMA } });
  const before = new Date(Date.parse(c.emu.control.describeOrg(c.orgId).now as string) - 60_000);
  const contacts = await c.sf.create('Contact', [
    { LastName: 'Master' },
    { LastName: 'Loser' },
    { LastName: 'Deleted' },
  ]);
  const leads = await c.sf.create('Lead', [
    { LastName: 'Convert Me', Company: 'Umbrella', Email: 'convert@umbrella.example' },
  ]);
  c.emu.control.setClock(c.orgId, { advanceMs: 5_000 });
  c.emu.control.merge(c.orgId, {
    object: 'Contact',
    masterId: idOf(contacts[0]),
    mergeIds: [idOf(contacts[1])],
  });
  const conversion = mustConvert(c.emu.control.convertLead(c.orgId, { leadId: idOf(leads[0]) }));
  await c.sf.delete('Contact', [idOf(contacts[2])]);
  // The feeds cover whole minutes that have ended: let two go by on the org's clock.
  c.emu.control.setClock(c.orgId, { advanceMs: 120_000 });
  const end = new Date(c.emu.control.describeOrg(c.orgId).now as string);

  const merges = await c.sf.mergedSince('Contact', before);
  assert.deepEqual(
    merges.map((m) => [m.loserId, m.masterId]),
    [[idOf(contacts[1]), idOf(contacts[0])]],
  );
  const converted = await c.sf.convertedLeadsSince(before);
  assert.deepEqual(
    converted.map((l) => [l.leadId, l.contactId, l.accountId]),
    [[idOf(leads[0]), conversion.contactId, conversion.accountId]],
  );
  assert.deepEqual(await c.sf.mergedSince('Contact', end), []);

  const deleted = await c.sf.deletedIds('Contact', before, end);
  assert.deepEqual(
    new Set(deleted.deleted.map((d) => d.id)),
    new Set([idOf(contacts[1]), idOf(contacts[2])]),
  );
  const updated = await c.sf.updatedIds('Contact', before, end);
  assert.ok(updated.ids.includes(idOf(contacts[0])));
  assert.match(updated.latestDateCovered, /^\d{4}-\d{2}-\d{2}T/);
});

test('doctor reports permissions per object, the Crmsync_Id__c field and how to create it, and the source picklists', async (t) => {
  const stock = await connected(t);
  const report = await stock.sf.doctor();
  assert.deepEqual(
    report.objects.map((o) => [o.object, o.exists, o.createable, o.queryable]),
    [
      ['Contact', true, true, true],
      ['Lead', true, true, true],
      ['Account', true, true, true],
      ['Opportunity', true, true, true],
      ['Task', true, true, true],
    ],
  );
  assert.deepEqual(
    report.externalId.objects.map((o) => [o.object, o.present, o.usable]),
    [
      ['Contact', false, false],
      ['Lead', false, false],
      ['Account', false, false],
    ],
  );
  assert.match(report.externalId.howToCreate, /Crmsync_Id__c.*Unique.*External ID/);
  const leadSource = report.sourcePicklists.find((p) => p.object === 'Lead');
  assert.equal(leadSource?.exists, true);
  assert.ok((leadSource?.values.length ?? 0) > 0);
  assert.equal(report.identity.orgId, stock.orgId);

  const withField = await connected(t, { emulator: { schema: X4_SCHEMA } });
  const good = await withField.sf.doctor();
  assert.ok(good.externalId.objects.every((o) => o.present && o.usable && o.problem === null));
  // Describes are cached: doctor again costs no call.
  const calls = withField.requests.length;
  await withField.sf.doctor();
  assert.equal(withField.requests.length, calls);
});

test('describe maps to core ObjectDescribe; an unknown object is SALESFORCE_INVALID_FIELD and is not cached', async (t) => {
  const c = await connected(t);
  const contact = await c.sf.describe('contact');
  const email = contact.fields.find((f) => f.name === 'Email');
  assert.equal(email?.type, 'email');
  assert.equal(email?.length, 80);
  const source = contact.fields.find((f) => f.name === 'LeadSource');
  assert.ok(
    Array.isArray(source?.picklistValues) && source.picklistValues.every((v) => typeof v === 'string'),
  );
  await assert.rejects(
    c.sf.describe('Nope__c'),
    (err: unknown) => (err as { code?: string }).code === 'SALESFORCE_INVALID_FIELD',
  );
  const calls = c.requests.length;
  await assert.rejects(c.sf.describe('Nope__c'));
  assert.equal(c.requests.length, calls + 1);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { peopleQueries, soqlLike, soqlString } from '../src/index.js';
import { connected, mustConvert } from './helpers.js';

const idOf = (r: { outcome: string; id?: string | null } | undefined): string =>
  r?.outcome === 'ok' && typeof r.id === 'string' ? r.id : '';

test('X1: Contacts and Leads for 300 emails come back from one /composite call, emails lower-cased and deduplicated', async (t) => {
  const c = await connected(t);
  const contacts = await c.sf.create(
    'Contact',
    Array.from({ length: 120 }, (_, i) => ({ LastName: `C${i}`, Email: `contact${i}@acme-example.com` })),
  );
  const leads = await c.sf.create(
    'Lead',
    Array.from({ length: 80 }, (_, i) => ({
      LastName: `L${i}`,
      Company: 'Acme',
      Email: `lead${i}@lead-example.org`,
    })),
  );
  const converted = mustConvert(c.emu.control.convertLead(c.orgId, { leadId: idOf(leads[0]) }));
  const emails = [
    ...Array.from({ length: 120 }, (_, i) => `Contact${i}@ACME-example.com`),
    ...Array.from({ length: 80 }, (_, i) => `lead${i}@lead-example.org`),
    ...Array.from({ length: 100 }, (_, i) => `nobody${i}@example.net`),
    'contact0@acme-example.com',
    '  ',
  ];
  c.requests.length = 0;
  c.emu.control.resetRequests(c.orgId);

  const found = await c.sf.findPeopleByEmail(emails);

  assert.equal(c.requests.length, 1);
  assert.deepEqual(c.emu.control.requests(c.orgId).byEndpoint, { 'POST /composite': 1 });
  const foundContacts = found.filter((p) => p.object === 'Contact');
  const foundLeads = found.filter((p) => p.object === 'Lead');
  // 120 Contacts plus the one the conversion made (it carries the Lead's email).
  assert.equal(foundContacts.length, 121);
  assert.equal(foundLeads.length, 80);
  assert.deepEqual(
    new Set(foundContacts.map((p) => p.Id)),
    new Set([...contacts.map(idOf), converted.contactId]),
  );
  const lead0 = foundLeads.find((p) => p.Id === idOf(leads[0]));
  assert.ok(lead0?.object === 'Lead');
  assert.equal(lead0.IsConverted, true);
  assert.equal(lead0.ConvertedContactId, converted.contactId);
  assert.equal(lead0.ConvertedAccountId, converted.accountId);
  assert.ok(
    foundLeads
      .filter((p) => p.Id !== lead0.Id)
      .every((p) => p.object === 'Lead' && !p.IsConverted && p.ConvertedContactId === null),
  );
  assert.ok(found.every((p) => p.CreatedDate !== '' && p.LastModifiedDate !== '' && p.OwnerId !== null));
});

test('X1: an email list too long for one URL is split into IN-lists, two chunks (four queries) per composite call', async (t) => {
  const c = await connected(t, { adapter: { maxUrlLength: 2_000 } });
  await c.sf.create('Contact', [{ LastName: 'Last', Email: 'person149@split-example.com' }]);
  await c.sf.create('Lead', [{ LastName: 'First', Company: 'X', Email: 'person0@split-example.com' }]);
  c.emu.control.resetRequests(c.orgId);
  const emails = Array.from({ length: 150 }, (_, i) => `person${i}@split-example.com`);
  const chunks = peopleQueries(emails, '62.0', 2_000);
  assert.ok(chunks.contacts.length >= 3, `expected several chunks, got ${chunks.contacts.length}`);
  for (const soql of [...chunks.contacts, ...chunks.leads])
    assert.ok(`/services/data/v62.0/query?q=${encodeURIComponent(soql)}`.length <= 2_000);

  const found = await c.sf.findPeopleByEmail(emails);

  assert.deepEqual(found.map((p) => `${p.object} ${p.Email}`).sort(), [
    'Contact person149@split-example.com',
    'Lead person0@split-example.com',
  ]);
  assert.deepEqual(c.emu.control.requests(c.orgId).byEndpoint, {
    'POST /composite': Math.ceil(chunks.contacts.length / 2),
  });
});

const HOSTILE = [
  "O'Brien",
  'back\\slash\\',
  'two\nlines',
  'carriage\rreturn',
  'tab\there',
  'quote "double"',
  "\\'",
  'Zoë 東京 🚀',
  '100% off',
  '1000 offers',
  'under_score',
  'underXscore',
];

test('hostile literals round-trip through SOQL: each matches exactly its own record', async (t) => {
  const c = await connected(t);
  const created = await c.sf.create(
    'Contact',
    HOSTILE.map((name, i) => ({ LastName: name, Email: `hostile${i}@example.com` })),
  );
  assert.ok(created.every((r) => r.outcome === 'ok'));
  for (const [i, name] of HOSTILE.entries()) {
    const rows = await c.sf.query(`SELECT Id, LastName FROM Contact WHERE LastName = ${soqlString(name)}`);
    assert.deepEqual(rows, [{ Id: idOf(created[i]), LastName: name }], JSON.stringify(name));
  }
  const like = await c.sf.query(
    `SELECT LastName FROM Contact WHERE LastName LIKE ${soqlLike('100%', { suffix: '%' })}`,
  );
  assert.deepEqual(
    like.map((r) => r.LastName),
    ['100% off'],
  );
  const under = await c.sf.query(`SELECT LastName FROM Contact WHERE LastName LIKE ${soqlLike('under_')}`);
  assert.deepEqual(under, []);
  const underExact = await c.sf.query(
    `SELECT LastName FROM Contact WHERE LastName LIKE ${soqlLike('under_score')}`,
  );
  assert.deepEqual(
    underExact.map((r) => r.LastName),
    ['under_score'],
  );
});

test('X1 and X4 lookups take hostile emails and names: an apostrophe in an address, quotes and backslashes in names', async (t) => {
  const c = await connected(t);
  const since = new Date(Date.now() - 60_000);
  const created = await c.sf.create('Contact', [
    { LastName: "D'Arcy", Email: "o'brien+x@example.com" },
    { LastName: 'Back\\slash', Email: 'plain@example.com' },
  ]);
  const found = await c.sf.findPeopleByEmail(["O'Brien+X@example.com"]);
  assert.deepEqual(
    found.map((p) => p.Id),
    [idOf(created[0])],
  );
  const identity = await c.sf.identity();
  const reconciled = await c.sf.findCreatedSince({
    object: 'Contact',
    since,
    createdById: identity.userId,
    keys: [{ field: 'LastName', values: ["D'Arcy", 'Back\\slash', 'Nobody'] }],
  });
  assert.deepEqual(new Set(reconciled.map((r) => r.Id)), new Set(created.map(idOf)));
  const later = await c.sf.findCreatedSince({
    object: 'Contact',
    since: new Date(Date.now() + 3_600_000),
    createdById: identity.userId,
    keys: [{ field: 'LastName', values: ["D'Arcy"] }],
  });
  assert.deepEqual(later, []);
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  company,
  connectedWorkspace,
  drain,
  ingestAll,
  linkOf,
  logOf,
  person,
  startEmulatorProcess,
  type EmulatorProcess,
  type Harness,
} from './harness.js';

/*
 * The push rules end to end: ingest -> worker -> Salesforce (the emulator in its own process),
 * each rule with its setting on and off, outcomes read back over SOQL and the write counter.
 */

let emu: EmulatorProcess;
before(async () => {
  emu = await startEmulatorProcess();
});
after(() => emu.close());

type Row = Record<string, unknown> & { Id: string };
const contactsByEmail = (h: Harness, email: string) =>
  h.soql<Row>(
    `SELECT Id, FirstName, LastName, Email, AccountId, LeadSource, OwnerId, Title FROM Contact WHERE Email = '${email}'`,
  );
const leadsByEmail = (h: Harness, email: string) =>
  h.soql<Row>(`SELECT Id, LastName, Email, Company, LeadSource FROM Lead WHERE Email = '${email}'`);

test('C1: a change to a linked person is pushed to its Contact even with push contacts off; an unlinked one is not', async (t) => {
  const h = await connectedWorkspace(t, emu, { settings: { contacts: { pushContacts: true } } });
  await ingestAll(h, 'person', [person('p1', { email: 'c1@acme.test', title: 'CTO' })]);
  await drain(h);
  await h.setSettings({ contacts: { pushContacts: false } });
  await ingestAll(h, 'person', [
    person('p1', { email: 'c1@acme.test', title: 'CEO' }),
    person('p2', { email: 'c1-new@acme.test' }),
  ]);
  await drain(h);
  const [row] = await contactsByEmail(h, 'c1@acme.test');
  assert.equal(row?.Title, 'CEO');
  assert.equal((await h.writes([row!.Id])).records[row!.Id]?.update, 1);
  assert.equal((await contactsByEmail(h, 'c1-new@acme.test')).length, 0);
});

test('C3: in stages mode a person is pushed only at a selected stage, and when it moves into one; in all mode at any stage', async (t) => {
  const stages = await connectedWorkspace(t, emu, {
    settings: { contacts: { pushContacts: true, pushMode: 'stages', stages: ['Qualified'] } },
  });
  await ingestAll(stages, 'person', [
    person('p1', { email: 'c3a@acme.test', stage: 'Cold' }),
    person('p2', { email: 'c3b@acme.test', stage: 'qualified ' }),
  ]);
  await drain(stages);
  assert.equal((await contactsByEmail(stages, 'c3a@acme.test')).length, 0);
  assert.equal((await contactsByEmail(stages, 'c3b@acme.test')).length, 1);
  await ingestAll(stages, 'person', [person('p1', { email: 'c3a@acme.test', stage: 'Qualified' })]);
  await drain(stages);
  assert.equal((await contactsByEmail(stages, 'c3a@acme.test')).length, 1);
  assert.ok(
    (await logOf(stages, 'person', 'p1')).some((e) => e.rules.includes('C3') && e.action === 'not_eligible'),
  );

  const all = await connectedWorkspace(t, emu, {
    settings: { contacts: { pushContacts: true, pushMode: 'all' } },
  });
  await ingestAll(all, 'person', [person('p1', { email: 'c3a@acme.test', stage: 'Cold' })]);
  await drain(all);
  assert.equal((await contactsByEmail(all, 'c3a@acme.test')).length, 1);
});

test('C4, C5, C8: create as lead makes a Lead with LeadSource and Company (placeholder without one); create as contact makes a Contact', async (t) => {
  const lead = await connectedWorkspace(t, emu, {
    settings: { contacts: { pushContacts: true, createAs: 'lead' } },
  });
  await ingestAll(lead, 'company', [company('co1', { name: 'Acme Rockets' })]);
  await ingestAll(lead, 'person', [
    person('p1', { email: 'c4@acme.test', companyId: 'co1' }),
    person('p2', { email: 'c8@acme.test' }),
  ]);
  await drain(lead);
  const [l1] = await leadsByEmail(lead, 'c4@acme.test');
  const [l2] = await leadsByEmail(lead, 'c8@acme.test');
  assert.equal(l1?.Company, 'Acme Rockets');
  assert.equal(l1?.LeadSource, 'Apollo');
  assert.equal(l2?.Company, '[not provided]');
  assert.equal((await contactsByEmail(lead, 'c4@acme.test')).length, 0);

  const contact = await connectedWorkspace(t, emu, {
    settings: { contacts: { pushContacts: true, createAs: 'contact', sourceValue: 'Web' } },
  });
  await ingestAll(contact, 'person', [person('p1', { email: 'c4@acme.test' })]);
  await drain(contact);
  const [c] = await contactsByEmail(contact, 'c4@acme.test');
  assert.equal(c?.LeadSource, 'Web');
  assert.equal((await leadsByEmail(contact, 'c4@acme.test')).length, 0);
});

test('C6: a guessed email is not written with push guessed emails off, and is with it on', async (t) => {
  for (const pushGuessedEmails of [false, true]) {
    const h = await connectedWorkspace(t, emu, {
      settings: { contacts: { pushContacts: true, pushGuessedEmails } },
    });
    await ingestAll(h, 'person', [
      person('p1', { email: 'guess@acme.test', emailStatus: 'guessed', lastName: 'Guessington' }),
    ]);
    await drain(h);
    const rows = await h.soql<Row>("SELECT Id, Email FROM Contact WHERE LastName = 'Guessington'");
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.Email, pushGuessedEmails ? 'guess@acme.test' : null);
  }
});

test('C7, A1: a Contact whose company has no Account creates the Account too even with push accounts off, and goes under it', async (t) => {
  const h = await connectedWorkspace(t, emu, {
    settings: { contacts: { pushContacts: true }, accounts: { pushAccounts: false } },
  });
  await ingestAll(h, 'company', [company('co1', { name: 'Orbit Labs', website: 'https://orbit.example' })]);
  await ingestAll(h, 'person', [
    person('p1', { email: 'c7a@orbit.example', companyId: 'co1' }),
    person('p2', { email: 'c7b@orbit.example', companyId: 'co1' }),
  ]);
  await drain(h);
  const accounts = await h.soql<Row>("SELECT Id, Name, AccountSource FROM Account WHERE Name = 'Orbit Labs'");
  assert.equal(accounts.length, 1, 'one Account for two people of one company');
  assert.equal(accounts[0]!.AccountSource, 'Apollo');
  for (const email of ['c7a@orbit.example', 'c7b@orbit.example'])
    assert.equal((await contactsByEmail(h, email))[0]?.AccountId, accounts[0]!.Id);
  assert.equal((await linkOf(h, 'company', 'co1'))?.sfId, accounts[0]!.Id);
  // A1 off: the company alone (no person) is not pushed.
  await ingestAll(h, 'company', [company('co2', { name: 'Lonely Co' })]);
  await drain(h);
  assert.equal((await h.soql<Row>("SELECT Id FROM Account WHERE Name = 'Lonely Co'")).length, 0);
});

test('A1, A2, A3: push accounts on creates a net-new company as an Account with the source; stages mode pushes only selected stages', async (t) => {
  const h = await connectedWorkspace(t, emu, {
    settings: {
      accounts: {
        pushAccounts: true,
        pushMode: 'stages',
        stages: ['Customer'],
        sourceField: 'AccountSource',
        sourceValue: 'Partner Referral',
      },
    },
  });
  await ingestAll(h, 'company', [
    company('co1', { name: 'Stage In', stage: 'Customer' }),
    company('co2', { name: 'Stage Out', stage: 'Prospect' }),
  ]);
  await drain(h);
  const rows = await h.soql<Row>(
    "SELECT Id, Name, AccountSource FROM Account WHERE Name IN ('Stage In', 'Stage Out')",
  );
  assert.deepEqual(
    rows.map((r) => [r.Name, r.AccountSource]),
    [['Stage In', 'Partner Referral']],
  );
});

test('A6: a change to a linked company is always pushed, with push accounts off', async (t) => {
  const h = await connectedWorkspace(t, emu, { settings: { accounts: { pushAccounts: true } } });
  await ingestAll(h, 'company', [company('co1', { name: 'Renamed Soon', industry: 'Retail' })]);
  await drain(h);
  await h.setSettings({ accounts: { pushAccounts: false } });
  await ingestAll(h, 'company', [
    company('co1', { name: 'Renamed Soon', industry: 'Banking' }),
    company('co2', { name: 'Never Pushed' }),
  ]);
  await drain(h);
  const rows = await h.soql<Row>(
    "SELECT Id, Industry FROM Account WHERE Name IN ('Renamed Soon', 'Never Pushed')",
  );
  assert.deepEqual(
    rows.map((r) => r.Industry),
    ['Banking'],
  );
});

test('X1: a person whose email a Contact has is linked and updated, not created; a Lead is matched when no Contact has it; unmatched is created', async (t) => {
  const h = await connectedWorkspace(t, emu, {
    settings: { contacts: { pushContacts: true } },
    seed: {
      Contact: [{ LastName: 'Existing', Email: 'X1@Acme.test' }],
      Lead: [{ LastName: 'Leady', Company: 'L Co', Email: 'lead@acme.test' }],
    },
  });
  await ingestAll(h, 'person', [
    person('p1', { email: 'x1@acme.test', title: 'VP' }),
    person('p2', { email: 'lead@acme.test', title: 'Dir' }),
  ]);
  await drain(h);
  const contacts = await contactsByEmail(h, 'x1@acme.test');
  assert.equal(contacts.length, 1);
  assert.equal(contacts[0]!.Title, 'VP');
  const w = await h.writes([contacts[0]!.Id]);
  assert.equal(w.records[contacts[0]!.Id]?.create, 1, 'only the seed created it');
  assert.equal((await linkOf(h, 'person', 'p1'))?.sfId, contacts[0]!.Id);
  const leads = await h.soql<Row>("SELECT Id, Title FROM Lead WHERE Email = 'lead@acme.test'");
  assert.equal(leads.length, 1);
  assert.equal(leads[0]!.Title, 'Dir');
  assert.equal((await contactsByEmail(h, 'lead@acme.test')).length, 0);
  assert.ok((await logOf(h, 'person', 'p1')).some((e) => e.action === 'link' && e.rules.includes('X1')));
});

test('X2, X3: a company matches an Account by website domain; with several the tie-break picks the oldest, or the most recently modified', async (t) => {
  for (const tieBreak of ['oldest', 'most_recently_modified'] as const) {
    const h = await connectedWorkspace(t, emu, {
      settings: { accounts: { pushAccounts: true }, matching: { tieBreak } },
      seed: {
        Account: [
          { Name: 'Dup One', Website: 'http://www.dup.example/about' },
          { Name: 'Dup Two', Website: 'https://dup.example' },
        ],
      },
    });
    const seeded = await h.soql<Row>(
      "SELECT Id, Name FROM Account WHERE Name IN ('Dup One', 'Dup Two') ORDER BY CreatedDate",
    );
    await h.control('POST', `/clock`, { advanceMs: 60_000 });
    await h.control('PATCH', `/records/Account/${seeded[0]!.Id}`, { Description: 'touched' });
    await ingestAll(h, 'company', [company('co1', { name: 'Local Dup', website: 'dup.example' })]);
    await drain(h);
    const chosen = (await linkOf(h, 'company', 'co1'))?.sfId;
    // Oldest is the first seeded; most recently modified is also the first (it was touched last).
    assert.equal(chosen, seeded[0]!.Id);
    assert.equal(
      (await h.soql<Row>("SELECT Id FROM Account WHERE Website LIKE '%dup.example%'")).length,
      2,
      'no new Account',
    );
    const entries = await logOf(h, 'company', 'co1');
    assert.ok(entries.some((e) => e.rules.includes('X3') || e.rules.includes('X2')));
  }
});

test('X3: tie-break oldest and most recently modified choose different Contacts when they differ', async (t) => {
  const chosen: string[] = [];
  for (const tieBreak of ['oldest', 'most_recently_modified'] as const) {
    const h = await connectedWorkspace(t, emu, {
      settings: { contacts: { pushContacts: true }, matching: { tieBreak } },
      seed: { Contact: [{ LastName: 'Twin', Description: 'Old', Email: 'twin@acme.test' }] },
    });
    await h.control('POST', `/clock`, { advanceMs: 60_000 });
    await h.control('POST', `/records/Contact`, {
      LastName: 'Twin',
      Description: 'New',
      Email: 'twin@acme.test',
    });
    await ingestAll(h, 'person', [person('p1', { email: 'twin@acme.test' })]);
    await drain(h);
    const link = await linkOf(h, 'person', 'p1');
    const [row] = await h.soql<Row>(`SELECT Id, Description FROM Contact WHERE Id = '${link!.sfId}'`);
    chosen.push(String(row!.Description));
    const ambiguous = (await logOf(h, 'person', 'p1')).find((e) => e.rules.includes('X3'));
    assert.ok(ambiguous !== undefined, 'the ambiguity is logged');
  }
  assert.deepEqual(chosen, ['Old', 'New']);
});

test('X5: an overwrite field is written only when it changed since crmsync last wrote it, so a Salesforce edit to another field survives', async (t) => {
  const h = await connectedWorkspace(t, emu, { settings: { contacts: { pushContacts: true } } });
  await ingestAll(h, 'person', [person('p1', { email: 'x5@acme.test', title: 'Eng', firstName: 'Ada' })]);
  await drain(h);
  const [row] = await contactsByEmail(h, 'x5@acme.test');
  const [stamped] = await h.soql<Row>(`SELECT Id, SystemModstamp FROM Contact WHERE Id = '${row!.Id}'`);
  assert.equal(
    (await linkOf(h, 'person', 'p1'))?.systemModstamp,
    stamped!.SystemModstamp,
    "P2: the link keeps the SystemModstamp of crmsync's own write",
  );
  await h.control('PATCH', `/records/Contact/${row!.Id}`, { FirstName: 'EditedInSalesforce' });
  await ingestAll(h, 'person', [
    person('p1', { email: 'x5@acme.test', title: 'Lead Eng', firstName: 'Ada' }),
  ]);
  await drain(h);
  const [after1] = await contactsByEmail(h, 'x5@acme.test');
  assert.equal(after1?.Title, 'Lead Eng');
  assert.equal(after1?.FirstName, 'EditedInSalesforce');
  // An unchanged save sends nothing.
  const before = (await h.writes([row!.Id])).records[row!.Id]?.total;
  await ingestAll(h, 'person', [
    person('p1', { email: 'x5@acme.test', title: 'Lead Eng', firstName: 'Ada', phones: [] }),
  ]);
  await drain(h);
  assert.equal((await h.writes([row!.Id])).records[row!.Id]?.total, before);
});

test("X7: the owner is the active Salesforce User with the local owner's email; without one the default owner or the integration user", async (t) => {
  const probe = await connectedWorkspace(t, emu, {});
  const org = await probe.control<{
    users: { id: string; email: string; isActive: boolean; username: string }[];
  }>('GET', '');
  const sales = org.users.find((u) => u.isActive && !u.username.startsWith('integration'))!;
  const integration = org.users.find((u) => u.username.startsWith('integration'))!;
  const h = await connectedWorkspace(t, emu, {
    org: probe.org,
    settings: { contacts: { pushContacts: true } },
    workspace: {
      users: [
        { id: 'u1', name: 'Sally', email: sales.email.toUpperCase() },
        { id: 'u2', name: 'Nobody', email: 'nobody@nowhere.test' },
      ],
    },
  });
  await ingestAll(h, 'person', [
    person('p1', { email: 'x7a@acme.test', ownerId: 'u1' }),
    person('p2', { email: 'x7b@acme.test', ownerId: 'u2' }),
  ]);
  await drain(h);
  assert.equal((await contactsByEmail(h, 'x7a@acme.test'))[0]?.OwnerId, sales.id);
  assert.equal((await contactsByEmail(h, 'x7b@acme.test'))[0]?.OwnerId, integration.id);
  assert.ok((await logOf(h, 'person', 'p2')).some((e) => e.rules.includes('X7')));
});

test('C7, X2: a Contact goes under the one Account matching its company by name, and the company is linked to it; with none, an Account is created', async (t) => {
  const h = await connectedWorkspace(t, emu, {
    settings: { contacts: { pushContacts: true }, accounts: { pushAccounts: false } },
    seed: { Account: [{ Name: 'Named Corp' }] },
  });
  const [existing] = await h.soql<Row>("SELECT Id FROM Account WHERE Name = 'Named Corp'");
  await ingestAll(h, 'company', [
    company('co1', { name: ' named corp ', website: null }),
    company('co2', { name: 'Unnamed Corp', website: null }),
  ]);
  await ingestAll(h, 'person', [
    person('p1', { email: 'x2a@acme.test', companyId: 'co1' }),
    person('p2', { email: 'x2b@acme.test', companyId: 'co2' }),
  ]);
  await drain(h);
  assert.equal((await contactsByEmail(h, 'x2a@acme.test'))[0]?.AccountId, existing!.Id);
  assert.equal((await linkOf(h, 'company', 'co1'))?.sfId, existing!.Id);
  assert.equal(
    (await h.writes([existing!.Id])).records[existing!.Id]?.total,
    1,
    'the matched Account is not written',
  );
  const created = await h.soql<Row>("SELECT Id FROM Account WHERE Name = 'Unnamed Corp'");
  assert.equal(created.length, 1);
  assert.equal((await contactsByEmail(h, 'x2b@acme.test'))[0]?.AccountId, created[0]!.Id);
});

test('X6: a value longer than its field is cut with the default rule, and the record is refused with the reject rule', async (t) => {
  for (const tooLong of ['truncate', 'reject'] as const) {
    const mappings = [
      {
        local: 'lastName',
        salesforce: 'LastName',
        writeRule: 'overwrite' as const,
        tooLong: 'truncate' as const,
      },
      { local: 'email', salesforce: 'Email', writeRule: 'overwrite' as const, tooLong: 'truncate' as const },
      { local: 'title', salesforce: 'Title', writeRule: 'overwrite' as const, tooLong },
    ];
    const h = await connectedWorkspace(t, emu, {
      settings: { contacts: { pushContacts: true }, fieldMappings: { Contact: mappings } },
    });
    await ingestAll(h, 'person', [person('p1', { email: 'x6@acme.test', title: 'T'.repeat(500) })]);
    await drain(h);
    const rows = await contactsByEmail(h, 'x6@acme.test');
    if (tooLong === 'truncate') assert.equal(String(rows[0]?.Title).length, 128);
    else {
      assert.equal(rows.length, 0);
      const entry = (await logOf(h, 'person', 'p1')).find((e) => e.action === 'skip');
      assert.ok(entry?.rules.includes('X6') && /Title/.test(entry.reason));
    }
  }
});

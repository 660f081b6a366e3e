import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DEFAULT_FIELD_MAPPINGS, Settings, type FieldMapping, type MappedObject } from '@crmsync/core';
import { dryRunSettingsChange } from '../src/dry-run.js';
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
import { dealLink, deal, ingestDeals, STAGES } from './deals-harness.js';

/*
 * X5 `fill_if_empty` end to end: the planner reads the linked records' current values (one
 * batched read per batch) and writes such a field only where Salesforce has it empty. The
 * emulator runs in its own process; values are read back over SOQL, calls from its request counter.
 */

let emu: EmulatorProcess;
before(async () => {
  emu = await startEmulatorProcess();
});
after(() => emu.close());

type Row = Record<string, unknown> & { Id: string };

/** The default mappings of `object` with `salesforce` written by `rule`. */
function mappingsWith(
  object: MappedObject,
  local: string,
  salesforce: string,
  rule: FieldMapping['writeRule'],
) {
  return [
    ...DEFAULT_FIELD_MAPPINGS[object].filter((m) => m.salesforce !== salesforce),
    { local, salesforce, writeRule: rule, tooLong: 'truncate' as const },
  ];
}

/** Requests the org received while `work` ran. */
async function requestsDuring(h: Harness, work: () => Promise<unknown>): Promise<number> {
  await h.control('DELETE', '/requests');
  await work();
  return (await h.requests()).total;
}

const titles = async (h: Harness) =>
  new Map(
    (await h.soql<Row>("SELECT Email, Title FROM Contact WHERE Email LIKE 'fill%' ORDER BY Email")).map(
      (r) => [String(r.Email), r.Title ?? null],
    ),
  );

/**
 * Six linked people in batches of three: p0-p2 were created without a title, p3-p5 with one;
 * then someone fills p1's Title in Salesforce and changes p4's, and every person gets a new title.
 * Returns the requests of that second push.
 */
async function secondPush(h: Harness): Promise<number> {
  const emails = Array.from({ length: 6 }, (_, i) => `fill${i}@acme.test`);
  await ingestAll(
    h,
    'person',
    emails.map((email, i) => person(`p${i}`, { email, title: i < 3 ? null : 'CTO' })),
  );
  await drain(h);
  const ids = new Map(
    (await h.soql<Row>("SELECT Id, Email FROM Contact WHERE Email LIKE 'fill%'")).map((r) => [
      String(r.Email),
      r.Id,
    ]),
  );
  await h.control('PATCH', `/records/Contact/${ids.get(emails[1]!)}`, { Title: 'Founder' });
  await h.control('PATCH', `/records/Contact/${ids.get(emails[4]!)}`, { Title: 'Chief Tech' });
  await ingestAll(
    h,
    'person',
    emails.map((email, i) => person(`p${i}`, { email, title: `New ${i}`, firstName: 'Grace' })),
  );
  return requestsDuring(h, () => drain(h));
}

test('X5: fill_if_empty writes a Contact field empty in Salesforce and keeps one set there, whoever set it; one read per batch, none with overwrite', async (t) => {
  const settings = (rule: FieldMapping['writeRule']) => ({
    contacts: { pushContacts: true },
    fieldMappings: { Contact: mappingsWith('Contact', 'title', 'Title', rule) },
  });
  const fill = await connectedWorkspace(t, emu, {
    settings: settings('fill_if_empty'),
    options: { batchSize: 3 },
  });
  const fillCalls = await secondPush(fill);
  assert.deepEqual(
    [...(await titles(fill)).entries()].sort(),
    [
      ['fill0@acme.test', 'New 0'],
      ['fill1@acme.test', 'Founder'],
      ['fill2@acme.test', 'New 2'],
      ['fill3@acme.test', 'CTO'],
      ['fill4@acme.test', 'Chief Tech'],
      ['fill5@acme.test', 'CTO'],
    ],
    'empty in Salesforce -> written; set there (by crmsync or anyone) -> kept',
  );
  const kept = (await logOf(fill, 'person', 'p4')).find((e) => e.action === 'update');
  assert.ok(kept?.rules.includes('X5'));
  assert.deepEqual(kept?.payload?.fields, { FirstName: 'Grace' }, 'the kept Title was not sent');
  assert.match(
    String((kept?.payload?.notes as string[] | undefined)?.join(' ')),
    /Title/,
    'the log says why the Title was not sent',
  );

  const overwrite = await connectedWorkspace(t, emu, {
    settings: settings('overwrite'),
    options: { batchSize: 3 },
  });
  const overwriteCalls = await secondPush(overwrite);
  assert.deepEqual(
    [...(await titles(overwrite)).values()],
    ['New 0', 'New 1', 'New 2', 'New 3', 'New 4', 'New 5'],
    'overwrite writes every changed title',
  );
  assert.equal(
    fillCalls - overwriteCalls,
    2,
    `one read per batch of three (fill_if_empty ${fillCalls} calls, overwrite ${overwriteCalls})`,
  );
});

test('X5: fill_if_empty on an Account field: written where the linked Account has it empty, kept where it is set', async (t) => {
  const h = await connectedWorkspace(t, emu, {
    settings: {
      accounts: { pushAccounts: true },
      fieldMappings: { Account: mappingsWith('Account', 'industry', 'Industry', 'fill_if_empty') },
    },
  });
  await ingestAll(h, 'company', [
    company('co1', { name: 'Empty Industry Co', industry: null }),
    company('co2', { name: 'Set Industry Co', industry: null }),
  ]);
  await drain(h);
  const co2 = (await linkOf(h, 'company', 'co2'))!.sfId;
  await h.control('PATCH', `/records/Account/${co2}`, { Industry: 'Banking' });
  await ingestAll(h, 'company', [
    company('co1', { name: 'Empty Industry Co', industry: 'Retail' }),
    company('co2', { name: 'Set Industry Co', industry: 'Retail' }),
  ]);
  const calls = await requestsDuring(h, () => drain(h));
  const rows = await h.soql<Row>(
    "SELECT Name, Industry FROM Account WHERE Name LIKE '%Industry Co' ORDER BY Name",
  );
  assert.deepEqual(
    rows.map((r) => [r.Name, r.Industry]),
    [
      ['Empty Industry Co', 'Retail'],
      ['Set Industry Co', 'Banking'],
    ],
  );
  assert.equal(calls, 2, 'one read of the linked Accounts, one update');
});

test('X5: fill_if_empty on an Opportunity field under dealSync push: one read of the linked Opportunities per batch, none with overwrite', async (t) => {
  const calls: Partial<Record<FieldMapping['writeRule'], number>> = {};
  for (const rule of ['fill_if_empty', 'overwrite'] as const) {
    const h = await connectedWorkspace(t, emu, {
      settings: {
        deals: { dealSync: 'push', stageMapping: STAGES },
        fieldMappings: { Opportunity: mappingsWith('Opportunity', 'amount', 'Amount', rule) },
      },
    });
    await ingestDeals(h, [deal('d1', { amount: null }), deal('d2', { amount: null })]);
    await drain(h);
    const d2 = (await dealLink(h, 'd2'))!.sfId;
    await h.control('PATCH', `/records/Opportunity/${d2}`, { Amount: 999 });
    await ingestDeals(h, [deal('d1', { amount: 5000 }), deal('d2', { amount: 5000 })]);
    calls[rule] = await requestsDuring(h, () => drain(h));
    const rows = await h.soql<Row>('SELECT Name, Amount FROM Opportunity ORDER BY Name');
    assert.deepEqual(
      rows.map((r) => [r.Name, r.Amount]),
      [
        ['Deal d1', 5000],
        ['Deal d2', rule === 'fill_if_empty' ? 999 : 5000],
      ],
      rule,
    );
  }
  assert.equal(calls.fill_if_empty! - calls.overwrite!, 1, JSON.stringify(calls));
});

test('X5: the settings dry run reads the current values too, so its decisions match the run that follows', async (t) => {
  const h = await connectedWorkspace(t, emu, {
    settings: { contacts: { pushContacts: true } },
  });
  await ingestAll(h, 'person', [
    person('p1', { email: 'dry-fill1@acme.test', title: null }),
    person('p2', { email: 'dry-fill2@acme.test', title: 'CTO' }),
  ]);
  await drain(h);
  await ingestAll(h, 'person', [
    person('p1', { email: 'dry-fill1@acme.test', title: 'New' }),
    person('p2', { email: 'dry-fill2@acme.test', title: 'New' }),
  ]);
  const next = (rule: FieldMapping['writeRule']) =>
    Settings.parse({
      version: 2,
      lifecycle: { configurationWindowHours: 0 },
      contacts: { pushContacts: true },
      fieldMappings: { Contact: mappingsWith('Contact', 'title', 'Title', rule) },
    });
  const dryRun = (rule: FieldMapping['writeRule']) =>
    dryRunSettingsChange(h.deps, h.sessions, h.workspaceId, next(rule));
  await dryRun('overwrite'); // describes and Users cached, as for the runs measured below
  const overwriteCalls = await requestsDuring(h, () => dryRun('overwrite'));
  let dry: Awaited<ReturnType<typeof dryRun>> | null = null;
  const fillCalls = await requestsDuring(h, async () => (dry = await dryRun('fill_if_empty')));
  assert.equal(fillCalls - overwriteCalls, 1, 'the dry run read the linked Contacts once, as the push will');
  assert.equal(dry!.after.person.updated, 2, "p1's empty Title is written, p2's kept: both are updates");
  await h.setSettings({
    contacts: { pushContacts: true },
    fieldMappings: { Contact: mappingsWith('Contact', 'title', 'Title', 'fill_if_empty') },
  });
  await drain(h);
  assert.deepEqual(
    (await h.soql<Row>("SELECT Email, Title FROM Contact WHERE Email LIKE 'dry-fill%' ORDER BY Email")).map(
      (r) => r.Title,
    ),
    ['New', 'CTO'],
  );
});

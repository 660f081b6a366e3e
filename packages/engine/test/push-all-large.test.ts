import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { prefetchPeople } from '../src/push/people-prefetch.js';
import { pushAll } from '../src/push/push-all.js';
import {
  company,
  connectedWorkspace,
  ingestAll,
  linkOf,
  person,
  startEmulatorProcess,
  type EmulatorProcess,
} from './harness.js';

/*
 * A large push all (C9) on Bulk API 2.0: X1 reads the org's Contacts and Leads once through Bulk
 * queries and matches locally instead of one composite lookup per page; the C7 Accounts go in a
 * Bulk job of their own before the people that need them.
 */

let emu: EmulatorProcess;
before(async () => {
  emu = await startEmulatorProcess();
});
after(() => emu.close());

test('C9, X1: above the threshold push all matches people against one Bulk read of the Contacts and Leads, not a lookup per page', async (t) => {
  const h = await connectedWorkspace(t, emu, {
    options: { bulkThreshold: 5 },
    seed: {
      Contact: [{ LastName: 'Known', Email: 'Known@Acme.test' }],
      Lead: [{ LastName: 'Leady', Company: 'Acme', Email: 'lead@acme.test' }],
    },
  });
  const [known] = await h.soql<{ Id: string }>("SELECT Id FROM Contact WHERE Email = 'known@acme.test'");
  await ingestAll(h, 'person', [
    person('known', { email: 'known@acme.test' }),
    ...Array.from({ length: 10 }, (_, i) => person(`n${i}`, { email: `new${i}@acme.test` })),
  ]);
  const before = (await h.requests()).byEndpoint;

  const result = await pushAll(h.deps, h.sessions, h.workspaceId, { pageSize: 4 });

  assert.equal(result.bulk, true);
  assert.deepEqual([result.created, result.linked, result.failed], [10, 1, 0]);
  assert.equal((await linkOf(h, 'person', 'known'))?.sfId, known?.Id, 'linked to the Contact it matches');
  assert.equal(
    (await h.soql("SELECT Id FROM Contact WHERE Email = 'known@acme.test'")).length,
    1,
    'not created twice',
  );
  const after = (await h.requests()).byEndpoint;
  const delta = (k: string) => (after[k] ?? 0) - (before[k] ?? 0);
  // Three pages of people would be three X1 composites. Of the three here, one describes Contact,
  // Lead and Account, one reads both objects' people (each under a query page), and one reads
  // back the linked Contact's SystemModstamp (P2).
  assert.equal(delta('POST /composite'), 3, 'no per-page X1 lookup');
  assert.equal(delta('POST /jobs/query'), 0, 'a small org needs no Bulk query');
});

test('X1: an org with a query page or more of Contacts is read through a Bulk query, and one above the cap is not read at all', async (t) => {
  const h = await connectedWorkspace(t, emu, {
    seed: {
      Contact: [
        { LastName: 'One', Email: 'One@Acme.test' },
        { LastName: 'Two', Email: 'two@acme.test' },
      ],
      Lead: [{ LastName: 'Lee', Company: 'Acme', Email: 'lee@acme.test' }],
    },
  });
  const crm = (await h.sessions.session(h.workspaceId)).crm;
  const wait = { intervalMs: 10, timeoutMs: 60_000 };
  const before = (await h.requests()).byEndpoint['POST /jobs/query'] ?? 0;

  const source = await prefetchPeople(crm, wait, { pageRows: 2 });
  assert.ok(source !== null);
  assert.equal(
    (await h.requests()).byEndpoint['POST /jobs/query'] ?? 0,
    before + 1,
    'Contacts only: the Leads fit',
  );
  const found = await source.findPeopleByEmail(['one@acme.test', 'LEE@acme.test', 'nobody@acme.test']);
  assert.deepEqual(found.map((p) => [p.object, p.Email]).sort(), [
    ['Contact', 'One@Acme.test'],
    ['Lead', 'lee@acme.test'],
  ]);
  // Held packed, handed back whole: what X1 decides on is what Salesforce holds.
  const [contact] = await h.soql<Record<string, unknown>>(
    "SELECT Id, CreatedDate, LastModifiedDate, OwnerId, AccountId FROM Contact WHERE LastName = 'One'",
  );
  const [lead] = await h.soql<Record<string, unknown>>(
    "SELECT Id, CreatedDate, LastModifiedDate, OwnerId FROM Lead WHERE LastName = 'Lee'",
  );
  const pick = (o: Record<string, unknown>, keys: string[]) =>
    Object.fromEntries(keys.map((k) => [k, o[k] ?? null]));
  const contactKeys = ['Id', 'CreatedDate', 'LastModifiedDate', 'OwnerId', 'AccountId'];
  assert.deepEqual(
    pick(
      found.find((p) => p.object === 'Contact')!,
      contactKeys,
    ),
    pick(contact!, contactKeys),
  );
  assert.deepEqual(
    found.find((p) => p.object === 'Lead'),
    {
      object: 'Lead',
      ...pick(lead!, ['Id']),
      Email: 'lee@acme.test',
      CreatedDate: lead!.CreatedDate,
      LastModifiedDate: lead!.LastModifiedDate,
      OwnerId: lead!.OwnerId,
      IsConverted: false,
      ConvertedContactId: null,
      ConvertedAccountId: null,
    },
  );
  assert.equal(await prefetchPeople(crm, wait, { pageRows: 2, maxRows: 1 }), null, 'too many to hold');
});

test('C9, C7: above the threshold the Accounts people need are created in one Bulk job first, each once, and the Contacts go under them', async (t) => {
  const h = await connectedWorkspace(t, emu, {
    options: { bulkThreshold: 5 },
    seed: { Account: [{ Name: 'Existing Co', Website: 'https://existing-co.test' }] },
  });
  const [existing] = await h.soql<{ Id: string }>("SELECT Id FROM Account WHERE Name = 'Existing Co'");
  await ingestAll(h, 'company', [
    company('c1'),
    company('c2'),
    company('cx', { name: 'Existing Co', website: 'https://existing-co.test' }),
  ]);
  await ingestAll(
    h,
    'person',
    Array.from({ length: 9 }, (_, i) =>
      person(`q${i}`, { email: `q${i}@acme.test`, companyId: ['c1', 'c2', 'cx'][i % 3] }),
    ),
  );
  const before = (await h.requests()).byEndpoint;

  const result = await pushAll(h.deps, h.sessions, h.workspaceId, { pageSize: 4 });

  assert.deepEqual([result.bulk, result.created, result.failed], [true, 9, 0]);
  const accounts = await h.soql<{ Id: string; Name: string }>('SELECT Id, Name FROM Account');
  assert.deepEqual(accounts.map((a) => a.Name).sort(), ['Company c1', 'Company c2', 'Existing Co']);
  const accountOf = new Map(
    await Promise.all(
      ['c1', 'c2', 'cx'].map(async (c) => [c, (await linkOf(h, 'company', c))?.sfId] as const),
    ),
  );
  assert.equal(accountOf.get('cx'), existing?.Id, 'the matching Account is linked (X2), not created');
  const contacts = await h.soql<{ Email: string; AccountId: string | null }>(
    "SELECT Email, AccountId FROM Contact WHERE Email LIKE 'q%'",
  );
  assert.equal(contacts.length, 9);
  for (const c of contacts) {
    const i = Number(/q(\d+)@/.exec(c.Email)?.[1]);
    assert.equal(
      c.AccountId,
      accountOf.get(['c1', 'c2', 'cx'][i % 3]!),
      `${c.Email} is under its company's Account`,
    );
  }
  const after = (await h.requests()).byEndpoint;
  const delta = (k: string) => (after[k] ?? 0) - (before[k] ?? 0);
  assert.equal(delta('POST /jobs/ingest'), 2, 'one Bulk job for the Accounts, one for the Contacts');
  assert.equal(
    Object.entries(after)
      .filter(([k]) => k.includes('/composite/sobjects'))
      .reduce((n, [k, v]) => n + v - (before[k] ?? 0), 0),
    0,
    'no collection call',
  );
});

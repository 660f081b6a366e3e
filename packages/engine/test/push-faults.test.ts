import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DEFAULT_FIELD_MAPPINGS, type CrmAdapter } from '@crmsync/core';
import { CrmSessions } from '../src/crm-session.js';
import { runPushBatch } from '../src/push/worker.js';
import { retryFailed } from '../src/retry.js';
import {
  connectedWorkspace,
  drain,
  externalIdSchema,
  ingestAll,
  linkOf,
  logOf,
  person,
  startEmulatorProcess,
  type EmulatorProcess,
  type Harness,
} from './harness.js';

/*
 * Faults, the API budget, X4 without the external-id field, records Salesforce refuses, manual
 * retry and workspace isolation, against the emulator in its own process.
 */

let emu: EmulatorProcess;
before(async () => {
  emu = await startEmulatorProcess();
});
after(() => emu.close());

type Row = Record<string, unknown> & { Id: string };

/** Drains, then moves the clock past every scheduled retry, until nothing is pending. */
async function drainWithRetries(h: Harness, rounds = 40): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await drain(h);
    const counts = await h.queue.counts(h.workspaceId);
    if (counts.total.pending === 0 && counts.total.leased === 0) return;
    await h.clock.advance(h.deps.options?.backoffMaxMs ?? 15 * 60_000);
  }
  throw new Error('retries did not settle');
}

async function assertEachOnce(h: Harness, emails: readonly string[]): Promise<void> {
  const rows = await h.soql<Row>('SELECT Id, Email FROM Contact');
  const byEmail = new Map<string, number>();
  for (const r of rows) byEmail.set(String(r.Email), (byEmail.get(String(r.Email)) ?? 0) + 1);
  for (const e of emails) assert.equal(byEmail.get(e), 1, `${e} exists exactly once`);
  const writes = await h.writes(rows.map((r) => r.Id));
  for (const r of rows) assert.equal(writes.records[r.Id]?.create, 1, `${r.Email} was created once`);
}

for (const externalId of [true, false]) {
  test(`O4, X4: with 20% UNABLE_TO_LOCK_ROW and 5% 503 every person lands exactly once (${externalId ? 'upsert on Crmsync_Id__c' : 'no external id: intents and reconcile'})`, async (t) => {
    const h = await connectedWorkspace(t, emu, {
      externalId,
      settings: { contacts: { pushContacts: true } },
      options: { batchSize: 5, backoffMaxMs: 60_000 },
    });
    // Batches of 5, so the 20% share of write calls (lookups are reads: no locks) hits several.
    const people = Array.from({ length: 40 }, (_, i) => person(`p${i}`, { email: `fault${i}@acme.test` }));
    await ingestAll(h, 'person', people);
    await h.control('POST', '/faults', {
      pathPrefix: '/composite',
      failureRate: 0.2,
      failureKind: 'lock',
      seed: 3,
    });
    await h.control('POST', '/faults', {
      pathPrefix: '/composite',
      failureRate: 0.05,
      failureKind: 'unavailable',
    });
    await drainWithRetries(h);
    await h.control('DELETE', '/faults');
    await assertEachOnce(
      h,
      people.map((p) => String(p.email)),
    );
    const failures = (await h.store.workspace(h.workspaceId).log.list({ failed: true, limit: 500 })).items;
    assert.ok(
      failures.some((e) => e.errorCode === 'UNABLE_TO_LOCK_ROW'),
      'the lock failures happened and were retried',
    );
  });
}

test('X4: a create batch whose response is dropped (no Crmsync_Id__c) is reconciled: linked once, never created twice', async (t) => {
  const h = await connectedWorkspace(t, emu, {
    externalId: false,
    settings: { contacts: { pushContacts: true } },
  });
  const people = Array.from({ length: 5 }, (_, i) => person(`p${i}`, { email: `drop${i}@acme.test` }));
  await ingestAll(h, 'person', people);
  await h.control('POST', '/faults', {
    method: 'POST',
    pathPrefix: '/composite/sobjects',
    dropWriteResponses: 1,
  });
  await drainWithRetries(h);
  await assertEachOnce(
    h,
    people.map((p) => String(p.email)),
  );
  for (const p of people) assert.ok((await linkOf(h, 'person', String(p.id))) !== null);
  assert.deepEqual(
    await h.store.workspace(h.workspaceId).intents.list(h.org.orgId),
    [],
    'no intent left behind',
  );
  const creates = (await h.store.workspace(h.workspaceId).log.list({ actions: ['create'], limit: 100 }))
    .items;
  assert.ok(
    creates.some((e) => /already landed/.test(e.reason)),
    'the dropped batch was found by reconcile',
  );
  // With the external id on, the same drop is harmless because the resend is an upsert.
  const x = await connectedWorkspace(t, emu, {
    externalId: true,
    settings: { contacts: { pushContacts: true } },
  });
  await ingestAll(x, 'person', people);
  // Upserts travel in the batch's one write composite (write-batch.ts); query-only composites are reads.
  await x.control('POST', '/faults', {
    method: 'POST',
    pathPrefix: '/composite',
    dropWriteResponses: 1,
  });
  await drainWithRetries(x);
  await assertEachOnce(
    x,
    people.map((p) => String(p.email)),
  );
  // The retry finds what landed: by X1 (same email) or the upsert's own match on Crmsync_Id__c.
  const xLanded = (
    await x.store.workspace(x.workspaceId).log.list({ actions: ['create', 'link'], limit: 100 })
  ).items;
  assert.equal(xLanded.length, 5);
  assert.ok(
    xLanded.every((e) => e.action === 'link' || /already landed/.test(e.reason)),
    'nothing was created by the retry',
  );
});

test('O3: with the org nearly spent crmsync stops at the reserve and never receives REQUEST_LIMIT_EXCEEDED; nothing queued is lost', async (t) => {
  const h = await connectedWorkspace(t, emu, {
    settings: { contacts: { pushContacts: true } },
    options: { batchSize: 2 },
    dailyApiLimit: 1000,
  });
  await h.control('POST', '/api-usage', { used: 940 });
  const people = Array.from({ length: 30 }, (_, i) => person(`p${i}`, { email: `budget${i}@acme.test` }));
  await ingestAll(h, 'person', people);
  await drain(h);
  const usage = await h.control<{ apiUsage: { used: number; max: number } }>('GET', '');
  assert.ok(usage.apiUsage.used <= 950, `stopped at the 5% reserve (used ${usage.apiUsage.used})`);
  const log = (await h.store.workspace(h.workspaceId).log.list({ limit: 500 })).items;
  assert.ok(!log.some((e) => e.errorCode === 'REQUEST_LIMIT_EXCEEDED'));
  assert.ok(log.some((e) => e.action === 'budget_wait' && e.rules.includes('O3')));
  const counts = await h.queue.counts(h.workspaceId);
  const landed = (await h.soql<Row>("SELECT Id FROM Contact WHERE Email LIKE 'budget%'")).length;
  assert.ok(landed < 30);
  assert.equal(counts.total.pending + landed, 30, 'every person not sent is still queued');
  assert.equal(counts.total.failed, 0, 'a budget stop is not a failure');
});

test('O3: crmsync stops at its own share of the org allocation, counted in its ledger; with a larger share it sends everything', async (t) => {
  for (const sharePercent of [0.2, 20]) {
    // 0.2% of 15,000 = 30 requests.
    const h = await connectedWorkspace(t, emu, {
      settings: { contacts: { pushContacts: true }, apiBudget: { sharePercent } },
      options: { batchSize: 1 },
    });
    await ingestAll(
      h,
      'person',
      Array.from({ length: 20 }, (_, i) => person(`p${i}`, { email: `share${i}@acme.test` })),
    );
    await drain(h);
    const sent = await h.store.workspace(h.workspaceId).ledger.sumLast24Hours(h.org.orgId);
    const landed = (await h.soql<Row>("SELECT Id FROM Contact WHERE Email LIKE 'share%'")).length;
    if (sharePercent < 1) {
      assert.ok(sent <= 30, `ledger ${sent} within the share`);
      assert.ok(landed < 20);
    } else assert.equal(landed, 20);
  }
});

test('O4, O1: records Salesforce refuses (validation rule, required field, duplicate value) and a too-long value fail alone with their code and message; the rest land', async (t) => {
  const schema = externalIdSchema({
    Contact: {
      fields: [
        { name: 'Region__c', type: 'string', length: 40, required: true },
        { name: 'Ext__c', type: 'string', length: 80, unique: true },
      ],
      validationRules: [
        {
          name: 'NoForbidden',
          field: 'Title',
          op: '=',
          value: 'Forbidden',
          message: 'Title may not be Forbidden',
        },
      ],
    },
  });
  const mappings = [
    ...DEFAULT_FIELD_MAPPINGS.Contact.filter((m) => m.salesforce !== 'Title'),
    { local: 'title', salesforce: 'Title', writeRule: 'overwrite' as const, tooLong: 'reject' as const },
    {
      local: 'stage',
      salesforce: 'Region__c',
      writeRule: 'overwrite' as const,
      tooLong: 'truncate' as const,
    },
    {
      local: 'externalId',
      salesforce: 'Ext__c',
      writeRule: 'overwrite' as const,
      tooLong: 'truncate' as const,
    },
  ];
  const h = await connectedWorkspace(t, emu, {
    schema,
    settings: { contacts: { pushContacts: true }, fieldMappings: { Contact: mappings } },
  });
  await h.control('POST', '/records/Contact', { LastName: 'Holder', Region__c: 'EU', Ext__c: 'dup-1' });
  await ingestAll(h, 'person', [
    person('good1', { email: 'good1@acme.test', stage: 'EU' }),
    person('invalid', { email: 'invalid@acme.test', stage: 'EU', title: 'Forbidden' }),
    person('required', { email: 'required@acme.test', stage: null }),
    person('dup', { email: 'dup@acme.test', stage: 'EU', externalId: 'dup-1' }),
    person('long', { email: 'long@acme.test', stage: 'EU', title: 'x'.repeat(300) }),
    person('good2', { email: 'good2@acme.test', stage: 'EU' }),
  ]);
  await drain(h);
  const landed = (await h.soql<Row>('SELECT Email FROM Contact WHERE Email != null'))
    .map((r) => r.Email)
    .sort();
  assert.deepEqual(landed, ['good1@acme.test', 'good2@acme.test']);
  const failure = async (id: string) =>
    (await logOf(h, 'person', id)).find((e) => e.action === 'fail' || e.action === 'skip');
  assert.equal((await failure('invalid'))?.errorCode, 'FIELD_CUSTOM_VALIDATION_EXCEPTION');
  assert.match(String((await failure('invalid'))?.errorMessage), /Title may not be Forbidden/);
  assert.equal((await failure('required'))?.errorCode, 'REQUIRED_FIELD_MISSING');
  assert.match(String((await failure('required'))?.errorMessage), /Region__c/);
  assert.equal((await failure('dup'))?.errorCode, 'DUPLICATE_VALUE');
  const long = await failure('long');
  assert.equal(long?.action, 'skip');
  assert.ok(long?.rules.includes('X6'));
  assert.match(String(long?.reason), /Title/);
  assert.equal(
    (await h.queue.counts(h.workspaceId)).total.failed,
    3,
    'refused records are parked for a manual retry',
  );

  // O4 manual retry with a filter: fix the cause in Salesforce, retry only DUPLICATE_VALUE failures.
  const [holder] = await h.soql<Row>("SELECT Id FROM Contact WHERE Ext__c = 'dup-1'");
  await h.control('DELETE', `/records/Contact/${holder!.Id}`);
  assert.equal(await retryFailed(h.deps, h.workspaceId, { errorCode: 'DUPLICATE_VALUE' }), 1);
  await drain(h);
  assert.equal((await h.soql<Row>("SELECT Id FROM Contact WHERE Email = 'dup@acme.test'")).length, 1);
  assert.equal(
    (await h.soql<Row>("SELECT Id FROM Contact WHERE Email = 'invalid@acme.test'")).length,
    0,
    'other failures wait',
  );
  assert.equal(await retryFailed(h.deps, h.workspaceId, { all: true }), 2);
});

test('Isolation: two workspaces with identical ids, emails and external ids each write only to their own org and see only their own links and log', async (t) => {
  const a = await connectedWorkspace(t, emu, {
    workspaceId: 'ws-a',
    settings: { contacts: { pushContacts: true } },
  });
  const b = await connectedWorkspace(t, emu, {
    workspaceId: 'ws-b',
    storeOf: a,
    settings: { contacts: { pushContacts: true } },
  });
  const same = [person('p1', { email: 'same@acme.test', externalId: 'host-1', title: 'A' })];
  await ingestAll(a, 'person', same);
  await ingestAll(b, 'person', [{ ...same[0], title: 'B' }]);
  await drain(a);
  await drain(b);
  const rowsA = await a.soql<Row>("SELECT Id, Title FROM Contact WHERE Email = 'same@acme.test'");
  const rowsB = await b.soql<Row>("SELECT Id, Title FROM Contact WHERE Email = 'same@acme.test'");
  assert.deepEqual(
    rowsA.map((r) => r.Title),
    ['A'],
  );
  assert.deepEqual(
    rowsB.map((r) => r.Title),
    ['B'],
  );
  assert.equal((await linkOf(a, 'person', 'p1'))?.sfId, rowsA[0]!.Id);
  assert.equal(
    await b.store.workspace('ws-b').links.get('person', 'p1', a.org.orgId),
    null,
    "b has no link into a's org",
  );
  const logB = (await b.store.workspace('ws-b').log.list({ limit: 100 })).items;
  assert.ok(!logB.some((e) => e.sfId === rowsA[0]!.Id));
});

test('X4: a worker that dies after Salesforce applied its create batch but before recording it leaves intents; the next worker reconciles them, no duplicate', async (t) => {
  const h = await connectedWorkspace(t, emu, {
    externalId: false,
    settings: { contacts: { pushContacts: true } },
    options: { leaseMs: 60_000 },
  });
  // No email, so X1 cannot find them: only the intents' reconcile (by name) can.
  const people = Array.from({ length: 3 }, (_, i) =>
    person(`p${i}`, { email: null, lastName: `Crashed ${i}` }),
  );
  await ingestAll(h, 'person', people);
  // The first worker's adapter: the create lands in Salesforce, then the process "dies".
  const dying = new CrmSessions({
    ...h.deps,
    workerId: 'dying-worker',
    connectCrm: async (o) => {
      const crm = await h.deps.connectCrm(o);
      return new Proxy(crm, {
        get: (target, prop, receiver) =>
          prop === 'create'
            ? async (...args: Parameters<CrmAdapter['create']>) => {
                await target.create(...args);
                throw new Error('simulated crash after the create landed');
              }
            : Reflect.get(target, prop, receiver),
      });
    },
  });
  await assert.rejects(
    runPushBatch({ ...h.deps, workerId: 'dying-worker' }, dying, h.workspaceId),
    /simulated crash/,
  );
  assert.equal(
    (await h.store.workspace(h.workspaceId).intents.list(h.org.orgId)).length,
    3,
    'the intents were recorded before the call',
  );
  await h.clock.advance(61_000); // the dead worker's lease expires
  await drainWithRetries(h);
  const rows = await h.soql<Row>("SELECT Id, LastName FROM Contact WHERE LastName LIKE 'Crashed%'");
  assert.equal(rows.length, 3, 'each person exists once');
  const writes = await h.writes(rows.map((r) => r.Id));
  for (const r of rows) assert.equal(writes.records[r.Id]?.create, 1);
  assert.equal(
    (await h.store.workspace(h.workspaceId).log.list({ actions: ['create'], limit: 10 })).items.filter((e) =>
      /already landed/.test(e.reason),
    ).length,
    3,
    'found by reconcile',
  );
  assert.deepEqual(await h.store.workspace(h.workspaceId).intents.list(h.org.orgId), []);
  for (const p of people) assert.ok((await linkOf(h, 'person', String(p.id))) !== null);
});

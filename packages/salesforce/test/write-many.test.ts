import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CrmsyncError, type CrmReadResult, type CrmWriteResult } from '@crmsync/core';
import { connected, emulatorTotal, X4_SCHEMA } from './helpers.js';

const okId = (r: CrmWriteResult | undefined): string => {
  if (r?.outcome !== 'ok') throw new Error(`expected a saved record, got ${JSON.stringify(r)}`);
  return r.id;
};
const rowsOf = (r: CrmReadResult | null | undefined) => {
  if (r === null || r === undefined || r.kind !== 'query' || !r.ok)
    throw new Error(`expected query rows, got ${JSON.stringify(r)}`);
  return r.value;
};

test('writeMany: upserts, updates and the SystemModstamp read-back that sees them cost ONE API call', async (t) => {
  const c = await connected(t, { emulator: { schema: X4_SCHEMA } });
  const existing = await c.sf.create('Contact', [{ LastName: 'Old', Title: 'Before' }]);
  const oldId = okId(existing[0]);
  const before = emulatorTotal(c);
  const out = await c.sf.writeMany(
    [
      {
        kind: 'upsert',
        object: 'Contact',
        externalIdField: 'Crmsync_Id__c',
        records: [
          { Crmsync_Id__c: 'p1', LastName: 'One' },
          { Crmsync_Id__c: 'p2', LastName: 'Two' },
        ],
      },
      { kind: 'update', object: 'Contact', records: [{ Id: oldId, Title: 'After' }] },
    ],
    [
      {
        kind: 'query',
        soql: "SELECT Id, Title, SystemModstamp FROM Contact WHERE Crmsync_Id__c IN ('p1', 'p2')",
      },
      { kind: 'query', soql: `SELECT Id, Title, SystemModstamp FROM Contact WHERE Id = '${oldId}'` },
    ],
  );
  assert.equal(emulatorTotal(c) - before, 1, 'one composite call');
  assert.equal(out.stopped, null);
  const [upserted, updated] = out.writes;
  assert.equal(upserted?.length, 2);
  assert.ok(upserted!.every((r) => r.outcome === 'ok' && r.created));
  assert.deepEqual(
    updated?.map((r) => r.outcome),
    ['ok'],
  );
  const read = rowsOf(out.reads[0]);
  assert.deepEqual(
    read.map((r) => r.Id).sort(),
    upserted!.map(okId).sort(),
    'the read ran after the upserts',
  );
  assert.ok(read.every((r) => typeof r.SystemModstamp === 'string'));
  assert.equal(rowsOf(out.reads[1])[0]?.Title, 'After', 'the read ran after the update');
});

test('writeMany: a refused record fails alone with its code; a record without its key fails before any call', async (t) => {
  const c = await connected(t, { emulator: { schema: X4_SCHEMA } });
  const out = await c.sf.writeMany([
    {
      kind: 'upsert',
      object: 'Contact',
      externalIdField: 'Crmsync_Id__c',
      records: [
        { Crmsync_Id__c: 'ok1', LastName: 'Fine' },
        { Crmsync_Id__c: 'bad1', LastName: 'x'.repeat(81) },
        { LastName: 'No key' },
      ],
    },
  ]);
  const [fine, tooLong, noKey] = out.writes[0]!;
  assert.equal(fine?.outcome, 'ok');
  assert.equal(tooLong?.outcome, 'failed');
  assert.equal(tooLong?.outcome === 'failed' && tooLong.errors[0]?.statusCode, 'STRING_TOO_LONG');
  assert.equal(noKey?.outcome === 'failed' && noKey.errors[0]?.statusCode, 'MISSING_ARGUMENT');
  assert.equal((await c.sf.query("SELECT Id FROM Contact WHERE Crmsync_Id__c = 'ok1'")).length, 1);
});

test('writeMany: more than five collections or queries take a second composite, in order', async (t) => {
  const c = await connected(t, { emulator: { schema: X4_SCHEMA } });
  const records = Array.from({ length: 1_100 }, (_, i) => ({ Crmsync_Id__c: `m${i}`, LastName: `M ${i}` }));
  const before = emulatorTotal(c);
  const out = await c.sf.writeMany(
    [{ kind: 'upsert', object: 'Contact', externalIdField: 'Crmsync_Id__c', records }],
    [{ kind: 'query', soql: 'SELECT COUNT() FROM Contact' }],
  );
  // 1,100 records = 6 collections of up to 200, then the query: 5 + 2 subrequests.
  assert.equal(emulatorTotal(c) - before, 2);
  assert.ok(out.writes[0]!.every((r) => r.outcome === 'ok'));
  assert.equal(out.reads[0]?.ok, true);
});

test('writeMany: a dropped answer leaves creates unknown (reconcile first) and upserts safe to resend', async (t) => {
  const c = await connected(t, { emulator: { schema: X4_SCHEMA } });
  c.emu.control.addFault(c.orgId, { method: 'POST', pathPrefix: '/composite', dropWriteResponses: 1 });
  const out = await c.sf.writeMany([
    { kind: 'create', object: 'Contact', records: [{ LastName: 'Maybe' }] },
    {
      kind: 'upsert',
      object: 'Contact',
      externalIdField: 'Crmsync_Id__c',
      records: [{ Crmsync_Id__c: 'd1', LastName: 'D' }],
    },
  ]);
  assert.equal(out.writes[0]?.[0]?.outcome, 'unknown');
  const upsert = out.writes[1]?.[0];
  assert.ok(upsert?.outcome === 'failed' && upsert.classification.retryable && upsert.requestLevel);
  assert.equal(
    (await c.sf.query("SELECT Id FROM Contact WHERE LastName = 'Maybe'")).length,
    1,
    'it had landed before the answer was lost',
  );
});

test('writeMany: a hook that stops the first call throws and sends nothing; one that stops a later call keeps what was sent', async (t) => {
  let allowed = 0;
  const c = await connected(t, {
    emulator: { schema: X4_SCHEMA },
    adapter: {
      onRequest: (e) => {
        if (e.url.includes('/composite') && allowed-- <= 0)
          throw new CrmsyncError('API_BUDGET_EXHAUSTED', {}, { message: 'budget spent' });
      },
    },
  });
  const records = Array.from({ length: 1_200 }, (_, i) => ({ Crmsync_Id__c: `h${i}`, LastName: `H ${i}` }));
  const write = { kind: 'upsert' as const, object: 'Contact', externalIdField: 'Crmsync_Id__c', records };
  await assert.rejects(c.sf.writeMany([write]), /budget spent/);
  assert.equal((await c.sf.query("SELECT Id FROM Contact WHERE LastName LIKE 'H %'")).length, 0);

  allowed = 1;
  const out = await c.sf.writeMany([write]);
  assert.match(String(out.stopped), /budget spent/);
  assert.equal(out.writes[0], null, 'the write is incomplete: its last collection was not sent');
  assert.equal((await c.sf.query("SELECT Id FROM Contact WHERE LastName LIKE 'H %'")).length, 1_000);
});

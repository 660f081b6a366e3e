import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connected, X4_SCHEMA } from './helpers.js';

const countOf = async (sf: { query(soql: string): Promise<Record<string, unknown>[]> }, soql: string) =>
  (await sf.query(soql)).length;

test('creating 450 Contacts takes 3 collection calls and returns one result per record, in order', async (t) => {
  const c = await connected(t);
  const records = Array.from({ length: 450 }, (_, i) => ({
    LastName: `Bulkman ${i}`,
    Email: `p${i}@example.com`,
  }));
  const results = await c.sf.create('Contact', records);

  assert.equal(results.length, 450);
  assert.ok(results.every((r) => r.outcome === 'ok' && r.created));
  const ids = results.map((r) => (r.outcome === 'ok' ? r.id : ''));
  assert.equal(new Set(ids).size, 450);
  assert.equal(
    c.requests.filter((r) => r.method === 'POST' && r.url.endsWith('/composite/sobjects')).length,
    3,
  );
  assert.equal(c.emu.control.requests(c.orgId).byEndpoint['POST /composite/sobjects'], 3);
  // The result at index i is the record sent at index i.
  const rows = await c.sf.query(`SELECT Id, LastName FROM Contact WHERE Id = '${ids[321]}'`);
  assert.equal(rows[0]?.LastName, 'Bulkman 321');
});

test('a bad record among good ones gets its own Salesforce error and the rest land', async (t) => {
  const c = await connected(t);
  const results = await c.sf.create('Contact', [
    { LastName: 'Good One', Email: 'good1@example.com' },
    { FirstName: 'No Last Name' },
    { LastName: 'L'.repeat(81) },
    { LastName: 'Bad Email', Email: 'not-an-email' },
    { LastName: 'Good Two' },
  ]);
  assert.deepEqual(
    results.map((r) => r.outcome),
    ['ok', 'failed', 'failed', 'failed', 'ok'],
  );
  const failed = results.flatMap((r) => (r.outcome === 'failed' ? [r] : []));
  assert.deepEqual(
    failed.map((f) => [
      f.errors[0]?.statusCode,
      f.classification.code,
      f.classification.retryable,
      f.requestLevel,
    ]),
    [
      ['REQUIRED_FIELD_MISSING', 'SALESFORCE_REQUIRED_FIELD', false, false],
      ['STRING_TOO_LONG', 'SALESFORCE_VALUE_TOO_LONG', false, false],
      ['INVALID_EMAIL_ADDRESS', 'SALESFORCE_VALIDATION', false, false],
    ],
  );
  assert.deepEqual(failed[0]?.errors[0]?.fields, ['LastName']);
  assert.match(failed[0]?.classification.sfMessage ?? '', /Required fields are missing/);
  assert.equal(await countOf(c.sf, "SELECT Id FROM Contact WHERE LastName IN ('Good One', 'Good Two')"), 2);
  assert.equal(await countOf(c.sf, 'SELECT Id FROM Contact'), 2);
});

test('X4: upserting the same Crmsync_Id__c twice leaves one record, written once by create and once by update', async (t) => {
  const c = await connected(t, { emulator: { schema: X4_SCHEMA } });
  assert.equal(await c.sf.hasExternalIdField('Contact'), true);
  const first = await c.sf.upsert('Contact', 'Crmsync_Id__c', [
    { Crmsync_Id__c: 'person-1', LastName: 'Lovelace' },
  ]);
  const second = await c.sf.upsert('Contact', 'Crmsync_Id__c', [
    { Crmsync_Id__c: 'person-1', LastName: 'Lovelace', FirstName: 'Ada' },
  ]);
  assert.equal(first[0]?.outcome === 'ok' && first[0].created, true);
  assert.equal(second[0]?.outcome === 'ok' && !second[0].created, true);
  const id = first[0]?.outcome === 'ok' ? first[0].id : '';
  assert.equal(second[0]?.outcome === 'ok' ? second[0].id : '', id);

  const writes = c.emu.control.writes(c.orgId, [id]).records[id];
  assert.equal(writes?.create, 1);
  assert.equal(writes?.update, 1);
  const rows = await c.sf.query("SELECT Id, FirstName FROM Contact WHERE Crmsync_Id__c = 'person-1'");
  assert.deepEqual(rows, [{ Id: id, FirstName: 'Ada' }]);
});

test('X4: an org without Crmsync_Id__c reports it missing, and an upsert record without the key fails alone', async (t) => {
  const c = await connected(t);
  assert.equal(await c.sf.hasExternalIdField('Contact'), false);
  const c2 = await connected(t, { emulator: { schema: X4_SCHEMA } });
  const results = await c2.sf.upsert('Contact', 'Crmsync_Id__c', [
    { LastName: 'No Key' },
    { Crmsync_Id__c: 'k2', LastName: 'Keyed' },
  ]);
  assert.equal(results[0]?.outcome, 'failed');
  assert.equal(results[1]?.outcome, 'ok');
});

test('a dropped connection after Salesforce committed a create batch gives "unknown outcome" for every record', async (t) => {
  const c = await connected(t);
  c.emu.control.addFault(c.orgId, {
    method: 'POST',
    pathPrefix: '/composite/sobjects',
    dropWriteResponses: 1,
  });
  const results = await c.sf.create('Contact', [
    { LastName: 'Maybe 1' },
    { LastName: 'Maybe 2' },
    { LastName: 'Maybe 3' },
  ]);
  assert.deepEqual(
    results.map((r) => r.outcome),
    ['unknown', 'unknown', 'unknown'],
  );
  for (const r of results) {
    assert.ok(r.outcome === 'unknown');
    assert.equal(r.classification.code, 'SALESFORCE_UNKNOWN_OUTCOME');
    assert.equal(r.classification.needsReconcile, true);
  }
  // It really did land: this is why the engine must reconcile before sending again.
  assert.equal(await countOf(c.sf, "SELECT Id FROM Contact WHERE LastName LIKE 'Maybe%'"), 3);
});

test('a dropped connection on an update batch is a retryable request-level failure, not an unknown outcome', async (t) => {
  const c = await connected(t);
  const created = await c.sf.create('Contact', [{ LastName: 'Before' }]);
  const id = created[0]?.outcome === 'ok' ? created[0].id : '';
  c.emu.control.addFault(c.orgId, {
    method: 'PATCH',
    pathPrefix: '/composite/sobjects',
    dropWriteResponses: 1,
  });
  const [result] = await c.sf.update('Contact', [{ Id: id, LastName: 'After' }]);
  assert.ok(result?.outcome === 'failed');
  assert.equal(result.requestLevel, true);
  assert.equal(result.classification.retryable, true);
});

test('row locks come back per record as retryable SALESFORCE_LOCK failures', async (t) => {
  const c = await connected(t);
  c.emu.control.addFault(c.orgId, {
    method: 'POST',
    pathPrefix: '/composite/sobjects',
    failureRate: 1,
    failureKind: 'lock',
  });
  const results = await c.sf.create('Contact', [{ LastName: 'Locked 1' }, { LastName: 'Locked 2' }]);
  for (const r of results) {
    assert.ok(r.outcome === 'failed');
    assert.equal(r.errors[0]?.statusCode, 'UNABLE_TO_LOCK_ROW');
    assert.equal(r.classification.code, 'SALESFORCE_LOCK');
    assert.equal(r.classification.retryable, true);
  }
});

test('updates and deletes go by Id, one result each; deleting twice fails the second time per record', async (t) => {
  const c = await connected(t);
  const created = await c.sf.create('Contact', [{ LastName: 'U1' }, { LastName: 'U2' }]);
  const ids = created.map((r) => (r.outcome === 'ok' ? r.id : ''));
  const updated = await c.sf.update('Contact', [
    { Id: ids[0]!, LastName: 'U1 changed' },
    { LastName: 'no id' },
    { Id: ids[1]!, LastName: 'U2 changed' },
  ]);
  assert.deepEqual(
    updated.map((r) => r.outcome),
    ['ok', 'failed', 'ok'],
  );
  assert.equal(await countOf(c.sf, "SELECT Id FROM Contact WHERE LastName LIKE '%changed'"), 2);
  const deleted = await c.sf.delete('Contact', ids);
  assert.ok(deleted.every((r) => r.outcome === 'ok'));
  const again = await c.sf.delete('Contact', [ids[0]!]);
  assert.ok(again[0]?.outcome === 'failed');
  assert.equal(again[0].classification.retryable, false);
});

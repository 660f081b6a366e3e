import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BulkJob } from '@crmsync/core';
import { createManualScheduler } from '@crmsync/sf-emulator';
import { connected, X4_SCHEMA } from './helpers.js';

const UPLOAD = 'PUT /jobs/ingest/{jobId}/batches';
const wait = { intervalMs: 1_000, timeoutMs: 60_000 };
const endpoint = (c: Awaited<ReturnType<typeof connected>>, key: string) =>
  c.emu.control.requests(c.orgId).byEndpoint[key] ?? 0;

test('Bulk ingest step by step: the job id is known (and persisted) before any row is uploaded', async (t) => {
  const c = await connected(t);
  const persisted: string[] = [];
  const rows = [
    { LastName: 'Bulk, "One"', Email: 'one@example.com' },
    { LastName: 'Bulk Two', Email: null },
    { FirstName: 'No Last Name' },
  ];
  const { job, results } = await c.sf.bulk.runIngest({
    jobId: null,
    object: 'Contact',
    operation: 'insert',
    rows,
    wait,
    onJobCreated: async (created: BulkJob) => {
      assert.equal(created.state, 'Open');
      assert.equal(endpoint(c, UPLOAD), 0, 'nothing uploaded yet');
      persisted.push(created.id);
    },
  });
  assert.deepEqual(persisted, [job.id]);
  assert.equal(endpoint(c, UPLOAD), 1);
  assert.equal(job.state, 'JobComplete');
  assert.equal(job.recordsProcessed, 3);
  assert.equal(job.recordsFailed, 1);
  assert.deepEqual(results.successful.map((s) => s.row.LastName).sort(), ['Bulk Two', 'Bulk, "One"']);
  assert.ok(results.successful.every((s) => s.created && s.id.startsWith('003')));
  assert.equal(results.failed.length, 1);
  assert.equal(results.failed[0]?.error.statusCode, 'REQUIRED_FIELD_MISSING');
  assert.deepEqual(results.failed[0]?.error.fields, ['LastName']);
  assert.equal(results.failed[0]?.classification.code, 'SALESFORCE_REQUIRED_FIELD');
  assert.deepEqual(results.unprocessed, []);
  const stored = await c.sf.query("SELECT LastName, Email FROM Contact WHERE LastName = 'Bulk Two'");
  assert.deepEqual(stored, [{ LastName: 'Bulk Two', Email: null }]);
});

test('Bulk resume: a known job id that was uploaded is polled and read, never uploaded again', async (t) => {
  const scheduler = createManualScheduler();
  const c = await connected(t, { emulator: { bulkScheduler: scheduler } });
  const rows = Array.from({ length: 25 }, (_, i) => ({ LastName: `Resume ${i}` }));
  // First run: job created and persisted, rows uploaded and closed, then the process dies.
  const job = await c.sf.bulk.createIngestJob('Contact', 'insert');
  await c.sf.bulk.uploadAndClose(job.id, rows);
  assert.equal((await c.sf.bulk.getJob(job.id)).state, 'UploadComplete');

  // Second run, after the restart, with the persisted id.
  let created = 0;
  const polls: string[] = [];
  const { job: done, results } = await c.sf.bulk.runIngest({
    jobId: job.id,
    object: 'Contact',
    operation: 'insert',
    rows,
    wait: {
      ...wait,
      onPoll: (j) => {
        polls.push(j.state);
        scheduler.runAll();
      },
    },
    onJobCreated: async () => {
      created += 1;
    },
  });
  assert.equal(created, 0);
  assert.equal(done.id, job.id);
  assert.equal(done.state, 'JobComplete');
  assert.deepEqual(polls.at(-1), 'JobComplete');
  assert.equal(results.successful.length, 25);
  assert.equal(endpoint(c, UPLOAD), 1);
  assert.equal(endpoint(c, 'POST /jobs/ingest'), 1);
  assert.equal((await c.sf.query("SELECT Id FROM Contact WHERE LastName LIKE 'Resume %'")).length, 25);
  assert.equal(c.emu.control.writes(c.orgId).totals.Contact?.create, 25);
});

test('Bulk resume: a job that is still Open (crash before upload) is aborted and replaced, so rows load once', async (t) => {
  const c = await connected(t);
  const stale = await c.sf.bulk.createIngestJob('Contact', 'insert');
  const fresh: string[] = [];
  const { job } = await c.sf.bulk.runIngest({
    jobId: stale.id,
    object: 'Contact',
    operation: 'insert',
    rows: [{ LastName: 'Once' }],
    wait,
    onJobCreated: async (j) => {
      fresh.push(j.id);
    },
  });
  assert.equal((await c.sf.bulk.getJob(stale.id)).state, 'Aborted');
  assert.deepEqual(fresh, [job.id]);
  assert.notEqual(job.id, stale.id);
  assert.equal((await c.sf.query("SELECT Id FROM Contact WHERE LastName = 'Once'")).length, 1);
});

test('Bulk upsert on Crmsync_Id__c twice leaves one record per key', async (t) => {
  const c = await connected(t, { emulator: { schema: X4_SCHEMA } });
  const rows = [
    { Crmsync_Id__c: 'k-1', LastName: 'First' },
    { Crmsync_Id__c: 'k-2', LastName: 'Second' },
  ];
  const run = (lastSuffix: string) =>
    c.sf.bulk.runIngest({
      jobId: null,
      object: 'Contact',
      operation: 'upsert',
      externalIdField: 'Crmsync_Id__c',
      rows: rows.map((r) => ({ ...r, LastName: r.LastName + lastSuffix })),
      wait,
      onJobCreated: async () => {},
    });
  const first = await run('');
  const second = await run(' again');
  assert.deepEqual(
    first.results.successful.map((s) => s.created),
    [true, true],
  );
  assert.deepEqual(
    second.results.successful.map((s) => s.created),
    [false, false],
  );
  const stored = await c.sf.query('SELECT Crmsync_Id__c, LastName FROM Contact ORDER BY Crmsync_Id__c');
  assert.deepEqual(stored, [
    { Crmsync_Id__c: 'k-1', LastName: 'First again' },
    { Crmsync_Id__c: 'k-2', LastName: 'Second again' },
  ]);
});

test('Bulk query reads every row through the locator pages, and the Account index uses it above the threshold', async (t) => {
  const c = await connected(t);
  await c.sf.create(
    'Account',
    Array.from({ length: 30 }, (_, i) => ({
      Name: `Acct ${i}`,
      Website: i % 2 === 0 ? `https://www.acct${i}.example` : null,
    })),
  );
  const viaRest = await c.sf.loadAccounts();
  const viaBulk = await c.sf.loadAccounts({ bulkThreshold: 10, bulk: wait });
  assert.equal(viaRest.rows.length, 30);
  assert.deepEqual(
    viaBulk.rows.map((r) => [r.Id, r.Name, r.Website]).sort(),
    viaRest.rows.map((r) => [r.Id, r.Name, r.Website]).sort(),
  );
  assert.deepEqual(viaBulk.cursor, viaRest.cursor);
  assert.equal(endpoint(c, 'POST /jobs/query'), 1);

  c.emu.control.resetRequests(c.orgId);
  const paged = await c.sf.bulk.query('SELECT Id, Name FROM Account', { ...wait, pageSize: 7 });
  assert.deepEqual(paged.map((r) => r.Id).sort(), viaRest.rows.map((r) => r.Id).sort());
  assert.equal(endpoint(c, 'GET /jobs/query/{jobId}/results'), 5, '30 rows in pages of 7');
});

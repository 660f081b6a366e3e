// The ingest job state machine, observed step by step: a manual scheduler holds each job where the
// test wants it, so "in flight" is a state the test can see without sleeping or racing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createManualScheduler } from '../src/bulk/index.js';
import { load, startBulkEmulator } from './bulk-helpers.js';

type Row = Record<string, string>;
const rows = (results: unknown): Row[] => results as Row[];

function accounts(count: number): string {
  let csv = 'Name,NumberOfEmployees\n';
  for (let i = 0; i < count; i += 1) csv += `Step ${i},${i}\n`;
  return csv;
}

test('a job moves Open -> UploadComplete -> InProgress (counting up in 10,000-record steps) -> JobComplete', async (t) => {
  const scheduler = createManualScheduler();
  const { conn } = await startBulkEmulator(t, { bulkScheduler: scheduler });
  const job = conn.bulk2.createJob({ object: 'Account', operation: 'insert' });
  assert.equal((await job.open()).state, 'Open');
  await job.uploadData(accounts(10_500));
  assert.equal((await job.check()).state, 'Open', 'an upload alone does not start processing');
  await job.close();
  assert.equal((await job.check()).state, 'UploadComplete');

  assert.equal(scheduler.runNext(), true);
  const started = await job.check();
  assert.deepEqual([started.state, started.numberRecordsProcessed], ['InProgress', 0]);
  assert.equal(scheduler.runNext(), true);
  const midway = await job.check();
  assert.deepEqual([midway.state, midway.numberRecordsProcessed], ['InProgress', 10_000]);
  assert.equal(
    (await conn.query('SELECT COUNT() FROM Account')).totalSize,
    10_000,
    'records of finished steps are committed',
  );
  assert.equal(scheduler.runNext(), true);
  const done = await job.check();
  assert.deepEqual(
    [done.state, done.numberRecordsProcessed, done.numberRecordsFailed],
    ['JobComplete', 10_500, 0],
  );
  assert.equal(scheduler.pending, 0);
  assert.equal(rows((await job.getAllResults()).successfulResults).length, 10_500);
});

/**
 * jsforce reads a results answer as CSV whatever its content type, so an error there surfaces as
 * ERROR_HTTP_<status> carrying Salesforce's JSON body as its message.
 */
const refusedResults = { errorCode: 'ERROR_HTTP_409', message: /"errorCode":"INVALIDJOBSTATE"/ };

test('results asked for before the job completes are refused with 409 INVALIDJOBSTATE', async (t) => {
  const scheduler = createManualScheduler();
  const { conn } = await startBulkEmulator(t, { bulkScheduler: scheduler });
  const job = conn.bulk2.createJob({ object: 'Account', operation: 'insert' });
  await job.open();
  await job.uploadData(accounts(3));
  await assert.rejects(job.getSuccessfulResults(), refusedResults);
  await job.close();
  scheduler.runNext();
  assert.equal((await job.check()).state, 'InProgress');
  const early = conn.bulk2.job('ingest', { id: job.id });
  await assert.rejects(early.getFailedResults(), refusedResults);
  await assert.rejects(early.getUnprocessedRecords(), refusedResults);
  scheduler.runAll();
  assert.equal(rows(await conn.bulk2.job('ingest', { id: job.id }).getSuccessfulResults()).length, 3);
});

test("a second upload, a second close and an unknown job id get Salesforce's errors", async (t) => {
  const scheduler = createManualScheduler();
  const { conn } = await startBulkEmulator(t, { bulkScheduler: scheduler });
  const job = conn.bulk2.createJob({ object: 'Account', operation: 'insert' });
  await job.open();
  await job.uploadData(accounts(2));
  await assert.rejects(conn.bulk2.job('ingest', { id: job.id }).uploadData(accounts(2)), {
    errorCode: 'BULK_API_ERROR',
    message: new RegExp(`^Found multiple contents for job: <${job.id}>`),
  });
  await job.close();
  await assert.rejects(job.close(), { errorCode: 'INVALIDJOBSTATE' });
  await assert.rejects(conn.bulk2.job('ingest', { id: job.id }).uploadData(accounts(1)), {
    errorCode: 'INVALIDJOBSTATE',
  });
  await assert.rejects(conn.bulk2.job('ingest', { id: '7506g0000000000AAA' }).check(), {
    errorCode: 'NOT_FOUND',
    message: 'The requested resource does not exist',
  });
  scheduler.runAll();
  assert.equal((await job.check()).numberRecordsProcessed, 2, 'the rejected second upload added nothing');
});

test("an aborted job writes nothing, lists every record as unprocessed and makes jsforce's poll fail", async (t) => {
  const scheduler = createManualScheduler();
  const { conn } = await startBulkEmulator(t, { bulkScheduler: scheduler });
  const job = conn.bulk2.createJob({ object: 'Account', operation: 'insert' });
  await job.open();
  await job.uploadData('Name\nNever One\n"Never, Two"\n');
  await job.close();
  await job.abort();
  assert.equal(scheduler.runAll(), 1, 'the step queued by close runs and does nothing');
  const info = await job.check();
  assert.deepEqual([info.state, info.numberRecordsProcessed], ['Aborted', 0]);
  await assert.rejects(job.poll(load.pollInterval, load.pollTimeout), { message: 'Job has been aborted' });
  assert.deepEqual(rows(await job.getUnprocessedRecords()), [{ Name: 'Never One' }, { Name: 'Never, Two' }]);
  assert.equal(rows(await job.getSuccessfulResults()).length, 0);
  assert.equal((await conn.query('SELECT Id FROM Account')).totalSize, 0);
  await assert.rejects(
    job.abort(),
    { errorCode: 'INVALIDJOBSTATE' },
    'an aborted job cannot be aborted again',
  );
});

test('a job aborted mid-way keeps the records of finished steps and lists the rest as unprocessed', async (t) => {
  const scheduler = createManualScheduler();
  const { conn } = await startBulkEmulator(t, { bulkScheduler: scheduler });
  const job = conn.bulk2.createJob({ object: 'Account', operation: 'insert' });
  await job.open();
  await job.uploadData(accounts(10_003));
  await job.close();
  scheduler.runNext();
  scheduler.runNext();
  await job.abort();
  scheduler.runAll();
  const info = await job.check();
  assert.deepEqual([info.state, info.numberRecordsProcessed], ['Aborted', 10_000]);
  const { successfulResults, unprocessedRecords } = await job.getAllResults();
  assert.equal(rows(successfulResults).length, 10_000);
  assert.deepEqual(
    rows(unprocessedRecords).map((r) => r['Name']),
    ['Step 10000', 'Step 10001', 'Step 10002'],
  );
  assert.equal((await conn.query('SELECT COUNT() FROM Account')).totalSize, 10_000);
});

test("GET /jobs/ingest lists the org's jobs and DELETE removes a finished job (204, then 404)", async (t) => {
  const { conn } = await startBulkEmulator(t);
  const job = conn.bulk2.createJob({ object: 'Account', operation: 'insert' });
  await job.open();
  await job.uploadData(accounts(1));
  await job.close();
  await job.poll(load.pollInterval, load.pollTimeout);
  const open = conn.bulk2.createJob({ object: 'Account', operation: 'insert' });
  await open.open();
  const list = await conn.request<{
    done: boolean;
    records: Array<{ id: string; state: string; jobType: string }>;
  }>('/jobs/ingest');
  assert.equal(list.done, true);
  assert.deepEqual(
    list.records.map((r) => [r.id, r.state, r.jobType]),
    [
      [job.id, 'JobComplete', 'V2Ingest'],
      [open.id, 'Open', 'V2Ingest'],
    ],
  );
  await assert.rejects(open.delete(), { errorCode: 'INVALIDJOBSTATE' }, 'an Open job is not deletable');
  await job.delete();
  await assert.rejects(job.check(), { errorCode: 'NOT_FOUND' });
});

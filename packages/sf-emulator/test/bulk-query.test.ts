// Bulk API 2.0 query jobs driven by jsforce 3 (and raw HTTP where jsforce hides the headers),
// checked against what REST SOQL returns for the same data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Connection } from 'jsforce';
import { createManualScheduler } from '../src/bulk/index.js';
import { API_VERSION, load, rawGet, startBulkEmulator } from './bulk-helpers.js';

type Row = Record<string, string>;

async function collect(stream: AsyncIterable<unknown>): Promise<Row[]> {
  const out: Row[] = [];
  for await (const record of stream) out.push(record as Row);
  return out;
}

async function createQueryJob(
  conn: Connection,
  query: string,
  operation = 'query',
): Promise<Record<string, unknown>> {
  return conn.request<Record<string, unknown>>({
    method: 'POST',
    url: '/jobs/query',
    body: JSON.stringify({ operation, query }),
    headers: { 'Content-Type': 'application/json' },
  });
}

async function seedContacts(conn: Connection): Promise<void> {
  const account = await conn.sobject('Account').create({ Name: 'Parent, "Quoted" Co' });
  assert.ok(account.success);
  const made = await conn
    .sobject('Contact')
    .create([
      { LastName: 'Ames', Email: 'ames@example.com', HasOptedOutOfEmail: true, AccountId: account.id },
      { LastName: 'Baker', HasOptedOutOfEmail: false },
      { LastName: 'Cole', Description: 'two\nlines', AccountId: account.id },
      { LastName: 'Dunn' },
      { LastName: 'Eden' },
    ]);
  assert.ok(made.every((r) => r.success));
}

test('bulk2.query returns CSV records: parent columns as Account.Name, null empty, booleans and datetimes as Salesforce writes them', async (t) => {
  const { conn } = await startBulkEmulator(t);
  await seedContacts(conn);
  const soql =
    'SELECT Id, LastName, Email, HasOptedOutOfEmail, Description, CreatedDate, Account.Name FROM Contact ORDER BY LastName';
  const records = await collect(await conn.bulk2.query(soql, load));
  const rest = await conn.query<{ Id: string; CreatedDate: string }>(soql);
  assert.deepEqual(Object.keys(records[0] ?? {}), [
    'Id',
    'LastName',
    'Email',
    'HasOptedOutOfEmail',
    'Description',
    'CreatedDate',
    'Account.Name',
  ]);
  assert.deepEqual(
    records.map((r) => [
      r['LastName'],
      r['Email'],
      r['HasOptedOutOfEmail'],
      r['Description'],
      r['Account.Name'],
    ]),
    [
      ['Ames', 'ames@example.com', 'true', '', 'Parent, "Quoted" Co'],
      ['Baker', '', 'false', '', ''],
      ['Cole', '', 'false', 'two\nlines', 'Parent, "Quoted" Co'],
      ['Dunn', '', 'false', '', ''],
      ['Eden', '', 'false', '', ''],
    ],
  );
  assert.deepEqual(
    records.map((r) => [r['Id'], r['CreatedDate']]),
    rest.records.map((r) => [r.Id, r.CreatedDate]),
  );
  assert.match(records[0]?.['CreatedDate'] ?? '', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/);
});

test('results page by maxRecords with base64 locators, a header on every page and Sforce-Locator null on the last', async (t) => {
  const { conn } = await startBulkEmulator(t);
  await seedContacts(conn);
  const job = await createQueryJob(conn, 'SELECT Id, LastName FROM Contact ORDER BY LastName');
  const id = String(job['id']);
  await conn.bulk2.job('query', { id }).poll(load.pollInterval, load.pollTimeout);
  const pages: Array<{ count: string | null; locator: string | null; body: string }> = [];
  let locator = '';
  do {
    const response = await rawGet(
      conn,
      `/jobs/query/${id}/results?maxRecords=2${locator === '' ? '' : `&locator=${locator}`}`,
    );
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/csv');
    const page = {
      count: response.headers.get('sforce-numberofrecords'),
      locator: response.headers.get('sforce-locator'),
      body: await response.text(),
    };
    pages.push(page);
    locator = page.locator ?? 'null';
  } while (locator !== 'null' && pages.length < 10);
  assert.deepEqual(
    pages.map((p) => [p.count, p.locator]),
    [
      ['2', Buffer.from('2').toString('base64').replace(/=+$/, '')],
      ['2', Buffer.from('4').toString('base64').replace(/=+$/, '')],
      ['1', 'null'],
    ],
  );
  const rest = await conn.query<{ Id: string; LastName: string }>(
    'SELECT Id, LastName FROM Contact ORDER BY LastName',
  );
  const lines = pages.flatMap((p) => {
    const [header, ...body] = p.body.trimEnd().split('\n');
    assert.equal(header, '"Id","LastName"');
    return body;
  });
  assert.deepEqual(
    lines,
    rest.records.map((r) => `"${r.Id}","${r.LastName}"`),
  );
  const bad = await rawGet(conn, `/jobs/query/${id}/results?locator=bm9wZQ`);
  assert.equal(bad.status, 400);
});

test('a query job is UploadComplete, then InProgress, then JobComplete, and results before that are 412 JOB_NOT_COMPLETE', async (t) => {
  const scheduler = createManualScheduler();
  const { conn } = await startBulkEmulator(t, { bulkScheduler: scheduler });
  await seedContacts(conn);
  const created = await createQueryJob(conn, 'SELECT Id FROM Contact');
  assert.deepEqual(
    [created['state'], created['jobType'], created['operation'], created['object'], created['apiVersion']],
    ['UploadComplete', 'V2Query', 'query', 'Contact', 62],
  );
  const id = String(created['id']);
  const job = conn.bulk2.job('query', { id });
  const early = await rawGet(conn, `/jobs/query/${id}/results`);
  assert.equal(early.status, 412);
  assert.deepEqual(await early.json(), [
    {
      errorCode: 'JOB_NOT_COMPLETE',
      message:
        'can only download query results of successfully completed bulk job with status: JOB_COMPLETE. Current status: UPLOAD_COMPLETE',
    },
  ]);
  scheduler.runNext();
  assert.equal((await job.check()).state, 'InProgress');
  const inFlight = await rawGet(conn, `/jobs/query/${id}/results`);
  assert.equal(inFlight.status, 412);
  assert.match(await inFlight.text(), /Current status: IN_PROGRESS/);
  scheduler.runAll();
  const done = await job.check();
  assert.deepEqual([done.state, done.numberRecordsProcessed], ['JobComplete', 5]);
  const final = await rawGet(conn, `/jobs/query/${id}/results`);
  assert.equal(final.headers.get('sforce-locator'), 'null');
  assert.equal(final.headers.get('sforce-numberofrecords'), '5');
});

test("an aborted query job makes jsforce's poll fail and never yields results", async (t) => {
  const scheduler = createManualScheduler();
  const { conn } = await startBulkEmulator(t, { bulkScheduler: scheduler });
  const id = String((await createQueryJob(conn, 'SELECT Id FROM Account'))['id']);
  const job = conn.bulk2.job('query', { id });
  assert.equal((await job.abort()).state, 'Aborted');
  scheduler.runAll();
  assert.equal((await job.check()).state, 'Aborted');
  await assert.rejects(job.poll(load.pollInterval, load.pollTimeout), { message: 'Job has been aborted' });
  const results = await rawGet(conn, `/jobs/query/${id}/results`);
  assert.equal(results.status, 412);
  assert.match(await results.text(), /Current status: ABORTED/);
  await assert.rejects(job.abort(), { errorCode: 'INVALIDJOBSTATE' });
  await job.delete();
  await assert.rejects(job.check(), { errorCode: 'NOT_FOUND' });
});

test('queryAll includes deleted records and query does not', async (t) => {
  const { conn } = await startBulkEmulator(t);
  const made = await conn.sobject('Account').create([{ Name: 'Kept' }, { Name: 'Binned' }]);
  const binned = made[1];
  assert.ok(binned?.success);
  await conn.sobject('Account').destroy(binned.id);
  const soql = 'SELECT Name, IsDeleted FROM Account ORDER BY Name';
  const live = await collect(await conn.bulk2.query(soql, load));
  const all = await collect(await conn.bulk2.query(soql, { ...load, scanAll: true }));
  assert.deepEqual(live, [{ Name: 'Kept', IsDeleted: 'false' }]);
  assert.deepEqual(all, [
    { Name: 'Binned', IsDeleted: 'true' },
    { Name: 'Kept', IsDeleted: 'false' },
  ]);
});

test("bad SOQL is refused when the job is created, with the SOQL engine's error code", async (t) => {
  const { conn } = await startBulkEmulator(t);
  await assert.rejects(createQueryJob(conn, 'SELECT Bogus__c FROM Account'), { errorCode: 'INVALID_FIELD' });
  await assert.rejects(createQueryJob(conn, 'SELECT Id FROM Account', 'bogus'), { errorCode: 'INVALIDJOB' });
  const list = await conn.request<{ records: unknown[] }>('/jobs/query');
  assert.equal(list.records.length, 0, 'no job was created');
});

test("results read with another API version than the job's are refused with 409", async (t) => {
  const { conn } = await startBulkEmulator(t);
  const id = String((await createQueryJob(conn, 'SELECT Id FROM Account'))['id']);
  await conn.bulk2.job('query', { id }).poll(load.pollInterval, load.pollTimeout);
  const other = await fetch(`${conn.instanceUrl}/services/data/v61.0/jobs/query/${id}/results`, {
    headers: { Authorization: `Bearer ${conn.accessToken ?? ''}` },
  });
  assert.equal(other.status, 409);
  const same = await rawGet(conn, `/jobs/query/${id}/results`);
  assert.equal(same.status, 200, `v${API_VERSION} is the job's version`);
});

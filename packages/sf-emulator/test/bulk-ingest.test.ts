// Bulk API 2.0 ingest driven by jsforce 3 over HTTP, with every write read back through another
// endpoint (REST retrieve or SOQL) so the test sees what the org holds, not what Bulk claims.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { API_VERSION, load, startBulkEmulator } from './bulk-helpers.js';

type Row = Record<string, string>;
/** jsforce types results per schema; these tests read them as the CSV rows they are. */
const rows = (results: unknown): Row[] => results as Row[];

test('insert creates the records SOQL reads back, and successfulResults echo them with sf__Created true', async (t) => {
  const { conn } = await startBulkEmulator(t);
  const results = await conn.bulk2.loadAndWaitForResults({
    object: 'Account',
    operation: 'insert',
    input: [
      { Name: 'Bulk Alpha', NumberOfEmployees: 10, Industry: 'Banking' },
      { Name: 'Bulk Beta', NumberOfEmployees: 20, Industry: 'Retail' },
    ],
    ...load,
  });
  assert.equal(results.failedResults.length, 0);
  assert.equal(results.unprocessedRecords.length, 0);
  const created = rows(results.successfulResults);
  assert.deepEqual(
    created.map((r) => [r['sf__Created'], r['Name'], r['NumberOfEmployees']]),
    [
      ['true', 'Bulk Alpha', '10'],
      ['true', 'Bulk Beta', '20'],
    ],
  );
  for (const row of created) assert.match(row['sf__Id'] ?? '', /^001[A-Za-z0-9]{15}$/);
  const read = await conn.query<{ Id: string; Name: string; NumberOfEmployees: number; Industry: string }>(
    "SELECT Id, Name, NumberOfEmployees, Industry FROM Account WHERE Name LIKE 'Bulk %' ORDER BY Name",
  );
  assert.deepEqual(
    read.records.map((r) => [r.Id, r.Name, r.NumberOfEmployees, r.Industry]),
    created.map((r, i) => [r['sf__Id'], r['Name'], [10, 20][i], ['Banking', 'Retail'][i]]),
  );
});

test('a CRLF upload with quotes, embedded newlines, #N/A and empty cells updates exactly as Salesforce reads it', async (t) => {
  const { conn } = await startBulkEmulator(t);
  const first = await conn
    .sobject('Account')
    .create({ Name: 'Before', Phone: '555-0100', Description: 'keep me', Website: 'https://a.example' });
  const second = await conn
    .sobject('Account')
    .create({ Name: 'Second', Phone: '555-0200', Description: 'old' });
  assert.ok(first.success && second.success);
  const csv =
    'Id,Name,Description,Phone,Website\r\n' +
    `${first.id},"Acme, ""Quoted"" Inc.",,#N/A,\r\n` +
    `${second.id},Second,"Line one\r\nLine two, with comma",,#N/A\r\n`;
  const results = await conn.bulk2.loadAndWaitForResults({
    object: 'Account',
    operation: 'update',
    lineEnding: 'CRLF',
    input: csv,
    ...load,
  });
  assert.equal(results.failedResults.length, 0, JSON.stringify(results.failedResults));
  assert.deepEqual(
    rows(results.successfulResults).map((r) => [r['sf__Id'], r['sf__Created'], r['Name']]),
    [
      [first.id, 'false', 'Acme, "Quoted" Inc.'],
      [second.id, 'false', 'Second'],
    ],
  );
  const fields = ['Name', 'Description', 'Phone', 'Website'];
  const [a, b] = (await conn.sobject('Account').retrieve([first.id, second.id], { fields })) as Array<
    Record<string, unknown>
  >;
  assert.deepEqual(
    fields.map((f) => a?.[f]),
    ['Acme, "Quoted" Inc.', 'keep me', null, 'https://a.example'],
    'empty leaves a field unchanged; #N/A nulls it',
  );
  assert.deepEqual(
    fields.map((f) => b?.[f]),
    ['Second', 'Line one\r\nLine two, with comma', '555-0200', null],
  );
});

test('a file whose line ending differs from the job fails the job with ClientInputError', async (t) => {
  const { conn } = await startBulkEmulator(t);
  await assert.rejects(
    conn.bulk2.loadAndWaitForResults({
      object: 'Account',
      operation: 'insert',
      input: 'Name\r\nX\r\n',
      ...load,
    }),
    {
      message:
        'Ingest job failed to complete due to: ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is LF',
    },
  );
});

test('upsert on an external id updates the match and inserts the rest, with sf__Created false and true', async (t) => {
  const { conn } = await startBulkEmulator(t);
  const existing = await conn.sobject('Contact').create({ LastName: 'Old', Ext_Id__c: 'E-1' });
  assert.ok(existing.success);
  const results = await conn.bulk2.loadAndWaitForResults({
    object: 'Contact',
    operation: 'upsert',
    externalIdFieldName: 'Ext_Id__c',
    columnDelimiter: 'PIPE',
    input: 'Ext_Id__c|LastName|HasOptedOutOfEmail\nE-1|Renamed|true\nE-2|Fresh|false\n',
    ...load,
  });
  assert.equal(results.failedResults.length, 0, JSON.stringify(results.failedResults));
  const byExt = new Map(rows(results.successfulResults).map((r) => [r['Ext_Id__c'], r]));
  assert.equal(byExt.get('E-1')?.['sf__Id'], existing.id);
  assert.equal(byExt.get('E-1')?.['sf__Created'], 'false');
  assert.equal(byExt.get('E-2')?.['sf__Created'], 'true');
  const read = await conn.query<{
    Id: string;
    LastName: string;
    Ext_Id__c: string;
    HasOptedOutOfEmail: boolean;
  }>('SELECT Id, LastName, Ext_Id__c, HasOptedOutOfEmail FROM Contact ORDER BY Ext_Id__c');
  assert.deepEqual(
    read.records.map((r) => [r.Id, r.Ext_Id__c, r.LastName, r.HasOptedOutOfEmail]),
    [
      [existing.id, 'E-1', 'Renamed', true],
      [byExt.get('E-2')?.['sf__Id'], 'E-2', 'Fresh', false],
    ],
  );
});

test('a parent column like Account.Ext_Id__c links the child to the parent with that external id', async (t) => {
  const { conn } = await startBulkEmulator(t);
  const parent = await conn.sobject('Account').create({ Name: 'Parent Co', Ext_Id__c: 'ACC-9' });
  assert.ok(parent.success);
  const results = await conn.bulk2.loadAndWaitForResults({
    object: 'Contact',
    operation: 'insert',
    input: 'LastName,Account.Ext_Id__c\nLinked,ACC-9\nOrphan,ACC-404\n',
    ...load,
  });
  assert.deepEqual(
    rows(results.failedResults).map((r) => [r['LastName'], r['sf__Error']]),
    [
      [
        'Orphan',
        'INVALID_FIELD:Foreign key external ID: ACC-404 not found for field Ext_Id__c in entity Account:--',
      ],
    ],
  );
  const read = await conn.query<{ LastName: string; AccountId: string; Account: { Name: string } }>(
    'SELECT LastName, AccountId, Account.Name FROM Contact',
  );
  assert.deepEqual(
    read.records.map((r) => [r.LastName, r.AccountId, r.Account.Name]),
    [['Linked', parent.id, 'Parent Co']],
  );
});

test('delete removes the records from SOQL and leaves them in queryAll as deleted', async (t) => {
  const { conn } = await startBulkEmulator(t);
  const made = await conn
    .sobject('Account')
    .create([{ Name: 'Doomed 1' }, { Name: 'Doomed 2' }, { Name: 'Survivor' }]);
  const [one, two] = made.map((r) => (r.success ? r.id : assert.fail('setup create failed')));
  assert.ok(one !== undefined && two !== undefined);
  const results = await conn.bulk2.loadAndWaitForResults({
    object: 'Account',
    operation: 'delete',
    input: [{ Id: one }, { Id: two }],
    ...load,
  });
  assert.deepEqual(
    rows(results.successfulResults)
      .map((r) => r['sf__Id'])
      .sort(),
    [one, two].sort(),
  );
  const live = await conn.query<{ Name: string }>('SELECT Name FROM Account');
  assert.deepEqual(
    live.records.map((r) => r.Name),
    ['Survivor'],
  );
  const all = await conn.query<{ Id: string; IsDeleted: boolean }>(
    "SELECT Id, IsDeleted FROM Account WHERE Name LIKE 'Doomed%'",
    { scanAll: true },
  );
  assert.deepEqual(
    all.records.map((r) => r.IsDeleted),
    [true, true],
  );
});

test('one failing record among good ones gets the exact sf__Error and does not fail the job', async (t) => {
  const { conn } = await startBulkEmulator(t);
  const job = conn.bulk2.createJob({ object: 'Account', operation: 'insert' });
  await job.open();
  await job.uploadData('Name,NumberOfEmployees\nGood One,1\n,2\nGood Two,3\nBad Count,lots\n');
  await job.close();
  await job.poll(load.pollInterval, load.pollTimeout);
  const info = await job.check();
  assert.equal(info.state, 'JobComplete');
  assert.equal(info.numberRecordsProcessed, 4);
  assert.equal(info.numberRecordsFailed, 2);
  const { successfulResults, failedResults } = await job.getAllResults();
  assert.deepEqual(
    rows(successfulResults).map((r) => r['Name']),
    ['Good One', 'Good Two'],
  );
  assert.deepEqual(rows(failedResults), [
    {
      sf__Id: '',
      sf__Error: 'REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --',
      Name: '',
      NumberOfEmployees: '2',
    },
    {
      sf__Id: '',
      sf__Error:
        "INVALID_FIELD:Failed to deserialize field at col 2. Due to, 'lots' is not a valid value for the type xsd:int:NumberOfEmployees --",
      Name: 'Bad Count',
      NumberOfEmployees: 'lots',
    },
  ]);
  const count = await conn.query('SELECT Id FROM Account');
  assert.equal(count.totalSize, 2);
});

test('a header naming an unknown field fails the job with errorMessage, and jsforce reports it', async (t) => {
  const { conn } = await startBulkEmulator(t);
  await assert.rejects(
    conn.bulk2.loadAndWaitForResults({
      object: 'Account',
      operation: 'insert',
      input: 'Name,Bogus__c\nX,1\n',
      ...load,
    }),
    { message: 'Ingest job failed to complete due to: InvalidBatch : Field name not found : Bogus__c' },
  );
  assert.equal((await conn.query('SELECT Id FROM Account')).totalSize, 0);
});

test('job info on create matches Salesforce: Open, numeric apiVersion, contentUrl without a leading slash', async (t) => {
  const { conn } = await startBulkEmulator(t);
  const job = conn.bulk2.createJob({
    object: 'contact',
    operation: 'upsert',
    externalIdFieldName: 'ext_id__c',
    lineEnding: 'CRLF',
  });
  const info = (await job.open()) as unknown as Record<string, unknown>;
  assert.match(String(info['id']), /^750[A-Za-z0-9]{15}$/);
  assert.deepEqual(
    {
      ...info,
      id: 'ID',
      createdById: typeof info['createdById'],
      createdDate: typeof info['createdDate'],
      systemModstamp: 'S',
    },
    {
      id: 'ID',
      operation: 'upsert',
      object: 'Contact',
      createdById: 'string',
      createdDate: 'string',
      systemModstamp: 'S',
      state: 'Open',
      externalIdFieldName: 'Ext_Id__c',
      concurrencyMode: 'Parallel',
      contentType: 'CSV',
      apiVersion: 62,
      jobType: 'V2Ingest',
      contentUrl: `services/data/v${API_VERSION}/jobs/ingest/${String(info['id'])}/batches`,
      lineEnding: 'CRLF',
      columnDelimiter: 'COMMA',
    },
  );
  assert.match(String(info['createdDate']), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/);
});

test('creating a job for an unknown object or an upsert without an external-id field is refused', async (t) => {
  const { conn } = await startBulkEmulator(t);
  await assert.rejects(conn.bulk2.createJob({ object: 'Nope__c', operation: 'insert' }).open(), {
    errorCode: 'INVALIDJOB',
  });
  await assert.rejects(conn.bulk2.createJob({ object: 'Contact', operation: 'upsert' }).open(), {
    errorCode: 'INVALIDJOB',
  });
  await assert.rejects(
    conn.bulk2.createJob({ object: 'Contact', operation: 'upsert', externalIdFieldName: 'LastName' }).open(),
    { errorCode: 'INVALIDJOB' },
  );
});

// Conformance of the REST query endpoints, driven over real HTTP by jsforce (the real client):
// pages and locators, autoFetch past 10,000 rows, queryAll after a delete, find(), errors.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { startHttpOrg, type HttpOrg } from './soql-helpers.js';

interface QueryPage {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: Array<Record<string, unknown>>;
}

async function withContacts(
  t: TestContext,
  count: number,
  options: { version?: string } = {},
): Promise<HttpOrg & { ids: string[] }> {
  const org = await startHttpOrg(t, options);
  const ids: string[] = [];
  for (let i = 0; i < count; i++)
    ids.push(
      org.create('Contact', { LastName: `Person ${String(i).padStart(5, '0')}`, Email: `p${i}@example.com` }),
    );
  return { ...org, ids };
}

async function rejection(
  promise: PromiseLike<unknown>,
): Promise<{ errorCode?: string; name?: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { errorCode?: string; message: string };
  }
  assert.fail('expected the request to fail');
}

test('query pages by 2,000 with a 01g locator; queryMore follows it to a done last page', async (t) => {
  const { conn, ids } = await withContacts(t, 4500);
  // conn.request hands back the body as sent; conn.query rewrites nextRecordsUrl to a full URL.
  const first = (await conn.request(
    `/query?q=${encodeURIComponent('SELECT Id, LastName FROM Contact')}`,
  )) as QueryPage;
  assert.equal(first.totalSize, 4500);
  assert.equal(first.done, false);
  assert.equal(first.records.length, 2000);
  assert.match(first.nextRecordsUrl ?? '', /^\/services\/data\/v62\.0\/query\/01g[A-Za-z0-9]{15}-2000$/);
  const second = (await conn.queryMore(first.nextRecordsUrl ?? '')) as unknown as QueryPage;
  assert.equal(second.records.length, 2000);
  assert.match(second.nextRecordsUrl ?? '', /-4000$/);
  const last = (await conn.queryMore(second.nextRecordsUrl ?? '')) as unknown as QueryPage;
  assert.equal(last.done, true);
  assert.equal(last.nextRecordsUrl, undefined);
  assert.equal(last.records.length, 500);
  const seen = [...first.records, ...second.records, ...last.records].map((r) => r['Id']);
  assert.deepEqual([...seen].sort(), [...ids].sort());
});

test('a small result is one done page without nextRecordsUrl; an empty one is {totalSize:0, done:true, records:[]}', async (t) => {
  const { conn, emulator } = await withContacts(t, 3);
  const small = (await conn.query('SELECT Id FROM Contact')) as unknown as QueryPage;
  assert.deepEqual(
    [small.totalSize, small.done, 'nextRecordsUrl' in small, small.records.length],
    [3, true, false, 3],
  );
  const response = await fetch(
    `${emulator.credentials.instanceUrl}/services/data/v62.0/query?q=${encodeURIComponent("SELECT Id FROM Contact WHERE LastName = 'nobody'")}`,
    {
      headers: { Authorization: `Bearer ${emulator.credentials.accessToken}` },
    },
  );
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  assert.deepEqual(await response.json(), { totalSize: 0, done: true, records: [] });
});

test('autoFetch with maxFetch raised returns every one of 10,500 rows', async (t) => {
  const { conn, ids } = await withContacts(t, 10_500);
  const result = await conn.query('SELECT Id FROM Contact', { autoFetch: true, maxFetch: 20_000 });
  assert.equal(result.totalSize, 10_500);
  assert.equal(result.records.length, 10_500);
  assert.equal(new Set(result.records.map((r) => r['Id'])).size, 10_500);
  assert.deepEqual(result.records.map((r) => String(r['Id'])).sort(), [...ids].sort());
});

test('Sforce-Query-Options batchSize sets the page size, clamped to 200..2000', async (t) => {
  const { conn } = await withContacts(t, 900);
  const sized = (await conn.request({
    method: 'GET',
    url: `/query?q=${encodeURIComponent('SELECT Id FROM Contact')}`,
    headers: { 'Sforce-Query-Options': 'batchSize=300' },
  })) as QueryPage;
  assert.equal(sized.records.length, 300);
  assert.match(sized.nextRecordsUrl ?? '', /-300$/);
  const clamped = (await conn.request({
    method: 'GET',
    url: `/query?q=${encodeURIComponent('SELECT Id FROM Contact')}`,
    headers: { 'Sforce-Query-Options': 'batchSize=5' },
  })) as QueryPage;
  assert.equal(clamped.records.length, 200);
});

test('queryAll (scanAll) shows a deleted record with IsDeleted; query does not; its pages come back through /query/', async (t) => {
  const { conn, ids, store, userId } = await withContacts(t, 2100);
  const victim = ids[7] ?? '';
  assert.equal(store.delete(victim, { userId }).success, true);
  const live = await conn.query('SELECT Id FROM Contact', { autoFetch: true, maxFetch: 5000 });
  assert.equal(live.totalSize, 2099);
  assert.ok(!live.records.some((r) => r['Id'] === victim));
  const all = await conn.query('SELECT Id, IsDeleted FROM Contact', {
    autoFetch: true,
    maxFetch: 5000,
    scanAll: true,
  });
  assert.equal(all.totalSize, 2100);
  assert.equal(all.records.length, 2100);
  assert.deepEqual(all.records.find((r) => r['Id'] === victim)?.['IsDeleted'], true);
  const merged = await conn.query(`SELECT Id, MasterRecordId FROM Contact WHERE IsDeleted = true`, {
    scanAll: true,
  });
  assert.deepEqual(
    merged.records.map((r) => [r['Id'], r['MasterRecordId']]),
    [[victim, null]],
  );
});

test('a locator is served under any API version and under /queryAll/ too', async (t) => {
  const { conn, emulator } = await withContacts(t, 2500, { version: '50.0' });
  const first = (await conn.request(
    `/queryAll?q=${encodeURIComponent('SELECT Id FROM Contact')}`,
  )) as QueryPage;
  assert.match(first.nextRecordsUrl ?? '', /^\/services\/data\/v50\.0\/query\/01g/);
  const locator = (first.nextRecordsUrl ?? '').split('/').pop() ?? '';
  for (const path of [`/services/data/v62.0/query/${locator}`, `/services/data/v55.0/queryAll/${locator}`]) {
    const response = await fetch(`${emulator.credentials.instanceUrl}${path}`, {
      headers: { Authorization: `Bearer ${emulator.credentials.accessToken}` },
    });
    assert.equal(response.status, 200, path);
    const page = (await response.json()) as QueryPage;
    assert.deepEqual([page.done, page.records.length], [true, 500]);
  }
  const next = (await conn.queryMore(first.nextRecordsUrl ?? '')) as unknown as QueryPage;
  assert.equal(next.records.length, 500);
});

test('an unknown locator is INVALID_QUERY_LOCATOR', async (t) => {
  const { conn } = await withContacts(t, 1);
  const e = await rejection(conn.queryMore('/services/data/v62.0/query/01gAAAAAAAAAAAAAAA-2000'));
  assert.equal(e.errorCode, 'INVALID_QUERY_LOCATOR');
});

test('records carry attributes and parent objects on the wire; a missing parent is null', async (t) => {
  const org = await startHttpOrg(t);
  const acme = org.create('Account', { Name: 'Acme' });
  const withAccount = org.create('Contact', { LastName: 'A', AccountId: acme });
  org.create('Contact', { LastName: 'B' });
  const result = await org.conn.query('SELECT Id, Account.Name, LastName FROM Contact ORDER BY LastName');
  assert.deepEqual(result.records[0], {
    attributes: { type: 'Contact', url: `/services/data/v62.0/sobjects/Contact/${withAccount}` },
    Id: withAccount,
    Account: {
      attributes: { type: 'Account', url: `/services/data/v62.0/sobjects/Account/${acme}` },
      Name: 'Acme',
    },
    LastName: 'A',
  });
  assert.equal(result.records[1]?.['Account'], null);
});

test('sobject().find() and count() build SOQL the engine answers', async (t) => {
  const { conn, ids } = await withContacts(t, 30);
  const found = await conn.sobject('Contact').find({ Email: 'P7@EXAMPLE.COM' }, ['Id', 'Email']);
  assert.deepEqual(
    found.map((r) => r['Id']),
    [ids[7]],
  );
  const liked = await conn
    .sobject('Contact')
    .find({ LastName: { $like: 'Person 0001%' } }, ['Id'])
    .sort({ LastName: -1 });
  assert.deepEqual(
    liked.map((r) => r['Id']),
    [19, 18, 17, 16, 15, 14, 13, 12, 11, 10].map((i) => ids[i]),
  );
  const some = await conn
    .sobject('Contact')
    .find({ Email: { $in: ['p1@example.com', 'p2@example.com'] }, $not: { LastName: 'Person 00001' } }, [
      'Id',
    ]);
  assert.deepEqual(
    some.map((r) => r['Id']),
    [ids[2]],
  );
  assert.equal(await conn.sobject('Contact').count({ LastName: { $like: 'Person 0000%' } }), 10);
});

test('SELECT COUNT() answers totalSize with no records; COUNT(Id) an AggregateResult', async (t) => {
  const { conn } = await withContacts(t, 12);
  const bare = await conn.query('SELECT COUNT() FROM Contact');
  assert.deepEqual([bare.totalSize, bare.records], [12, []]);
  const agg = await conn.query('SELECT COUNT(Id) FROM Contact');
  assert.deepEqual(agg.records, [{ attributes: { type: 'AggregateResult' }, expr0: 12 }]);
});

test('errors reach jsforce as Salesforce error codes', async (t) => {
  const { conn } = await withContacts(t, 1);
  const malformed = await rejection(conn.query('SELECT Id, FROM Contact'));
  assert.equal(malformed.errorCode, 'MALFORMED_QUERY');
  assert.match(malformed.message, /unexpected token: 'FROM'/);
  assert.equal((await rejection(conn.query('SELECT Id FROM Foo'))).errorCode, 'INVALID_TYPE');
  assert.equal((await rejection(conn.query('SELECT Foo FROM Contact'))).errorCode, 'INVALID_FIELD');
  assert.equal(
    (await rejection(conn.query("SELECT Id FROM Contact WHERE Id = 'nope'"))).errorCode,
    'INVALID_QUERY_FILTER_OPERATOR',
  );
  assert.equal(
    (await rejection(conn.query('SELECT Id FROM Contact GROUP BY LastName'))).errorCode,
    'MALFORMED_QUERY',
  );
  assert.equal((await rejection(conn.request('/query'))).errorCode, 'MALFORMED_QUERY');
});

// Query cursors (locators): expiry on an injected clock, the per-org cap, batch-size parsing, and
// the 414 answer for an over-long request target, through the real route table.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EmuRequest, EmuResponse } from '../src/contracts.js';
import { RouteTable } from '../src/http/router.js';
import { batchSizeFrom, registerQueryRoutes, runSoql } from '../src/soql/index.js';
import { CursorStore, parseLocator } from '../src/soql/query-cursors.js';
import { makeOrg, type TestOrg } from './soql-helpers.js';

function orgWith(count: number): TestOrg {
  const org = makeOrg();
  for (let i = 0; i < count; i++) org.create('Contact', { LastName: `P${i}` });
  return org;
}

function call(
  routes: RouteTable,
  org: TestOrg,
  path: string,
  query: Record<string, string> = {},
  headers: Record<string, string> = {},
): Promise<EmuResponse> | EmuResponse {
  const match = routes.match('GET', path);
  if (match.kind !== 'found') assert.fail(`no route for ${path}`);
  const req: EmuRequest = {
    method: 'GET',
    path,
    params: match.params,
    query: new URLSearchParams(query),
    headers,
    body: Buffer.alloc(0),
    apiVersion: '62.0',
    org: org.store,
    userId: org.userId,
    baseUrl: 'http://127.0.0.1:1',
  };
  return match.route.handler(req);
}

test('a cursor expires after its idle time on the injected clock, and use keeps it alive', () => {
  let now = 0;
  const store = new CursorStore({ clock: () => now, ttlMs: 1000 });
  const run = runSoql(orgWith(1).store, 'SELECT Id FROM Contact', { includeDeleted: false });
  const kept = store.open(run, 2000);
  const dropped = store.open(run, 2000);
  now = 900;
  assert.ok(store.get(kept) !== undefined);
  now = 1500;
  assert.equal(store.get(dropped), undefined);
  assert.ok(store.get(kept) !== undefined);
  now = 2600;
  assert.equal(store.get(kept), undefined);
});

test('past the cap the least recently used cursor goes first', () => {
  const store = new CursorStore({ maxCursors: 2 });
  const run = runSoql(orgWith(1).store, 'SELECT Id FROM Contact', { includeDeleted: false });
  const a = store.open(run, 2000);
  const b = store.open(run, 2000);
  assert.ok(store.get(a) !== undefined);
  const c = store.open(run, 2000);
  assert.equal(store.size, 2);
  assert.equal(store.get(b), undefined);
  assert.ok(store.get(a) !== undefined && store.get(c) !== undefined);
});

test('locators read 01g + 15 characters + offset', () => {
  const store = new CursorStore();
  const id = store.open(runSoql(orgWith(1).store, 'SELECT Id FROM Contact', { includeDeleted: false }), 2000);
  assert.match(id, /^01g[A-Za-z0-9]{15}$/);
  assert.deepEqual(parseLocator(`${id}-4000`), { id, offset: 4000 });
  assert.equal(parseLocator('01gabc'), undefined);
});

test('Sforce-Query-Options batchSize is read and clamped to 200..2000', () => {
  assert.equal(batchSizeFrom(undefined), 2000);
  assert.equal(batchSizeFrom('batchSize=500'), 500);
  assert.equal(batchSizeFrom('batchSize=50'), 200);
  assert.equal(batchSizeFrom('batchSize=5000'), 2000);
  assert.equal(batchSizeFrom(['foo=1', 'batchSize=700']), 700);
});

test('a request target longer than 16,384 characters answers 414', async () => {
  const org = orgWith(1);
  const routes = new RouteTable();
  registerQueryRoutes(routes);
  const padding = 'x'.repeat(16_400);
  const long = await call(routes, org, '/query', {
    q: `SELECT Id FROM Contact WHERE LastName = '${padding}'`,
  });
  assert.equal(long.status, 414);
  const fine = await call(routes, org, '/query', {
    q: `SELECT Id FROM Contact WHERE LastName = '${'x'.repeat(16_000)}'`,
  });
  assert.equal(fine.status, 200);
});

test('each org keeps its own cursors: a locator from one org is unknown to another', async () => {
  const one = orgWith(300);
  const two = orgWith(300);
  const routes = new RouteTable();
  registerQueryRoutes(routes);
  const first = (await call(
    routes,
    one,
    '/query',
    { q: 'SELECT Id FROM Contact' },
    { 'sforce-query-options': 'batchSize=200' },
  )) as {
    body: { nextRecordsUrl: string; records: unknown[] };
  };
  assert.equal(first.body.records.length, 200);
  const locator = first.body.nextRecordsUrl.split('/').pop() ?? '';
  const own = await call(routes, one, `/query/${locator}`);
  assert.equal(own.status, 200);
  await assert.rejects(async () => call(routes, two, `/query/${locator}`), {
    errorCode: 'INVALID_QUERY_LOCATOR',
  });
});

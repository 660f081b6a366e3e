import assert from 'node:assert/strict';
import { test } from 'node:test';
import { routesOf } from '../src/index.js';
import { ADMIN_KEY, json, startApi } from './harness.js';

/* Keys, the admin API, the one error shape, and the OpenAPI document covering every route. */

test('workspace routes answer 401 without a key, with a wrong key, and with the admin key', async (t) => {
  const api = await startApi(t, null);
  const key = await api.workspace('acme');
  const forged = key.slice(0, -4) + (key.endsWith('AAAA') ? 'BBBB' : 'AAAA');
  for (const k of [null, 'nonsense', forged, ADMIN_KEY, 'csk.YWNtZQ.short']) {
    const res = await api.call('GET', '/api/v1/people', { key: k });
    assert.equal(res.statusCode, 401, `key ${k}`);
    assert.equal(json(res).error.code, 'UNAUTHORIZED');
    assert.match(json(res).error.message, /API token/);
  }
  assert.equal((await api.call('GET', '/api/v1/people', { key })).statusCode, 200);
});

test('admin routes need the admin key, not a workspace key', async (t) => {
  const api = await startApi(t, null);
  const key = await api.workspace('acme');
  for (const k of [null, key, 'csa.wrong']) {
    const res = await api.call('GET', '/api/v1/admin/workspaces', { key: k });
    assert.equal(res.statusCode, 401);
    assert.equal(json(res).error.code, 'UNAUTHORIZED');
  }
  assert.equal((await api.call('GET', '/metrics', { key })).statusCode, 401);
});

test('the admin creates and lists workspaces and issues keys that are stored only as hashes', async (t) => {
  const api = await startApi(t, null);
  const created = await api.call('POST', '/api/v1/admin/workspaces', {
    key: ADMIN_KEY,
    body: { id: 'beta', name: 'Beta team', mailboxDomains: ['beta.example'] },
  });
  assert.equal(created.statusCode, 201);
  assert.deepEqual(json(created).mailboxDomains, ['beta.example']);
  const again = await api.call('POST', '/api/v1/admin/workspaces', {
    key: ADMIN_KEY,
    body: { id: 'beta', name: 'Again' },
  });
  assert.equal(again.statusCode, 409);
  assert.equal(json(again).error.code, 'CONFLICT');
  const list = await api.call('GET', '/api/v1/admin/workspaces', { key: ADMIN_KEY });
  assert.deepEqual(
    json(list).items.map((w: { id: string }) => w.id),
    ['beta'],
  );

  const issued = await api.call('POST', '/api/v1/admin/workspaces/beta/api-keys', {
    key: ADMIN_KEY,
    body: { label: 'host app' },
  });
  assert.equal(issued.statusCode, 201);
  const { key } = json(issued);
  assert.match(key, /^csk\./);
  assert.equal((await api.call('GET', '/api/v1/settings', { key })).statusCode, 200);
  // At rest: the hash is stored, the key is not.
  const { sha256 } = await import('../src/index.js');
  const stored = await api.store.workspace('beta').apiKeys.findByHash(sha256(key));
  assert.equal(stored?.label, 'host app');
  assert.ok(!JSON.stringify(stored).includes(key.split('.')[2]));
  assert.equal(json(issued).prefix, stored?.prefix);

  const none = await api.call('POST', '/api/v1/admin/workspaces/nope/api-keys', {
    key: ADMIN_KEY,
    body: { label: 'x' },
  });
  assert.equal(none.statusCode, 404);
  assert.equal(json(none).error.code, 'NOT_FOUND');
});

test('malformed JSON, unknown fields, invalid values, wrong media types and unknown routes share one error shape', async (t) => {
  const api = await startApi(t, null);
  const key = await api.workspace('acme');
  const cases = [
    {
      res: await api.call('POST', '/api/v1/people', {
        key,
        payload: '{"lastName": "Lovelace",',
        contentType: 'application/json',
      }),
      status: 400,
      text: /not valid JSON/,
    },
    {
      res: await api.call('POST', '/api/v1/people', {
        key,
        body: { lastName: 'Lovelace', favouriteColour: 'blue' },
      }),
      status: 400,
      text: /unknown field "favouriteColour"/,
    },
    {
      res: await api.call('POST', '/api/v1/people', {
        key,
        body: { lastName: 'Lovelace', emailStatus: 'maybe' },
      }),
      status: 400,
      text: /body\.emailStatus/,
    },
    {
      res: await api.call('POST', '/api/v1/people', {
        key,
        payload: 'lastName=Lovelace',
        contentType: 'application/x-www-form-urlencoded',
      }),
      status: 415,
      text: /Content-Type/,
    },
    {
      res: await api.call('GET', '/api/v1/people?colour=blue', { key }),
      status: 400,
      text: /unknown field "colour"/,
    },
    {
      res: await api.call('GET', '/api/v1/nothing-here', { key }),
      status: 404,
      text: /no GET \/api\/v1\/nothing-here/,
    },
  ];
  for (const { res, status, text } of cases) {
    assert.equal(res.statusCode, status, res.body);
    const body = json(res);
    assert.deepEqual(Object.keys(body), ['error']);
    assert.equal(typeof body.error.code, 'string');
    assert.match(body.error.message, text);
    assert.ok(!/\bat .*\.(ts|js):\d+/.test(res.body), 'no stack trace');
  }
  assert.equal(json(cases[0]!.res).error.code, 'INVALID_INPUT');
  assert.equal(json(cases[2]!.res).error.details.problems[0].field, 'body.emailStatus');
});

test('a body over the limit is refused with 413 PAYLOAD_TOO_LARGE and nothing is written', async (t) => {
  const api = await startApi(t, null, { bodyLimit: 64 * 1024 });
  const key = await api.workspace('acme');
  const res = await api.call('POST', '/api/v1/people', { key, body: { lastName: 'x'.repeat(100 * 1024) } });
  assert.equal(res.statusCode, 413);
  assert.equal(json(res).error.code, 'PAYLOAD_TOO_LARGE');
  assert.match(json(res).error.message, /larger than this endpoint accepts/);
  assert.equal((await api.store.workspace('acme').records.list({ type: 'person' })).items.length, 0);
});

test('GET /health answers without a key', async (t) => {
  const api = await startApi(t, null);
  const res = await api.call('GET', '/health');
  assert.equal(res.statusCode, 200);
  assert.equal(json(res).status, 'ok');
});

/**
 * Routes the app serves that the OpenAPI document at /docs/json does not list. Hidden routes
 * outside /api (the docs UI's assets, the web UI's files) are not part of the API; a hidden
 * route under /api is still caught.
 */
async function undocumented(api: Awaited<ReturnType<typeof startApi>>): Promise<string[]> {
  const res = await api.call('GET', '/docs/json');
  assert.equal(res.statusCode, 200);
  const doc = json(res);
  assert.equal(doc.openapi, '3.1.0');
  const documented = new Set<string>();
  for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
    for (const method of Object.keys(ops))
      documented.add(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`);
  }
  return routesOf(api.app)
    .filter((r) => !(r.hidden && !r.url.startsWith('/api')))
    .map((r) => `${r.method} ${r.url}`)
    .filter((r) => !documented.has(r));
}

test('every route registered in the app is in the OpenAPI document at /docs', async (t) => {
  const api = await startApi(t, null);
  assert.ok(routesOf(api.app).length > 30, `found ${routesOf(api.app).length} routes`);
  assert.deepEqual(await undocumented(api), []);
  // The docs page itself is served.
  assert.equal((await api.call('GET', '/docs/')).statusCode, 200);
});

test('the docs check catches a route left out of the OpenAPI document', async (t) => {
  const api = await startApi(t, null);
  api.app.get('/api/v1/secret-route', { schema: { hide: true } }, async () => ({}));
  assert.deepEqual(await undocumented(api), ['GET /api/v1/secret-route']);
});

test('API keys are listed with prefix, label, created and last use, revoked by id, and a revoked key answers 401', async (t) => {
  const api = await startApi(t, null);
  const first = await api.workspace('acme');
  api.clock.advance(1_000);
  const created = await api.call('POST', '/api/v1/api-keys', { key: first, body: { label: 'importer' } });
  assert.equal(created.statusCode, 201);
  const second = json(created);
  assert.match(second.key, /^csk\./);
  assert.ok(second.key.startsWith(second.prefix));

  api.clock.advance(120_000);
  assert.equal((await api.call('GET', '/api/v1/settings', { key: second.key })).statusCode, 200);
  const listed = json(await api.call('GET', '/api/v1/api-keys', { key: first })).items;
  assert.deepEqual(
    listed.map((k: Record<string, unknown>) => k.label),
    ['tests of acme', 'importer'],
  );
  const importer = listed.find((k: { id: string }) => k.id === second.id);
  assert.equal(importer.lastUsedAt, api.clock.now().toISOString());
  assert.equal(importer.revokedAt, null);
  assert.ok(!JSON.stringify(listed).includes(second.key), 'a listing never shows a key');

  // Another workspace cannot see or revoke it; the admin lists and revokes through /admin.
  const otherKey = await api.workspace('third');
  const foreign = await api.call('DELETE', `/api/v1/api-keys/${second.id}`, { key: otherKey });
  assert.equal(foreign.statusCode, 404);
  assert.equal(json(foreign).error.code, 'NOT_FOUND');
  const adminList = await api.call('GET', '/api/v1/admin/workspaces/acme/api-keys', { key: ADMIN_KEY });
  assert.equal(json(adminList).items.length, 2);
  const revoked = await api.call('DELETE', `/api/v1/admin/workspaces/acme/api-keys/${second.id}`, {
    key: ADMIN_KEY,
  });
  assert.equal(revoked.statusCode, 200);
  assert.equal(json(revoked).revokedAt, api.clock.now().toISOString());
  const refused = await api.call('GET', '/api/v1/settings', { key: second.key });
  assert.equal(refused.statusCode, 401);
  assert.equal(json(refused).error.code, 'UNAUTHORIZED');
  assert.equal((await api.call('GET', '/api/v1/settings', { key: first })).statusCode, 200);
  const twice = await api.call('DELETE', `/api/v1/api-keys/${second.id}`, { key: first });
  assert.equal(twice.statusCode, 404);
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startApi } from '../../server/test/harness.js';
import { ensureWebBuilt } from './browser.js';

/* The server serves the built UI at /, answers any UI path with index.html, and leaves /api and /docs alone. */

const DIST = join(import.meta.dirname, '../dist');

test('the UI is served at / with an SPA fallback, while unknown API paths keep the JSON 404', async (t) => {
  ensureWebBuilt();
  const api = await startApi(t, null);
  const index = readFileSync(join(DIST, 'index.html'), 'utf8');

  for (const path of ['/', '/settings/salesforce/contacts', '/log?recordType=person']) {
    const res = await api.call('GET', path);
    assert.equal(res.statusCode, 200, path);
    assert.match(String(res.headers['content-type']), /^text\/html/, path);
    assert.equal(res.body, index, path);
    assert.match(String(res.headers['content-security-policy']), /default-src 'self'/, path);
    assert.equal(res.headers['referrer-policy'], 'no-referrer', path);
  }

  const script = /src="(\/assets\/[^"]+\.js)"/.exec(index)?.[1];
  assert.ok(script !== undefined, 'index.html loads a bundled script');
  const asset = await api.call('GET', script);
  assert.equal(asset.statusCode, 200);
  assert.match(String(asset.headers['content-type']), /javascript/);

  const missing = await api.call('GET', '/api/v1/no-such-route');
  assert.equal(missing.statusCode, 404);
  assert.equal(JSON.parse(missing.body).error.code, 'NOT_FOUND');
  assert.equal((await api.call('GET', '/api')).statusCode, 404);
  assert.equal((await api.call('GET', '/docs/')).statusCode, 200);
  assert.match((await api.call('GET', '/docs/json')).headers['content-type'] as string, /json/);
});

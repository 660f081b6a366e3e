import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { Socket } from 'node:net';
import { connected } from './helpers.js';

/*
 * A request on a connection the server already closed (its keep-alive ran out while this process
 * was busy) breaks with EPIPE or ECONNRESET before any answer. Creating a Bulk job is safe to send
 * again; record writes are not (X4); and sockets idle too long are not reused at all.
 */

const CREATE_JOB = 'POST /jobs/ingest';
const UPLOAD = 'PUT /jobs/ingest/{jobId}/batches';
const wait = { intervalMs: 1_000, timeoutMs: 60_000 };

test('X4: a Bulk job creation whose connection broke before any answer is sent again; the rows go to one job', async (t) => {
  const c = await connected(t);
  // The emulator creates the job, then kills the socket before a byte of the answer.
  c.emu.control.addFault(c.orgId, { method: 'POST', pathPrefix: '/jobs/ingest', dropWriteResponses: 1 });
  const persisted: string[] = [];
  const { job, results } = await c.sf.bulk.runIngest({
    jobId: null,
    object: 'Contact',
    operation: 'insert',
    rows: [{ LastName: 'Once 1' }, { LastName: 'Once 2' }],
    wait,
    onJobCreated: async (created) => {
      persisted.push(created.id);
    },
  });
  const byEndpoint = c.emu.control.requests(c.orgId).byEndpoint;
  assert.equal(byEndpoint[CREATE_JOB], 2, 'the job creation went twice');
  assert.equal(byEndpoint[UPLOAD], 1, 'the rows went once');
  assert.deepEqual(
    c.requests.filter((r) => r.method === 'POST' && r.url.endsWith('/jobs/ingest')).map((r) => r.attempt),
    [1, 2],
  );
  assert.deepEqual(persisted, [job.id]);
  assert.equal(job.state, 'JobComplete');
  assert.equal(results.successful.length, 2);
  const rows = await c.sf.query("SELECT Id FROM Contact WHERE LastName LIKE 'Once%'");
  assert.equal(rows.length, 2, 'each row landed once');
});

test('X4: a record write whose connection broke is not sent again (its outcome is unknown)', async (t) => {
  const c = await connected(t);
  c.emu.control.addFault(c.orgId, {
    method: 'POST',
    pathPrefix: '/composite/sobjects',
    dropWriteResponses: 1,
  });
  const results = await c.sf.create('Contact', [{ LastName: 'Unknown' }]);
  assert.equal(results[0]?.outcome, 'unknown');
  assert.equal(c.emu.control.requests(c.orgId).byEndpoint['POST /composite/sobjects'], 1);
});

/** The global agent's free sockets to the emulator (jsforce's node-fetch uses that agent). */
function freeSocketsTo(url: string): Socket[] {
  const { hostname, port } = new URL(url);
  return Object.entries(http.globalAgent.freeSockets)
    .filter(([name]) => name.startsWith(`${hostname}:${port}:`))
    .flatMap(([, list]) => list ?? []);
}

test('X4: a keep-alive socket idle longer than maxSocketIdleMs is closed, not reused, before the next request', async (t) => {
  const c = await connected(t, { adapter: { maxSocketIdleMs: 0 } });
  await c.sf.query('SELECT Id FROM Contact LIMIT 1');
  const idle = freeSocketsTo(c.emu.credentials.instanceUrl);
  assert.ok(idle.length > 0, 'the first request left a keep-alive socket');
  await c.sf.query('SELECT Id FROM Contact LIMIT 1');
  assert.ok(
    idle.every((s) => s.destroyed),
    'the idle socket was closed rather than reused',
  );
});

test('X4: a keep-alive socket idle for less than maxSocketIdleMs is reused', async (t) => {
  const c = await connected(t, { adapter: { maxSocketIdleMs: 60_000 } });
  await c.sf.query('SELECT Id FROM Contact LIMIT 1');
  const idle = freeSocketsTo(c.emu.credentials.instanceUrl);
  assert.ok(idle.length > 0, 'the first request left a keep-alive socket');
  await c.sf.query('SELECT Id FROM Contact LIMIT 1');
  assert.ok(
    idle.some((s) => !s.destroyed),
    'the socket stayed open for reuse',
  );
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SalesforceRequestError } from '../src/index.js';
import { connected, emulatorTotal, instantClock } from './helpers.js';

/*
 * Reads sent as POST (the X1 composite lookup, Bulk query jobs) are retried by the adapter after a
 * dropped connection or a transient 5xx, with the injected clock's backoff; jsforce cannot resend
 * a POST body. Writes are never resent blindly: their unknown outcome goes to X4.
 */

const composites = (c: Awaited<ReturnType<typeof connected>>) =>
  c.requests.filter((r) => r.method === 'POST' && r.url.endsWith('/composite'));

test('O4: an X1 lookup whose connection drops is sent again and answers; every attempt is counted (O3)', async (t) => {
  const clock = instantClock();
  const c = await connected(t, { adapter: { clock, retryBaseDelayMs: 250 } });
  await c.sf.create('Contact', [{ LastName: 'Found', Email: 'found@acme-example.com' }]);
  c.requests.length = 0;
  c.emu.control.resetRequests(c.orgId);
  c.emu.control.addFault(c.orgId, { method: 'POST', pathPrefix: '/composite', dropResponses: 2 });

  const found = await c.sf.findPeopleByEmail(['found@acme-example.com']);

  assert.deepEqual(
    found.map((p) => [p.object, p.Email]),
    [['Contact', 'found@acme-example.com']],
  );
  assert.deepEqual(
    composites(c).map((r) => r.attempt),
    [1, 2, 3],
  );
  assert.equal(emulatorTotal(c), 3, 'the emulator saw each attempt');
  assert.deepEqual(clock.slept, [250, 500], 'backoff doubles, on the injected clock');
});

test('O4: an X1 lookup meeting 503s gives up after the retry count with a retryable error', async (t) => {
  const c = await connected(t, { adapter: { maxRetries: 2 } });
  c.emu.control.addFault(c.orgId, {
    method: 'POST',
    pathPrefix: '/composite',
    failureRate: 1,
    failureKind: 'unavailable',
  });
  await assert.rejects(c.sf.findPeopleByEmail(['x@example.com']), (err: unknown) => {
    assert.ok(err instanceof SalesforceRequestError);
    assert.equal(err.classification.retryable, true);
    return true;
  });
  assert.deepEqual(
    composites(c).map((r) => r.attempt),
    [1, 2, 3],
  );
});

test('O4: a Bulk query job whose creation meets a 503 is created again, and its rows come back', async (t) => {
  let c: Awaited<ReturnType<typeof connected>>;
  c = await connected(t, {
    adapter: {
      onRequest: (e) => {
        if (e.attempt === 2) c.emu.control.clearFaults(c.orgId);
      },
    },
  });
  await c.sf.create('Account', [{ Name: 'Bulk Read' }]);
  c.emu.control.addFault(c.orgId, {
    method: 'POST',
    pathPrefix: '/jobs/query',
    failureRate: 1,
    failureKind: 'unavailable',
  });
  const rows = await c.sf.bulk.query("SELECT Id, Name FROM Account WHERE Name = 'Bulk Read'", {
    intervalMs: 10,
    timeoutMs: 60_000,
  });
  assert.deepEqual(
    rows.map((r) => r.Name),
    ['Bulk Read'],
  );
  assert.deepEqual(
    c.requests.filter((r) => r.method === 'POST' && r.url.endsWith('/jobs/query')).map((r) => r.attempt),
    [1, 2],
  );
});

test('X4: a create whose connection drops is not sent again by the adapter: one attempt, an unknown outcome', async (t) => {
  const c = await connected(t);
  c.emu.control.addFault(c.orgId, {
    method: 'POST',
    pathPrefix: '/composite/sobjects',
    dropWriteResponses: 1,
  });
  c.requests.length = 0;
  const [result] = await c.sf.create('Contact', [{ LastName: 'Once', Email: 'once@example.com' }]);
  assert.equal(result?.outcome, 'unknown');
  assert.equal(c.requests.length, 1);
  assert.equal((await c.sf.query("SELECT Id FROM Contact WHERE LastName = 'Once'")).length, 1);
});

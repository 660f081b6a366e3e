import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'node:test';
import { silentLogger } from '../../engine/test/harness.js';
import { createWebhookDispatcher, verifyWebhookSignature } from '../src/index.js';
import { json, startApi } from './harness.js';
import { personDeleted, receiver } from './webhook-helpers.js';

// The receivers listen on 127.0.0.1, so these tests allow private addresses as
// CRMSYNC_WEBHOOKS_ALLOW_PRIVATE=1 does; webhook-targets.test.ts proves the refusal without it.
const ALLOW_PRIVATE = { allowPrivate: true };

/** A URL nothing listens on: a port that was just bound and released. */
async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/hook`;
}

test('O5: webhooks receive each event signed with HMAC over timestamp and body, retried with backoff until delivered', async (t) => {
  const api = await startApi(t, null, { webhookTargets: ALLOW_PRIVATE });
  const key = await api.workspace('acme');
  const otherKey = await api.workspace('other');
  const hook = await receiver(t, [500]);
  await personDeleted(api, key, 'p_before'); // before the webhook: not sent

  const created = await api.call('POST', '/api/v1/webhooks', { key, body: { url: hook.url } });
  assert.equal(created.statusCode, 201, created.body);
  const { id, secret } = json(created);
  assert.match(secret, /^whsec_/);
  const listed = json(await api.call('GET', '/api/v1/webhooks', { key })).items;
  assert.deepEqual(
    listed.map((w: Record<string, unknown>) => [w.id, w.url, 'secret' in w]),
    [[id, hook.url, false]],
  );
  await personDeleted(api, key, 'p_after');

  const dispatcher = createWebhookDispatcher({
    store: api.store,
    clock: api.clock,
    logger: silentLogger,
    targets: ALLOW_PRIVATE,
    backoffMs: (attempt) => attempt * 1_000,
  });
  assert.deepEqual(await dispatcher.run('acme'), { enqueued: 1, delivered: 0, retrying: 1, failed: 0 });
  assert.deepEqual(await dispatcher.run('acme'), { enqueued: 0, delivered: 0, retrying: 0, failed: 0 });
  api.clock.advance(1_000);
  assert.deepEqual(await dispatcher.run('acme'), { enqueued: 0, delivered: 1, retrying: 0, failed: 0 });

  assert.equal(hook.received.length, 2);
  for (const r of hook.received) {
    const sig = r.headers['crmsync-signature'] as string;
    assert.deepEqual(verifyWebhookSignature(sig, r.body, secret, api.clock.now()), { ok: true });
    assert.equal(
      verifyWebhookSignature(sig, r.body.replace('p_after', 'p_other'), secret, api.clock.now()).ok,
      false,
    );
    assert.equal(verifyWebhookSignature(sig, r.body, 'whsec_wrong', api.clock.now()).ok, false);
    const event = JSON.parse(r.body);
    assert.equal(event.type, 'person.deleted');
    assert.equal(event.workspaceId, 'acme');
    assert.equal(event.data.id, 'p_after');
    assert.equal(r.headers['crmsync-event-id'], String(event.id));
  }
  // A replayed delivery is refused by its age.
  const late = new Date(api.clock.now().getTime() + 10 * 60_000);
  const first = hook.received[0]!;
  assert.equal(
    verifyWebhookSignature(first.headers['crmsync-signature'] as string, first.body, secret, late).ok,
    false,
  );

  const deliveries = await api.call('GET', `/api/v1/webhooks/${id}/deliveries`, { key });
  assert.equal(deliveries.statusCode, 200);
  const [delivery] = json(deliveries).items;
  assert.equal(delivery.state, 'delivered');
  assert.deepEqual(
    delivery.attempts.map((a: { status: number; error: string | null }) => [a.status, a.error]),
    [
      [500, 'the receiver answered HTTP 500, not 2xx'],
      [204, null],
    ],
  );

  // Another workspace neither sees nor stops it.
  for (const [method, url] of [
    ['GET', `/api/v1/webhooks/${id}/deliveries`],
    ['DELETE', `/api/v1/webhooks/${id}`],
  ] as const) {
    const res = await api.call(method, url, { key: otherKey });
    assert.equal(res.statusCode, 404);
    assert.equal(json(res).error.code, 'NOT_FOUND');
  }
  assert.deepEqual(json(await api.call('GET', '/api/v1/webhooks', { key: otherKey })).items, []);

  // Stopped: later events are not sent.
  const stopped = await api.call('DELETE', `/api/v1/webhooks/${id}`, { key });
  assert.equal(stopped.statusCode, 200);
  assert.notEqual(json(stopped).disabledAt, null);
  await personDeleted(api, key, 'p_late');
  assert.deepEqual(await dispatcher.run('acme'), { enqueued: 0, delivered: 0, retrying: 0, failed: 0 });
  assert.equal(hook.received.length, 2);
});

test('O5: a webhook URL that does not answer is retried, then marked failed with the reason', async (t) => {
  const api = await startApi(t, null, { webhookTargets: ALLOW_PRIVATE });
  const key = await api.workspace('acme');
  const url = await deadUrl();
  const { id } = json(await api.call('POST', '/api/v1/webhooks', { key, body: { url } }));
  await personDeleted(api, key, 'p1');
  const dispatcher = createWebhookDispatcher({
    store: api.store,
    clock: api.clock,
    logger: silentLogger,
    targets: ALLOW_PRIVATE,
    maxAttempts: 3,
    backoffMs: () => 5_000,
  });
  assert.equal((await dispatcher.run('acme')).retrying, 1);
  api.clock.advance(5_000);
  assert.equal((await dispatcher.run('acme')).retrying, 1);
  api.clock.advance(5_000);
  assert.equal((await dispatcher.run('acme')).failed, 1);
  api.clock.advance(60_000);
  assert.deepEqual(await dispatcher.run('acme'), { enqueued: 0, delivered: 0, retrying: 0, failed: 0 });

  const res = await api.call('GET', `/api/v1/webhooks/${id}/deliveries?state=failed`, { key });
  const [failed] = json(res).items;
  assert.equal(failed.state, 'failed');
  assert.equal(failed.attempts.length, 3);
  assert.ok(failed.attempts.every((a: { status: number | null }) => a.status === null));
  assert.match(
    failed.lastError,
    /^gave up after 3 attempts: the URL did not answer \(ECONNREFUSED\)\. Check that http:\/\/127\.0\.0\.1:\d+\/hook is reachable/,
  );
  assert.equal(failed.nextAttemptAt, null);
});

test('O5: a webhook URL that is not http(s), or a body with unknown fields, is refused with the field named', async (t) => {
  const api = await startApi(t, null);
  const key = await api.workspace('acme');
  const bad = await api.call('POST', '/api/v1/webhooks', { key, body: { url: 'ftp://example.com/x' } });
  assert.equal(bad.statusCode, 400);
  assert.equal(json(bad).error.code, 'INVALID_INPUT');
  assert.equal(json(bad).error.details.problems[0].field, 'body.url');
  const unknown = await api.call('POST', '/api/v1/webhooks', {
    key,
    body: { url: 'http://127.0.0.1:1/x', events: ['all'] },
  });
  assert.equal(unknown.statusCode, 400);
  assert.match(json(unknown).error.message, /unknown field "events"/);
  assert.deepEqual(json(await api.call('GET', '/api/v1/webhooks', { key })).items, []);
});

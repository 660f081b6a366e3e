import assert from 'node:assert/strict';
import test, { type TestContext } from 'node:test';
import { silentLogger } from '../../engine/test/harness.js';
import {
  blockedAddressKind,
  createWebhookDispatcher,
  verifyWebhookSignature,
  type WebhookTargetPolicy,
} from '../src/index.js';
import { json, startApi } from './harness.js';
import { personDeleted, receiver } from './webhook-helpers.js';

// Webhooks must not reach crmsync's own network (SSRF): refused at registration and again at
// every delivery, where the check runs in the connection's own DNS lookup. Names resolve through
// a resolver injected with the policy (the same option CRMSYNC_WEBHOOKS_ALLOW_PRIVATE feeds), so
// a test can point a name at loopback, or re-point it between registration and delivery.

/** A resolver answering from `names`, which the test may change between calls. */
function resolverOf(names: Map<string, string[]>): NonNullable<WebhookTargetPolicy['resolve']> {
  return async (hostname) => {
    const addresses = names.get(hostname);
    if (addresses === undefined)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses;
  };
}

/** A workspace with one webhook to `url`, registered through the API, and a dispatcher. */
async function hookedWorkspace(t: TestContext, targets: WebhookTargetPolicy, url: string) {
  const api = await startApi(t, null, { webhookTargets: targets });
  const key = await api.workspace('acme');
  const created = await api.call('POST', '/api/v1/webhooks', { key, body: { url } });
  assert.equal(created.statusCode, 201, created.body);
  const dispatcher = createWebhookDispatcher({
    store: api.store,
    clock: api.clock,
    logger: silentLogger,
    targets,
  });
  return { api, key, webhook: json(created) as { id: string; secret: string }, dispatcher };
}

test('webhook addresses: loopback, private, link-local, CGNAT, unspecified, multicast and reserved are refused, public ones pass', () => {
  for (const ip of [
    '127.0.0.1',
    '127.8.9.10',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::',
    '::1',
    'fe80::1',
    'fd00:ec2::254',
    'fc00::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:a9fe:a9fe',
    '64:ff9b::a00:1',
    '2002:7f00:1::',
  ])
    assert.notEqual(blockedAddressKind(ip), null, ip);
  for (const ip of [
    '93.184.216.34',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700::1111',
    '::ffff:8.8.8.8',
  ])
    assert.equal(blockedAddressKind(ip), null, ip);
  assert.match(blockedAddressKind('169.254.169.254')!, /link-local.*metadata/);
  assert.match(blockedAddressKind('::ffff:10.1.2.3')!, /private \(RFC 1918\).*IPv4-mapped/);
});

test('O5: a webhook URL that is or resolves to an internal address is refused at registration, saying how to allow it', async (t) => {
  const api = await startApi(t, null, {
    webhookTargets: {
      allowPrivate: false,
      resolve: resolverOf(
        new Map([
          ['internal.example', ['10.20.30.40']],
          ['mixed.example', ['93.184.216.34', '127.0.0.1']],
          ['public.example', ['93.184.216.34']],
        ]),
      ),
    },
  });
  const key = await api.workspace('acme');
  for (const [url, address] of [
    ['http://127.0.0.1:8080/hook', '127.0.0.1'],
    ['http://localhost:8080/hook', '127.0.0.1'],
    ['http://[::1]:8080/hook', '::1'],
    ['http://169.254.169.254/latest/meta-data/', '169.254.169.254'],
    ['https://10.0.0.1/hook', '10.0.0.1'],
    ['http://2130706433/hook', '127.0.0.1'],
    ['http://[::ffff:7f00:1]/hook', '::ffff:7f00:1'],
    ['https://internal.example/hook', '10.20.30.40'],
    ['https://mixed.example/hook', '127.0.0.1'],
  ]) {
    const res = await api.call('POST', '/api/v1/webhooks', { key, body: { url } });
    assert.equal(res.statusCode, 400, url);
    const { error } = json(res);
    assert.equal(error.code, 'INVALID_INPUT');
    assert.equal(error.details.address, address, url);
    assert.ok(error.message.includes(url), error.message);
    assert.ok(error.message.includes(address), error.message);
    assert.match(error.message, /set CRMSYNC_WEBHOOKS_ALLOW_PRIVATE=1/);
  }
  assert.deepEqual(json(await api.call('GET', '/api/v1/webhooks', { key })).items, []);

  // Public addresses, and names that do not resolve yet (each delivery checks them again), pass.
  for (const url of [
    'https://public.example/hook',
    'https://93.184.216.34/hook',
    'https://not-yet.example/hook',
  ])
    assert.equal((await api.call('POST', '/api/v1/webhooks', { key, body: { url } })).statusCode, 201, url);
});

test('O5: a delivery to a name that resolves to loopback is not sent and is marked failed with the reason', async (t) => {
  const hook = await receiver(t);
  // Public when registered, loopback when delivered: DNS rebinding.
  const names = new Map([['rebind.example', ['93.184.216.34']]]);
  const targets: WebhookTargetPolicy = { allowPrivate: false, resolve: resolverOf(names) };
  const url = `http://rebind.example:${hook.port}/hook`;
  const { api, key, webhook, dispatcher } = await hookedWorkspace(t, targets, url);
  names.set('rebind.example', ['127.0.0.1']);
  await personDeleted(api, key, 'p1');

  assert.deepEqual(await dispatcher.run('acme'), { enqueued: 1, delivered: 0, retrying: 0, failed: 1 });
  assert.equal(hook.received.length, 0);
  const res = await api.call('GET', `/api/v1/webhooks/${webhook.id}/deliveries`, { key });
  const [delivery] = json(res).items;
  assert.equal(delivery.state, 'failed');
  assert.equal(delivery.nextAttemptAt, null);
  assert.deepEqual(
    delivery.attempts.map((a: { status: number | null }) => a.status),
    [null],
  );
  assert.equal(
    delivery.lastError,
    `not sent: the webhook URL ${url} names rebind.example, which resolves to 127.0.0.1, a loopback address; crmsync does not send webhooks into its own network. Use a receiver with a public address, or, if your receivers live on your own network, set CRMSYNC_WEBHOOKS_ALLOW_PRIVATE=1 for every crmsync process (serve and worker)`,
  );

  // A URL stored before the guard existed (or by another writer) is refused at delivery too.
  await api.store.transaction('acme', (tx) =>
    tx.webhooks.create({ id: 'wh_literal', url: `http://127.0.0.1:${hook.port}/hook`, secret: 'whsec_x' }),
  );
  await personDeleted(api, key, 'p2');
  const round = await dispatcher.run('acme');
  assert.equal(round.failed, 2);
  assert.equal(hook.received.length, 0);
  const [literal] = json(await api.call('GET', '/api/v1/webhooks/wh_literal/deliveries', { key })).items;
  assert.match(
    literal.lastError,
    /^not sent: the webhook URL http:\/\/127\.0\.0\.1:\d+\/hook points at 127\.0\.0\.1, a loopback address/,
  );
});

test('O5: with private addresses allowed, a name that resolves to the local receiver gets the signed POST', async (t) => {
  const hook = await receiver(t);
  const targets: WebhookTargetPolicy = {
    allowPrivate: true,
    resolve: resolverOf(new Map([['receiver.internal', ['127.0.0.1']]])),
  };
  const { api, key, webhook, dispatcher } = await hookedWorkspace(
    t,
    targets,
    `http://receiver.internal:${hook.port}/hook`,
  );
  await personDeleted(api, key, 'p1');

  assert.deepEqual(await dispatcher.run('acme'), { enqueued: 1, delivered: 1, retrying: 0, failed: 0 });
  const [got] = hook.received;
  assert.equal(got?.headers.host, `receiver.internal:${hook.port}`);
  assert.deepEqual(
    verifyWebhookSignature(
      got.headers['crmsync-signature'] as string,
      got.body,
      webhook.secret,
      api.clock.now(),
    ),
    { ok: true },
  );
});

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openFresh, workspaceDoc, type MakeStore } from './harness.js';

/** API keys and webhooks (O5): part of the Store contract, run by every driver. */
export function runApiKeysWebhooksContract(name: string, makeStore: MakeStore): void {
  describe(`${name}: API keys and webhooks contract`, () => {
    test('API keys: found by hash in their workspace only, listed, touched and revoked once', async (t) => {
      const { store, clock } = await openFresh(t, makeStore);
      for (const ws of ['w1', 'w2']) await store.workspaces.create(workspaceDoc(ws));
      const created = await store.transaction('w1', (tx) =>
        tx.apiKeys.create({ id: 'ak_1', hash: 'h'.repeat(64), label: 'host app', prefix: 'csk.dzE.abcd' }),
      );
      assert.equal(created.lastUsedAt, null);
      assert.equal((await store.workspace('w1').apiKeys.findByHash('h'.repeat(64)))?.id, 'ak_1');
      assert.equal(await store.workspace('w2').apiKeys.findByHash('h'.repeat(64)), null);
      clock.advance(60_000);
      await store.transaction('w1', (tx) => tx.apiKeys.touch('ak_1'));
      const [listed] = await store.workspace('w1').apiKeys.list();
      assert.deepEqual(listed?.lastUsedAt, clock.now());
      assert.equal(await store.transaction('w2', (tx) => tx.apiKeys.revoke('ak_1')), false);
      assert.equal(await store.transaction('w1', (tx) => tx.apiKeys.revoke('ak_1')), true);
      assert.equal(await store.transaction('w1', (tx) => tx.apiKeys.revoke('ak_1')), false);
      assert.deepEqual(
        (await store.workspace('w1').apiKeys.findByHash('h'.repeat(64)))?.revokedAt,
        clock.now(),
      );
    });

    test('OAuth sign-ins in progress: sealed at rest, taken once, in their workspace only, refused after expiry', async (t) => {
      const { store, clock, rawContents } = await openFresh(t, makeStore);
      for (const ws of ['w1', 'w2']) await store.workspaces.create(workspaceDoc(ws));
      const flow = { verifier: 'pkce-verifier-never-in-clear', clientId: 'app' };
      const in10 = () => new Date(clock.now().getTime() + 600_000);
      await store.transaction('w1', (tx) => tx.oauthFlows.put('s1', flow, in10()));
      await store.transaction('w1', (tx) => tx.oauthFlows.put('s2', flow, in10()));
      assert.ok(!Buffer.from(await rawContents()).includes('pkce-verifier-never-in-clear'), 'sealed');
      assert.equal(await store.transaction('w2', (tx) => tx.oauthFlows.take('s1')), null);
      const taken = await Promise.all(
        [1, 2].map(() => store.transaction('w1', (tx) => tx.oauthFlows.take('s1'))),
      );
      assert.deepEqual(
        taken.filter((f) => f !== null),
        [flow],
        'one of two takes gets it',
      );
      clock.advance(600_001);
      assert.equal(await store.transaction('w1', (tx) => tx.oauthFlows.take('s2')), null, 'expired');
    });

    test('O5 webhooks: a new webhook starts after the newest event; deliveries are enqueued once, retried and settled', async (t) => {
      const { store, clock, rawContents } = await openFresh(t, makeStore);
      for (const ws of ['w1', 'w2']) await store.workspaces.create(workspaceDoc(ws));
      await store.transaction('w1', (tx) => tx.events.append('before', {}));
      const hook = await store.transaction('w1', (tx) =>
        tx.webhooks.create({ id: 'wh_1', url: 'http://127.0.0.1:9/hook', secret: 'whsec-never-in-clear' }),
      );
      assert.ok(hook.eventCursor >= 1);
      assert.ok(!Buffer.from(await rawContents()).includes('whsec-never-in-clear'), 'the secret is sealed');
      assert.equal((await store.workspace('w1').webhooks.get('wh_1'))?.secret, 'whsec-never-in-clear');
      assert.equal(await store.workspace('w2').webhooks.get('wh_1'), null);

      const ids = await store.transaction('w1', async (tx) => [
        await tx.events.append('a', {}),
        await tx.events.append('b', {}),
      ]);
      const events = await store.workspace('w1').events.listAfter(hook.eventCursor);
      assert.deepEqual(
        events.map((e) => e.id),
        ids,
      );
      const enqueue = () =>
        store.transaction('w1', (tx) =>
          tx.webhooks.enqueue(
            'wh_1',
            events.map((e) => ({ id: e.id, type: e.type })),
          ),
        );
      await enqueue();
      await enqueue(); // a second pass adds nothing
      assert.equal((await store.workspace('w1').webhooks.get('wh_1'))?.eventCursor, ids[1]);
      const due = await store.workspace('w1').webhooks.due(clock.now());
      assert.deepEqual(
        due.map((d) => [d.eventType, d.state, d.attempts.length]),
        [
          ['a', 'pending', 0],
          ['b', 'pending', 0],
        ],
      );
      assert.deepEqual(await store.workspace('w2').webhooks.due(clock.now()), []);

      const [first, second] = due;
      const lease = new Date(clock.now().getTime() + 60_000);
      assert.equal(await store.transaction('w1', (tx) => tx.webhooks.claim(first!.id, lease)), true);
      assert.equal(
        await store.transaction('w1', (tx) => tx.webhooks.claim(first!.id, lease)),
        false,
        'a claimed delivery is not due for another worker',
      );
      const later = new Date(clock.now().getTime() + 30_000);
      await store.transaction('w1', async (tx) => {
        await tx.webhooks.recordAttempt(
          first!.id,
          { at: clock.now(), status: null, error: 'connection refused' },
          { state: 'pending', nextAttemptAt: later },
        );
        await tx.webhooks.recordAttempt(
          second!.id,
          { at: clock.now(), status: 204, error: null },
          { state: 'delivered', nextAttemptAt: null },
        );
      });
      assert.deepEqual(await store.workspace('w1').webhooks.due(clock.now()), []);
      clock.advance(30_000);
      const retry = await store.workspace('w1').webhooks.due(clock.now());
      assert.deepEqual(
        retry.map((d) => [d.id, d.lastError, d.attempts.map((a) => a.status)]),
        [[first!.id, 'connection refused', [null]]],
      );
      const delivered = await store.workspace('w1').webhooks.deliveries({ state: 'delivered' });
      assert.deepEqual(
        delivered.map((d) => d.id),
        [second!.id],
      );
      assert.deepEqual(
        (await store.workspace('w1').webhooks.deliveries({ webhookId: 'wh_1', limit: 1 })).map((d) => d.id),
        [second!.id],
      );

      assert.equal(await store.transaction('w1', (tx) => tx.webhooks.disable('wh_1')), true);
      assert.equal(await store.transaction('w1', (tx) => tx.webhooks.disable('wh_1')), false);
      assert.deepEqual(
        await store.workspace('w1').webhooks.due(clock.now()),
        [],
        'a disabled webhook is not due',
      );
    });
  });
}

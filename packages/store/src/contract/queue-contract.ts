import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EnqueueJob, Store } from '@crmsync/core';
import { openFresh, workspaceDoc, type MakeStore } from './harness.js';

const LEASE = 60_000;

function enqueue(store: Store, workspaceId: string, jobs: EnqueueJob | EnqueueJob[]): Promise<void> {
  return store.transaction(workspaceId, (tx) => tx.jobs.enqueue(jobs));
}

/** The JobQueue port's contract, on the same fresh databases as the store contract. */
export function runQueueContract(name: string, makeStore: MakeStore): void {
  describe(`${name}: JobQueue contract`, () => {
    test('coalescing: rapid edits of one record leave one pending job, due at the earliest time asked', async (t) => {
      const { store, queue, clock } = await openFresh(t, makeStore);
      await store.workspaces.create(workspaceDoc('w1'));
      const now = clock.now().getTime();
      await enqueue(store, 'w1', { queue: 'push', key: 'person:p1', runAt: new Date(now + 5000) });
      await enqueue(store, 'w1', { queue: 'push', key: 'person:p1', runAt: new Date(now + 1000) });
      await enqueue(store, 'w1', [
        { queue: 'push', key: 'person:p1', runAt: new Date(now + 9000) },
        { queue: 'push', key: 'person:p1', runAt: new Date(now + 2000) },
        { queue: 'pull', key: 'person:p1' },
      ]);
      const counts = await queue.counts('w1');
      assert.deepEqual(
        counts.byQueue.map((q) => [q.queue, q.pending]),
        [
          ['pull', 1],
          ['push', 1],
        ],
      );
      assert.deepEqual(
        await queue.claim({ workspaceId: 'w1', queue: 'push', limit: 10, leaseMs: LEASE, workerId: 'a' }),
        [],
      );
      clock.advance(1000);
      const [job] = await queue.claim({
        workspaceId: 'w1',
        queue: 'push',
        limit: 10,
        leaseMs: LEASE,
        workerId: 'a',
      });
      assert.equal(job?.key, 'person:p1');
      assert.deepEqual(job?.runAt, new Date(now + 1000));
    });

    test('claim: due jobs only, at most `limit`, earliest first, each under a lease', async (t) => {
      const { store, queue, clock } = await openFresh(t, makeStore);
      await store.workspaces.create(workspaceDoc('w1'));
      const now = clock.now().getTime();
      await enqueue(store, 'w1', [
        { queue: 'push', key: 'k3', runAt: new Date(now - 1000) },
        { queue: 'push', key: 'k1', runAt: new Date(now - 3000) },
        { queue: 'push', key: 'k2', runAt: new Date(now - 2000) },
        { queue: 'push', key: 'later', runAt: new Date(now + 10_000) },
        { queue: 'other', key: 'k1' },
      ]);
      const first = await queue.claim({
        workspaceId: 'w1',
        queue: 'push',
        limit: 2,
        leaseMs: LEASE,
        workerId: 'a',
      });
      assert.deepEqual(
        first.map((j) => j.key),
        ['k1', 'k2'],
      );
      for (const job of first) {
        assert.equal(job.state, 'leased');
        assert.equal(job.workerId, 'a');
        assert.deepEqual(job.leaseUntil, new Date(now + LEASE));
      }
      const second = await queue.claim({
        workspaceId: 'w1',
        queue: 'push',
        limit: 10,
        leaseMs: LEASE,
        workerId: 'b',
      });
      assert.deepEqual(
        second.map((j) => j.key),
        ['k3'],
      );
      const counts = await queue.counts('w1');
      assert.deepEqual(
        counts.byQueue.find((q) => q.queue === 'push'),
        { queue: 'push', pending: 1, retrying: 0, leased: 3, failed: 0 },
      );
      assert.deepEqual(await queue.dueWorkspaces('push'), []);
      assert.deepEqual(await queue.dueWorkspaces('other'), ['w1']);
      assert.deepEqual(
        await queue.complete(
          [...first, ...second].map((j) => j.id),
          { workerId: 'a' },
        ),
        first.map((j) => j.id),
      );
      assert.equal(
        (await queue.counts('w1')).total.leased,
        1,
        "b's job is still leased: a cannot complete it",
      );
    });

    test('lease expiry: a crashed worker’s job is claimable again on the injected clock, and the old holder cannot complete it', async (t) => {
      const { store, queue, clock } = await openFresh(t, makeStore);
      await store.workspaces.create(workspaceDoc('w1'));
      await enqueue(store, 'w1', { queue: 'push', key: 'person:p1' });
      const [crashed] = await queue.claim({
        workspaceId: 'w1',
        queue: 'push',
        limit: 1,
        leaseMs: LEASE,
        workerId: 'crashed',
      });
      assert.ok(crashed);
      clock.advance(LEASE - 1);
      assert.deepEqual(
        await queue.claim({ workspaceId: 'w1', queue: 'push', limit: 1, leaseMs: LEASE, workerId: 'b' }),
        [],
      );
      assert.deepEqual(await queue.dueWorkspaces('push'), []);
      clock.advance(1);
      assert.deepEqual(await queue.dueWorkspaces('push'), ['w1']);
      assert.equal((await queue.counts('w1')).total.pending, 1, 'an expired lease counts as pending');
      const [again] = await queue.claim({
        workspaceId: 'w1',
        queue: 'push',
        limit: 1,
        leaseMs: LEASE,
        workerId: 'b',
      });
      assert.equal(again?.id, crashed.id);
      assert.equal(again?.workerId, 'b');
      assert.deepEqual(await queue.complete([crashed.id], { workerId: 'crashed' }), []);
      assert.deepEqual(await queue.extendLease([crashed.id], { workerId: 'crashed', leaseMs: LEASE }), []);
      assert.deepEqual(await queue.complete([crashed.id], { workerId: 'b' }), [crashed.id]);
      assert.equal((await queue.counts('w1')).total.pending + (await queue.counts('w1')).total.leased, 0);
    });

    test('extendLease keeps a long job from being taken over', async (t) => {
      const { store, queue, clock } = await openFresh(t, makeStore);
      await store.workspaces.create(workspaceDoc('w1'));
      await enqueue(store, 'w1', { queue: 'push', key: 'person:p1' });
      const [job] = await queue.claim({
        workspaceId: 'w1',
        queue: 'push',
        limit: 1,
        leaseMs: LEASE,
        workerId: 'a',
      });
      assert.ok(job);
      clock.advance(LEASE / 2);
      assert.deepEqual(await queue.extendLease([job.id], { workerId: 'a', leaseMs: LEASE }), [job.id]);
      clock.advance(LEASE / 2 + 1);
      assert.deepEqual(
        await queue.claim({ workspaceId: 'w1', queue: 'push', limit: 1, leaseMs: LEASE, workerId: 'b' }),
        [],
      );
      clock.advance(LEASE / 2);
      assert.equal(
        (await queue.claim({ workspaceId: 'w1', queue: 'push', limit: 1, leaseMs: LEASE, workerId: 'b' }))[0]
          ?.id,
        job.id,
      );
    });

    test('ordering per key: an edit during a push makes a new job that waits until the leased one is done', async (t) => {
      const { store, queue } = await openFresh(t, makeStore);
      await store.workspaces.create(workspaceDoc('w1'));
      await enqueue(store, 'w1', [
        { queue: 'push', key: 'person:p1' },
        { queue: 'push', key: 'person:p2' },
      ]);
      const [leased] = await queue.claim({
        workspaceId: 'w1',
        queue: 'push',
        limit: 1,
        leaseMs: LEASE,
        workerId: 'a',
      });
      assert.equal(leased?.key, 'person:p1');
      // The record changes while worker a pushes it.
      await enqueue(store, 'w1', { queue: 'push', key: 'person:p1' });
      assert.equal((await queue.counts('w1')).total.pending, 2, 'the edit made a new pending job');
      const others = await queue.claim({
        workspaceId: 'w1',
        queue: 'push',
        limit: 10,
        leaseMs: LEASE,
        workerId: 'b',
      });
      assert.deepEqual(
        others.map((j) => j.key),
        ['person:p2'],
        'p1 is not handed to a second worker while a holds it',
      );
      await queue.complete([leased.id], { workerId: 'a' });
      const next = await queue.claim({
        workspaceId: 'w1',
        queue: 'push',
        limit: 10,
        leaseMs: LEASE,
        workerId: 'b',
      });
      assert.deepEqual(
        next.map((j) => j.key),
        ['person:p1'],
      );
      assert.notEqual(next[0]?.id, leased.id);
    });

    test('ordering per key: concurrent claims by many workers never hand out one key twice', async (t) => {
      const { store, queue } = await openFresh(t, makeStore);
      await store.workspaces.create(workspaceDoc('w1'));
      const keys = Array.from({ length: 30 }, (_, i) => `person:p${i}`);
      await enqueue(
        store,
        'w1',
        keys.map((key) => ({ queue: 'push', key })),
      );
      const claims = await Promise.all(
        Array.from({ length: 6 }, (_, w) =>
          queue.claim({ workspaceId: 'w1', queue: 'push', limit: 7, leaseMs: LEASE, workerId: `w${w}` }),
        ),
      );
      const claimed = claims.flat().map((j) => j.key);
      assert.equal(claimed.length, 30);
      assert.equal(new Set(claimed).size, 30);
    });

    test('fail: a retry time counts the attempt and hides the job until then; no retry time parks it until retryFailed', async (t) => {
      const { store, queue, clock } = await openFresh(t, makeStore);
      await store.workspaces.create(workspaceDoc('w1'));
      await enqueue(store, 'w1', [
        { queue: 'push', key: 'person:p1' },
        { queue: 'push', key: 'person:p2' },
      ]);
      const [j1, j2] = await queue.claim({
        workspaceId: 'w1',
        queue: 'push',
        limit: 2,
        leaseMs: LEASE,
        workerId: 'a',
      });
      assert.ok(j1 && j2);
      const retryAt = new Date(clock.now().getTime() + 30_000);
      assert.equal(await queue.fail(j1.id, { workerId: 'b', error: 'not mine', retryAt }), false);
      assert.equal(await queue.fail(j1.id, { workerId: 'a', error: 'UNABLE_TO_LOCK_ROW', retryAt }), true);
      assert.equal(await queue.fail(j2.id, { workerId: 'a', error: 'INVALID_FIELD', retryAt: null }), true);
      assert.deepEqual((await queue.counts('w1')).total, { pending: 1, retrying: 1, leased: 0, failed: 1 });

      assert.deepEqual(
        await queue.claim({ workspaceId: 'w1', queue: 'push', limit: 10, leaseMs: LEASE, workerId: 'a' }),
        [],
      );
      clock.advance(30_000);
      const [retried] = await queue.claim({
        workspaceId: 'w1',
        queue: 'push',
        limit: 10,
        leaseMs: LEASE,
        workerId: 'a',
      });
      assert.equal(retried?.key, 'person:p1');
      assert.equal(retried?.attempts, 1);
      assert.equal(retried?.lastError, 'UNABLE_TO_LOCK_ROW');

      assert.equal(await queue.retryFailed('w1', { keys: ['person:other'] }), 0);
      assert.equal(await queue.retryFailed('w1'), 1);
      const [parked] = await queue.claim({
        workspaceId: 'w1',
        queue: 'push',
        limit: 10,
        leaseMs: LEASE,
        workerId: 'a',
      });
      assert.equal(parked?.key, 'person:p2');
      assert.equal(parked?.attempts, 1);
    });

    test('fail while an edit is pending: the two coalesce into one job that carries the attempt and the backoff', async (t) => {
      const { store, queue, clock } = await openFresh(t, makeStore);
      await store.workspaces.create(workspaceDoc('w1'));
      await enqueue(store, 'w1', { queue: 'push', key: 'person:p1' });
      const [job] = await queue.claim({
        workspaceId: 'w1',
        queue: 'push',
        limit: 1,
        leaseMs: LEASE,
        workerId: 'a',
      });
      assert.ok(job);
      await enqueue(store, 'w1', { queue: 'push', key: 'person:p1' });
      await queue.fail(job.id, {
        workerId: 'a',
        error: '503',
        retryAt: new Date(clock.now().getTime() + 10_000),
      });
      assert.deepEqual((await queue.counts('w1')).total, { pending: 1, retrying: 1, leased: 0, failed: 0 });
      assert.deepEqual(
        await queue.claim({ workspaceId: 'w1', queue: 'push', limit: 1, leaseMs: LEASE, workerId: 'a' }),
        [],
      );
      clock.advance(10_000);
      const [next] = await queue.claim({
        workspaceId: 'w1',
        queue: 'push',
        limit: 1,
        leaseMs: LEASE,
        workerId: 'a',
      });
      assert.equal(next?.attempts, 1);
    });

    test('waitingSince: the longest-waiting due job of the queues asked, never-failed ones only', async (t) => {
      const { store, queue, clock } = await openFresh(t, makeStore);
      await store.workspaces.create(workspaceDoc('w1'));
      await store.workspaces.create(workspaceDoc('w2'));
      assert.equal(await queue.waitingSince('w1', ['push']), null, 'nothing waits');
      const t0 = clock.now().getTime();
      await enqueue(store, 'w1', { queue: 'push', key: 'person:p1' });
      await enqueue(store, 'w1', { queue: 'later', key: 'person:p9', runAt: new Date(t0 + 60_000) });
      clock.advance(1_000);
      await enqueue(store, 'w1', { queue: 'push', key: 'person:p2' });
      await enqueue(store, 'w2', { queue: 'push', key: 'person:x', runAt: new Date(t0 - 5_000) });
      assert.equal((await queue.waitingSince('w1', ['push']))?.getTime(), t0, 'the first one enqueued');
      assert.equal(await queue.waitingSince('w1', ['later']), null, 'not due yet');
      assert.equal(await queue.waitingSince('w1', ['other']), null);
      assert.equal((await queue.waitingSince('w2', ['push']))?.getTime(), t0 - 5_000, 'per workspace');

      // A job that failed waits for its retry time, not for company: it does not count.
      const [first] = await queue.claim({
        workspaceId: 'w1',
        queue: 'push',
        limit: 1,
        leaseMs: LEASE,
        workerId: 'a',
      });
      assert.ok(first);
      await queue.fail(first.id, { workerId: 'a', error: 'lock', retryAt: new Date(clock.now().getTime()) });
      assert.equal((await queue.waitingSince('w1', ['push']))?.getTime(), t0 + 1_000);
    });

    test('release gives jobs back at once without counting an attempt', async (t) => {
      const { store, queue } = await openFresh(t, makeStore);
      await store.workspaces.create(workspaceDoc('w1'));
      await enqueue(store, 'w1', [
        { queue: 'push', key: 'person:p1' },
        { queue: 'push', key: 'person:p2' },
      ]);
      const jobs = await queue.claim({
        workspaceId: 'w1',
        queue: 'push',
        limit: 2,
        leaseMs: LEASE,
        workerId: 'a',
      });
      await enqueue(store, 'w1', { queue: 'push', key: 'person:p2' });
      assert.equal(
        (
          await queue.release(
            jobs.map((j) => j.id),
            { workerId: 'a' },
          )
        ).length,
        2,
      );
      const again = await queue.claim({
        workspaceId: 'w1',
        queue: 'push',
        limit: 10,
        leaseMs: LEASE,
        workerId: 'b',
      });
      assert.deepEqual(again.map((j) => j.key).sort(), ['person:p1', 'person:p2']);
      assert.ok(again.every((j) => j.attempts === 0));
      assert.equal(
        (await queue.counts('w1')).total.pending,
        0,
        'the released p2 and the pending edit of p2 became one job',
      );
    });
  });
}

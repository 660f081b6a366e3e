import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Workspace } from '@crmsync/core';
import { ManualClock } from '../src/contract/index.js';
import { bossQueueName } from '../src/postgres/job-names.js';
import { createScratchDatabase, openPostgresStore } from '../src/postgres/index.js';
import { cronEvery } from '../src/postgres/pgboss-queue.js';

// What only the Postgres driver promises, beyond the shared contract: its jobs are pg-boss's,
// and a server that is down is reported, not skipped.

const database = await createScratchDatabase();
after(() => database.drop());

test('an unreachable server is refused with a message that says how to start PostgreSQL', async () => {
  await assert.rejects(
    createScratchDatabase({ adminUrl: 'postgres://postgres@127.0.0.1:1/postgres' }),
    /PostgreSQL is not reachable at 127\.0\.0\.1:1 .*Start it/,
  );
});

test('a job enqueued in a store transaction is a pg-boss job of a stately queue, keyed by its record', async (t) => {
  const clock = new ManualClock();
  const opened = await openPostgresStore({ url: database.url, clock, encryptionKey: new Uint8Array(32) });
  t.after(() => opened.close());
  await opened.store.workspaces.create(Workspace.parse({ id: 'w1', name: 'One' }));
  await opened.store.transaction('w1', (tx) => tx.jobs.enqueue({ queue: 'push-person', key: 'person:p1' }));
  const name = bossQueueName('w1', 'push-person');
  assert.equal((await opened.boss.getQueue(name))?.policy, 'stately');
  const [claimed] = await opened.queue.claim({
    workspaceId: 'w1',
    queue: 'push-person',
    limit: 1,
    leaseMs: 60_000,
    workerId: 'a',
  });
  assert.ok(claimed);
  const job = await opened.boss.getJobById(name, claimed.id.slice(0, 36));
  assert.equal(job?.singletonKey, 'person:p1');
  assert.equal(job?.state, 'active', 'the lease is pg-boss’s active state');
  assert.equal(job?.expireIn.minutes, 1, 'the lease length is pg-boss’s expireIn');
  await opened.queue.complete([claimed.id], { workerId: 'a' });
  assert.equal((await opened.boss.getJobById(name, claimed.id.slice(0, 36)))?.state, 'completed');
});

test('P1: schedule keeps a pg-boss cron that enqueues the pull job only when none is pending', async (t) => {
  const clock = new ManualClock();
  const opened = await openPostgresStore({ url: database.url, clock, encryptionKey: new Uint8Array(32) });
  t.after(() => opened.close());
  await opened.store.workspaces.create(Workspace.parse({ id: 'cron', name: 'Cron' }));
  assert.ok(opened.queue.schedule !== undefined);
  await opened.queue.schedule('cron', 'pull', 'workspace:cron', 5);
  await opened.queue.schedule('cron', 'pull', 'workspace:cron', 90); // the interval changed: replaced
  const name = bossQueueName('cron', 'pull');
  const schedules = (await opened.boss.getSchedules()).filter((s) => s.name === name);
  assert.equal(schedules.length, 1);
  assert.equal(schedules[0]?.cron, cronEvery(90));
  assert.equal(schedules[0]?.options?.singletonKey, 'workspace:cron');

  // A tick, as pg-boss's timekeeper sends it: a job with the schedule's data and singleton key.
  const tick = () =>
    opened.boss.insert([
      { name, data: schedules[0]!.data ?? {}, singletonKey: schedules[0]!.options?.singletonKey ?? '' },
    ]);
  await tick();
  const pending = async () => (await opened.queue.counts('cron')).total.pending;
  assert.equal(await pending(), 1, 'the lost chain is restarted');
  await tick();
  assert.equal(await pending(), 1, 'a pending pull absorbs the next tick');
  const [job] = await opened.queue.claim({
    workspaceId: 'cron',
    queue: 'pull',
    limit: 5,
    leaseMs: 60_000,
    workerId: 'w',
  });
  assert.equal(job?.key, 'workspace:cron', 'the tick is the same job the pull worker claims');
});

test('cronEvery: minutes below an hour, whole hours above', () => {
  assert.equal(cronEvery(5), '*/5 * * * *');
  assert.equal(cronEvery(59), '*/59 * * * *');
  assert.equal(cronEvery(60), '0 */1 * * *');
  assert.equal(cronEvery(150), '0 */2 * * *');
  assert.equal(cronEvery(24 * 60), '0 0 * * *');
  assert.throws(() => cronEvery(0), RangeError);
});

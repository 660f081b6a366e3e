import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { Workspace } from '@crmsync/core';
import { ManualClock } from '../src/contract/index.js';
import { bossQueueName } from '../src/postgres/job-names.js';
import { createScratchDatabase, openPostgresStore } from '../src/postgres/index.js';

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

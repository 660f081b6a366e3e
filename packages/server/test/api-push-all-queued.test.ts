import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { json, startApi, startEmulatorProcess, type EmulatorProcess } from './harness.js';

/*
 * C9 with workers (the scale-out issue): where `crmsync worker` processes run push all
 * (PostgreSQL), the API only queues the run as chunk jobs and answers at once; GET follows the
 * chunks until the workers are done. The worker's part is the engine's `runPushAllJob`, called
 * here as `crmsync worker` calls it.
 */

let emu: EmulatorProcess;
before(async () => {
  emu = await startEmulatorProcess();
});
after(() => emu.close());

test('C9: POST /push-all on a queued deployment queues chunk jobs and sends nothing; GET follows them to done', async (t) => {
  const api = await startApi(t, emu, { pushAll: 'queued' });
  const key = await api.workspace('acme');
  const org = await api.connect(key, { settings: { contacts: { pushContacts: false } } });
  for (let i = 0; i < 3; i++) {
    const res = await api.call('POST', '/api/v1/people', {
      key,
      body: { id: `q${i}`, lastName: `Queued ${i}`, email: `q${i}@example.com`, emailStatus: 'verified' },
    });
    assert.equal(res.statusCode, 201, res.body);
  }
  const contacts = async () =>
    (
      (await fetch(`${emu.url}/__emulator/orgs/${org.orgId}/writes`).then((r) => r.json())) as {
        totals: Record<string, { create?: number }>;
      }
    ).totals.Contact?.create ?? 0;

  const started = await api.call('POST', '/api/v1/push-all', { key });
  assert.equal(started.statusCode, 202, started.body);
  const run = json(started);
  assert.equal(run.status, 'running');
  assert.equal(run.progress.total, 3);
  assert.deepEqual(run.chunks, { total: 1, queued: 1, running: 0, retrying: 0, done: 0 });
  assert.equal(await contacts(), 0, 'the API process sent nothing');

  const again = await api.call('POST', '/api/v1/push-all', { key });
  assert.equal(again.statusCode, 409, 'one run at a time');
  assert.match(json(again).error.message, new RegExp(run.runId));

  // A worker takes the chunk.
  const worked = await api.engine.runPushAllJob('acme');
  assert.equal(worked.claimed, 1);
  const done = json(await api.call('GET', `/api/v1/push-all/${run.runId}`, { key }));
  assert.equal(done.status, 'done', JSON.stringify(done));
  assert.equal(done.progress.created, 3);
  assert.deepEqual(done.chunks, { total: 1, queued: 0, running: 0, retrying: 0, done: 1 });
  assert.ok(done.result.byReason.length > 0);
  assert.equal(await contacts(), 3);
  assert.equal((await api.call('GET', '/api/v1/push-all/push-all-unknown', { key })).statusCode, 404);
});

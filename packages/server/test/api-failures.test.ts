import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { externalIdSchema } from '../../engine/test/harness.js';
import { ADMIN_KEY, json, startApi, startEmulatorProcess, type EmulatorProcess } from './harness.js';

/* Records Salesforce refuses: per-record results, the failed view of the log, metrics, and retry (O4). */

let emu: EmulatorProcess;
before(async () => {
  emu = await startEmulatorProcess();
});
after(() => emu.close());

test('a refused record is reported per record, shown in the failed log with why, counted, and retried by record, filter or all', async (t) => {
  const api = await startApi(t, emu);
  const key = await api.workspace('acme');
  const schema = externalIdSchema({
    Contact: {
      validationRules: [
        {
          name: 'NoForbidden',
          field: 'Title',
          op: '=',
          value: 'Forbidden',
          message: 'Title may not be Forbidden',
        },
      ],
    },
  });
  await api.connect(key, { schema, settings: { contacts: { pushContacts: true } } });
  for (const [id, title] of [
    ['good', 'CTO'],
    ['bad', 'Forbidden'],
  ] as const) {
    const res = await api.call('POST', '/api/v1/people', {
      key,
      body: { id, lastName: id, title, email: `${id}@example.com`, emailStatus: 'verified' },
    });
    assert.equal(json(res).queued, true);
  }
  await api.engine.runUntilIdle('acme');

  const failed = json(await api.call('GET', '/api/v1/log?failed=true', { key })).items;
  assert.deepEqual(
    failed.map((e: { recordId: string }) => e.recordId),
    ['bad'],
  );
  assert.equal(failed[0].errorCode, 'FIELD_CUSTOM_VALIDATION_EXCEPTION');
  assert.match(failed[0].errorMessage, /Title may not be Forbidden/);
  assert.ok(failed[0].why.length > 20, failed[0].why);
  const metrics = (await api.call('GET', '/metrics', { key: ADMIN_KEY })).body;
  assert.match(metrics, /^crmsync_failures_24h\{workspace="acme"\} 1$/m);
  assert.match(
    metrics,
    /^crmsync_queue_jobs\{workspace="acme",queue="[^"]*person[^"]*",state="failed"\} 1$/m,
  );

  // Manual push reports the same refusal for that record only.
  const pushed = json(
    await api.call('POST', '/api/v1/push', { key, body: { people: ['bad', 'good'] } }),
  ).results;
  const byId = Object.fromEntries(
    pushed.map((r: { id: string; outcome: { status: string } }) => [r.id, r.outcome]),
  );
  assert.equal(byId.bad.status, 'failed');
  assert.equal(byId.good.status, 'done');

  assert.equal(
    json(await api.call('POST', '/api/v1/retry', { key, body: { errorCode: 'DUPLICATE_VALUE' } })).retried,
    0,
  );
  assert.equal(
    json(await api.call('POST', '/api/v1/retry', { key, body: { record: { type: 'person', id: 'bad' } } }))
      .retried,
    1,
  );
  assert.equal(
    json(await api.call('POST', '/api/v1/retry', { key, body: { all: true } })).retried,
    0,
    'already due again',
  );
  await api.engine.runUntilIdle('acme');
  assert.equal(
    json(
      await api.call('POST', '/api/v1/retry', {
        key,
        body: { sfObject: 'Contact', errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION' },
      }),
    ).retried,
    1,
  );
});

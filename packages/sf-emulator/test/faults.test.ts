import { test } from 'node:test';
import assert from 'node:assert/strict';
import jsforce from 'jsforce';
import { API_VERSION, emulatorFor, freshOrg, raw, rejection } from './helpers.js';

type Result = { id?: string; success: boolean; errors: Array<{ statusCode: string; message: string }> };

test('fault injection', async (t) => {
  const delays: number[] = [];
  const emulator = await emulatorFor(t, { delay: async (ms) => void delays.push(ms) });

  await t.test(
    'a dropped write response: the write commits, the client sees a socket error, and nothing else is dropped',
    async () => {
      const { conn, org } = freshOrg(emulator);
      emulator.control.addFault(org.orgId, {
        method: 'POST',
        pathPrefix: '/sobjects/Contact',
        dropWriteResponses: 1,
      });
      const err = await rejection(() => conn.sobject('Contact').create({ LastName: 'Unknown Outcome' }));
      assert.doesNotMatch(err.message, /LastName|Required/);
      const rows = await conn.query<{ Id: string; LastName: string }>(
        "SELECT Id, LastName FROM Contact WHERE LastName = 'Unknown Outcome'",
      );
      assert.equal(rows.totalSize, 1, 'the write happened');
      assert.equal(
        emulator.control.writes(org.orgId, [rows.records[0]!.Id]).records[rows.records[0]!.Id]?.create,
        1,
      );
      const next = await conn.sobject('Contact').create({ LastName: 'Answered' });
      assert.equal(next.success, true);
      assert.deepEqual(emulator.control.faults(org.orgId), [], 'a spent drop rule removes itself');
    },
  );

  await t.test(
    'UNABLE_TO_LOCK_ROW: per-record in collection writes (nothing written), a 400 for single writes',
    async () => {
      const { conn, org } = freshOrg(emulator);
      emulator.control.addFault(org.orgId, {
        failureRate: 1,
        failureKind: 'lock',
        pathPrefix: '/composite/sobjects',
      });
      const results = (await conn
        .sobject('Contact')
        .create([{ LastName: 'A' }, { LastName: 'B' }])) as Result[];
      assert.deepEqual(
        results.map((r) => [r.success, r.errors[0]?.statusCode]),
        [
          [false, 'UNABLE_TO_LOCK_ROW'],
          [false, 'UNABLE_TO_LOCK_ROW'],
        ],
      );
      assert.equal(org.store.countLive('Contact'), 0);
      emulator.control.clearFaults(org.orgId);
      emulator.control.addFault(org.orgId, { failureRate: 1, failureKind: 'lock', method: 'PATCH' });
      const created = await conn.sobject('Contact').create({ LastName: 'Locked' });
      const err = await rejection(() => conn.sobject('Contact').update({ Id: created.id!, Title: 'x' }));
      assert.equal(err.errorCode, 'UNABLE_TO_LOCK_ROW');
      assert.match(err.message, /^unable to obtain exclusive access to this record or 1 records: 003/);
    },
  );

  await t.test('a seeded share of requests fails, the same way for the same seed', async () => {
    const pattern = async () => {
      const { conn, org } = freshOrg(emulator);
      emulator.control.addFault(org.orgId, {
        failureRate: 0.5,
        failureKind: 'unavailable',
        method: 'POST',
        seed: 42,
      });
      const outcomes: string[] = [];
      for (let i = 0; i < 24; i++) {
        outcomes.push(
          await conn
            .sobject('Account')
            .create({ Name: `A${i}` })
            .then(
              () => 'ok',
              (e: Error & { errorCode?: string }) => e.errorCode ?? e.message,
            ),
        );
      }
      return outcomes;
    };
    const first = await pattern();
    assert.ok(first.includes('ok') && first.includes('SERVER_UNAVAILABLE'), first.join(','));
    assert.deepEqual(await pattern(), first);
  });

  await t.test('latency: the emulator-wide setting and per-org rules add up, targeted by path', async () => {
    const { conn, org } = freshOrg(emulator);
    emulator.control.addFault(org.orgId, { latencyMs: 250, pathPrefix: '/limits' });
    delays.length = 0;
    await conn.limits();
    await conn.sobject('Account').create({ Name: 'Fast' });
    assert.deepEqual(delays, [250]);
  });

  await t.test(
    'a composite of GETs only is a read: no lock failure, no dropped write; dropResponses drops reads too',
    async () => {
      const { conn, org } = freshOrg(emulator);
      await conn.sobject('Contact').create({ LastName: 'Read Me' });
      const url = `/services/data/v${API_VERSION}/composite`;
      const reads = JSON.stringify({
        compositeRequest: [
          {
            method: 'GET',
            url: `/services/data/v${API_VERSION}/query?q=SELECT+Id+FROM+Contact`,
            referenceId: 'q',
          },
        ],
      });
      emulator.control.addFault(org.orgId, { pathPrefix: '/composite', failureRate: 1, failureKind: 'lock' });
      emulator.control.addFault(org.orgId, { pathPrefix: '/composite', dropWriteResponses: 1 });
      const answered = await raw(emulator, org, 'POST', url, reads);
      assert.equal(answered.status, 200);
      assert.ok(
        emulator.control.faults(org.orgId).some((f) => f.dropWriteResponses === 1),
        'the read did not spend the dropped-write rule',
      );
      emulator.control.clearFaults(org.orgId);
      emulator.control.addFault(org.orgId, { pathPrefix: '/composite', failureRate: 1, failureKind: 'lock' });
      const writes = JSON.stringify({
        compositeRequest: [
          {
            method: 'POST',
            url: `/services/data/v${API_VERSION}/sobjects/Contact`,
            referenceId: 'c',
            body: { LastName: 'Locked Out' },
          },
        ],
      });
      const locked = await raw(emulator, org, 'POST', url, writes);
      assert.match(locked.text, /UNABLE_TO_LOCK_ROW/, 'a composite carrying a write takes locks');
      emulator.control.clearFaults(org.orgId);

      emulator.control.addFault(org.orgId, { method: 'POST', pathPrefix: '/composite', dropResponses: 1 });
      await assert.rejects(raw(emulator, org, 'POST', url, reads), 'the read was dropped');
      assert.equal((await raw(emulator, org, 'POST', url, reads)).status, 200, 'once');
      assert.deepEqual(emulator.control.faults(org.orgId), []);
    },
  );

  await t.test('expire sessions: the next call is 401 and jsforce logs in again', async () => {
    const org = emulator.createOrg();
    const conn = new jsforce.Connection({
      oauth2: { loginUrl: emulator.url, clientId: org.clientId, clientSecret: org.clientSecret },
      version: API_VERSION,
    });
    await conn.login(org.username, org.password);
    const before = conn.accessToken;
    assert.deepEqual(emulator.control.expireSessions(org.orgId), { expired: 1 });
    const stale = await fetch(`${emulator.url}/services/data/v${API_VERSION}/limits`, {
      headers: { Authorization: `Bearer ${before}` },
    });
    assert.equal(stale.status, 401);
    const created = await conn.sobject('Account').create({ Name: 'After expiry' });
    assert.equal(created.success, true);
    assert.notEqual(conn.accessToken, before);
  });

  await t.test('faults through the HTTP control API: add, list, spend the API limit, clear', async () => {
    const { conn, org } = freshOrg(emulator);
    const add = await fetch(`${emulator.url}/__emulator/orgs/${org.orgId}/faults`, {
      method: 'POST',
      body: JSON.stringify({ method: 'DELETE', failureRate: 1, failureKind: 'unavailable' }),
    });
    assert.equal(add.status, 201);
    const list = (await (
      await fetch(`${emulator.url}/__emulator/orgs/${org.orgId}/faults`)
    ).json()) as unknown[];
    assert.equal(list.length, 1);
    const spent = await fetch(`${emulator.url}/__emulator/orgs/${org.orgId}/faults/spend-api-limit`, {
      method: 'POST',
    });
    assert.deepEqual(await spent.json(), { used: 15000, max: 15000 });
    const err = await rejection(() => conn.sobject('Account').create({ Name: 'x' }));
    assert.equal(err.errorCode, 'REQUEST_LIMIT_EXCEEDED');
    const bad = await fetch(`${emulator.url}/__emulator/orgs/${org.orgId}/faults`, {
      method: 'POST',
      body: JSON.stringify({ failureRate: 7 }),
    });
    assert.equal(bad.status, 400);
    await fetch(`${emulator.url}/__emulator/orgs/${org.orgId}/faults`, { method: 'DELETE' });
    assert.deepEqual(emulator.control.faults(org.orgId), []);
    const res = await raw(emulator, org, 'GET', `/services/data/v${API_VERSION}/limits`);
    assert.equal(res.status, 200, 'the limits resource is not charged, so it still answers');
  });
});

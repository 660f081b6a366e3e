import { test } from 'node:test';
import assert from 'node:assert/strict';
import { API_VERSION, emulatorFor, freshOrg, raw, rejection } from './helpers.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

test('replication feeds and limits', async (t) => {
  // A fixed base clock so minute truncation is predictable: 2025-03-10T12:00:30Z.
  const base = Date.parse('2025-03-10T12:00:30.000Z');
  const emulator = await emulatorFor(t, { clock: () => base });

  await t.test(
    'updated lists ids changed in the window with a minute-truncated latestDateCovered',
    async () => {
      const { conn, org } = freshOrg(emulator);
      const early = await conn.sobject('Contact').create({ LastName: 'Early' });
      emulator.control.setClock(org.orgId, { advanceMs: 10 * MINUTE });
      const late = await conn.sobject('Contact').create({ LastName: 'Late' });
      emulator.control.setClock(org.orgId, { advanceMs: 5 * MINUTE });

      const start = new Date(base - MINUTE);
      const end = new Date(base + 30 * MINUTE);
      const all = await conn.sobject('Contact').updated(start, end);
      assert.deepEqual([...all.ids].sort(), [early.id, late.id].sort());
      assert.equal(
        all.latestDateCovered,
        '2025-03-10T12:15:00.000+0000',
        'capped at the org clock, truncated to the minute',
      );

      const firstPart = await conn.sobject('Contact').updated(start, new Date(base + 5 * MINUTE));
      assert.deepEqual(firstPart.ids, [early.id]);
      assert.equal(firstPart.latestDateCovered, '2025-03-10T12:05:00.000+0000');

      const tooOld = await rejection(() => conn.sobject('Contact').updated(new Date(base - 31 * DAY), end));
      assert.equal(tooOld.errorCode, 'INVALID_REPLICATION_DATE');
    },
  );

  await t.test(
    'deleted lists deletions (merges included) with deletedDate, earliestDateAvailable and a 15-day window',
    async () => {
      const { conn, org } = freshOrg(emulator);
      const keep = await conn.sobject('Contact').create({ LastName: 'Keep' });
      const gone = await conn.sobject('Contact').create({ LastName: 'Gone' });
      const loser = await conn.sobject('Contact').create({ LastName: 'Loser' });
      emulator.control.setClock(org.orgId, { advanceMs: 2 * MINUTE });
      await conn.sobject('Contact').destroy(gone.id!);
      const merged = emulator.control.merge(org.orgId, {
        object: 'Contact',
        masterId: keep.id!,
        mergeIds: [loser.id!],
      });
      assert.equal(merged.success, true);
      emulator.control.setClock(org.orgId, { advanceMs: 3 * MINUTE });

      const result = await conn.sobject('Contact').deleted(new Date(base - 10 * DAY), new Date(base + DAY));
      assert.deepEqual(result.deletedRecords.map((d) => d.id).sort(), [gone.id, loser.id].sort());
      assert.match(result.deletedRecords[0]!.deletedDate, /^2025-03-10T12:02:30\.\d{3}\+0000$/);
      assert.equal(result.earliestDateAvailable, '2025-03-10T12:02:00.000+0000');
      assert.equal(result.latestDateCovered, '2025-03-10T12:05:00.000+0000');
      const tooOld = await rejection(() =>
        conn.sobject('Contact').deleted(new Date(base - 16 * DAY), new Date(base)),
      );
      assert.equal(tooOld.errorCode, 'INVALID_REPLICATION_DATE');
    },
  );

  await t.test(
    'limits: /limits shape, Sforce-Limit-Info on every response, conn.limitInfo, and REQUEST_LIMIT_EXCEEDED once spent',
    async () => {
      const { conn, org } = freshOrg(emulator, { dailyApiLimit: 5 });
      await conn.sobject('Account').create({ Name: 'One' });
      assert.deepEqual(conn.limitInfo.apiUsage, { used: 1, limit: 5 });
      const limits = await conn.limits();
      assert.deepEqual(limits.DailyApiRequests, { Max: 5, Remaining: 4 });
      assert.deepEqual(Object.keys(limits.DailyBulkV2QueryJobs ?? {}), ['Max', 'Remaining']);
      await conn.sobject('Account').create({ Name: 'Two' });
      await conn.sobject('Account').create({ Name: 'Three' });
      await conn.sobject('Account').create({ Name: 'Four' });
      await conn.sobject('Account').create({ Name: 'Five' });
      assert.deepEqual(conn.limitInfo.apiUsage, { used: 5, limit: 5 });
      const refused = await rejection(() => conn.sobject('Account').create({ Name: 'Six' }));
      assert.equal(refused.errorCode, 'REQUEST_LIMIT_EXCEEDED');
      assert.equal(refused.message, 'TotalRequests Limit exceeded.');
      const header = await raw(
        emulator,
        org,
        'POST',
        `/services/data/v${API_VERSION}/sobjects/Account`,
        JSON.stringify({ Name: 'Seven' }),
      );
      assert.equal(header.status, 403);
      assert.equal(header.headers.get('sforce-limit-info'), 'api-usage=5/5');
      assert.equal(org.store.countLive('Account'), 5);

      emulator.control.setClock(org.orgId, { advanceMs: DAY });
      const nextDay = await conn.sobject('Account').create({ Name: 'Tomorrow' });
      assert.equal(nextDay.success, true, 'the budget renews when the org day changes');
    },
  );
});

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Workspace } from '@crmsync/core';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, sql } from 'kysely';
import { ManualClock } from '../src/contract/index.js';
import { migrationProvider } from '../src/index.js';
import { openSqliteStore } from '../src/sqlite/index.js';

// 0003 moves the API keys that earlier releases kept in `cursors` (org '' / `api-key:<sha256>`)
// into the api_keys table: a key issued before the upgrade keeps working, a revoked one stays revoked.

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

test('upgrading a database moves its API keys out of the cursors table, revoked ones included', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'crmsync-keys-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'crmsync.db');

  const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: new BetterSqlite3(file) }) });
  const before = await new Migrator({ db, provider: migrationProvider }).migrateTo('0002-account-index');
  assert.equal(before.error, undefined);
  const workspace = Workspace.parse({ id: 'acme', name: 'Acme' });
  await sql`insert into workspaces (workspace_id, name, document, created_at)
    values ('acme', 'Acme', ${JSON.stringify(workspace)}, '2026-01-01T00:00:00.000Z')`.execute(db);
  const live = 'csk.YWNtZQ.live-secret-0123456789abcdef';
  const revoked = 'csk.YWNtZQ.revoked-secret-0123456789abc';
  for (const [key, stored] of [
    [live, { label: 'host app', createdAt: '2026-01-02T00:00:00.000Z', revoked: false }],
    [revoked, { label: 'old', createdAt: '2026-01-03T00:00:00.000Z', revoked: true }],
  ] as const) {
    await sql`insert into cursors (workspace_id, org_id, name, value, updated_at)
      values ('acme', '', ${`api-key:${sha256(key)}`}, ${JSON.stringify(stored)}, '2026-01-03T00:00:00.000Z')`.execute(
      db,
    );
  }
  await sql`insert into cursors (workspace_id, org_id, name, value, updated_at)
    values ('acme', '00D000000000001AAA', 'Contact', '"kept"', '2026-01-03T00:00:00.000Z')`.execute(db);
  await db.destroy();

  const opened = await openSqliteStore({ file, clock: new ManualClock(), encryptionKey: new Uint8Array(32) });
  t.after(() => opened.close());
  const keys = opened.store.workspace('acme').apiKeys;
  const moved = await keys.findByHash(sha256(live));
  assert.equal(moved?.label, 'host app');
  assert.equal(moved?.revokedAt, null);
  assert.equal(moved?.prefix, 'csk.YWNtZQ.');
  assert.deepEqual(moved?.createdAt, new Date('2026-01-02T00:00:00.000Z'));
  assert.notEqual((await keys.findByHash(sha256(revoked)))?.revokedAt, null);
  assert.equal((await keys.list()).length, 2);
  assert.equal(await opened.store.workspace('acme').cursors.get('', `api-key:${sha256(live)}`), null);
  assert.equal(await opened.store.workspace('acme').cursors.get('00D000000000001AAA', 'Contact'), 'kept');
});

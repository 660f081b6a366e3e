import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Person, Workspace } from '@crmsync/core';
import BetterSqlite3 from 'better-sqlite3';
import { ManualClock } from '../src/contract/index.js';
import { migrations } from '../src/index.js';
import { openSqliteStore } from '../src/sqlite/index.js';

// What only the SQLite driver promises, beyond the shared contract: its file settings and
// BEGIN IMMEDIATE across processes.

const root = mkdtempSync(join(tmpdir(), 'crmsync-sqlite-'));
after(() => rmSync(root, { recursive: true, force: true }));
const writer = fileURLToPath(new URL('./fixtures/concurrent-writer.ts', import.meta.url));

test('the opener creates the folder and leaves the file in WAL mode; reopening runs no migration twice', async (t) => {
  const file = join(root, 'nested', 'deeper', 'crmsync.db');
  const key = randomBytes(32);
  const first = await openSqliteStore({ file, clock: new ManualClock(), encryptionKey: key });
  await first.store.workspaces.create(Workspace.parse({ id: 'w1', name: 'One' }));
  await first.close();
  const second = await openSqliteStore({ file, clock: new ManualClock(), encryptionKey: key });
  t.after(() => second.close());
  assert.deepEqual(
    (await second.store.workspaces.list()).map((w) => w.id),
    ['w1'],
  );
  const raw = new BetterSqlite3(file, { readonly: true });
  t.after(() => raw.close());
  assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
  assert.deepEqual(
    raw.prepare('select name from kysely_migration order by name').all(),
    Object.keys(migrations)
      .sort()
      .map((name) => ({ name })),
  );
});

test('a wrong-length encryption key is refused with a message that says how to make one', async () => {
  await assert.rejects(
    openSqliteStore({
      file: join(root, 'k.db'),
      clock: new ManualClock(),
      encryptionKey: new Uint8Array(16),
    }),
    /exactly 32 bytes/,
  );
});

test('two processes migrate a fresh file and write to it at once: BEGIN IMMEDIATE, no SQLITE_BUSY, no lost update', async (t) => {
  const file = join(root, 'two-processes', 'crmsync.db');
  const key = randomBytes(32);
  const count = 150;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', writer, file, key.toString('base64'), 'child', String(count)],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit');

  const opened = await openSqliteStore({ file, clock: new ManualClock(), encryptionKey: key });
  t.after(() => opened.close());
  let stdout = '';
  while (!stdout.includes('ready')) {
    const [chunk] = (await Promise.race([
      once(child.stdout, 'data'),
      exited.then(() => [Buffer.from('exit')]),
    ])) as [Buffer];
    stdout += chunk.toString();
    if (stdout.includes('exit')) assert.fail(`the writer process ended before it was ready: ${stderr}`);
  }
  const { store, queue } = opened;
  await store.workspaces.create(Workspace.parse({ id: 'w1', name: 'One' }));
  child.stdin.write('go\n');

  for (let i = 0; i < count; i++) {
    await store.transaction('w1', async (tx) => {
      await tx.records.get('person', 'shared');
      await new Promise((resolve) => setImmediate(resolve));
      await tx.records.upsert(
        'person',
        Person.parse({ id: 'shared', workspaceId: 'w1', lastName: `parent${i}` }),
      );
      await tx.records.upsert(
        'person',
        Person.parse({ id: `parent${i}`, workspaceId: 'w1', lastName: 'parent' }),
      );
      await tx.jobs.enqueue({ queue: 'push', key: `person:parent${i}` });
    });
  }
  const [code] = (await exited) as [number | null];
  assert.equal(code, 0, `the writer process failed: ${stderr}`);
  const ws = store.workspace('w1');
  assert.equal((await ws.records.get('person', 'shared'))?.version, 2 * count);
  assert.equal((await ws.records.list({ type: 'person', limit: 1000 })).items.length, 2 * count + 1);
  assert.equal((await queue.counts('w1')).total.pending, 2 * count);
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Person, Settings, type Clock } from '@crmsync/core';
import { createScratchDatabase, openPostgresStore } from '@crmsync/store/postgres';
import { openSqliteStore } from '@crmsync/store/sqlite';
import BetterSqlite3 from 'better-sqlite3';

/*
 * `crmsync migrate` from SQLite to PostgreSQL, run as a user runs it (the real command in a child
 * process), on a source of 100,000 people with their links and log entries. The source is
 * written with the production opener for one row of each kind, then cloned with bulk inserts
 * (the store's own formats, at SQLite speed).
 */

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const KEY = '0c'.repeat(32);
const PEOPLE = 100_000;
const ORG = '00D000000000001AAA';
const clock: Clock = { now: () => new Date('2026-11-01T10:00:00.000Z'), sleep: async () => {} };

function cli(
  env: NodeJS.ProcessEnv,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => ok({ code: code ?? -1, stdout, stderr }));
  });
}

const personId = (i: number) => `p${String(i).padStart(6, '0')}`;

/** The source: workspace `big` (100,000 people, links, log, settings and history, connection, cursor, jobs) and `small`. */
async function writeSource(file: string): Promise<void> {
  const opened = await openSqliteStore({ file, clock, encryptionKey: Buffer.from(KEY, 'hex') });
  for (const id of ['big', 'small'])
    await opened.store.workspaces.create({
      id,
      name: `Team ${id}`,
      mailboxDomains: [],
      users: [],
      stages: { people: ['Cold', 'Warm'], companies: [], deals: [] },
    });
  await opened.store.transaction('big', async (tx) => {
    await tx.settings.put(Settings.parse({ version: 2 }), 'admin');
    await tx.settings.put(Settings.parse({ version: 2, contacts: { pushContacts: true } }), 'admin');
    await tx.connection.put({
      orgId: ORG,
      instanceUrl: 'https://big.example.my.salesforce.com',
      loginUrl: 'https://login.salesforce.com',
      credentials: {
        flow: 'token',
        instanceUrl: 'https://big.example.my.salesforce.com',
        accessToken: 'secret-token',
      },
      integrationUserId: null,
      state: 'active',
      windowEndsAt: null,
      connectedAt: clock.now(),
    });
    await tx.cursors.put(ORG, 'Contact', { since: '2026-10-31T00:00:00.000Z' });
    await tx.records.upsert(
      'person',
      Person.parse({ id: personId(0), workspaceId: 'big', lastName: 'Person 0', email: 'p0@big.example' }),
    );
    await tx.links.put({
      localType: 'person',
      localId: personId(0),
      orgId: ORG,
      sfObject: 'Contact',
      sfId: '003000000000000AAA',
    });
    await tx.log.append([
      {
        recordType: 'person',
        recordId: personId(0),
        action: 'create',
        rules: ['C3'],
        reason: 'Pushed as a Contact (C3).',
      },
    ]);
    // Three queued pushes; the third is parked after a failure below.
    await tx.jobs.enqueue([1, 2, 3].map((i) => ({ queue: 'push-person', key: `person:${personId(i)}` })));
  });
  await opened.store.transaction('small', (tx) =>
    tx.records.upsert(
      'person',
      Person.parse({ id: 's1', workspaceId: 'small', lastName: 'Small', email: 's1@small.example' }),
    ),
  );
  const jobs = await opened.queue.claim({
    workspaceId: 'big',
    queue: 'push-person',
    limit: 3,
    leaseMs: 60_000,
    workerId: 'w',
  });
  const parked = jobs.find((j) => j.key === `person:${personId(3)}`)!;
  await opened.queue.fail(parked.id, {
    workerId: 'w',
    error: 'FIELD_CUSTOM_VALIDATION_EXCEPTION: no',
    retryAt: null,
  });
  await opened.queue.release(
    jobs.filter((j) => j !== parked).map((j) => j.id),
    { workerId: 'w' },
  );
  await opened.close();

  // Clone person 0's record, link and log rows into 100,000 (one transaction, prepared statements).
  const db = new BetterSqlite3(file);
  const row = (table: string) =>
    db.prepare(`select * from ${table} where workspace_id = 'big'`).get() as Record<string, unknown>;
  const record = row('records');
  const link = row('links');
  const log = row('decision_log');
  const insert = (table: string, sample: Record<string, unknown>) => {
    const columns = Object.keys(sample).filter((c) => c !== 'id' || table !== 'decision_log');
    return db.prepare(
      `insert into ${table} (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`,
    );
  };
  const insertRecord = insert('records', record);
  const insertLink = insert('links', link);
  const insertLog = insert('decision_log', log);
  db.transaction(() => {
    for (let i = 1; i < PEOPLE; i++) {
      const id = personId(i);
      const email = `p${i}@big.example`;
      const document = JSON.parse(String(record.document)) as Record<string, unknown>;
      insertRecord.run({
        ...record,
        id,
        email_key: email,
        document: JSON.stringify({ ...document, id, email, lastName: `Person ${i}` }),
      });
      insertLink.run({ ...link, local_id: id, sf_id: `003${String(i).padStart(12, '0')}AAA` });
      insertLog.run({ ...log, record_id: id });
    }
  })();
  db.close();
}

test(
  'M1: `crmsync migrate` copies 100,000 people with links and log, settings and history, the sealed connection, cursors and queued jobs from SQLite to PostgreSQL, verifies the counts, refuses a non-empty target and re-runs idempotently',
  { timeout: 300_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'crmsync-migrate-'));
    const target = await createScratchDatabase();
    t.after(async () => {
      await target.drop();
      rmSync(dir, { recursive: true, force: true });
    });
    const file = join(dir, 'crmsync.db');
    await writeSource(file);
    const env = { DATA_DIR: join(dir, 'data'), CRMSYNC_ENCRYPTION_KEY: KEY, LOG_LEVEL: 'error' };

    const first = await cli(env, 'migrate', '--from', `sqlite:${file}`, '--to', target.url);
    assert.equal(first.code, 0, first.stderr + first.stdout);
    assert.match(first.stdout, /records\s+100000 ->\s+100000\s+ok/);
    assert.match(first.stdout, /links\s+100000 ->\s+100000\s+ok/);
    assert.match(first.stdout, /decision_log\s+100000 ->\s+100000\s+ok/);
    assert.match(first.stdout, /settings_history\s+2 ->\s+2\s+ok/);
    assert.match(first.stdout, /jobs\s+3 ->\s+3\s+ok/);
    assert.match(first.stdout, /Workspace small:/);
    assert.match(first.stdout, /Verified/);

    // The copy as the PostgreSQL store reads it, with the same key.
    const opened = await openPostgresStore({
      url: target.url,
      clock,
      encryptionKey: Buffer.from(KEY, 'hex'),
    });
    try {
      const big = opened.store.workspace('big');
      const connection = await big.connection.get();
      assert.equal((connection?.credentials as { accessToken?: string }).accessToken, 'secret-token');
      const last = await big.records.get('person', personId(PEOPLE - 1));
      assert.equal(last?.data.email, `p${PEOPLE - 1}@big.example`);
      const link = await big.links.get('person', personId(PEOPLE - 1), ORG);
      assert.equal(link?.sfId, `003${String(PEOPLE - 1).padStart(12, '0')}AAA`);
      assert.equal(
        (await big.log.list({ record: { type: 'person', id: personId(PEOPLE - 1) }, limit: 5 })).items.length,
        1,
      );
      assert.deepEqual((await big.settings.get()).settings.contacts.pushContacts, true);
      assert.equal((await big.settings.history()).length, 2);
      assert.deepEqual(await big.cursors.get(ORG, 'Contact'), { since: '2026-10-31T00:00:00.000Z' });
      assert.equal(
        (await opened.store.workspace('small').records.get('person', 's1'))?.data.email,
        's1@small.example',
      );
      const counts = await opened.queue.counts('big');
      assert.deepEqual(
        { pending: counts.total.pending, failed: counts.total.failed },
        { pending: 2, failed: 1 },
        'two jobs pending and the parked one still parked',
      );
      // A new log entry takes an id after the copied ones (the sequences moved on).
      await opened.store.transaction('big', (tx) =>
        tx.log.append([
          { recordType: 'person', recordId: 'p-new', action: 'skip', rules: ['C3'], reason: 'test' },
        ]),
      );
    } finally {
      await opened.close();
    }

    const again = await cli(env, 'migrate', '--from', `sqlite:${file}`, '--to', target.url);
    assert.equal(again.code, 2, 'a non-empty target is refused');
    assert.match(again.stderr, /already holds crmsync workspaces \(big, small\).*--allow-non-empty/);

    const rerun = await cli(
      env,
      'migrate',
      '--from',
      `sqlite:${file}`,
      '--to',
      target.url,
      '--allow-non-empty',
    );
    assert.equal(rerun.code, 0, rerun.stderr + rerun.stdout);
    assert.match(rerun.stdout, /records\s+100000 ->\s+100000\s+ok/);
    assert.match(rerun.stdout, /decision_log\s+100000 ->\s+100001\s+ok \(more in the target\)/);
    assert.match(rerun.stdout, /jobs\s+3 ->\s+3\s+ok/);
  },
);

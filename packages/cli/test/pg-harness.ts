// The scale-out tests' harness: a fresh PostgreSQL database per test (dropped after), a workspace
// on it connected to an org of the emulator process, people and their push jobs seeded,
// and `crmsync worker` processes (the real CLI) started, killed and stopped by the test.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Company, Person, Settings, type Clock, type JobQueue, type Store } from '@crmsync/core';
import { openPostgresStore, createScratchDatabase } from '@crmsync/store/postgres';
import {
  control,
  externalIdSchema,
  httpJson,
  type EmulatorProcess,
  type OrgSummary,
} from '../../engine/test/harness.js';
import { jobKey, PUSH_QUEUE } from '../../engine/src/push/jobs.js';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
export const KEY_HEX = '0b'.repeat(32);
const clock: Clock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((ok) => setTimeout(ok, ms)),
};

export interface PgWorkspace {
  url: string;
  workspaceId: string;
  org: OrgSummary;
  store: Store;
  queue: JobQueue;
  dataDir: string;
  soql(query: string): Promise<Record<string, unknown>[]>;
  writes(ids?: readonly string[]): Promise<{
    records: Record<string, { total: number; create: number; update: number } | null>;
    totals: Record<string, Record<string, number>>;
  }>;
}

/** A scratch database with a workspace connected to a fresh org (with `Crmsync_Id__c`, X4). */
export async function pgWorkspace(t: TestContext, emu: EmulatorProcess): Promise<PgWorkspace> {
  const db = await createScratchDatabase();
  const dataDir = mkdtempSync(join(tmpdir(), 'crmsync-pg-'));
  const opened = await openPostgresStore({ url: db.url, clock, encryptionKey: Buffer.from(KEY_HEX, 'hex') });
  t.after(async () => {
    await opened.close();
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const org = await control<OrgSummary>(emu, 'POST', '/orgs', { schema: externalIdSchema() });
  const workspaceId = 'scale';
  await opened.store.workspaces.create({
    id: workspaceId,
    name: 'Scale team',
    mailboxDomains: [],
    users: [],
    stages: { people: [], companies: [], deals: [] },
  });
  await opened.store.transaction(workspaceId, async (tx) => {
    await tx.settings.put(
      Settings.parse({
        version: 2,
        lifecycle: { configurationWindowHours: 0 },
        contacts: { pushContacts: true },
      }),
      'test',
    );
    await tx.connection.put({
      orgId: org.orgId,
      instanceUrl: org.instanceUrl,
      loginUrl: org.loginUrl,
      credentials: { flow: 'token', instanceUrl: org.instanceUrl, accessToken: org.accessToken },
      integrationUserId: null,
      state: 'active',
      windowEndsAt: null,
      connectedAt: clock.now(),
    });
  });
  return {
    url: db.url,
    workspaceId,
    org,
    store: opened.store,
    queue: opened.queue,
    dataDir,
    async soql(query) {
      const out: Record<string, unknown>[] = [];
      let next: string | null = `${org.instanceUrl}/services/data/v62.0/query?q=${encodeURIComponent(query)}`;
      while (next !== null) {
        const res = await httpJson('GET', next, undefined, { authorization: `Bearer ${org.accessToken}` });
        const body = res.body as { records: Record<string, unknown>[]; nextRecordsUrl?: string };
        if (res.status !== 200) throw new Error(`SOQL ${query}: ${JSON.stringify(res.body)}`);
        out.push(...body.records);
        next = body.nextRecordsUrl === undefined ? null : `${org.instanceUrl}${body.nextRecordsUrl}`;
      }
      return out;
    },
    writes: (ids) =>
      control(
        emu,
        'GET',
        `/orgs/${org.orgId}/writes${ids === undefined || ids.length === 0 ? '' : `?ids=${ids.join(',')}`}`,
      ),
  };
}

/**
 * Writes records and their push jobs as ingest's outbox does (record and job in one transaction),
 * without ingest's per-record rules: seeding thousands of people through the full ingest takes
 * a minute on two busy cores, and these tests are about the workers. `jobs: false` writes the
 * records alone, as an import does while automatic push is off (a push all then sends them).
 */
export async function seed(
  w: PgWorkspace,
  type: 'person' | 'company',
  rows: readonly Record<string, unknown>[],
  options: { jobs?: boolean } = {},
): Promise<void> {
  for (let start = 0; start < rows.length; start += 500) {
    const part = rows.slice(start, start + 500);
    await w.store.transaction(w.workspaceId, async (tx) => {
      for (const row of part) {
        const data = { ...row, workspaceId: w.workspaceId };
        if (type === 'person') await tx.records.upsert('person', Person.parse(data));
        else await tx.records.upsert('company', Company.parse(data));
      }
      if (options.jobs !== false)
        await tx.jobs.enqueue(
          part.map((row) => ({ queue: PUSH_QUEUE[type], key: jobKey(type, String(row.id)) })),
        );
    });
  }
}

/*
 * A file that times out is ended without its hooks (--test-force-exit, or the runner's signal):
 * no worker may outlive it and keep pushing into a dropped database.
 */
const running = new Set<ChildProcess>();
const killAll = () => running.forEach((c) => c.kill('SIGKILL'));
process.once('exit', killAll);
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.once(signal, () => {
    killAll();
    process.exit(128 + (signal === 'SIGTERM' ? 15 : 2));
  });

export interface WorkerProcess {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/** `crmsync worker` on the workspace's database, with a short lease so a killed worker's jobs move on. */
export function startWorker(w: PgWorkspace, leaseSeconds = 8): WorkerProcess {
  return startCli(w, ['worker'], leaseSeconds);
}

/** Any `crmsync` command on the workspace's database, in its own process. */
export function startCli(w: PgWorkspace, args: readonly string[], leaseSeconds = 8): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    env: {
      ...process.env,
      DATABASE_URL: w.url,
      CRMSYNC_ENCRYPTION_KEY: KEY_HEX,
      CRMSYNC_LEASE_SECONDS: String(leaseSeconds),
      DATA_DIR: w.dataDir,
      LOG_LEVEL: 'error',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((ok) => child.once('exit', (code, signal) => ok({ code, signal, stdout, stderr })));
  running.add(child);
  child.once('exit', () => running.delete(child));
  return { child, exited };
}

/** Waits until `done` answers true, polling every 200 ms; fails after `ms` with `what`. */
export async function waitFor(done: () => Promise<boolean>, ms: number, what: () => Promise<string>) {
  const until = Date.now() + ms;
  while (!(await done())) {
    if (Date.now() > until) throw new Error(`timed out waiting: ${await what()}`);
    await new Promise((ok) => setTimeout(ok, 200));
  }
}

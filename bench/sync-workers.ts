// Scale-out on PostgreSQL: the backfill and trickle scenarios drained by 1, 2 and 4 `crmsync
// worker` processes (the real CLI, production engine options) sharing one database, against the
// emulator in its own process with --latency-ms 100. Each run gets a fresh database and org.
// Backfill: push all through the queue, as on SQLite but spread over the workers: the people are
// written with no push job (an import with automatic push off), the workers start, and `crmsync
// push-all --chunk-size N` queues chunk jobs (sized so 4 workers share them) and follows the run;
// the clock runs from that command's start to its end. Trickle: people arrive at a
// fixed rate while the workers run; latency is arrival to the Contact's SystemModstamp.
// apiCalls come from the emulator's request counter; peakRssMb is the largest worker's VmHWM.
// Run alone: npx tsx bench/sync-workers.ts
//   (BENCH_WORKERS=1,2,4  BENCH_WORKERS_PEOPLE=20000  BENCH_WORKERS_CHUNK=5000  BENCH_WORKERS_TRICKLE=1000
//    BENCH_WORKERS_RATE=50  BENCH_WORKERS_SCENARIOS=backfill,trickle)
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { Company, Person, Settings, type Connection, type Store } from '@crmsync/core';
import { createScratchDatabase, openPostgresStore } from '@crmsync/store/postgres';
import { CLI_NODE_FLAGS } from '../packages/cli/src/node-flags.js';
import {
  createBenchOrg,
  emulatorRequests,
  reportEndpoints,
  ROOT,
  startBenchEmulator,
  systemClock,
  type BenchEmulator,
  type BenchOrg,
} from './sync-backfill.js';

type Row = Record<string, number | string | boolean | null>;

const KEY_HEX = '09'.repeat(32);
const WORKSPACE = 'bench';
/** A comma-separated list of positive numbers from the environment, or `fallback`. */
const list = (name: string, fallback: number[]) => {
  const values = (process.env[name] ?? '')
    .split(',')
    .map(Number)
    .filter((n) => n > 0);
  return values.length > 0 ? values : fallback;
};
const num = (name: string, fallback: number) => Number(process.env[name] ?? '') || fallback;

interface Worker {
  child: ChildProcess;
  ready: Promise<void>;
  peakKb(): number;
  stop(): Promise<number | null>;
}

/** A `crmsync` command on `url` in its own process (the real CLI, production engine options). */
function spawnCli(url: string, dataDir: string, args: readonly string[], stderr: 'inherit' | 'pipe') {
  return spawn(
    process.execPath,
    [...CLI_NODE_FLAGS, '--import', 'tsx', join(ROOT, 'packages/cli/src/main.ts'), ...args],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: url,
        CRMSYNC_ENCRYPTION_KEY: KEY_HEX,
        DATA_DIR: dataDir,
        LOG_LEVEL: 'error',
      },
      stdio: ['ignore', 'pipe', stderr],
    },
  );
}

/** `crmsync worker` on `url`; resolves `ready` once it prints that it runs. */
function startWorker(url: string, dataDir: string): Worker {
  const child = spawnCli(url, dataDir, ['worker'], 'inherit');
  let peak = 0;
  const sampler = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m !== null) peak = Math.max(peak, Number(m[1]));
    } catch {
      // the process has exited
    }
  }, 200);
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  const ready = new Promise<void>((ok, fail) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('crmsync worker running')) ok();
    });
    void exited.then((code) => fail(new Error(`a worker exited (${code}) before it ran`)));
  });
  ready.catch(() => undefined);
  return {
    child,
    ready,
    peakKb: () => peak,
    stop: async () => {
      child.kill('SIGTERM');
      const code = await exited;
      clearInterval(sampler);
      return code;
    },
  };
}

interface PgBench {
  url: string;
  store: Store;
  queueEmpty(): Promise<boolean>;
  setState(state: Connection['state']): Promise<void>;
  close(): Promise<void>;
}

/** A fresh database with the workspace connected to `org` (in `state`), pushing every person as a Contact. */
async function pgBench(org: BenchOrg, state: Connection['state']): Promise<PgBench> {
  const db = await createScratchDatabase({ prefix: 'crmsync_bench' });
  const opened = await openPostgresStore({
    url: db.url,
    clock: systemClock,
    encryptionKey: Buffer.from(KEY_HEX, 'hex'),
  });
  await opened.store.workspaces.create({
    id: WORKSPACE,
    name: 'Bench team',
    mailboxDomains: [],
    users: [],
    stages: { people: [], companies: [], deals: [] },
  });
  const connection = (s: Connection['state']) => ({
    orgId: org.orgId,
    instanceUrl: org.instanceUrl,
    loginUrl: org.loginUrl,
    credentials: { flow: 'token', instanceUrl: org.instanceUrl, accessToken: org.accessToken },
    integrationUserId: null,
    state: s,
    windowEndsAt: null,
    connectedAt: systemClock.now(),
  });
  await opened.store.transaction(WORKSPACE, async (tx) => {
    await tx.settings.put(
      Settings.parse({
        version: 2,
        lifecycle: { configurationWindowHours: 0 },
        contacts: { pushContacts: true },
      }),
      'bench',
    );
    await tx.connection.put(connection(state));
  });
  return {
    url: db.url,
    store: opened.store,
    queueEmpty: async () => {
      const t = (await opened.queue.counts(WORKSPACE)).total;
      return t.pending + t.leased === 0;
    },
    setState: (s) => opened.store.transaction(WORKSPACE, (tx) => tx.connection.put(connection(s))),
    close: async () => {
      await opened.close();
      await db.drop();
    },
  };
}

const email = (prefix: string, i: number) => `${prefix}${i}@people.bench`;

/** People (and one company per 20) with their push jobs, as ingest's outbox writes them. */
async function writePeople(b: PgBench, prefix: string, from: number, n: number): Promise<void> {
  for (let start = from; start < from + n; start += 500) {
    const ids = Array.from({ length: Math.min(500, from + n - start) }, (_, j) => start + j);
    await b.store.transaction(WORKSPACE, async (tx) => {
      const companies = ids.filter((i) => i % 20 === 0);
      for (const i of companies)
        await tx.records.upsert(
          'company',
          Company.parse({
            id: `${prefix}c${i}`,
            workspaceId: WORKSPACE,
            name: `${prefix} Co ${i}`,
            website: `https://${prefix}-co-${i}.example`,
          }),
        );
      for (const i of ids)
        await tx.records.upsert(
          'person',
          Person.parse({
            id: `${prefix}p${i}`,
            workspaceId: WORKSPACE,
            firstName: 'Ada',
            lastName: `Bench ${i}`,
            email: email(prefix, i),
            emailStatus: 'verified',
            companyId: `${prefix}c${i - (i % 20)}`,
          }),
        );
      await tx.jobs.enqueue([
        ...companies.map((i) => ({ queue: 'push-company', key: `company:${prefix}c${i}` })),
        ...ids.map((i) => ({ queue: 'push-person', key: `person:${prefix}p${i}` })),
      ]);
    });
  }
}

/** Contacts by email with their SystemModstamp (ms), every page. */
async function contacts(org: BenchOrg): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>();
  let next: string | null =
    `${org.instanceUrl}/services/data/v62.0/query?q=${encodeURIComponent('SELECT Email, SystemModstamp FROM Contact')}`;
  while (next !== null) {
    const res = await fetch(next, { headers: { authorization: `Bearer ${org.accessToken}` } });
    const body = (await res.json()) as {
      records: { Email: string; SystemModstamp: string }[];
      nextRecordsUrl?: string;
    };
    for (const r of body.records)
      out.set(r.Email, [...(out.get(r.Email) ?? []), Date.parse(r.SystemModstamp)]);
    next = body.nextRecordsUrl === undefined ? null : `${org.instanceUrl}${body.nextRecordsUrl}`;
  }
  return out;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function waitUntil(done: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await done()) return true;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  return false;
}

async function startWorkers(b: PgBench, n: number, dataDir: string): Promise<Worker[]> {
  const workers = Array.from({ length: n }, () => startWorker(b.url, dataDir));
  await Promise.all(workers.map((w) => w.ready));
  return workers;
}

/** Stops the workers (SIGTERM) and returns the largest peak RSS in MB; every worker must exit 0. */
async function stopWorkers(workers: Worker[]): Promise<{ peakRssMb: number; cleanExits: boolean }> {
  const peakRssMb = Math.round(Math.max(...workers.map((w) => w.peakKb())) / 1024);
  const codes = await Promise.all(workers.map((w) => w.stop()));
  return { peakRssMb, cleanExits: codes.every((c) => c === 0) };
}

/** Backfill people and one company per 20, with no push job: nothing moves until push all runs. */
async function writeBackfillPeople(b: PgBench, n: number): Promise<void> {
  for (let start = 0; start < n; start += 1_000) {
    const ids = Array.from({ length: Math.min(1_000, n - start) }, (_, j) => start + j);
    await b.store.transaction(WORKSPACE, async (tx) => {
      for (const i of ids.filter((i) => i % 20 === 0))
        await tx.records.upsert(
          'company',
          Company.parse({
            id: `bc${i}`,
            workspaceId: WORKSPACE,
            name: `b Co ${i}`,
            website: `https://b-co-${i}.example`,
          }),
        );
      for (const i of ids)
        await tx.records.upsert(
          'person',
          Person.parse({
            id: `bp${i}`,
            workspaceId: WORKSPACE,
            firstName: 'Ada',
            lastName: `Bench ${i}`,
            email: email('b', i),
            emailStatus: 'verified',
            companyId: `bc${i - (i % 20)}`,
          }),
        );
    });
  }
}

/** `crmsync push-all` on `url`: queues the chunks and follows the run until it is done. */
async function pushAllCli(
  url: string,
  dataDir: string,
  chunkSize: number,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const args = ['push-all', '--workspace', WORKSPACE, '--chunk-size', String(chunkSize), '--json'];
  const child = spawnCli(url, dataDir, args, 'pipe');
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((ok) => child.once('exit', (c) => ok(c)));
  return { code, stdout, stderr };
}

async function backfill(
  emu: BenchEmulator,
  workers: number,
  people: number,
  chunkSize: number,
  dataDir: string,
): Promise<Row> {
  const org = await createBenchOrg(emu);
  const b = await pgBench(org, 'active');
  try {
    await writeBackfillPeople(b, people);
    const running = await startWorkers(b, workers, dataDir);
    const before = await emulatorRequests(org);
    const started = performance.now();
    const run = await pushAllCli(b.url, dataDir, chunkSize);
    const seconds = (performance.now() - started) / 1000;
    const after = await emulatorRequests(org);
    reportEndpoints(`workers-backfill-${people} (${workers} workers)`, before, after);
    const { peakRssMb, cleanExits } = await stopWorkers(running);
    if (run.code !== 0)
      console.error(`workers-backfill: push-all exited ${run.code}: ${run.stderr.slice(-2_000)}`);
    const result = run.code === 0 ? (JSON.parse(run.stdout) as { chunks?: number }) : {};
    const found = await contacts(org);
    let wrong = 0;
    for (let i = 0; i < people; i++) if ((found.get(email('b', i)) ?? []).length !== 1) wrong++;
    if (wrong > 0) console.error(`workers-backfill: ${wrong} of ${people} people missing or duplicated`);
    const apiCalls = after.counted - before.counted;
    return {
      scenario: `workers-backfill-${people}`,
      database: 'postgres',
      workers,
      records: people,
      chunkSize,
      chunks: result.chunks ?? null,
      apiCalls,
      httpRequests: after.total - before.total,
      apiCallsPer1000: Number(((apiCalls / people) * 1000).toFixed(2)),
      recordsPerSecond: Number((people / seconds).toFixed(1)),
      p95LatencyMs: null,
      peakRssMb,
      seconds: Number(seconds.toFixed(1)),
      verified: run.code === 0 && cleanExits && wrong === 0,
    };
  } finally {
    await b.close();
  }
}

async function trickle(
  emu: BenchEmulator,
  workers: number,
  total: number,
  rate: number,
  dataDir: string,
): Promise<Row> {
  const org = await createBenchOrg(emu);
  const b = await pgBench(org, 'active');
  try {
    const running = await startWorkers(b, workers, dataDir);
    const before = await emulatorRequests(org);
    const arrivedAt = new Map<string, number>();
    const started = performance.now();
    // Arrivals in steps of 100 ms, each with its share of the rate, as a busy sales team's edits come in.
    const perTick = Math.max(1, Math.round(rate / 10));
    for (let i = 0; i < total; i += perTick) {
      const tick = started + (i / rate) * 1000;
      const wait = tick - performance.now();
      if (wait > 0) await new Promise((ok) => setTimeout(ok, wait));
      const n = Math.min(perTick, total - i);
      const at = Date.now();
      await writePeople(b, 't', i, n);
      for (let j = i; j < i + n; j++) arrivedAt.set(email('t', j), at);
    }
    const arrivalSeconds = (performance.now() - started) / 1000;
    const drained = await waitUntil(() => b.queueEmpty(), 10 * 60_000);
    const seconds = (performance.now() - started) / 1000;
    const after = await emulatorRequests(org);
    reportEndpoints(`workers-trickle-${total} (${workers} workers)`, before, after);
    const { peakRssMb, cleanExits } = await stopWorkers(running);
    const found = await contacts(org);
    const latencies: number[] = [];
    let wrong = 0;
    for (const [e, at] of arrivedAt) {
      const rows = found.get(e) ?? [];
      if (rows.length !== 1) wrong++;
      else latencies.push(Math.max(0, rows[0]! - at));
    }
    latencies.sort((x, y) => x - y);
    if (wrong > 0) console.error(`workers-trickle: ${wrong} of ${total} people missing or duplicated`);
    const apiCalls = after.counted - before.counted;
    return {
      scenario: `workers-trickle-${total}-at-${rate}-per-s`,
      database: 'postgres',
      workers,
      records: total,
      apiCalls,
      httpRequests: after.total - before.total,
      apiCallsPer1000: Number(((apiCalls / total) * 1000).toFixed(2)),
      recordsPerSecond: Number((total / seconds).toFixed(1)),
      p95LatencyMs: percentile(latencies, 95),
      p50LatencyMs: percentile(latencies, 50),
      peakRssMb,
      seconds: Number(seconds.toFixed(1)),
      arrivalSeconds: Number(arrivalSeconds.toFixed(1)),
      verified: drained && cleanExits && wrong === 0,
    };
  } finally {
    await b.close();
  }
}

export async function run(): Promise<Row[]> {
  const counts = list('BENCH_WORKERS', [1, 2, 4]);
  const people = num('BENCH_WORKERS_PEOPLE', 20_000);
  // Chunks sized so 4 workers share the backfill (never above the 10,000 a chunk may hold).
  const chunkSize = num('BENCH_WORKERS_CHUNK', Math.min(10_000, Math.ceil(people / 4)));
  const scenarios = (process.env.BENCH_WORKERS_SCENARIOS ?? 'backfill,trickle').split(',');
  const trickleTotal = num('BENCH_WORKERS_TRICKLE', 1_000);
  const rate = num('BENCH_WORKERS_RATE', 50);
  const emu = await startBenchEmulator(100);
  const dataDir = mkdtempSync(join(tmpdir(), 'crmsync-bench-workers-'));
  const rows: Row[] = [];
  try {
    for (const n of scenarios.includes('backfill') ? counts : []) {
      rows.push(await backfill(emu, n, people, chunkSize, dataDir));
      console.error(JSON.stringify(rows.at(-1)));
    }
    for (const n of scenarios.includes('trickle') ? counts : []) {
      rows.push(await trickle(emu, n, trickleTotal, rate, dataDir));
      console.error(JSON.stringify(rows.at(-1)));
    }
  } finally {
    await emu.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const row of await run()) console.log(JSON.stringify(row));
}

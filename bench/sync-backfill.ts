// Backfill: `crmsync push-all` (the real CLI, in its own process, production engine options) for
// 20,000 and 100,000 people across 20% as many companies, against the emulator in its own process
// with --latency-ms 100. apiCalls come from the emulator's request counter; peak memory is the CLI
// process's VmHWM (peakRssMb) and the largest heap a full GC left (liveHeapMb, from --trace-gc); the
// Salesforce rows are checked by a Bulk query at the end. The naive client (bench/naive-client.ts)
// runs on a sample against the same emulator for the speed-up.
// Run alone: npx tsx bench/sync-backfill.ts   (BENCH_BACKFILL_SIZES=20000,100000, BENCH_NAIVE_SAMPLE=100,
// BENCH_CLI_LOG_LEVEL=debug to see every Salesforce request of the CLI run, BENCH_CLI_CPU_PROF=DIR to
// write a .cpuprofile of each CLI run there, BENCH_CLI_NODE_ARGS='--max-old-space-size=1536' for more
// node flags (kept in the rows as cliNodeArgs), BENCH_CLI_OUT_DIR=DIR to keep each CLI run's output there)
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Connection } from 'jsforce';
import { Settings, type Clock, type Logger } from '@crmsync/core';
import { createEngine, type Engine, type EngineOptions } from '@crmsync/engine';
import { CLI_NODE_FLAGS } from '../packages/cli/src/node-flags.js';
import { connectSalesforce } from '@crmsync/salesforce';
import { openSqliteStore, type OpenedStore } from '@crmsync/store/sqlite';
import { runNaive, type NaiveFigures } from './naive-client.js';

type Row = Record<string, number | string | boolean | null>;

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const KEY = Buffer.alloc(32, 9);

export interface BenchEmulator {
  url: string;
  close(): Promise<void>;
}

export interface BenchOrg {
  orgId: string;
  accessToken: string;
  instanceUrl: string;
  loginUrl: string;
}

/** The emulator in its own process, as production would see Salesforce: 100 ms on every request. */
export async function startBenchEmulator(latencyMs = 100): Promise<BenchEmulator> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'packages/sf-emulator/src/cli.ts'),
      '--port',
      '0',
      '--latency-ms',
      String(latencyMs),
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((ok, fail) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (m !== null) ok(m[1]!);
    });
    child.once('exit', (code) => fail(new Error(`the emulator exited (${code}) before it listened`)));
  });
  child.stdout!.resume();
  return {
    url,
    close: () =>
      new Promise<void>((ok) => {
        if (child.exitCode !== null || child.signalCode !== null) return ok();
        child.once('exit', () => ok());
        child.kill('SIGTERM');
      }),
  };
}

async function controlCall<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  // A keep-alive socket the emulator closed during a long ingest fails the next read (EPIPE): ask again.
  for (let attempt = 1; ; attempt++) {
    try {
      return await controlOnce<T>(base, method, path, body);
    } catch (err) {
      if (attempt >= 3 || method !== 'GET' || !(err instanceof TypeError)) throw err;
    }
  }
}

async function controlOnce<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}/__emulator${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`control ${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

const orgBase = new Map<string, string>();

/** A fresh org with `Crmsync_Id__c` on Contact, Lead and Account (X4 upserts). */
export async function createBenchOrg(
  emu: BenchEmulator,
  seed?: Record<string, Record<string, unknown>[]>,
): Promise<BenchOrg> {
  const field = { name: 'Crmsync_Id__c', type: 'string', length: 255, externalId: true, unique: true };
  const extend = Object.fromEntries(
    ['Contact', 'Lead', 'Account'].map((o) => [o, { fields: [field], validationRules: [] }]),
  );
  const org = await controlCall<BenchOrg>(emu.url, 'POST', '/orgs', {
    schema: { objects: [], extend },
    dailyApiLimit: 10_000_000,
    ...(seed === undefined ? {} : { seed }),
  });
  orgBase.set(org.orgId, emu.url);
  return org;
}

export interface RequestTally {
  total: number;
  counted: number;
  byEndpoint: Record<string, number>;
}

/** The org's request counter: `total` HTTP requests, `counted` API calls, and requests per endpoint. */
export async function emulatorRequests(org: BenchOrg): Promise<RequestTally> {
  return controlCall(orgBase.get(org.orgId)!, 'GET', `/orgs/${org.orgId}/requests`);
}

/** Where the calls went between two tallies, biggest first: printed on stderr to see what to cut. */
export function reportEndpoints(scenario: string, before: RequestTally, after: RequestTally): void {
  const rows = Object.entries(after.byEndpoint)
    .map(([k, v]) => [k, v - (before.byEndpoint[k] ?? 0)] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  process.stderr.write(`${scenario} requests by endpoint: ${JSON.stringify(Object.fromEntries(rows))}\n`);
}

export const quietLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => quietLogger };
export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((ok) => setTimeout(ok, ms)),
};

export interface BenchWorkspace {
  dataDir: string;
  workspaceId: string;
  opened: OpenedStore;
  engine: Engine;
  close(): Promise<void>;
}

/**
 * A DATA_DIR the CLI can open (crmsync.db + encryption.key) holding one active workspace connected
 * to `org`, and an in-process engine on it (for ingest and the trickle worker).
 */
export async function benchWorkspace(
  org: BenchOrg,
  settings: Record<string, unknown> = {},
  options: Partial<EngineOptions> = {},
): Promise<BenchWorkspace> {
  const dataDir = mkdtempSync(join(tmpdir(), 'crmsync-bench-'));
  writeFileSync(join(dataDir, 'encryption.key'), KEY.toString('base64') + '\n', { mode: 0o600 });
  const opened = await openSqliteStore({
    file: join(dataDir, 'crmsync.db'),
    clock: systemClock,
    encryptionKey: KEY,
  });
  const workspaceId = 'bench';
  await opened.store.workspaces.create({
    id: workspaceId,
    name: 'Bench team',
    mailboxDomains: [],
    users: [],
    stages: { people: [], companies: [], deals: [] },
  });
  await opened.store.transaction(workspaceId, async (tx) => {
    await tx.settings.put(
      Settings.parse({ ...settings, version: 2, lifecycle: { configurationWindowHours: 0 } }),
      'bench',
    );
    await tx.connection.put({
      orgId: org.orgId,
      instanceUrl: org.instanceUrl,
      loginUrl: org.loginUrl,
      credentials: { flow: 'token', instanceUrl: org.instanceUrl, accessToken: org.accessToken },
      integrationUserId: null,
      state: 'active',
      windowEndsAt: null,
      connectedAt: new Date(),
    });
  });
  const engine = createEngine({
    store: opened.store,
    queue: opened.queue,
    clock: systemClock,
    logger: quietLogger,
    random: Math.random,
    workerId: `bench:${process.pid}`,
    options,
    connectCrm: async ({ connection, onRequest, onResponse, onCredentials }) =>
      connectSalesforce({
        credentials: connection.credentials as never,
        clock: systemClock,
        logger: quietLogger,
        onRequest,
        onResponse,
        onCredentials: (c) => onCredentials(c as unknown as Record<string, string>),
      }),
  });
  return {
    dataDir,
    workspaceId,
    opened,
    engine,
    close: async () => {
      await opened.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const benchEmail = (prefix: string, i: number) => `${prefix}${i}@people.bench`;

/** Ingests `n` people across n/5 companies, in chunks (memory stays bounded). */
export async function ingestPeople(ws: BenchWorkspace, prefix: string, n: number, from = 0): Promise<void> {
  const companies = Math.max(1, Math.floor(n / 5));
  for (let start = 0; start < companies; start += 2_000) {
    const changes = Array.from({ length: Math.min(2_000, companies - start) }, (_, j) => ({
      type: 'company' as const,
      op: 'upsert' as const,
      data: {
        id: `${prefix}c${from + start + j}`,
        name: `${prefix} Company ${from + start + j}`,
        website: `https://${prefix}-co-${from + start + j}.example`,
      },
    }));
    await ws.engine.ingestMany(ws.workspaceId, changes, { chunkSize: 2_000 });
  }
  for (let start = 0; start < n; start += 2_000) {
    const changes = Array.from({ length: Math.min(2_000, n - start) }, (_, j) => {
      const i = from + start + j;
      return {
        type: 'person' as const,
        op: 'upsert' as const,
        data: {
          id: `${prefix}p${i}`,
          firstName: 'Ada',
          lastName: `Bench ${i}`,
          email: benchEmail(prefix, i),
          emailStatus: 'verified',
          companyId: `${prefix}c${from + ((i - from) % companies)}`,
        },
      };
    });
    const results = await ws.engine.ingestMany(ws.workspaceId, changes, { chunkSize: 2_000 });
    const bad = results.find((r) => !r.ok);
    if (bad !== undefined) throw new Error(`ingest refused: ${JSON.stringify(bad)}`);
  }
}

/**
 * Every Contact of the org through a Bulk API 2.0 query: whether each expected email is there
 * exactly once and, with `withAccount`, under an Account (C7).
 */
export async function verifyByBulkQuery(
  org: BenchOrg,
  expected: ReadonlySet<string>,
  withAccount = false,
): Promise<{ verified: boolean; detail: string }> {
  const conn = new Connection({
    instanceUrl: org.instanceUrl,
    accessToken: org.accessToken,
    version: '62.0',
  });
  const rows = (await conn.bulk2
    .query('SELECT Id, Email, AccountId FROM Contact', { pollInterval: 200, pollTimeout: 600_000 })
    .then((r) => r.toArray())) as { Email?: string; AccountId?: string }[];
  const seen = new Map<string, number>();
  let orphans = 0;
  for (const r of rows) {
    const email = String(r.Email).toLowerCase();
    seen.set(email, (seen.get(email) ?? 0) + 1);
    if (withAccount && expected.has(email) && (r.AccountId ?? '') === '') orphans++;
  }
  let missing = 0;
  let twice = 0;
  for (const e of expected) {
    const n = seen.get(e) ?? 0;
    if (n === 0) missing++;
    if (n > 1) twice++;
  }
  return {
    verified: missing === 0 && twice === 0 && orphans === 0,
    detail: `${rows.length} Contacts; ${missing} expected missing, ${twice} duplicated, ${orphans} without an Account`,
  };
}

/** The CLI's own node flags and any extra ones (BENCH_CLI_NODE_ARGS), recorded in the rows they produce. */
export const cliNodeArgs = [
  ...CLI_NODE_FLAGS,
  ...(process.env.BENCH_CLI_NODE_ARGS ?? '').split(' ').filter((a) => a !== ''),
];

/**
 * The largest heap a full GC left behind, from `--trace-gc` lines (`Mark-Compact 240.9 (269.8) ->
 * 52.5 (184.9) MB`): what the process holds, apart from the garbage V8 lets pile up between full
 * GCs (old space grows to about 4x what is live before one, on a machine with 2 GB of heap or more).
 */
function liveHeapMb(traceGc: string): number | null {
  let max: number | null = null;
  for (const m of traceGc.matchAll(/Mark-Compact(?: \(reduce\))? [\d.]+ \([\d.]+\) -> ([\d.]+) \(/g))
    max = Math.max(max ?? 0, Number(m[1]));
  return max === null ? null : Math.round(max);
}

/**
 * Runs a CLI command in its own process; peak RSS from /proc (VmHWM) while it runs. With
 * `traceGc`, node prints its GCs on stdout and `liveHeapMb` is the largest heap left after a full GC.
 */
export async function runCli(
  dataDir: string,
  args: readonly string[],
  options: { traceGc?: boolean } = {},
): Promise<{
  code: number | null;
  stdout: string;
  stderr: string;
  peakRssMb: number;
  liveHeapMb: number | null;
  seconds: number;
}> {
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_CLI_CPU_PROF
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CLI_CPU_PROF}`]
        : []),
      ...cliNodeArgs,
      ...(options.traceGc === true ? ['--trace-gc'] : []),
      '--import',
      'tsx',
      join(ROOT, 'packages/cli/src/main.ts'),
      ...args,
    ],
    {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: process.env.BENCH_CLI_LOG_LEVEL ?? 'error' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  let peakKb = 0;
  const sample = () => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m !== null) peakKb = Math.max(peakKb, Number(m[1]));
    } catch {
      // exited between samples
    }
  };
  const timer = setInterval(sample, 50);
  const code = await new Promise<number | null>((ok) => child.once('exit', (c) => ok(c)));
  clearInterval(timer);
  return {
    code,
    stdout,
    stderr,
    peakRssMb: Math.round(peakKb / 1024),
    liveHeapMb: options.traceGc === true ? liveHeapMb(stdout) : null,
    seconds: (performance.now() - started) / 1000,
  };
}

let naive: Promise<NaiveFigures> | null = null;
/** The naive client on a sample, once per bench run (every scenario compares against it). */
export function naiveFigures(emu: BenchEmulator): Promise<NaiveFigures> {
  naive ??= (async () => {
    const sample = Number(process.env.BENCH_NAIVE_SAMPLE ?? 100);
    const org = await createBenchOrg(emu);
    const people = Array.from({ length: sample }, (_, i) => ({
      email: benchEmail('naive', i),
      lastName: `Naive ${i}`,
      company: `Naive Company ${Math.floor(i / 5)}`,
    }));
    return runNaive(org, people);
  })();
  return naive;
}

async function backfill(emu: BenchEmulator, n: number): Promise<Row> {
  const org = await createBenchOrg(emu);
  const ws = await benchWorkspace(org);
  try {
    const prefix = `b${n}`;
    await ingestPeople(ws, prefix, n);
    await ws.opened.close();
    const before = await emulatorRequests(org);
    const run = await runCli(ws.dataDir, ['push-all', '--workspace', ws.workspaceId, '--json'], {
      traceGc: true,
    });
    if (process.env.BENCH_CLI_OUT_DIR)
      writeFileSync(join(process.env.BENCH_CLI_OUT_DIR, `push-all-${n}.out`), run.stdout + run.stderr);
    if (run.code !== 0) throw new Error(`push-all exited ${run.code}: ${run.stderr.slice(-2_000)}`);
    const after = await emulatorRequests(org);
    reportEndpoints(`backfill-${n}`, before, after);
    const apiCalls = after.counted - before.counted;
    const httpRequests = after.total - before.total;
    const check = await verifyByBulkQuery(
      org,
      new Set(Array.from({ length: n }, (_, i) => benchEmail(prefix, i))),
      true,
    );
    const naiveRun = await naiveFigures(emu);
    const recordsPerSecond = Number((n / run.seconds).toFixed(1));
    if (!check.verified) console.error(`backfill ${n}: ${check.detail}`);
    return {
      scenario: `backfill-${n}`,
      records: n,
      apiCalls,
      httpRequests,
      apiCallsPer1000: Number(((apiCalls / n) * 1000).toFixed(2)),
      recordsPerSecond,
      p95LatencyMs: null,
      peakRssMb: run.peakRssMb,
      liveHeapMb: run.liveHeapMb,
      ...(cliNodeArgs.length > 0 ? { cliNodeArgs: cliNodeArgs.join(' ') } : {}),
      seconds: Number(run.seconds.toFixed(1)),
      naiveApiCallsPer1000: naiveRun.apiCallsPer1000,
      naiveRecordsPerSecond: naiveRun.recordsPerSecond,
      speedup: Number((recordsPerSecond / naiveRun.recordsPerSecond).toFixed(1)),
      verified: check.verified,
    };
  } finally {
    await ws.close().catch(() => undefined);
  }
}

export async function run(): Promise<Row[]> {
  const sizes = (process.env.BENCH_BACKFILL_SIZES ?? '20000,100000').split(',').map(Number);
  const emu = await startBenchEmulator();
  try {
    const rows: Row[] = [];
    for (const n of sizes) {
      rows.push(await backfill(emu, n));
      process.stderr.write(`${JSON.stringify(rows.at(-1))}\n`);
    }
    return rows;
  } finally {
    await emu.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const row of await run()) console.log(JSON.stringify(row));
}

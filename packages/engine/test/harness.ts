import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  Settings,
  type Clock,
  type JobQueue,
  type Link,
  type LogEntry,
  type Logger,
  type SettingsInput,
  type Store,
  type Workspace,
} from '@crmsync/core';
import { ManualClock } from '@crmsync/core/testing';
import { connectSalesforce } from '@crmsync/salesforce';
import { createScratchDatabase, openPostgresStore } from '@crmsync/store/postgres';
import { openSqliteStore } from '@crmsync/store/sqlite';
import { CrmSessions } from '../src/crm-session.js';
import type { EngineDeps, EngineOptions } from '../src/deps.js';
import { ingestMany } from '../src/ingest.js';
import { runPushBatch, type PushBatchReport, type PushWorkerOptions } from '../src/push/worker.js';

/*
 * The engine's test harness: a Salesforce emulator in ITS OWN PROCESS (spawned once per test file,
 * killed in `after`), and per test a fresh emulator org, a SQLite file in a temp dir (or, with
 * CRMSYNC_TEST_STORE=postgres, a scratch PostgreSQL database) opened by the production opener, a
 * workspace connected to that org, the real adapter through `connectSalesforce`, a manual clock and
 * seeded randomness. Outcomes are checked on the Salesforce side over HTTP: `soql()` and the control
 * API's write and request counters.
 */

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

export interface EmulatorProcess {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  close(): Promise<void>;
}

/** Spawns `sf-emulator --port 0 --latency-ms 0` and waits for its URL. */
export async function startEmulatorProcess(extraArgs: readonly string[] = []): Promise<EmulatorProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'packages/sf-emulator/src/cli.ts'),
      '--port',
      '0',
      '--latency-ms',
      '0',
      ...extraArgs,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((ok, fail) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => fail(new Error(`the emulator did not start in 60 s: ${stderr}`)), 60_000);
    lines.on('line', (line) => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (m !== null) {
        clearTimeout(timer);
        ok(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`the emulator exited (${code}) before it listened: ${stderr}`));
    });
  });
  child.stdout!.resume();
  // The emulator must not outlive this test file: not at its exit, nor when the runner ends it
  // with a signal on a timeout (a signal skips `exit` handlers unless it is turned into an exit).
  process.once('exit', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  exitOnSignals();
  return {
    url,
    close: () =>
      new Promise<void>((ok) => {
        if (child.exitCode !== null || child.signalCode !== null) return ok();
        child.once('exit', () => ok());
        child.kill('SIGKILL');
      }),
  };
}

let signalsHandled = false;
/** SIGTERM and SIGINT end the process through `process.exit`, so its `exit` handlers run. */
function exitOnSignals(): void {
  if (signalsHandled) return;
  signalsHandled = true;
  process.once('SIGTERM', () => process.exit(143));
  process.once('SIGINT', () => process.exit(130));
}

/**
 * One HTTP exchange on a fresh connection (no keep-alive: a pooled socket the emulator closed while
 * the test was busy would fail the next call with "other side closed").
 */
export function httpJson(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  return new Promise((ok, fail) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = httpRequest(
      url,
      {
        method,
        agent: false,
        headers: {
          ...headers,
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': String(payload.length) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = null;
          try {
            parsed = text === '' ? null : JSON.parse(text);
          } catch {
            parsed = text;
          }
          ok({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', fail);
      },
    );
    req.on('error', fail);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** A JSON call to the emulator's control API (no Salesforce auth). */
export async function control<T = unknown>(
  emu: EmulatorProcess,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await httpJson(method, `${emu.url}/__emulator${path}`, body);
  if (res.status < 200 || res.status >= 300)
    throw new Error(`control ${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as T;
}

/** `Crmsync_Id__c` (unique external id) on Contact, Lead and Account (X4 upserts). */
export function externalIdSchema(
  extra: Record<string, { fields?: unknown[]; validationRules?: unknown[] }> = {},
): Record<string, unknown> {
  const extend: Record<string, { fields: unknown[]; validationRules: unknown[] }> = {};
  for (const object of ['Contact', 'Lead', 'Account']) {
    extend[object] = {
      fields: [{ name: 'Crmsync_Id__c', type: 'string', length: 255, externalId: true, unique: true }],
      validationRules: [],
    };
  }
  for (const [object, add] of Object.entries(extra)) {
    const e = (extend[object] ??= { fields: [], validationRules: [] });
    e.fields.push(...(add.fields ?? []));
    e.validationRules.push(...(add.validationRules ?? []));
  }
  return { objects: [], extend };
}

export interface OrgSummary {
  orgId: string;
  accessToken: string;
  instanceUrl: string;
  loginUrl: string;
  username: string;
}

export interface RecordWrites {
  id: string;
  objectName: string;
  total: number;
  create: number;
  update: number;
  delete: number;
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};

/** mulberry32: seeded randomness for backoff jitter. */
export function seededRandom(seed = 42): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface WorkspaceOptions {
  /** Give the org `Crmsync_Id__c` (X4 upserts). Default true. */
  externalId?: boolean;
  /** A full emulator schema file (overrides `externalId`). */
  schema?: Record<string, unknown>;
  /** Records created in the org before the test (as the integration user), `{ Contact: [{...}] }`. */
  seed?: Record<string, Record<string, unknown>[]>;
  /** Settings (version 2 is added); the window is 0 hours unless given. */
  settings?: Omit<SettingsInput, 'version'>;
  workspace?: Partial<Workspace>;
  workspaceId?: string;
  /** Connection state (default active). */
  state?: 'configuring' | 'active' | 'paused' | 'disconnected';
  windowEndsAt?: Date | null;
  options?: Partial<EngineOptions>;
  dailyApiLimit?: number;
  /** Reuse this org instead of creating one (two workspaces on one org). */
  org?: OrgSummary;
  /** Reuse this store (two workspaces in one database). */
  storeOf?: Harness;
}

export interface Harness {
  emu: EmulatorProcess;
  org: OrgSummary;
  workspaceId: string;
  store: Store;
  queue: JobQueue;
  clock: ManualClock;
  deps: EngineDeps;
  sessions: CrmSessions;
  /** The SQLite file, or the scratch PostgreSQL database's URL. */
  file: string;
  /** A restart: the same database opened again by the production opener; closed after the test. */
  reopen(): Promise<{ store: Store; queue: JobQueue }>;
  /** SOQL over HTTP with the org's token; every page. */
  soql<T = Record<string, unknown>>(query: string): Promise<T[]>;
  /** The emulator's per-record write counts (by Salesforce id) and totals per object. */
  writes(ids?: readonly string[]): Promise<{
    records: Record<string, RecordWrites | null>;
    totals: Record<string, Record<string, number>>;
  }>;
  /** Requests the org received. */
  requests(): Promise<{ total: number; counted: number; byEndpoint: Record<string, number> }>;
  control<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** Saves settings (merged over the defaults). */
  setSettings(settings: Omit<SettingsInput, 'version'>): Promise<void>;
}

const TEST_KEY = new Uint8Array(32).fill(7);

/**
 * Where a test's store lives: a SQLite file in a temp dir, or with CRMSYNC_TEST_STORE=postgres a
 * scratch PostgreSQL database (the same tests on PostgreSQL and the pg-boss queue); `remove` deletes it.
 */
async function scratchStore(): Promise<{ location: string; remove(): Promise<void> }> {
  if (process.env.CRMSYNC_TEST_STORE === 'postgres') {
    const db = await createScratchDatabase();
    return { location: db.url, remove: () => db.drop() };
  }
  const dir = mkdtempSync(join(tmpdir(), 'crmsync-engine-'));
  return {
    location: join(dir, 'crmsync.db'),
    remove: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The production opener of the store at `location` (a PostgreSQL URL or a SQLite file). */
function openStoreAt(
  location: string,
  clock: Clock,
): Promise<{ store: Store; queue: JobQueue; close(): Promise<void> }> {
  return /^postgres(ql)?:\/\//.test(location)
    ? openPostgresStore({ url: location, clock, encryptionKey: TEST_KEY })
    : openSqliteStore({ file: location, clock, encryptionKey: TEST_KEY });
}

/** A workspace connected to a fresh org of `emu`, on a SQLite file in a temp dir or a scratch PostgreSQL database. */
export async function connectedWorkspace(
  t: TestContext,
  emu: EmulatorProcess,
  o: WorkspaceOptions = {},
): Promise<Harness> {
  const org =
    o.org ??
    (await control<OrgSummary>(emu, 'POST', '/orgs', {
      ...(o.schema !== undefined
        ? { schema: o.schema }
        : o.externalId === false
          ? {}
          : { schema: externalIdSchema() }),
      ...(o.seed === undefined ? {} : { seed: o.seed }),
      ...(o.dailyApiLimit === undefined ? {} : { dailyApiLimit: o.dailyApiLimit }),
    }));
  let store: Store;
  let queue: JobQueue;
  let clock: ManualClock;
  let file: string;
  let reopen: Harness['reopen'];
  if (o.storeOf !== undefined) {
    ({ store, queue, clock, file, reopen } = o.storeOf);
  } else {
    clock = new ManualClock(new Date());
    const scratch = await scratchStore();
    file = scratch.location;
    const opened = await openStoreAt(file, clock);
    ({ store, queue } = opened);
    // Reopened stores close before the database goes (a dropped PostgreSQL database ends their connections).
    const reopened: { close(): Promise<void> }[] = [];
    reopen = async () => {
      const again = await openStoreAt(file, clock);
      reopened.push(again);
      return { store: again.store, queue: again.queue };
    };
    t.after(async () => {
      for (const again of reopened) await again.close();
      await opened.close();
      await scratch.remove();
    });
  }
  const workspaceId = o.workspaceId ?? `ws-${Math.random().toString(36).slice(2, 10)}`;
  await store.workspaces.create({
    id: workspaceId,
    name: 'Test team',
    mailboxDomains: [],
    users: [],
    stages: { people: [], companies: [], deals: [] },
    ...o.workspace,
  });
  const settingsOf = (s: Omit<SettingsInput, 'version'> = {}) =>
    Settings.parse({ ...s, version: 2, lifecycle: { configurationWindowHours: 0, ...s.lifecycle } });
  await store.transaction(workspaceId, async (tx) => {
    await tx.settings.put(settingsOf(o.settings), 'test');
    await tx.connection.put({
      orgId: org.orgId,
      instanceUrl: org.instanceUrl,
      loginUrl: org.loginUrl,
      credentials: { flow: 'token', instanceUrl: org.instanceUrl, accessToken: org.accessToken },
      integrationUserId: null,
      state: o.state ?? 'active',
      windowEndsAt: o.windowEndsAt ?? null,
      connectedAt: clock.now(),
    });
  });
  const deps: EngineDeps = {
    store,
    queue,
    clock,
    logger: silentLogger,
    random: seededRandom(7),
    workerId: `worker-${workspaceId}`,
    options: { bulkPollIntervalMs: 10, ...o.options },
    connectCrm: ({ connection, onRequest, onResponse, onCredentials }) =>
      connectSalesforce({
        credentials: connection.credentials as never,
        clock: pollingClock(clock),
        retryBaseDelayMs: 0,
        onRequest,
        onResponse,
        onCredentials: (c) => onCredentials(c as unknown as Record<string, string>),
      }),
  };
  const sessions = new CrmSessions(deps);
  const api = `${org.instanceUrl}/services/data/v62.0`;
  const soql = async <T>(query: string): Promise<T[]> => {
    const out: T[] = [];
    let next: string | null = `${api}/query?q=${encodeURIComponent(query)}`;
    while (next !== null) {
      const res = await httpJson('GET', next, undefined, { authorization: `Bearer ${org.accessToken}` });
      const body = res.body as { records: T[]; nextRecordsUrl?: string } | { message: string }[];
      if (res.status !== 200 || Array.isArray(body))
        throw new Error(`SOQL ${query} answered ${res.status}: ${JSON.stringify(body)}`);
      out.push(...body.records);
      next = body.nextRecordsUrl === undefined ? null : `${org.instanceUrl}${body.nextRecordsUrl}`;
    }
    return out.map((r) => {
      const { attributes: _a, ...rest } = r as Record<string, unknown>;
      return rest as T;
    });
  };
  return {
    emu,
    org,
    workspaceId,
    store,
    queue,
    clock,
    deps,
    sessions,
    file,
    reopen,
    soql,
    writes: (ids) =>
      control(
        emu,
        'GET',
        `/orgs/${org.orgId}/writes${ids === undefined || ids.length === 0 ? '' : `?ids=${ids.join(',')}`}`,
      ),
    requests: () => control(emu, 'GET', `/orgs/${org.orgId}/requests`),
    control: (method, path, body) => control(emu, method, `/orgs/${org.orgId}${path}`, body),
    setSettings: async (s) => {
      await store.transaction(workspaceId, (tx) =>
        tx.settings.put(settingsOf(s), 'test').then(() => undefined),
      );
    },
  };
}

/**
 * The adapter's clock in tests: time from the manual clock, but a Bulk poll's sleep yields for a
 * few real milliseconds instead of waiting for the test to advance time (the emulator processes
 * jobs in real time).
 */
export function pollingClock(clock: ManualClock): Clock {
  return { now: () => clock.now(), sleep: (ms) => new Promise((ok) => setTimeout(ok, Math.min(ms, 5))) };
}

/** People as ingest takes them. */
export function person(id: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    lastName: `Last ${id}`,
    firstName: 'Ada',
    email: `${id}@example.com`,
    emailStatus: 'verified',
    ...over,
  };
}

export function company(id: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, name: `Company ${id}`, website: `https://${id}.example.org`, ...over };
}

/** Runs push batches until nothing due is left (retries scheduled later stay queued). */
export async function drain(
  h: Harness,
  opts: PushWorkerOptions = {},
  maxRounds = 50,
): Promise<PushBatchReport[]> {
  const reports: PushBatchReport[] = [];
  for (let i = 0; i < maxRounds; i++) {
    const r = await runPushBatch(h.deps, h.sessions, h.workspaceId, opts);
    reports.push(r);
    if (r.claimed === 0) return reports;
  }
  throw new Error(`the push queue did not drain in ${maxRounds} rounds`);
}

/** Ingests upserts of people or companies and fails the test on a refused one. */
export async function ingestAll(
  h: Harness,
  type: 'person' | 'company',
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  const results = await ingestMany(
    h.deps,
    h.workspaceId,
    rows.map((data) => ({ type, op: 'upsert' as const, data })),
  );
  const bad = results.filter((r) => !r.ok);
  if (bad.length > 0) throw new Error(`ingest refused: ${JSON.stringify(bad)}`);
}

/** The log entries of one record, newest first. */
export async function logOf(h: Harness, type: 'person' | 'company', id: string): Promise<LogEntry[]> {
  return (await h.store.workspace(h.workspaceId).log.list({ record: { type, id }, limit: 100 })).items;
}

export async function linkOf(h: Harness, type: 'person' | 'company', id: string): Promise<Link | null> {
  return h.store.workspace(h.workspaceId).links.get(type, id, h.org.orgId);
}

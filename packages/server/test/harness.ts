import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { JobQueue, Store } from '@crmsync/core';
import { ManualClock } from '@crmsync/core/testing';
import { createEngine, type Engine } from '@crmsync/engine';
import { connectSalesforce } from '@crmsync/salesforce';
import { createScratchDatabase, openPostgresStore } from '@crmsync/store/postgres';
import { openSqliteStore } from '@crmsync/store/sqlite';
import type { FastifyInstance } from 'fastify';
import type { LightMyRequestResponse } from 'fastify';
import pg from 'pg';
import type { DatabaseTarget } from '../../cli/src/config.js';
import { serverPorts } from '../../cli/src/commands/serve.js';
import {
  control,
  externalIdSchema,
  pollingClock,
  seededRandom,
  silentLogger,
  type EmulatorProcess,
  type OrgSummary,
} from '../../engine/test/harness.js';
import { buildServer, issueApiKey, type WebhookTargetPolicy } from '../src/index.js';

export {
  startEmulatorProcess,
  control,
  type EmulatorProcess,
  type OrgSummary,
} from '../../engine/test/harness.js';

/*
 * The API under test with real parts: a SQLite file in a temp dir (or, with
 * CRMSYNC_TEST_STORE=postgres, a scratch PostgreSQL database and the pg-boss queue, dropped after
 * the test) opened by the production opener, the real engine, the CLI's connect and CSV importer,
 * and the Salesforce emulator in its own process (started once per test file by the caller).
 * Everything opened is closed in `t.after`.
 */

export const ADMIN_KEY = 'csa.test-admin-key-0123456789abcdef';

export interface Api {
  app: FastifyInstance;
  /** The server's data dir (a temp dir); on SQLite it holds the database file. */
  dir: string;
  /**
   * Every byte the database keeps, to check what is at rest: on SQLite the files in `dir`, on
   * PostgreSQL every value of every row in the database (the store's tables and pg-boss's jobs).
   */
  atRest(): Promise<Buffer>;
  store: Store;
  queue: JobQueue;
  engine: Engine;
  clock: ManualClock;
  /** `inject` with a key (or none) and a JSON body. */
  call(
    method: string,
    url: string,
    options?: { key?: string | null; body?: unknown; payload?: string | Buffer; contentType?: string },
  ): Promise<LightMyRequestResponse>;
  /** A second app on the same database and engine, as another server process behind a load balancer would be. */
  twin(): Promise<FastifyInstance>;
  /** Creates a workspace through the admin API and returns a key for it. */
  workspace(id: string, extra?: Record<string, unknown>): Promise<string>;
  /** Connects the workspace of `key` to a fresh emulator org through the API (credentials flow), after saving `settings`. */
  connect(
    key: string,
    o?: { schema?: Record<string, unknown>; settings?: Record<string, unknown> },
  ): Promise<OrgSummary>;
}

export async function startApi(
  t: TestContext,
  emu: EmulatorProcess | null,
  options: {
    bodyLimit?: number;
    pushAll?: 'in-process' | 'queued';
    webhookTargets?: WebhookTargetPolicy;
  } = {},
): Promise<Api> {
  const dir = mkdtempSync(join(tmpdir(), 'crmsync-server-'));
  const clock = new ManualClock(new Date());
  const scratch = process.env.CRMSYNC_TEST_STORE === 'postgres' ? await createScratchDatabase() : null;
  const database: DatabaseTarget =
    scratch === null
      ? { kind: 'sqlite', file: join(dir, 'crmsync.db') }
      : { kind: 'postgres', url: scratch.url };
  const encryptionKey = Buffer.alloc(32, 3);
  const opened =
    database.kind === 'sqlite'
      ? await openSqliteStore({ file: database.file, clock, encryptionKey })
      : await openPostgresStore({ url: database.url, clock, encryptionKey });
  const engine = createEngine({
    store: opened.store,
    queue: opened.queue,
    clock,
    logger: silentLogger,
    random: seededRandom(11),
    workerId: 'server-test',
    options: { bulkPollIntervalMs: 10 },
    connectCrm: ({ connection, onRequest, onResponse, onCredentials }) =>
      connectSalesforce({
        credentials: connection.credentials as never,
        clock: pollingClock(clock),
        retryBaseDelayMs: 0,
        onRequest,
        onResponse,
        onCredentials: (c) => onCredentials(c as unknown as Record<string, string>),
      }),
  });
  // The CLI's connect reaches the emulator through its configured port: point it at the test's.
  const emulatorPort = emu === null ? 1 : Number(new URL(emu.url).port);
  const ports = serverPorts({
    config: {
      dataDir: dir,
      database,
      databaseFile: database.kind === 'sqlite' ? database.file : null,
      databaseLabel: database.kind === 'sqlite' ? 'SQLite' : 'PostgreSQL',
      encryptionKey,
      port: 0,
      emulatorPort,
      leaseMs: 300_000,
      webhooksAllowPrivate: false,
      embedded: database.kind === 'sqlite',
    },
    clock,
    logger: silentLogger,
    engine,
  });
  const deps = {
    store: opened.store,
    queue: opened.queue,
    engine,
    clock,
    logger: silentLogger,
    adminKey: ADMIN_KEY,
    ...ports,
    ...(options.bodyLimit === undefined ? {} : { bodyLimit: options.bodyLimit }),
    ...(options.pushAll === undefined ? {} : { pushAll: options.pushAll }),
    ...(options.webhookTargets === undefined ? {} : { webhookTargets: options.webhookTargets }),
  };
  const app = await buildServer(deps);
  const twins: FastifyInstance[] = [];
  t.after(async () => {
    for (const twin of twins) await twin.close();
    await app.close();
    await opened.close();
    await scratch?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const call: Api['call'] = (method, url, o = {}) => {
    const headers: Record<string, string> = {};
    if (o.key !== null && o.key !== undefined) headers.authorization = `Bearer ${o.key}`;
    if (o.contentType !== undefined) headers['content-type'] = o.contentType;
    const payload = o.payload ?? (o.body === undefined ? undefined : JSON.stringify(o.body));
    if (o.body !== undefined && o.contentType === undefined) headers['content-type'] = 'application/json';
    return app.inject({
      method: method as 'GET',
      url,
      headers,
      ...(payload === undefined ? {} : { payload }),
    });
  };
  return {
    app,
    dir,
    atRest: () =>
      database.kind === 'sqlite'
        ? Promise.resolve(Buffer.concat(readdirSync(dir).map((f) => readFileSync(join(dir, f)))))
        : everyStoredValue(database.url),
    store: opened.store,
    queue: opened.queue,
    engine,
    clock,
    call,
    async twin() {
      const twin = await buildServer(deps);
      twins.push(twin);
      return twin;
    },
    async workspace(id, extra = {}) {
      const created = await call('POST', '/api/v1/admin/workspaces', {
        key: ADMIN_KEY,
        body: { id, name: `Team ${id}`, ...extra },
      });
      if (created.statusCode !== 201)
        throw new Error(`workspace ${id}: ${created.statusCode} ${created.body}`);
      return (await issueApiKey(opened.store, id, `tests of ${id}`)).key;
    },
    async connect(key, o = {}) {
      if (emu === null) throw new Error('startApi was given no emulator');
      const org = await control<OrgSummary & { clientId: string; clientSecret: string; password: string }>(
        emu,
        'POST',
        '/orgs',
        { schema: o.schema ?? externalIdSchema() },
      );
      // Settings with no configuration window, so pushes are allowed at once.
      const put = await call('PUT', '/api/v1/settings', {
        key,
        body: { ...o.settings, version: 2, lifecycle: { configurationWindowHours: 0 } },
      });
      if (put.statusCode !== 200) throw new Error(`settings: ${put.statusCode} ${put.body}`);
      const res = await call('POST', '/api/v1/connection', {
        key,
        body: {
          loginUrl: org.loginUrl,
          clientId: org.clientId,
          clientSecret: org.clientSecret,
          username: org.username,
          password: org.password,
        },
      });
      if (res.statusCode !== 200) throw new Error(`connect: ${res.statusCode} ${res.body}`);
      return org;
    },
  };
}

/** The JSON body of a response. */
export const json = <T = Record<string, any>>(res: LightMyRequestResponse): T => JSON.parse(res.body) as T;

/**
 * Every value of every row of every table in the database at `url`, as bytes: `bytea` as stored,
 * text as UTF-8, everything else as its JSON. What a reader of the disk (or a dump) would find.
 */
async function everyStoredValue(url: string): Promise<Buffer> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ name: string }>(
      `select format('%I.%I', schemaname, tablename) as name from pg_tables
       where schemaname not in ('pg_catalog', 'information_schema')`,
    );
    const values: Buffer[] = [];
    for (const { name } of tables.rows) {
      const { rows } = await client.query<Record<string, unknown>>(`select * from ${name}`);
      for (const row of rows)
        for (const value of Object.values(row))
          values.push(
            Buffer.isBuffer(value)
              ? value
              : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value ?? null)),
          );
    }
    return Buffer.concat(values);
  } finally {
    await client.end();
  }
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { JobQueue, Store } from '@crmsync/core';
import { ManualClock } from '@crmsync/core/testing';
import { createEngine, type Engine } from '@crmsync/engine';
import { connectSalesforce } from '@crmsync/salesforce';
import { openSqliteStore } from '@crmsync/store/sqlite';
import type { FastifyInstance } from 'fastify';
import type { LightMyRequestResponse } from 'fastify';
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
import { buildServer, issueApiKey } from '../src/index.js';

export {
  startEmulatorProcess,
  control,
  type EmulatorProcess,
  type OrgSummary,
} from '../../engine/test/harness.js';

/*
 * The API under test with real parts: a SQLite file in a temp dir opened by the production opener,
 * the real engine, the CLI's connect and CSV importer, and the Salesforce emulator in its own
 * process (started once per test file by the caller). Everything opened is closed in `t.after`.
 */

export const ADMIN_KEY = 'csa.test-admin-key-0123456789abcdef';

export interface Api {
  app: FastifyInstance;
  /** The temp dir holding the SQLite file (to check what is at rest). */
  dir: string;
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
  options: { bodyLimit?: number; pushAll?: 'in-process' | 'queued' } = {},
): Promise<Api> {
  const dir = mkdtempSync(join(tmpdir(), 'crmsync-server-'));
  const clock = new ManualClock(new Date());
  const opened = await openSqliteStore({
    file: join(dir, 'crmsync.db'),
    clock,
    encryptionKey: new Uint8Array(32).fill(3),
  });
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
      database: { kind: 'sqlite', file: join(dir, 'crmsync.db') },
      databaseFile: join(dir, 'crmsync.db'),
      databaseLabel: 'SQLite',
      encryptionKey: Buffer.alloc(32, 3),
      port: 0,
      emulatorPort,
      leaseMs: 300_000,
      embedded: true,
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
  };
  const app = await buildServer(deps);
  const twins: FastifyInstance[] = [];
  t.after(async () => {
    for (const twin of twins) await twin.close();
    await app.close();
    await opened.close();
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

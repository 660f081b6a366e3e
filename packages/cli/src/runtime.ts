import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock, Logger } from '@crmsync/core';
import { createEngine, WORKER_PUSH_OPTIONS, type CrmFactory, type Engine } from '@crmsync/engine';
import { connectSalesforce } from '@crmsync/salesforce';
import { openPostgresStore } from '@crmsync/store/postgres';
import { openSqliteStore, type OpenedStore } from '@crmsync/store/sqlite';
import { loadConfig, type Config } from './config.js';
import { createLogger } from './logger.js';
import { SystemClock } from './system-clock.js';

/** Everything a command needs, wired once (STYLE 5: the only place that knows the drivers). */
export interface Runtime {
  config: Config;
  clock: Clock;
  logger: Logger;
  opened: OpenedStore;
  engine: Engine;
  close(): Promise<void>;
}

/** The CrmAdapter factory: Salesforce through jsforce, credentials as the store decrypted them. */
export function salesforceFactory(clock: Clock, logger: Logger): CrmFactory {
  return async ({ connection, onRequest, onResponse, onCredentials }) =>
    connectSalesforce({
      credentials: connection.credentials as never,
      clock,
      logger,
      onRequest,
      onResponse,
      onCredentials: (c) =>
        onCredentials(
          Object.fromEntries(Object.entries(c).filter(([, v]) => typeof v === 'string')) as Record<
            string,
            string
          >,
        ),
    });
}

export interface RuntimeOptions {
  /**
   * On PostgreSQL, run pg-boss's maintenance in this process (archiving finished jobs). Long-lived
   * processes (`serve`, `worker`) do; one-shot commands do not.
   */
  maintenance?: boolean;
}

/** The store of DATABASE_URL: the embedded SQLite file, or PostgreSQL with the pg-boss queue. */
async function openStore(config: Config, clock: Clock, options: RuntimeOptions): Promise<OpenedStore> {
  const { database, encryptionKey } = config;
  if (database.kind === 'sqlite') return openSqliteStore({ file: database.file, clock, encryptionKey });
  const { store, queue, close } = await openPostgresStore({
    url: database.url,
    clock,
    encryptionKey,
    maintenance: options.maintenance ?? false,
  });
  return { store, queue, close };
}

export async function openRuntime(
  env: NodeJS.ProcessEnv = process.env,
  options: RuntimeOptions = {},
): Promise<Runtime> {
  const config = loadConfig(env);
  const clock = new SystemClock();
  const logger = createLogger();
  const opened = await openStore(config, clock, options);
  const engine = createEngine({
    store: opened.store,
    queue: opened.queue,
    connectCrm: salesforceFactory(clock, logger),
    clock,
    logger,
    random: Math.random,
    workerId: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    // The worker gathers a trickle for up to 5 s into batches of up to 400 (one lookup and one write call each).
    options: { leaseMs: config.leaseMs, ...WORKER_PUSH_OPTIONS },
  });
  return { config, clock, logger, opened, engine, close: () => opened.close() };
}

import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock, Logger } from '@crmsync/core';
import { createEngine, type CrmFactory, type Engine } from '@crmsync/engine';
import { connectSalesforce } from '@crmsync/salesforce';
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

export async function openRuntime(env: NodeJS.ProcessEnv = process.env): Promise<Runtime> {
  const config = loadConfig(env);
  const clock = new SystemClock();
  const logger = createLogger();
  const opened = await openSqliteStore({
    file: config.databaseFile,
    clock,
    encryptionKey: config.encryptionKey,
  });
  const engine = createEngine({
    store: opened.store,
    queue: opened.queue,
    connectCrm: salesforceFactory(clock, logger),
    clock,
    logger,
    random: Math.random,
    workerId: `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
  });
  return { config, clock, logger, opened, engine, close: () => opened.close() };
}

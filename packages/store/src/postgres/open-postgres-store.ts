import type { Clock, JobQueue, Store } from '@crmsync/core';
import { Kysely, Migrator, PostgresDialect } from 'kysely';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { createKyselyStore } from '../kysely-store.js';
import { migrationProvider } from '../migrations/index.js';
import type { Database } from '../schema.js';
import { createSecretBox } from '../secrets.js';
import { createPgBossQueue } from './pgboss-queue.js';
import { postgresWriteRunner } from './write-runner.js';

export interface OpenPostgresStoreOptions {
  /** `postgres://user@host:port/database`, e.g. from `DATABASE_URL`. */
  url: string;
  clock: Clock;
  /** 32 bytes for AES-256-GCM; credentials are sealed with it. */
  encryptionKey: Uint8Array;
  /** Connections for store reads, transactions and claims. Default 10. */
  poolSize?: number;
  /** pg-boss's schema. Default `pgboss`. */
  queueSchema?: string;
  /**
   * Runs pg-boss's maintenance in this process (expiring leases by the database clock, archiving
   * finished jobs). One or a few long-lived processes (workers) should; tests and one-shot
   * commands should not. Default false.
   */
  maintenance?: boolean;
}

export interface OpenedPostgresStore {
  store: Store;
  queue: JobQueue;
  /** The pg-boss instance over the same database, for cron schedules of the pull jobs. */
  boss: PgBoss;
  /** Stops pg-boss and closes both pools. Await running transactions first. */
  close(): Promise<void>;
}

/**
 * The production opener for Postgres: a `pg` pool behind Kysely, the store's migrations (under
 * Kysely's advisory lock, so processes opening a fresh database at once do not both migrate it),
 * pg-boss installed or upgraded in its own schema (under pg-boss's advisory lock), and the store
 * and its queue.
 */
export async function openPostgresStore(options: OpenPostgresStoreOptions): Promise<OpenedPostgresStore> {
  const { url, clock } = options;
  const secrets = createSecretBox(options.encryptionKey);
  const schema = options.queueSchema ?? 'pgboss';
  const where = redacted(url);

  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    application_name: 'crmsync',
  });
  // An idle client losing its connection (server restart) must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });

  const maintenance = options.maintenance ?? false;
  const boss = new PgBoss({
    connectionString: url,
    schema,
    max: 2,
    application_name: 'crmsync-pgboss',
    migrate: true,
    supervise: maintenance,
    schedule: maintenance,
    // Parked jobs wait for a person to retry them: keep them far longer than pg-boss's 12 hours.
    archiveFailedAfterSeconds: 30 * 24 * 3600,
  });
  boss.on('error', () => undefined);

  try {
    const result = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
    if (result.error !== undefined) throw result.error;
    await boss.start();
  } catch (error) {
    await boss.stop({ graceful: false }).catch(() => undefined);
    await db.destroy();
    throw new Error(
      `The PostgreSQL database ${where} could not be opened: ${error instanceof Error ? error.message : String(error)}. Check that the server is running, the URL is right and the user may create tables.`,
      { cause: error },
    );
  }

  const { queue, enqueuer } = createPgBossQueue({ boss, db, clock, schema });
  return {
    store: createKyselyStore({ db, runWrite: postgresWriteRunner(db), enqueuer, clock, secrets }),
    queue,
    boss,
    close: async () => {
      await boss.stop({ graceful: false, close: true });
      await db.destroy();
    },
  };
}

/** The URL without its password, for messages. */
function redacted(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'at the given URL';
  }
}

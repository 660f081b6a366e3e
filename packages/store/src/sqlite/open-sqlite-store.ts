import { mkdirSync, realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Clock, JobQueue, Store } from '@crmsync/core';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { createKyselyStore } from '../kysely-store.js';
import { migrationProvider } from '../migrations/index.js';
import type { Database } from '../schema.js';
import { createSecretBox } from '../secrets.js';
import { fileLock, sqliteWriteRunner } from './write-lock.js';
import { createSqliteQueue, sqliteEnqueuer } from './sqlite-queue.js';

export interface OpenSqliteStoreOptions {
  /** The database file; its folder is created. `:memory:` only for quick unit tests. */
  file: string;
  clock: Clock;
  /** 32 bytes for AES-256-GCM; credentials are sealed with it. */
  encryptionKey: Uint8Array;
  /** How long a writer waits for another process's write lock before SQLITE_BUSY. Default 5,000 ms. */
  busyTimeoutMs?: number;
}

export interface OpenedStore {
  store: Store;
  queue: JobQueue;
  /** Closes the database. Await running transactions first. */
  close(): Promise<void>;
}

/** The lock key of a file: its real folder plus its name, so `./data/x.db` and `/abs/data/x.db` share one lock. */
function lockKey(file: string): string {
  if (file === ':memory:') return `:memory:${Math.random()}`;
  return join(realpathSync(dirname(resolve(file))), basename(file));
}

/**
 * The production opener: creates the folder, opens the file in WAL mode with a busy timeout and
 * foreign keys on, runs pending migrations (under the write lock, so two processes opening a
 * fresh file at once do not both migrate it) and returns the store and its queue.
 */
export async function openSqliteStore(options: OpenSqliteStoreOptions): Promise<OpenedStore> {
  const { file, clock } = options;
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  const secrets = createSecretBox(options.encryptionKey);
  if (file !== ':memory:') mkdirSync(dirname(resolve(file)), { recursive: true });
  const key = lockKey(file);
  const lock = fileLock(key);

  const sqlite = await lock.run(async () => {
    const handle = new BetterSqlite3(file, { timeout: busyTimeoutMs });
    try {
      handle.pragma(`busy_timeout = ${busyTimeoutMs}`);
      handle.pragma('journal_mode = WAL');
      // NORMAL in WAL mode: a commit survives a process crash; only a power loss may drop the last commits.
      handle.pragma('synchronous = NORMAL');
      handle.pragma('foreign_keys = ON');
    } catch (error) {
      handle.close();
      throw error;
    }
    return handle;
  });

  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  try {
    await lock.run(async () => {
      // Kysely's migrator runs SQLite migrations on its one connection without a transaction of
      // its own, so this IMMEDIATE transaction wraps all of them: atomic, and exclusive across processes.
      sqlite.exec('BEGIN IMMEDIATE');
      let error: unknown;
      try {
        const result = await new Migrator({ db, provider: migrationProvider }).migrateToLatest();
        error = result.error;
      } catch (thrown) {
        error = thrown;
      }
      if (error !== undefined) {
        sqlite.exec('ROLLBACK');
        throw new Error(
          `The database ${file} could not be migrated: ${error instanceof Error ? error.message : String(error)}. It was left as it was; check the file is a crmsync database and not opened by a newer release.`,
          {
            cause: error,
          },
        );
      }
      sqlite.exec('COMMIT');
    });
  } catch (error) {
    await db.destroy();
    throw error;
  }

  // Reads get a connection of their own: SQLite has one connection per handle and Kysely holds it
  // for a whole transaction, so a read through `store.workspace(...)` made while a transaction is
  // open (even from inside it) would otherwise wait for that transaction forever. In WAL mode the
  // reader sees the last committed state and never blocks the writer. `:memory:` is one database
  // per handle, so there both share the single connection.
  let readDb = db;
  if (file !== ':memory:') {
    const reader = new BetterSqlite3(file, { timeout: busyTimeoutMs });
    reader.pragma(`busy_timeout = ${busyTimeoutMs}`);
    reader.pragma('query_only = ON');
    readDb = new Kysely<Database>({ dialect: new SqliteDialect({ database: reader }) });
  }

  const runWrite = sqliteWriteRunner(db, key);
  return {
    store: createKyselyStore({ db: readDb, runWrite, enqueuer: sqliteEnqueuer, clock, secrets }),
    queue: createSqliteQueue({ db: readDb, runWrite, clock }),
    close: async () => {
      if (readDb !== db) await readDb.destroy();
      await db.destroy();
    },
  };
}

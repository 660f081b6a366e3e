import { AsyncLocalStorage } from 'node:async_hooks';
import { sql, type Kysely } from 'kysely';
import { StoreError } from '../errors.js';
import type { WriteRunner } from '../kysely-store.js';
import type { Database } from '../schema.js';

/** A FIFO async mutex. */
class Mutex {
  #tail: Promise<void> = Promise.resolve();
  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(work);
    this.#tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

/**
 * One mutex per database file for the whole process. better-sqlite3 is synchronous: if two
 * store instances in one process opened write transactions on the same file, the second
 * `BEGIN IMMEDIATE` would block the only thread in SQLite's busy handler while the first waits
 * for that same thread to finish, and fail with SQLITE_BUSY after `busy_timeout`. Sharing the
 * mutex by file makes them queue in JavaScript instead; other processes still wait in the busy
 * handler, which is what it is for.
 */
const fileLocks = new Map<string, Mutex>();

export function fileLock(file: string): Mutex {
  let lock = fileLocks.get(file);
  if (lock === undefined) {
    lock = new Mutex();
    fileLocks.set(file, lock);
  }
  return lock;
}

/**
 * Write transactions for SQLite: serialised in-process, started `BEGIN IMMEDIATE` so the write
 * lock is taken up front (Kysely's `begin` is DEFERRED: two deferred readers that both try to
 * upgrade deadlock, and one gets SQLITE_BUSY at once, without the busy handler waiting).
 */
export function sqliteWriteRunner(db: Kysely<Database>, file: string): WriteRunner {
  const lock = fileLock(file);
  const inTransaction = new AsyncLocalStorage<true>();
  return (work) => {
    if (inTransaction.getStore() === true) {
      return Promise.reject(
        new StoreError(
          'nested_transaction',
          'A store transaction was started inside another; use the `tx` you were given instead of opening a second transaction.',
        ),
      );
    }
    return inTransaction.run(true, () =>
      lock.run(() =>
        db.connection().execute(async (conn) => {
          await sql`BEGIN IMMEDIATE`.execute(conn);
          let result;
          try {
            result = await work(conn);
          } catch (error) {
            await sql`ROLLBACK`.execute(conn);
            throw error;
          }
          await sql`COMMIT`.execute(conn);
          return result;
        }),
      ),
    );
  };
}

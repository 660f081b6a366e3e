import { AsyncLocalStorage } from 'node:async_hooks';
import type { Kysely } from 'kysely';
import { StoreError } from '../errors.js';
import type { WriteRunner } from '../kysely-store.js';
import type { Database } from '../schema.js';

/**
 * Write transactions for Postgres: one pooled connection each, READ COMMITTED, running side by
 * side. Nothing here serialises them: the repositories make every read-modify-write safe under
 * concurrency on their own (upserts with `ON CONFLICT`, row locks taken by the first `UPDATE`,
 * unique indexes as the last word), which the concurrency tests of the contract suite check on
 * both drivers. A transaction started inside another is refused, as on SQLite, because it would
 * run on a second connection and not see the first one's writes.
 */
export function postgresWriteRunner(db: Kysely<Database>): WriteRunner {
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
      db
        .transaction()
        .setIsolationLevel('read committed')
        .execute((tx) => work(tx)),
    );
  };
}

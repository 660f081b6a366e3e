import type { Clock, JobEnqueuer, Store } from '@crmsync/core';
import type { Kysely } from 'kysely';
import { StoreError } from './errors.js';
import { transactionRepositories, workspaceAdmin, workspaceReader } from './repositories/index.js';
import type { Database } from './schema.js';
import type { SecretBox } from './secrets.js';

/**
 * Runs `work` in one write transaction on one connection and commits or rolls back. Each driver
 * supplies its own (SQLite: `BEGIN IMMEDIATE`, serialised; Postgres: a pooled connection) and
 * rejects a transaction started inside another with `nested_transaction`.
 */
export type WriteRunner = <T>(work: (db: Kysely<Database>) => Promise<T>) => Promise<T>;

/** The driver's job outbox, bound to the transaction's connection. */
export type EnqueuerFactory = (db: Kysely<Database>, workspaceId: string, now: Date) => JobEnqueuer;

export interface KyselyStoreDeps {
  /** For reads outside transactions. */
  db: Kysely<Database>;
  runWrite: WriteRunner;
  enqueuer: EnqueuerFactory;
  clock: Clock;
  secrets: SecretBox;
}

/** The dialect-neutral Store over Kysely; a driver adds only how to open, write and queue. */
export function createKyselyStore({ db, runWrite, enqueuer, clock, secrets }: KyselyStoreDeps): Store {
  return {
    workspaces: workspaceAdmin({ db, write: (work) => runWrite((tx) => work(tx, clock.now())) }),
    workspace(workspaceId) {
      return workspaceReader({ db, workspaceId, now: () => clock.now(), secrets });
    },
    transaction(workspaceId, work) {
      return runWrite(async (tx) => {
        const exists = await tx
          .selectFrom('workspaces')
          .select('workspace_id')
          .where('workspace_id', '=', workspaceId)
          .executeTakeFirst();
        if (exists === undefined)
          throw new StoreError(
            'workspace_not_found',
            `There is no workspace ${JSON.stringify(workspaceId)}; create it with \`crmsync workspace create\`.`,
          );
        const now = clock.now();
        return work(
          transactionRepositories(
            { db: tx, workspaceId, now: () => now, secrets },
            enqueuer(tx, workspaceId, now),
            now,
          ),
        );
      });
    },
  };
}

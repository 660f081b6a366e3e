import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Where tests, benches and crash tests find a server they may create databases on. */
export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface ScratchDatabase {
  /** The new database's connection string. */
  url: string;
  name: string;
  /** Drops the database, closing any connection still open on it. Idempotent. */
  drop(): Promise<void>;
}

/**
 * Creates a throwaway database with a random name (`<prefix>_<hex>`), so runs never share state.
 * Throws a message that says how to start PostgreSQL when the server cannot be reached: tests
 * that need it must fail, never skip, when it is down.
 */
export async function createScratchDatabase(
  options: { adminUrl?: string; prefix?: string } = {},
): Promise<ScratchDatabase> {
  const adminUrl = options.adminUrl ?? process.env['CRMSYNC_TEST_POSTGRES_URL'] ?? DEFAULT_ADMIN_URL;
  const name = `${options.prefix ?? 'crmsync_test'}_${randomBytes(6).toString('hex')}`;
  await admin(adminUrl, `create database "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      // FORCE: a test that failed half-way may leave a pool open; the database must go anyway.
      await admin(adminUrl, `drop database if exists "${name}" with (force)`);
    },
  };
}

async function admin(adminUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
  } catch (cause) {
    const where = new URL(adminUrl);
    throw new Error(
      `PostgreSQL is not reachable at ${where.host} (${cause instanceof Error ? cause.message : String(cause)}). ` +
        'Start it (`pg_ctlcluster 15 main start`, or `.ci/run` does it) or point CRMSYNC_TEST_POSTGRES_URL at a server where user postgres may create databases.',
      { cause },
    );
  }
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * Empties a crmsync database between tests without dropping it (each DROP DATABASE waits for a
 * checkpoint, most of a second): every row of the store's tables and every pg-boss job deleted.
 * DELETE, not TRUNCATE: on tables this small it is cheaper than new files. The migrations and
 * pg-boss's queues (empty partitions) stay; a store opened afterwards sees no job and no row.
 */
export async function emptyDatabase(url: string, queueSchema = 'pgboss'): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ name: string }>(
      `select format('%I.%I', schemaname, tablename) as name from pg_tables
       where schemaname = current_schema() and tablename not like 'kysely\\_%'`,
    );
    const names = [...tables.rows.map((t) => t.name), `${queueSchema}.job`, `${queueSchema}.archive`];
    await client.query(names.map((name) => `delete from ${name}`).join(';\n'));
  } finally {
    await client.end();
  }
}

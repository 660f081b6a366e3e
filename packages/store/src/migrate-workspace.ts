import type { Clock } from '@crmsync/core';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { chunks } from './repositories/context.js';
import { openPostgresStore } from './postgres/open-postgres-store.js';
import { bossQueueName } from './postgres/job-names.js';
import { openSqliteStore } from './sqlite/open-sqlite-store.js';

/*
 * `crmsync migrate`: copies workspaces from a SQLite file into PostgreSQL. Both schemas come from
 * the same migrations and store only text and numbers, so rows are copied column for column
 * (sealed credentials as they are: the same key opens them). Each table is read in key order, a
 * page at a time, inside one SQLite read transaction (a consistent snapshot, and memory bounded
 * by the page). Rows go in with ON CONFLICT DO NOTHING, and ids are kept, so a re-run after a
 * failure adds what is missing and changes nothing else. The SQLite queue's unfinished jobs are
 * enqueued into pg-boss through the target store (pending ones stay pending, parked ones stay
 * parked, attempts kept). Then every table is counted on both sides.
 */

/** Rows read per page and written per INSERT (PostgreSQL allows 65,535 parameters per statement). */
const PAGE = 2_000;
const INSERT_ROWS = 1_000;

type Table = Exclude<keyof Database, 'jobs'>;

/** Every table but `jobs`, parents first (the others reference `workspaces`), with the key it is paged by. */
const TABLES: readonly { table: Table; key: readonly string[] }[] = [
  { table: 'workspaces', key: ['workspace_id'] },
  { table: 'settings', key: ['workspace_id'] },
  { table: 'settings_history', key: ['id'] },
  { table: 'connections', key: ['workspace_id'] },
  { table: 'records', key: ['type', 'id'] },
  { table: 'links', key: ['local_type', 'local_id', 'org_id'] },
  { table: 'push_intents', key: ['local_type', 'local_id', 'org_id'] },
  { table: 'decision_log', key: ['id'] },
  { table: 'cursors', key: ['org_id', 'name'] },
  { table: 'api_ledger', key: ['org_id', 'minute'] },
  { table: 'events', key: ['id'] },
  { table: 'bulk_jobs', key: ['org_id', 'sf_job_id'] },
  { table: 'account_index', key: ['org_id', 'sf_id'] },
  { table: 'api_keys', key: ['id'] },
  { table: 'oauth_flows', key: ['state_hash'] },
  { table: 'webhooks', key: ['id'] },
  { table: 'webhook_deliveries', key: ['id'] },
];

/** Tables whose ids come from a sequence on PostgreSQL: moved past the copied ids afterwards. */
const SERIAL: readonly Table[] = ['settings_history', 'decision_log', 'events', 'webhook_deliveries'];

export interface MigrateOptions {
  /** The SQLite file to copy from. It is migrated to the current schema first. */
  from: string;
  /** `postgres://...`, created tables and pg-boss's schema included if missing. */
  to: string;
  /** Workspaces to copy; all of the source's when omitted. */
  workspaces?: readonly string[];
  /** Copy into a target that already holds crmsync workspaces (a re-run). Refused otherwise. */
  allowNonEmpty?: boolean;
  encryptionKey: Uint8Array;
  clock: Clock;
  /** Called after each page, for progress lines. */
  onProgress?: (p: { workspaceId: string; table: string; copied: number }) => void;
}

export interface TableCount {
  table: string;
  source: number;
  target: number;
}

export interface MigrateReport {
  workspaces: { workspaceId: string; counts: TableCount[] }[];
  /** True when every table of every workspace has at least as many rows in the target. */
  verified: boolean;
}

export class MigrateRefused extends Error {
  override readonly name = 'MigrateRefused';
}

export async function migrateSqliteToPostgres(options: MigrateOptions): Promise<MigrateReport> {
  // The production opener brings an older file to the current schema (and fails clearly if it is
  // not a crmsync database); the copy then reads through a handle of its own.
  await (
    await openSqliteStore({ file: options.from, clock: options.clock, encryptionKey: options.encryptionKey })
  ).close();
  const sqlite = new BetterSqlite3(options.from, { readonly: true, fileMustExist: true });
  const source = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  const target = await openPostgresStore({
    url: options.to,
    clock: options.clock,
    encryptionKey: options.encryptionKey,
  });
  const pool = new pg.Pool({ connectionString: options.to, max: 2, application_name: 'crmsync-migrate' });
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await refuseUnknownTables(source);
    const all = (
      await source.selectFrom('workspaces').select('workspace_id').orderBy('workspace_id').execute()
    ).map((w) => w.workspace_id);
    const wanted = options.workspaces ?? all;
    const unknown = wanted.filter((w) => !all.includes(w));
    if (unknown.length > 0)
      throw new MigrateRefused(
        `${options.from} has no workspace ${unknown.map((w) => `"${w}"`).join(', ')}; it has ${all.join(', ') || 'none'}.`,
      );
    const present = await db.selectFrom('workspaces').select('workspace_id').limit(5).execute();
    if (present.length > 0 && options.allowNonEmpty !== true)
      throw new MigrateRefused(
        `The target database already holds crmsync workspaces (${present.map((w) => w.workspace_id).join(', ')}). Point --to at an empty database, or add --allow-non-empty to add what is missing (a re-run keeps every row already there).`,
      );

    // One snapshot of the source for the whole copy, even if a crmsync process still writes to it.
    return await source.transaction().execute(async (snap) => {
      for (const workspaceId of wanted) {
        for (const { table, key } of TABLES)
          await copyTable(snap, db, workspaceId, table, key, options.onProgress);
        await copyJobs(snap, target, db, workspaceId);
      }
      for (const table of SERIAL)
        await sql`select setval(pg_get_serial_sequence(${table}, 'id'),
          greatest((select max(id) from ${sql.table(table)}), 1))`.execute(db);
      const workspaces = [];
      for (const workspaceId of wanted)
        workspaces.push({ workspaceId, counts: await countBoth(snap, db, workspaceId) });
      const verified = workspaces.every((w) => w.counts.every((c) => c.target >= c.source));
      return { workspaces, verified };
    });
  } finally {
    await source.destroy();
    await db.destroy();
    await target.close();
  }
}

/**
 * A table this copy does not list would be left behind without a word: refuse instead, so a
 * release that adds a table cannot ship a migrate that silently drops it.
 */
async function refuseUnknownTables(source: Kysely<Database>): Promise<void> {
  const known = new Set<string>([...TABLES.map((t) => t.table), 'jobs']);
  const tables = await sql<{ name: string }>`select name from sqlite_master
    where type = 'table' and name not like 'sqlite!_%' escape '!' and name not like 'kysely!_%' escape '!'`.execute(
    source,
  );
  const unknown = tables.rows.map((t) => t.name).filter((name) => !known.has(name));
  if (unknown.length > 0)
    throw new Error(
      `crmsync migrate does not know the table${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')} of this database; nothing was copied. Report it with your crmsync version.`,
    );
}

/** Copies one workspace's rows of one table, a page at a time in key order. */
async function copyTable(
  source: Kysely<Database>,
  target: Kysely<Database>,
  workspaceId: string,
  table: Table,
  key: readonly string[],
  onProgress: MigrateOptions['onProgress'],
): Promise<void> {
  let after: Record<string, unknown> | null = null;
  let copied = 0;
  for (;;) {
    const keyRow = sql.join(key.map((k) => sql.ref(k)));
    const page: Record<string, unknown>[] = (
      await sql<Record<string, unknown>>`select * from ${sql.table(table)}
        where workspace_id = ${workspaceId}
          ${after === null ? sql`` : sql`and (${keyRow}) > (${sql.join(key.map((k) => after![k]))})`}
        order by ${keyRow} limit ${PAGE}`.execute(source)
    ).rows;
    if (page.length === 0) return;
    for (const part of chunks(page, INSERT_ROWS))
      await target
        .insertInto(table)
        .values(part as never)
        .onConflict((oc) => oc.doNothing())
        .execute();
    copied += page.length;
    after = page.at(-1)!;
    onProgress?.({ workspaceId, table, copied });
    if (page.length < PAGE) return;
  }
}

interface SourceJob {
  queue: string;
  key: string;
  state: string;
  run_at: string;
  attempts: number;
  last_error: string | null;
}

/**
 * The unfinished jobs of the SQLite queue, as pg-boss jobs of the same queue and key. A job a
 * worker held becomes pending again (its worker is gone with the old database); a parked one is
 * parked again, with its attempts and last error, so `crmsync retry` still finds it.
 */
async function copyJobs(
  source: Kysely<Database>,
  target: Awaited<ReturnType<typeof openPostgresStore>>,
  db: Kysely<Database>,
  workspaceId: string,
): Promise<void> {
  let afterId = 0;
  for (;;) {
    const page = await source
      .selectFrom('jobs')
      .select(['id', 'queue', 'key', 'state', 'run_at', 'attempts', 'last_error'])
      .where('workspace_id', '=', workspaceId)
      .where('state', 'in', ['pending', 'leased', 'failed'])
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(PAGE)
      .execute();
    if (page.length === 0) return;
    afterId = Number(page.at(-1)!.id);
    // Parked jobs go in far in the future, so no worker claims one before it is marked failed below.
    const parkedAt = new Date('9999-01-01T00:00:00.000Z');
    await target.store.transaction(workspaceId, (tx) =>
      tx.jobs.enqueue(
        page.map((j) => ({
          queue: j.queue,
          key: j.key,
          runAt: j.state === 'failed' ? parkedAt : new Date(j.run_at),
        })),
      ),
    );
    await restoreAttempts(db, workspaceId, page, parkedAt);
    if (page.length < PAGE) return;
  }
}

async function restoreAttempts(
  db: Kysely<Database>,
  workspaceId: string,
  jobs: readonly SourceJob[],
  parkedAt: Date,
): Promise<void> {
  const byQueue = new Map<string, SourceJob[]>();
  for (const j of jobs)
    if (j.attempts > 0 || j.state === 'failed') byQueue.set(j.queue, [...(byQueue.get(j.queue) ?? []), j]);
  for (const [queue, list] of byQueue) {
    await sql`update pgboss.job j set
        retry_count = greatest(j.retry_count, w.attempts),
        output = coalesce(j.output, '{}'::jsonb) || jsonb_build_object('lastError', w.last_error),
        state = case when w.failed then 'failed'::pgboss.job_state when w.attempts > 0 and j.state = 'created' then 'retry'::pgboss.job_state else j.state end,
        completed_on = case when w.failed then now() else j.completed_on end
      from unnest(${list.map((j) => j.key)}::text[], ${list.map((j) => j.attempts)}::int[],
        ${list.map((j) => j.last_error)}::text[], ${list.map((j) => j.state === 'failed')}::bool[])
        as w(key, attempts, last_error, failed)
      where j.name = ${bossQueueName(workspaceId, queue)} and j.singleton_key = w.key
        and j.state < 'active' and (not w.failed or j.start_after = ${parkedAt.toISOString()}::timestamptz)`.execute(
      db,
    );
  }
}

/** Rows per table on both sides; for jobs, the distinct (queue, key) pairs with unfinished work. */
async function countBoth(
  source: Kysely<Database>,
  target: Kysely<Database>,
  workspaceId: string,
): Promise<TableCount[]> {
  const count = async (db: Kysely<Database>, table: Table) =>
    Number(
      (
        await sql<{
          n: number | string;
        }>`select count(*) as n from ${sql.table(table)} where workspace_id = ${workspaceId}`.execute(db)
      ).rows[0]?.n ?? 0,
    );
  const counts: TableCount[] = [];
  for (const { table } of TABLES)
    counts.push({ table, source: await count(source, table), target: await count(target, table) });
  const sourceJobs = await sql<{ n: number }>`select count(*) as n from (select distinct queue, key from jobs
    where workspace_id = ${workspaceId} and state in ('pending', 'leased', 'failed')) k`.execute(source);
  const prefix = `${bossQueueName(workspaceId, '')}`;
  const targetJobs = await sql<{
    n: string;
  }>`select count(*) as n from (select distinct name, singleton_key from pgboss.job
    where name like ${`${prefix.replace(/[\\%_]/g, '\\$&')}%`} and state in ('created', 'retry', 'active', 'failed')) k`.execute(
    target,
  );
  counts.push({
    table: 'jobs',
    source: Number(sourceJobs.rows[0]?.n ?? 0),
    target: Number(targetJobs.rows[0]?.n ?? 0),
  });
  return counts;
}

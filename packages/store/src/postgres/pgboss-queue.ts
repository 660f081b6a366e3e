import { randomBytes } from 'node:crypto';
import type { Clock, EnqueueJob, Job, JobQueue, QueueCountRow } from '@crmsync/core';
import { CompiledQuery, sql, type Kysely, type RawBuilder } from 'kysely';
import type PgBoss from 'pg-boss';
import { toNumber } from '../codec.js';
import type { EnqueuerFactory } from '../kysely-store.js';
import { chunks } from '../repositories/context.js';
import type { Database } from '../schema.js';
import { bossQueueName, groupJobIds, parseBossQueueName, toJobId } from './job-names.js';

/*
 * The JobQueue port on pg-boss 10's storage. pg-boss owns the schema (its job table, one
 * partition per queue, the `stately` policy's unique index of at most one created, one retry and
 * one active job per singleton key), the insert (its `insert` over the store transaction's
 * connection, so a job commits with its record) and the housekeeping (archiving finished jobs,
 * when a process runs its maintenance).
 *
 * The lease operations are SQL of our own over pg-boss's tables, in the shape of pg-boss's fetch
 * (`FOR UPDATE SKIP LOCKED`, then one UPDATE to `active`), because pg-boss 10's fetch, complete
 * and fail cannot give the port's semantics: they read the database clock (the port's leases and
 * retry times run on the store's injected clock), have no worker identity (the port refuses a
 * worker whose lease was taken over), and a stately fetch of a batch that meets a key already
 * active fails as a whole (returns nothing) instead of skipping that key.
 *
 * Mapping: pending = `created` or `retry`; leased = `active` (lease = `started_on + expire_in`,
 * pg-boss's own expiry); parked = `failed`; finished = `completed`. `retry_count` counts the
 * failed attempts; `output` carries `workerId` while leased and `lastError`.
 */

/** pg-boss's own timeout expiry must never park a job: only `fail(..., { retryAt: null })` does. */
const RETRY_LIMIT = 1_000_000;
/** pg-boss archives pending jobs older than their retention: a paused workspace's jobs must outlive any pause. */
const RETENTION_MINUTES = 10 * 365 * 24 * 60;

interface BossJobRow {
  id: string;
  name: string;
  key: string;
  state: string;
  start_after: Date;
  retry_count: number;
  lease_until: Date | null;
  worker_id: string | null;
  last_error: string | null;
  created_on: Date;
}

export interface PgBossQueueDeps {
  boss: PgBoss;
  /** The store's Kysely instance: autocommit statements and short transactions of its own. */
  db: Kysely<Database>;
  clock: Clock;
  /** pg-boss's schema, `pgboss` by default. */
  schema: string;
}

function toState(state: string): Job['state'] {
  if (state === 'active') return 'leased';
  if (state === 'failed') return 'failed';
  return 'pending';
}

function toJob(row: BossJobRow): Job {
  const where = parseBossQueueName(row.name);
  return {
    id: toJobId(row.id, row.name),
    workspaceId: where?.workspaceId ?? '',
    queue: where?.queue ?? row.name,
    key: row.key,
    state: toState(row.state),
    runAt: row.start_after,
    attempts: row.retry_count,
    leaseUntil: row.lease_until,
    workerId: row.worker_id,
    lastError: row.last_error,
    createdAt: row.created_on,
  };
}

/** The pieces of SQL every statement shares, bound to pg-boss's schema. */
function bossSql(schema: string) {
  const job = sql.table(`${schema}.job`);
  const columns = sql`j.id, j.name, j.singleton_key as key, j.state::text as state, j.start_after,
    j.retry_count, case when j.state = 'active' then j.started_on + j.expire_in end as lease_until,
    j.output->>'workerId' as worker_id, j.output->>'lastError' as last_error, j.created_on`;
  /** Pending and due, or leased under a lease that has run out. */
  const claimable = (now: Date) => sql`((j.state < 'active' and j.start_after <= ${now}::timestamptz)
    or (j.state = 'active' and j.started_on + j.expire_in <= ${now}::timestamptz))`;
  const lease = (ms: number) => sql`(${ms}::double precision * interval '1 millisecond')`;
  return { job, columns, claimable, lease };
}

/**
 * Creates each pg-boss queue once per process (idempotent in pg-boss, so several processes may
 * race). It runs on pg-boss's own pool, never on the store's: a transaction waiting for a
 * connection from the pool it holds one of would wait forever.
 */
function queueCreator(boss: PgBoss): (name: string) => Promise<void> {
  const created = new Map<string, Promise<void>>();
  return (name) => {
    let done = created.get(name);
    if (done === undefined) {
      done = boss.createQueue(name, {
        name,
        policy: 'stately',
        retryLimit: RETRY_LIMIT,
        retentionMinutes: RETENTION_MINUTES,
      });
      created.set(name, done);
      done.catch(() => created.delete(name));
    }
    return done;
  };
}

/** pg-boss's `db` option: its statements run on the store transaction's connection. */
function bossDb(tx: Kysely<Database>): PgBoss.Db {
  return {
    async executeSql(text, values) {
      const result = await tx.executeQuery(CompiledQuery.raw(text, values ?? []));
      return { rows: result.rows as unknown[] as never[] };
    },
  };
}

/**
 * Version 7 UUIDs (milliseconds, then a counter): pg-boss orders jobs that share a run time and a
 * creation instant (one transaction's inserts) by id, so time-ordered ids keep them first in,
 * first out, as the port promises. Monotonic within a process even if the clock stands still.
 */
function orderedUuids(clock: Clock): () => string {
  let lastMs = 0;
  let counter = 0;
  return () => {
    let ms = Math.max(clock.now().getTime(), lastMs);
    if (ms === lastMs) counter++;
    else counter = 0;
    if (counter > 0xfff) {
      ms++;
      counter = 0;
    }
    lastMs = ms;
    const hex = ms.toString(16).padStart(12, '0') + '7' + counter.toString(16).padStart(3, '0');
    const random = randomBytes(8);
    random[0] = ((random[0] ?? 0) & 0x3f) | 0x80;
    const tail = random.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${tail.slice(0, 4)}-${tail.slice(4)}`;
  };
}

export interface PgBossQueue {
  queue: JobQueue;
  enqueuer: EnqueuerFactory;
}

export function createPgBossQueue({ boss, db, clock, schema }: PgBossQueueDeps): PgBossQueue {
  const { job, columns, claimable, lease } = bossSql(schema);
  const ensureQueue = queueCreator(boss);
  const nextId = orderedUuids(clock);

  /**
   * Moves the pending job of each key to the earlier run time (coalescing) and returns the keys
   * that have a pending job at all.
   */
  const coalesce = async (tx: Kysely<Database>, name: string, keys: string[], runAts: Date[]) => {
    const rows = await sql<{ key: string }>`
      with wanted as (
        select * from unnest(${keys}::text[], ${runAts.map((d) => d.toISOString())}::timestamptz[]) as w(key, run_at)
      ), pending as (
        select j.id, j.singleton_key from ${job} j join wanted w on j.singleton_key = w.key
        where j.name = ${name} and j.state < 'active'
      ), moved as (
        update ${job} j set start_after = w.run_at from wanted w
        where j.name = ${name} and j.id in (select id from pending) and j.singleton_key = w.key
          and j.start_after > w.run_at
        returning j.id
      )
      select distinct singleton_key as key from pending`.execute(tx);
    return new Set(rows.rows.map((row) => row.key));
  };

  const enqueuer: EnqueuerFactory = (tx, workspaceId, now) => ({
    async enqueue(input) {
      const list: readonly EnqueueJob[] = Array.isArray(input) ? input : [input as EnqueueJob];
      // One entry per queue and key, at the earliest time asked.
      const byQueue = new Map<string, Map<string, Date>>();
      for (const item of list) {
        const runAt = item.runAt ?? now;
        const keys = byQueue.get(item.queue) ?? new Map<string, Date>();
        const seen = keys.get(item.key);
        keys.set(item.key, seen === undefined || runAt < seen ? runAt : seen);
        byQueue.set(item.queue, keys);
      }
      for (const [queue, keys] of byQueue) {
        const name = bossQueueName(workspaceId, queue);
        await ensureQueue(name);
        for (const part of chunks([...keys], 1000)) {
          const partKeys = part.map(([key]) => key);
          const partRunAts = part.map(([, runAt]) => runAt);
          const pending = await coalesce(tx, name, partKeys, partRunAts);
          const fresh = part.filter(([key]) => !pending.has(key));
          if (fresh.length === 0) continue;
          await boss.insert(
            fresh.map(([key, runAt]) => ({
              id: nextId(),
              name,
              data: { workspaceId, queue, key },
              singletonKey: key,
              startAfter: runAt.toISOString(),
            })),
            { db: bossDb(tx) },
          );
          // A concurrent transaction may have inserted the key first (pg-boss's insert then does
          // nothing): coalesce again so this enqueue's earlier time is not lost.
          await coalesce(
            tx,
            name,
            fresh.map(([key]) => key),
            fresh.map(([, runAt]) => runAt),
          );
        }
      }
    },
  });

  /** pg-boss queue names of one workspace, or of one queue across workspaces. */
  const bossNames = async (match: { workspaceId?: string; queue?: string }) => {
    const rows = await sql<{ name: string }>`select name from ${sql.table(`${schema}.queue`)}
      where name like 'crmsync/%'`.execute(db);
    return rows.rows
      .map((row) => ({ name: row.name, where: parseBossQueueName(row.name) }))
      .filter(
        ({ where }) =>
          where !== null &&
          (match.workspaceId === undefined || where.workspaceId === match.workspaceId) &&
          (match.queue === undefined || where.queue === match.queue),
      ) as { name: string; where: { workspaceId: string; queue: string } }[];
  };

  /** Rows of `ids` leased by `workerId` (expired or not: a lease nobody took over is still the holder's), locked. */
  const held = (tx: Kysely<Database>, name: string, uuids: string[], workerId: string) =>
    sql<BossJobRow>`select ${columns} from ${job} j
      where j.name = ${name} and j.id = any(${uuids}::uuid[]) and j.state = 'active'
        and j.output->>'workerId' = ${workerId}
      order by j.start_after, j.id
      for update`.execute(tx);

  const pendingOf = async (tx: Kysely<Database>, name: string, key: string, except: string) =>
    (
      await sql<{ id: string; start_after: Date }>`select j.id, j.start_after from ${job} j
        where j.name = ${name} and j.singleton_key = ${key} and j.state < 'active' and j.id <> ${except}::uuid
        order by j.start_after limit 1 for update`.execute(tx)
    ).rows[0];

  const run = <T>(work: (tx: Kysely<Database>) => Promise<T>) =>
    db.transaction().setIsolationLevel('read committed').execute(work);

  /** Runs one statement over each pg-boss queue the ids belong to; returns the ids acted on, in the order given. */
  const perQueue = async (
    ids: readonly string[],
    statement: (name: string, uuids: string[]) => RawBuilder<{ id: string }>,
  ) => {
    const acted = new Set<string>();
    for (const [name, uuids] of groupJobIds(ids)) {
      const result = await statement(name, uuids).execute(db);
      for (const row of result.rows) acted.add(toJobId(row.id, name));
    }
    return ids.filter((id, i) => acted.has(id) && ids.indexOf(id) === i);
  };

  const queue: JobQueue = {
    async claim({ workspaceId, queue: queueName, limit, leaseMs, workerId }) {
      if (limit <= 0) return [];
      const name = bossQueueName(workspaceId, queueName);
      const now = clock.now();
      // Two locked scans (expired leases, due pending jobs of keys nobody holds), then one job per
      // key: an expired lease before a pending job of its key, since the stately index allows
      // one active job per key and the crashed worker's job must run first.
      const claimOnce = () =>
        sql<BossJobRow>`
          with expired as (
            select j.id from ${job} j
            where j.name = ${name} and j.state = 'active' and j.started_on + j.expire_in <= ${now}::timestamptz
            order by j.start_after, j.id limit ${limit}
            for update skip locked
          ), due as (
            select j.id from ${job} j
            where j.name = ${name} and j.state < 'active' and j.start_after <= ${now}::timestamptz
              and not exists (
                select 1 from ${job} a
                where a.name = j.name and a.state = 'active' and a.singleton_key = j.singleton_key
              )
            order by j.start_after, j.created_on, j.id limit ${limit}
            for update skip locked
          ), picked as (
            select id from (
              select c.id, c.start_after, c.created_on, row_number() over (
                partition by c.singleton_key order by c.state desc, c.start_after, c.id
              ) as nth
              from ${job} c
              where c.name = ${name} and c.id in (select id from expired union all select id from due)
            ) ranked
            where nth = 1
            order by start_after, created_on, id limit ${limit}
          )
          update ${job} j set state = 'active', started_on = ${now}::timestamptz, expire_in = ${lease(leaseMs)},
            output = coalesce(j.output, '{}'::jsonb) || jsonb_build_object('workerId', ${workerId}::text)
          from picked where j.name = ${name} and j.id = picked.id
          returning ${columns}`.execute(db);
      let result;
      for (let attempt = 1; ; attempt++) {
        try {
          result = await claimOnce();
          break;
        } catch (error) {
          // Two claims that raced for two pending jobs of one key: the stately index let one win.
          // The retry sees the winner's lease and skips the key.
          if (!isUniqueViolation(error) || attempt >= 3) throw error;
        }
      }
      return result.rows
        .map(toJob)
        .sort(
          (a, b) =>
            a.runAt.getTime() - b.runAt.getTime() ||
            a.createdAt.getTime() - b.createdAt.getTime() ||
            (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
        );
    },

    async complete(ids, { workerId }) {
      const now = clock.now();
      return perQueue(
        ids,
        (name, uuids) => sql<{ id: string }>`update ${job} j
          set state = 'completed', completed_on = ${now}::timestamptz, output = j.output - 'workerId'
          where j.name = ${name} and j.id = any(${uuids}::uuid[]) and j.state = 'active'
            and j.output->>'workerId' = ${workerId}
          returning j.id`,
      );
    },

    async fail(id, { workerId, error, retryAt }) {
      const [entry] = groupJobIds([id]);
      if (entry === undefined) return false;
      const [name, uuids] = entry;
      const now = clock.now();
      return run(async (tx) => {
        const [row] = (await held(tx, name, uuids, workerId)).rows;
        if (row === undefined) return false;
        const attempts = row.retry_count + 1;
        const lastError = sql`jsonb_build_object('lastError', ${error}::text)`;
        if (retryAt === null) {
          // One parked job per key is enough to retry the record; an older one is superseded.
          await sql`delete from ${job} j where j.name = ${name} and j.singleton_key = ${row.key}
            and j.state = 'failed'`.execute(tx);
          await sql`update ${job} j set state = 'failed', completed_on = ${now}::timestamptz,
            retry_count = ${attempts}, output = ${lastError}
            where j.name = ${name} and j.id = ${row.id}::uuid`.execute(tx);
          return true;
        }
        const pending = await pendingOf(tx, name, row.key, row.id);
        if (pending !== undefined) {
          // An edit arrived during the attempt: its pending job now also carries the retry (and its backoff).
          await sql`update ${job} j set start_after = greatest(j.start_after, ${retryAt}::timestamptz),
            retry_count = ${attempts}, output = coalesce(j.output, '{}'::jsonb) || ${lastError}
            where j.name = ${name} and j.id = ${pending.id}::uuid`.execute(tx);
          await sql`delete from ${job} j where j.name = ${name} and j.id = ${row.id}::uuid`.execute(tx);
        } else {
          await sql`update ${job} j set state = 'retry', start_after = ${retryAt}::timestamptz,
            retry_count = ${attempts}, output = ${lastError}
            where j.name = ${name} and j.id = ${row.id}::uuid`.execute(tx);
        }
        return true;
      });
    },

    async release(ids, { workerId }) {
      const released: string[] = [];
      for (const [name, uuids] of groupJobIds(ids)) {
        const rows = await run(async (tx) => {
          const jobs = (await held(tx, name, uuids, workerId)).rows;
          for (const row of jobs) {
            const pending = await pendingOf(tx, name, row.key, row.id);
            if (pending !== undefined) {
              await sql`update ${job} j set start_after = least(j.start_after, ${row.start_after}::timestamptz)
                where j.name = ${name} and j.id = ${pending.id}::uuid`.execute(tx);
              await sql`delete from ${job} j where j.name = ${name} and j.id = ${row.id}::uuid`.execute(tx);
            } else {
              await sql`update ${job} j
                set state = case when j.retry_count > 0 then 'retry'::${sql.raw(schema)}.job_state else 'created' end,
                  output = j.output - 'workerId'
                where j.name = ${name} and j.id = ${row.id}::uuid`.execute(tx);
            }
          }
          return jobs;
        });
        released.push(...rows.map((row) => toJobId(row.id, name)));
      }
      return ids.filter((id, i) => released.includes(id) && ids.indexOf(id) === i);
    },

    async extendLease(ids, { workerId, leaseMs }) {
      const until = new Date(clock.now().getTime() + leaseMs);
      return perQueue(
        ids,
        (name, uuids) => sql<{ id: string }>`update ${job} j
          set expire_in = ${until}::timestamptz - j.started_on
          where j.name = ${name} and j.id = any(${uuids}::uuid[]) and j.state = 'active'
            and j.output->>'workerId' = ${workerId}
          returning j.id`,
      );
    },

    async retryFailed(workspaceId, filter = {}) {
      if (filter.keys !== undefined && filter.keys.length === 0) return 0;
      const names = await bossNames(
        filter.queue === undefined ? { workspaceId } : { workspaceId, queue: filter.queue },
      );
      const now = clock.now();
      let retried = 0;
      for (const { name } of names) {
        retried += await run(async (tx) => {
          const keys =
            filter.keys === undefined ? sql`true` : sql`j.singleton_key = any(${[...filter.keys]}::text[])`;
          const failed = (
            await sql<BossJobRow>`select ${columns} from ${job} j
              where j.name = ${name} and j.state = 'failed' and ${keys} for update`.execute(tx)
          ).rows;
          for (const row of failed) {
            const pending = await pendingOf(tx, name, row.key, row.id);
            if (pending !== undefined) {
              await sql`update ${job} j set start_after = least(j.start_after, ${now}::timestamptz)
                where j.name = ${name} and j.id = ${pending.id}::uuid`.execute(tx);
              await sql`delete from ${job} j where j.name = ${name} and j.id = ${row.id}::uuid`.execute(tx);
            } else {
              await sql`update ${job} j set state = 'retry', start_after = ${now}::timestamptz, completed_on = null
                where j.name = ${name} and j.id = ${row.id}::uuid`.execute(tx);
            }
          }
          return failed.length;
        });
      }
      return retried;
    },

    async dueWorkspaces(queueName) {
      const names = await bossNames({ queue: queueName });
      if (names.length === 0) return [];
      const rows = await sql<{ name: string }>`select distinct j.name from ${job} j
        where j.name = any(${names.map((n) => n.name)}::text[]) and ${claimable(clock.now())}`.execute(db);
      const due = new Set(rows.rows.map((row) => row.name));
      return [...new Set(names.filter((n) => due.has(n.name)).map((n) => n.where.workspaceId))].sort();
    },

    async counts(workspaceId) {
      const names = await bossNames({ workspaceId });
      const total = { pending: 0, retrying: 0, leased: 0, failed: 0 };
      if (names.length === 0) return { total, byQueue: [] };
      const now = clock.now();
      const rows = await sql<{
        name: string;
        pending: string;
        retrying: string;
        leased: string;
        failed: string;
      }>`select j.name,
          count(*) filter (where j.state < 'active' or (j.state = 'active' and j.started_on + j.expire_in <= ${now}::timestamptz)) as pending,
          count(*) filter (where j.state < 'active' and j.retry_count > 0) as retrying,
          count(*) filter (where j.state = 'active' and j.started_on + j.expire_in > ${now}::timestamptz) as leased,
          count(*) filter (where j.state = 'failed') as failed
        from ${job} j
        where j.name = any(${names.map((n) => n.name)}::text[]) and j.state in ('created', 'retry', 'active', 'failed')
        group by j.name`.execute(db);
      const queueOf = new Map(names.map((n) => [n.name, n.where.queue]));
      const byQueue: QueueCountRow[] = rows.rows
        .map((row) => ({
          queue: queueOf.get(row.name) ?? row.name,
          pending: toNumber(row.pending),
          retrying: toNumber(row.retrying),
          leased: toNumber(row.leased),
          failed: toNumber(row.failed),
        }))
        .sort((a, b) => (a.queue < b.queue ? -1 : a.queue > b.queue ? 1 : 0));
      for (const row of byQueue) {
        total.pending += row.pending;
        total.retrying += row.retrying;
        total.leased += row.leased;
        total.failed += row.failed;
      }
      return { total, byQueue };
    },

    async schedule(workspaceId, queueName, key, everyMinutes) {
      const name = bossQueueName(workspaceId, queueName);
      await ensureQueue(name);
      // What pg-boss's cron inserts is what `enqueue` inserts: the same data and singleton key.
      await boss.schedule(
        name,
        cronEvery(everyMinutes),
        { workspaceId, queue: queueName, key },
        { singletonKey: key },
      );
    },

    async waitingSince(workspaceId, queues) {
      const names = (await bossNames({ workspaceId }))
        .filter((n) => queues.includes(n.where.queue))
        .map((n) => n.name);
      if (names.length === 0) return null;
      const row = await sql<{ since: Date | null }>`select min(j.start_after) as since from ${job} j
        where j.name = any(${names}::text[]) and j.state < 'active' and j.retry_count = 0
          and j.start_after <= ${clock.now()}::timestamptz`.execute(db);
      const since = row.rows[0]?.since ?? null;
      return since === null ? null : new Date(since);
    },
  };

  return { queue, enqueuer };
}

/** A cron expression for "every `minutes`": minutes below an hour, whole hours above (rounded down). */
export function cronEvery(minutes: number): string {
  if (!Number.isInteger(minutes) || minutes < 1)
    throw new RangeError(`not a whole number of minutes: ${minutes}`);
  if (minutes < 60) return `*/${minutes} * * * *`;
  const hours = Math.min(24, Math.floor(minutes / 60));
  return hours >= 24 ? '0 0 * * *' : `0 */${hours} * * *`;
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}

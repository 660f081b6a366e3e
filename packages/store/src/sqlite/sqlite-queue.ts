import type { Clock, EnqueueJob, Job, JobEnqueuer, JobQueue, JobState, QueueCountRow } from '@crmsync/core';
import { sql, type ExpressionBuilder, type Kysely, type Selectable } from 'kysely';
import { toDate, toNumber, toText } from '../codec.js';
import type { WriteRunner } from '../kysely-store.js';
import { chunks } from '../repositories/context.js';
import type { Database, JobsTable } from '../schema.js';

/*
 * The embedded queue on the `jobs` table. States: `pending` (waiting for `run_at`), `leased`
 * (held until `lease_until`; expired leases are claimable again) and `failed` (parked until a
 * manual retry). Finished jobs are deleted. A partial unique index keeps one pending job per
 * workspace + queue + key, which is what makes rapid edits coalesce.
 */

function toJob(row: Selectable<JobsTable>): Job {
  return {
    id: String(row.id),
    workspaceId: row.workspace_id,
    queue: row.queue,
    key: row.key,
    state: row.state as JobState,
    runAt: new Date(row.run_at),
    attempts: row.attempts,
    leaseUntil: toDate(row.lease_until),
    workerId: row.worker_id,
    lastError: row.last_error,
    createdAt: new Date(row.created_at),
  };
}

function toIds(ids: readonly string[]): number[] {
  return [...new Set(ids)].map(Number).filter((id) => Number.isSafeInteger(id));
}

const earlier = (a: string, b: string): string => (a <= b ? a : b);

/** The transactional outbox: enqueue on the store transaction's connection. */
export function sqliteEnqueuer(db: Kysely<Database>, workspaceId: string, now: Date): JobEnqueuer {
  return {
    async enqueue(input) {
      const list: readonly EnqueueJob[] = Array.isArray(input) ? input : [input as EnqueueJob];
      // One row per key before the insert: Postgres refuses an upsert that hits the same row twice.
      const byKey = new Map<string, { queue: string; key: string; run_at: string }>();
      for (const job of list) {
        const runAt = toText(job.runAt ?? now);
        const id = `${job.queue}\u0000${job.key}`;
        const seen = byKey.get(id);
        byKey.set(id, {
          queue: job.queue,
          key: job.key,
          run_at: seen === undefined ? runAt : earlier(seen.run_at, runAt),
        });
      }
      for (const part of chunks([...byKey.values()], 200)) {
        await db
          .insertInto('jobs')
          .values(
            part.map((job) => ({
              workspace_id: workspaceId,
              ...job,
              state: 'pending',
              attempts: 0,
              lease_until: null,
              worker_id: null,
              last_error: null,
              created_at: toText(now),
            })),
          )
          .onConflict((oc) =>
            oc
              .columns(['workspace_id', 'queue', 'key'])
              .where(sql.ref('state'), '=', sql.lit('pending'))
              .doUpdateSet({
                run_at: sql<string>`case when excluded.run_at < jobs.run_at then excluded.run_at else jobs.run_at end`,
              }),
          )
          .execute();
      }
    },
  };
}

export interface SqliteQueueDeps {
  /** For reads (counts, due workspaces); writes go through `runWrite`. */
  db: Kysely<Database>;
  runWrite: WriteRunner;
  clock: Clock;
}

export function createSqliteQueue({ db, runWrite, clock }: SqliteQueueDeps): JobQueue {
  /** Leased by `workerId` (expired or not: a lease nobody took over is still the holder's). */
  const held = (tx: Kysely<Database>, ids: readonly string[], workerId: string) =>
    tx
      .selectFrom('jobs')
      .selectAll()
      .where('id', 'in', toIds(ids))
      .where('state', '=', 'leased')
      .where('worker_id', '=', workerId);

  const pendingFor = (tx: Kysely<Database>, job: Selectable<JobsTable>) =>
    tx
      .selectFrom('jobs')
      .selectAll()
      .where('workspace_id', '=', job.workspace_id)
      .where('queue', '=', job.queue)
      .where('key', '=', job.key)
      .where('state', '=', 'pending')
      .executeTakeFirst();

  return {
    async claim({ workspaceId, queue, limit, leaseMs, workerId }) {
      if (limit <= 0) return [];
      return runWrite(async (tx) => {
        const now = clock.now();
        const nowText = toText(now);
        // Two index range scans instead of one OR (which SQLite can only answer by sorting every
        // job of the queue): due pending jobs, and leases that expired (few: one per crashed claim).
        const notLeasedNow = (eb: ExpressionBuilder<Database & { j: JobsTable }, 'j'>) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('jobs as b')
                .select('b.id')
                .whereRef('b.workspace_id', '=', 'j.workspace_id')
                .whereRef('b.queue', '=', 'j.queue')
                .whereRef('b.key', '=', 'j.key')
                .where('b.state', '=', 'leased')
                .where('b.lease_until', '>', nowText),
            ),
          );
        const due = (state: 'pending' | 'leased') =>
          tx
            .selectFrom('jobs as j')
            .select(['j.id', 'j.key', 'j.run_at'])
            .where('j.workspace_id', '=', workspaceId)
            .where('j.queue', '=', queue)
            .where('j.state', '=', state)
            .where(state === 'pending' ? 'j.run_at' : 'j.lease_until', '<=', nowText)
            .where(notLeasedNow)
            .orderBy('j.run_at')
            .orderBy('j.id')
            .limit(limit)
            .execute();
        const candidates = [...(await due('pending')), ...(await due('leased'))].sort((a, b) =>
          a.run_at < b.run_at ? -1 : a.run_at > b.run_at ? 1 : toNumber(a.id) - toNumber(b.id),
        );
        const ids: number[] = [];
        const keys = new Set<string>();
        for (const row of candidates) {
          if (ids.length >= limit || keys.has(row.key)) continue;
          keys.add(row.key);
          ids.push(toNumber(row.id));
        }
        if (ids.length === 0) return [];
        const rows = await tx
          .updateTable('jobs')
          .set({
            state: 'leased',
            lease_until: toText(new Date(now.getTime() + leaseMs)),
            worker_id: workerId,
          })
          .where('id', 'in', ids)
          .returningAll()
          .execute();
        return rows
          .map(toJob)
          .sort((a, b) => a.runAt.getTime() - b.runAt.getTime() || Number(a.id) - Number(b.id));
      });
    },

    async complete(ids, { workerId }) {
      if (ids.length === 0) return [];
      return runWrite(async (tx) => {
        const rows = await tx
          .deleteFrom('jobs')
          .where('id', 'in', toIds(ids))
          .where('state', '=', 'leased')
          .where('worker_id', '=', workerId)
          .returning('id')
          .execute();
        return rows.map((row) => String(row.id));
      });
    },

    async fail(id, { workerId, error, retryAt }) {
      return runWrite(async (tx) => {
        const job = await held(tx, [id], workerId).executeTakeFirst();
        if (job === undefined) return false;
        const attempts = job.attempts + 1;
        if (retryAt === null) {
          // One parked job per key is enough to retry the record; an older one is superseded.
          await tx
            .deleteFrom('jobs')
            .where('workspace_id', '=', job.workspace_id)
            .where('queue', '=', job.queue)
            .where('key', '=', job.key)
            .where('state', '=', 'failed')
            .execute();
          await tx
            .updateTable('jobs')
            .set({ state: 'failed', attempts, last_error: error, lease_until: null, worker_id: null })
            .where('id', '=', job.id)
            .execute();
          return true;
        }
        const retryText = toText(retryAt);
        const pending = await pendingFor(tx, job);
        if (pending !== undefined) {
          // An edit arrived during the attempt: its pending job now also carries the retry (and its backoff).
          await tx
            .updateTable('jobs')
            .set({
              run_at: pending.run_at >= retryText ? pending.run_at : retryText,
              attempts,
              last_error: error,
            })
            .where('id', '=', pending.id)
            .execute();
          await tx.deleteFrom('jobs').where('id', '=', job.id).execute();
        } else {
          await tx
            .updateTable('jobs')
            .set({
              state: 'pending',
              run_at: retryText,
              attempts,
              last_error: error,
              lease_until: null,
              worker_id: null,
            })
            .where('id', '=', job.id)
            .execute();
        }
        return true;
      });
    },

    async release(ids, { workerId }) {
      if (ids.length === 0) return [];
      return runWrite(async (tx) => {
        const jobs = await held(tx, ids, workerId).execute();
        for (const job of jobs) {
          const pending = await pendingFor(tx, job);
          if (pending !== undefined) {
            await tx
              .updateTable('jobs')
              .set({ run_at: earlier(pending.run_at, job.run_at) })
              .where('id', '=', pending.id)
              .execute();
            await tx.deleteFrom('jobs').where('id', '=', job.id).execute();
          } else {
            await tx
              .updateTable('jobs')
              .set({ state: 'pending', lease_until: null, worker_id: null })
              .where('id', '=', job.id)
              .execute();
          }
        }
        return jobs.map((job) => String(job.id));
      });
    },

    async extendLease(ids, { workerId, leaseMs }) {
      if (ids.length === 0) return [];
      return runWrite(async (tx) => {
        const rows = await tx
          .updateTable('jobs')
          .set({ lease_until: toText(new Date(clock.now().getTime() + leaseMs)) })
          .where('id', 'in', toIds(ids))
          .where('state', '=', 'leased')
          .where('worker_id', '=', workerId)
          .returning('id')
          .execute();
        return rows.map((row) => String(row.id));
      });
    },

    async retryFailed(workspaceId, filter = {}) {
      return runWrite(async (tx) => {
        let query = tx
          .selectFrom('jobs')
          .selectAll()
          .where('workspace_id', '=', workspaceId)
          .where('state', '=', 'failed');
        if (filter.queue !== undefined) query = query.where('queue', '=', filter.queue);
        if (filter.keys !== undefined) {
          if (filter.keys.length === 0) return 0;
          query = query.where('key', 'in', filter.keys);
        }
        const failed = await query.execute();
        const nowText = toText(clock.now());
        for (const job of failed) {
          const pending = await pendingFor(tx, job);
          if (pending !== undefined) {
            await tx
              .updateTable('jobs')
              .set({ run_at: earlier(pending.run_at, nowText) })
              .where('id', '=', pending.id)
              .execute();
            await tx.deleteFrom('jobs').where('id', '=', job.id).execute();
          } else {
            await tx
              .updateTable('jobs')
              .set({ state: 'pending', run_at: nowText })
              .where('id', '=', job.id)
              .execute();
          }
        }
        return failed.length;
      });
    },

    async dueWorkspaces(queue) {
      const nowText = toText(clock.now());
      const due = (state: 'pending' | 'leased') =>
        db
          .selectFrom('jobs')
          .select('workspace_id')
          .distinct()
          .where('queue', '=', queue)
          .where('state', '=', state)
          .where(state === 'pending' ? 'run_at' : 'lease_until', '<=', nowText)
          .execute();
      const rows = [...(await due('pending')), ...(await due('leased'))];
      return [...new Set(rows.map((row) => row.workspace_id))].sort();
    },

    async counts(workspaceId) {
      const nowText = toText(clock.now());
      const rows = await db
        .selectFrom('jobs')
        .select([
          'queue',
          sql<number>`sum(case when state = 'pending' or (state = 'leased' and lease_until <= ${nowText}) then 1 else 0 end)`.as(
            'pending',
          ),
          sql<number>`sum(case when state = 'pending' and attempts > 0 then 1 else 0 end)`.as('retrying'),
          sql<number>`sum(case when state = 'leased' and lease_until > ${nowText} then 1 else 0 end)`.as(
            'leased',
          ),
          sql<number>`sum(case when state = 'failed' then 1 else 0 end)`.as('failed'),
        ])
        .where('workspace_id', '=', workspaceId)
        .groupBy('queue')
        .orderBy('queue')
        .execute();
      const byQueue: QueueCountRow[] = rows.map((row) => ({
        queue: row.queue,
        pending: toNumber(row.pending),
        retrying: toNumber(row.retrying),
        leased: toNumber(row.leased),
        failed: toNumber(row.failed),
      }));
      const total = { pending: 0, retrying: 0, leased: 0, failed: 0 };
      for (const row of byQueue) {
        total.pending += row.pending;
        total.retrying += row.retrying;
        total.leased += row.leased;
        total.failed += row.failed;
      }
      return { total, byQueue };
    },

    async waitingSince(workspaceId, queues) {
      if (queues.length === 0) return null;
      const row = await db
        .selectFrom('jobs')
        .select(sql<string | null>`min(run_at)`.as('since'))
        .where('workspace_id', '=', workspaceId)
        .where('queue', 'in', [...queues])
        .where('state', '=', 'pending')
        .where('attempts', '=', 0)
        .where('run_at', '<=', toText(clock.now()))
        .executeTakeFirst();
      return row?.since === null || row?.since === undefined ? null : new Date(row.since);
    },
  };
}

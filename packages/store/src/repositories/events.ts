import type { EventReader, EventWriter } from '@crmsync/core';
import { PostgresAdapter, sql } from 'kysely';
import { parseJsonColumn, toNumber, toText } from '../codec.js';
import type { RepositoryContext } from './context.js';

const DEFAULT_PAGE = 100;

export function eventReader(ctx: RepositoryContext): EventReader {
  const { db, workspaceId } = ctx;
  return {
    async listAfter(afterId, limit = DEFAULT_PAGE) {
      const rows = await db
        .selectFrom('events')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(Math.max(1, limit))
        .execute();
      return rows.map((row) => ({
        id: toNumber(row.id),
        at: new Date(row.at),
        type: row.type,
        data: parseJsonColumn(row.data, `event ${row.id}`) as Record<string, unknown>,
      }));
    },
  };
}

export function eventWriter(ctx: RepositoryContext): EventWriter {
  const { db, workspaceId } = ctx;
  return {
    ...eventReader(ctx),
    async append(type, data) {
      // O5 readers page by id with an `after` cursor. On PostgreSQL two transactions could take
      // ids 7 and 8 and commit 8 first, and a reader at 8 would never see 7: hold a per-workspace
      // lock until commit so a workspace's event ids commit in order. (SQLite has one writer.)
      if (db.getExecutor().adapter instanceof PostgresAdapter) {
        await sql`select pg_advisory_xact_lock(hashtext(${'crmsync-events:' + workspaceId}))`.execute(db);
      }
      const row = await db
        .insertInto('events')
        .values({ workspace_id: workspaceId, at: toText(ctx.now()), type, data: JSON.stringify(data) })
        .returning('id')
        .executeTakeFirstOrThrow();
      return toNumber(row.id);
    },
  };
}

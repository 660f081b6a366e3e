import type { EventInput, EventReader, EventWriter } from '@crmsync/core';
import { PostgresAdapter, sql } from 'kysely';
import { parseJsonColumn, toNumber, toText } from '../codec.js';
import { chunks, type RepositoryContext } from './context.js';

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

/** Rows per multi-row insert (4 bound values each). */
const APPEND_CHUNK = 500;

export function eventWriter(ctx: RepositoryContext): EventWriter {
  const { db, workspaceId } = ctx;
  const appendMany = async (events: readonly EventInput[]) => {
    if (events.length === 0) return [];
    // O5 readers page by id with an `after` cursor. On PostgreSQL two transactions could take
    // ids 7 and 8 and commit 8 first, and a reader at 8 would never see 7: hold a per-workspace
    // lock until commit so a workspace's event ids commit in order. (SQLite has one writer.)
    if (db.getExecutor().adapter instanceof PostgresAdapter) {
      await sql`select pg_advisory_xact_lock(hashtext(${'crmsync-events:' + workspaceId}))`.execute(db);
    }
    const at = toText(ctx.now());
    const ids: number[] = [];
    for (const part of chunks(events, APPEND_CHUNK)) {
      const rows = await db
        .insertInto('events')
        .values(
          part.map((e) => ({ workspace_id: workspaceId, at, type: e.type, data: JSON.stringify(e.data) })),
        )
        .returning('id')
        .execute();
      // Ids come from one sequence in VALUES order; sorted, they pair with the events in order.
      ids.push(...rows.map((row) => toNumber(row.id)).sort((a, b) => a - b));
    }
    return ids;
  };
  return {
    ...eventReader(ctx),
    appendMany,
    async append(type, data) {
      const [id] = await appendMany([{ type, data }]);
      if (id === undefined) throw new Error(`the ${type} event was not appended`);
      return id;
    },
  };
}

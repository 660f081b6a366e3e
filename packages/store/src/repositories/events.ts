import type { EventReader, EventWriter } from '@crmsync/core';
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
      const row = await db
        .insertInto('events')
        .values({ workspace_id: workspaceId, at: toText(ctx.now()), type, data: JSON.stringify(data) })
        .returning('id')
        .executeTakeFirstOrThrow();
      return toNumber(row.id);
    },
  };
}

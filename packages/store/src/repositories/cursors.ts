import type { CursorReader, CursorWriter } from '@crmsync/core';
import { parseJsonColumn, toText } from '../codec.js';
import { chunks, type RepositoryContext } from './context.js';

export function cursorReader(ctx: RepositoryContext): CursorReader {
  const { db, workspaceId } = ctx;
  return {
    async get(orgId, name) {
      const row = await db
        .selectFrom('cursors')
        .select('value')
        .where('workspace_id', '=', workspaceId)
        .where('org_id', '=', orgId)
        .where('name', '=', name)
        .executeTakeFirst();
      return row === undefined ? null : parseJsonColumn(row.value, `cursor ${name}`);
    },
    async getMany(orgId, names) {
      const out = new Map<string, unknown>();
      for (const chunk of chunks([...new Set(names)])) {
        const rows = await db
          .selectFrom('cursors')
          .select(['name', 'value'])
          .where('workspace_id', '=', workspaceId)
          .where('org_id', '=', orgId)
          .where('name', 'in', chunk)
          .execute();
        for (const row of rows) out.set(row.name, parseJsonColumn(row.value, `cursor ${row.name}`));
      }
      return out;
    },
  };
}

export function cursorWriter(ctx: RepositoryContext): CursorWriter {
  const { db, workspaceId } = ctx;
  return {
    ...cursorReader(ctx),
    async put(orgId, name, value) {
      const values = { value: JSON.stringify(value ?? null), updated_at: toText(ctx.now()) };
      await db
        .insertInto('cursors')
        .values({ workspace_id: workspaceId, org_id: orgId, name, ...values })
        .onConflict((oc) => oc.columns(['workspace_id', 'org_id', 'name']).doUpdateSet(values))
        .execute();
    },
  };
}

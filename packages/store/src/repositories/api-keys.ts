import type { ApiKeyReader, ApiKeyRecord, ApiKeyWriter } from '@crmsync/core';
import type { Selectable } from 'kysely';
import { toDate, toText } from '../codec.js';
import type { ApiKeysTable } from '../schema.js';
import type { RepositoryContext } from './context.js';

const toKey = (row: Selectable<ApiKeysTable>): ApiKeyRecord => ({
  id: row.id,
  label: row.label,
  prefix: row.prefix,
  createdAt: toDate(row.created_at),
  lastUsedAt: toDate(row.last_used_at),
  revokedAt: toDate(row.revoked_at),
});

export function apiKeyReader(ctx: RepositoryContext): ApiKeyReader {
  const { db, workspaceId } = ctx;
  const keys = () => db.selectFrom('api_keys').selectAll().where('workspace_id', '=', workspaceId);
  return {
    async findByHash(hash) {
      const row = await keys().where('key_hash', '=', hash).executeTakeFirst();
      return row === undefined ? null : toKey(row);
    },
    async list() {
      return (await keys().orderBy('created_at').orderBy('id').execute()).map(toKey);
    },
  };
}

export function apiKeyWriter(ctx: RepositoryContext): ApiKeyWriter {
  const { db, workspaceId } = ctx;
  return {
    ...apiKeyReader(ctx),
    async create(key) {
      const row = {
        workspace_id: workspaceId,
        id: key.id,
        key_hash: key.hash,
        label: key.label,
        prefix: key.prefix,
        created_at: toText(ctx.now()),
        last_used_at: null,
        revoked_at: null,
      };
      await db.insertInto('api_keys').values(row).execute();
      return toKey(row);
    },
    async revoke(id) {
      const result = await db
        .updateTable('api_keys')
        .set({ revoked_at: toText(ctx.now()) })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async touch(id) {
      await db
        .updateTable('api_keys')
        .set({ last_used_at: toText(ctx.now()) })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .execute();
    },
  };
}

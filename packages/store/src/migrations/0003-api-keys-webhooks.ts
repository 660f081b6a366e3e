import { sql, type ColumnDefinitionBuilder, type Kysely, type Migration } from 'kysely';
import { autoIncrementId } from './column-types.js';

/**
 * API keys get their own table (they lived in `cursors` under the reserved org id '' as
 * `api-key:<sha256>`; those rows move here, their prefix shortened to the workspace part since
 * only the hash was kept), and webhooks (O5) with one delivery row per event and webhook.
 */
export const apiKeysWebhooksSchema: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const fk = (c: ColumnDefinitionBuilder) =>
      c.notNull().references('workspaces.workspace_id').onDelete('cascade');
    await db.schema
      .createTable('api_keys')
      .addColumn('workspace_id', 'text', fk)
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('key_hash', 'text', (c) => c.notNull())
      .addColumn('label', 'text', (c) => c.notNull())
      .addColumn('prefix', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_used_at', 'text')
      .addColumn('revoked_at', 'text')
      .addPrimaryKeyConstraint('api_keys_pk', ['workspace_id', 'id'])
      .addUniqueConstraint('api_keys_hash', ['workspace_id', 'key_hash'])
      .execute();

    const old = await sql<{ workspace_id: string; name: string; value: string }>`
      select workspace_id, name, value from cursors where org_id = '' and name like 'api-key:%'`.execute(db);
    for (const row of old.rows) {
      const hash = row.name.slice('api-key:'.length);
      const stored = JSON.parse(row.value) as { label?: string; createdAt?: string; revoked?: boolean };
      const createdAt = stored.createdAt ?? new Date(0).toISOString();
      await sql`insert into api_keys (workspace_id, id, key_hash, label, prefix, created_at, last_used_at, revoked_at)
        values (${row.workspace_id}, ${`ak_${hash.slice(0, 16)}`}, ${hash}, ${stored.label ?? 'API key'},
          ${`csk.${Buffer.from(row.workspace_id).toString('base64url')}.`}, ${createdAt}, ${null},
          ${stored.revoked === true ? createdAt : null})`.execute(db);
    }
    await sql`delete from cursors where org_id = '' and name like 'api-key:%'`.execute(db);

    await db.schema
      .createTable('webhooks')
      .addColumn('workspace_id', 'text', fk)
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('event_cursor', 'bigint', (c) => c.notNull())
      .addColumn('disabled_at', 'text')
      .addPrimaryKeyConstraint('webhooks_pk', ['workspace_id', 'id'])
      .execute();

    const id = autoIncrementId(db);
    await db.schema
      .createTable('webhook_deliveries')
      .addColumn('id', id.type, id.build)
      .addColumn('workspace_id', 'text', fk)
      .addColumn('webhook_id', 'text', (c) => c.notNull())
      .addColumn('event_id', 'bigint', (c) => c.notNull())
      .addColumn('event_type', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('attempts', 'text', (c) => c.notNull())
      .addColumn('next_attempt_at', 'text')
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('webhook_deliveries_once', ['workspace_id', 'webhook_id', 'event_id'])
      .execute();
    await db.schema
      .createIndex('webhook_deliveries_due')
      .on('webhook_deliveries')
      .columns(['workspace_id', 'state', 'next_attempt_at'])
      .execute();
  },
  // Keys created after the upgrade are dropped with the table: a downgrade needs new keys.
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('webhook_deliveries').execute();
    await db.schema.dropTable('webhooks').execute();
    await db.schema.dropTable('api_keys').execute();
  },
};

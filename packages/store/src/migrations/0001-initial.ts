import { sql, type ColumnDefinitionBuilder, type Kysely, type Migration } from 'kysely';
import { autoIncrementId } from './column-types.js';

const workspaceRef = 'workspaces.workspace_id';

/**
 * The first schema. Dialect-neutral on purpose (Postgres runs the same migration later): text
 * for instants and JSON, integer counters, composite primary keys led by `workspace_id` so every
 * lookup is workspace-scoped by the index itself.
 */
export const initialSchema: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    const id = autoIncrementId(db);
    const fk = (col: ColumnDefinitionBuilder) => col.notNull().references(workspaceRef).onDelete('cascade');

    await db.schema
      .createTable('workspaces')
      .addColumn('workspace_id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('document', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('settings')
      .addColumn('workspace_id', 'text', (c) => fk(c).primaryKey())
      .addColumn('document', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('updated_by', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('settings_history')
      .addColumn('id', id.type, id.build)
      .addColumn('workspace_id', 'text', fk)
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('by', 'text', (c) => c.notNull())
      .addColumn('before_document', 'text')
      .addColumn('after_document', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('settings_history_by_version')
      .on('settings_history')
      .columns(['workspace_id', 'version'])
      .execute();

    await db.schema
      .createTable('connections')
      .addColumn('workspace_id', 'text', (c) => fk(c).primaryKey())
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('instance_url', 'text', (c) => c.notNull())
      .addColumn('login_url', 'text', (c) => c.notNull())
      .addColumn('credentials', 'text', (c) => c.notNull())
      .addColumn('integration_user_id', 'text')
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('window_ends_at', 'text')
      .addColumn('connected_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('records')
      .addColumn('workspace_id', 'text', fk)
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('id', 'text', (c) => c.notNull())
      .addColumn('external_id', 'text')
      .addColumn('document', 'text', (c) => c.notNull())
      .addColumn('email_key', 'text')
      .addColumn('name_key', 'text')
      .addColumn('domain_key', 'text')
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addColumn('deleted_at', 'text')
      .addPrimaryKeyConstraint('records_pk', ['workspace_id', 'type', 'id'])
      .execute();
    // NULL external ids never collide (SQL NULLs are distinct in a unique index on both dialects).
    await db.schema
      .createIndex('records_external_id')
      .unique()
      .on('records')
      .columns(['workspace_id', 'type', 'external_id'])
      .execute();
    await db.schema
      .createIndex('records_by_email')
      .on('records')
      .columns(['workspace_id', 'type', 'email_key'])
      .execute();
    await db.schema
      .createIndex('records_by_name')
      .on('records')
      .columns(['workspace_id', 'type', 'name_key'])
      .execute();
    await db.schema
      .createIndex('records_by_domain')
      .on('records')
      .columns(['workspace_id', 'type', 'domain_key'])
      .execute();

    await db.schema
      .createTable('links')
      .addColumn('workspace_id', 'text', fk)
      .addColumn('local_type', 'text', (c) => c.notNull())
      .addColumn('local_id', 'text', (c) => c.notNull())
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('sf_object', 'text', (c) => c.notNull())
      .addColumn('sf_id', 'text', (c) => c.notNull())
      .addColumn('snapshot', 'text', (c) => c.notNull())
      .addColumn('system_modstamp', 'text')
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('merged_into', 'text')
      .addPrimaryKeyConstraint('links_pk', ['workspace_id', 'local_type', 'local_id', 'org_id'])
      .execute();
    await db.schema
      .createIndex('links_by_sf_id')
      .on('links')
      .columns(['workspace_id', 'org_id', 'sf_id'])
      .execute();

    await db.schema
      .createTable('push_intents')
      .addColumn('workspace_id', 'text', fk)
      .addColumn('local_type', 'text', (c) => c.notNull())
      .addColumn('local_id', 'text', (c) => c.notNull())
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('sf_object', 'text', (c) => c.notNull())
      .addColumn('started_at', 'text', (c) => c.notNull())
      .addColumn('match_keys', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('push_intents_pk', ['workspace_id', 'local_type', 'local_id', 'org_id'])
      .execute();

    await db.schema
      .createTable('decision_log')
      .addColumn('id', id.type, id.build)
      .addColumn('workspace_id', 'text', fk)
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('record_type', 'text', (c) => c.notNull())
      .addColumn('record_id', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('rules', 'text', (c) => c.notNull())
      .addColumn('reason', 'text', (c) => c.notNull())
      .addColumn('payload', 'text')
      .addColumn('sf_object', 'text')
      .addColumn('sf_id', 'text')
      .addColumn('error_code', 'text')
      .addColumn('error_message', 'text')
      .addColumn('run_id', 'text')
      .execute();
    await db.schema
      .createIndex('decision_log_by_workspace')
      .on('decision_log')
      .columns(['workspace_id', 'id'])
      .execute();
    await db.schema
      .createIndex('decision_log_by_record')
      .on('decision_log')
      .columns(['workspace_id', 'record_type', 'record_id', 'id'])
      .execute();
    await db.schema
      .createIndex('decision_log_by_run')
      .on('decision_log')
      .columns(['workspace_id', 'run_id', 'id'])
      .execute();
    await db.schema
      .createIndex('decision_log_by_at')
      .on('decision_log')
      .columns(['workspace_id', 'at'])
      .execute();

    await db.schema
      .createTable('jobs')
      .addColumn('id', id.type, id.build)
      .addColumn('workspace_id', 'text', fk)
      .addColumn('queue', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('run_at', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('lease_until', 'text')
      .addColumn('worker_id', 'text')
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    // Coalescing: one pending job per record and queue; leased and failed jobs may sit beside it.
    await db.schema
      .createIndex('jobs_one_pending_per_key')
      .unique()
      .on('jobs')
      .columns(['workspace_id', 'queue', 'key'])
      .where(sql.ref('state'), '=', sql.lit('pending'))
      .execute();
    await db.schema
      .createIndex('jobs_due')
      .on('jobs')
      .columns(['workspace_id', 'queue', 'state', 'run_at'])
      .execute();
    await db.schema.createIndex('jobs_by_key').on('jobs').columns(['workspace_id', 'queue', 'key']).execute();
    // For a worker serving every workspace: which workspaces have due jobs of a queue.
    await db.schema
      .createIndex('jobs_due_any_workspace')
      .on('jobs')
      .columns(['queue', 'state', 'run_at'])
      .execute();

    await db.schema
      .createTable('cursors')
      .addColumn('workspace_id', 'text', fk)
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('cursors_pk', ['workspace_id', 'org_id', 'name'])
      .execute();

    await db.schema
      .createTable('api_ledger')
      .addColumn('workspace_id', 'text', fk)
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('minute', 'integer', (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('api_ledger_pk', ['workspace_id', 'org_id', 'minute'])
      .execute();

    await db.schema
      .createTable('events')
      .addColumn('id', id.type, id.build)
      .addColumn('workspace_id', 'text', fk)
      .addColumn('at', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('events_by_workspace').on('events').columns(['workspace_id', 'id']).execute();

    await db.schema
      .createTable('bulk_jobs')
      .addColumn('workspace_id', 'text', fk)
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('sf_job_id', 'text', (c) => c.notNull())
      .addColumn('object', 'text', (c) => c.notNull())
      .addColumn('operation', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('local_ids', 'text', (c) => c.notNull())
      .addColumn('run_id', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('bulk_jobs_pk', ['workspace_id', 'org_id', 'sf_job_id'])
      .execute();
    await db.schema
      .createIndex('bulk_jobs_by_run')
      .on('bulk_jobs')
      .columns(['workspace_id', 'run_id'])
      .execute();
  },

  async down(db: Kysely<unknown>): Promise<void> {
    for (const table of [
      'bulk_jobs',
      'events',
      'api_ledger',
      'cursors',
      'jobs',
      'decision_log',
      'push_intents',
      'links',
      'records',
      'connections',
      'settings_history',
      'settings',
      'workspaces',
    ]) {
      await db.schema.dropTable(table).execute();
    }
  },
};

import type { Kysely, Migration } from 'kysely';

/**
 * X2: the local index of the connected org's Accounts. Salesforce cannot normalise `Website` in
 * a query, so companies are matched here, by the registrable domain kept in `domain_key` and by
 * `name_key` (core's normal forms, as for local companies). Keyed by org: a switch of org never
 * matches against the old org's Accounts.
 */
export const accountIndexSchema: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('account_index')
      .addColumn('workspace_id', 'text', (c) =>
        c.notNull().references('workspaces.workspace_id').onDelete('cascade'),
      )
      .addColumn('org_id', 'text', (c) => c.notNull())
      .addColumn('sf_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('website', 'text')
      .addColumn('domain_key', 'text')
      .addColumn('name_key', 'text')
      .addColumn('created_date', 'text', (c) => c.notNull())
      .addColumn('last_modified_date', 'text', (c) => c.notNull())
      .addColumn('system_modstamp', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('account_index_pk', ['workspace_id', 'org_id', 'sf_id'])
      .execute();
    await db.schema
      .createIndex('account_index_by_domain')
      .on('account_index')
      .columns(['workspace_id', 'org_id', 'domain_key'])
      .execute();
    await db.schema
      .createIndex('account_index_by_name')
      .on('account_index')
      .columns(['workspace_id', 'org_id', 'name_key'])
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('account_index').execute();
  },
};

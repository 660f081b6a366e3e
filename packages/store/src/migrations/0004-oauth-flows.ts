import type { Kysely, Migration } from 'kysely';

/**
 * OAuth sign-ins in progress move from one server process's memory to the database, so
 * Salesforce's callback may reach any process (several behind a load balancer, or a restart).
 */
export const oauthFlowsSchema: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('oauth_flows')
      .addColumn('workspace_id', 'text', (c) =>
        c.notNull().references('workspaces.workspace_id').onDelete('cascade'),
      )
      .addColumn('state_hash', 'text', (c) => c.notNull())
      .addColumn('sealed', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('oauth_flows_pk', ['workspace_id', 'state_hash'])
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('oauth_flows').execute();
  },
};

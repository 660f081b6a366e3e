import type { Migration, MigrationProvider } from 'kysely';
import { initialSchema } from './0001-initial.js';
import { accountIndexSchema } from './0002-account-index.js';
import { apiKeysWebhooksSchema } from './0003-api-keys-webhooks.js';
import { oauthFlowsSchema } from './0004-oauth-flows.js';

/**
 * Every migration, in order. Names sort lexically (Kysely runs them in name order) and are never
 * renamed once released: a store records the names it has run.
 */
export const migrations: Record<string, Migration> = {
  '0001-initial': initialSchema,
  '0002-account-index': accountIndexSchema,
  '0003-api-keys-webhooks': apiKeysWebhooksSchema,
  '0004-oauth-flows': oauthFlowsSchema,
};

/** For Kysely's `Migrator`: migrations as objects, so nothing is read from disk at run time. */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};

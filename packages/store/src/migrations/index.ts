import type { Migration, MigrationProvider } from 'kysely';
import { initialSchema } from './0001-initial.js';
import { accountIndexSchema } from './0002-account-index.js';

/**
 * Every migration, in order. Names sort lexically (Kysely runs them in name order) and are never
 * renamed once released: a store records the names it has run.
 */
export const migrations: Record<string, Migration> = {
  '0001-initial': initialSchema,
  '0002-account-index': accountIndexSchema,
};

/** For Kysely's `Migrator`: migrations as objects, so nothing is read from disk at run time. */
export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};

import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import type { SecretBox } from '../secrets.js';

/** What every repository is built from: a query executor bound to one workspace. */
export interface RepositoryContext {
  /** The store's Kysely instance for reads, or the transaction's connection for writes. */
  readonly db: Kysely<Database>;
  readonly workspaceId: string;
  /** Inside a transaction: the instant fixed when it began. */
  readonly now: () => Date;
  readonly secrets: SecretBox;
}

/**
 * SQLite allows 32,766 bound parameters per statement and Postgres 65,535; IN-lists are cut
 * well below both so a batch of any size is a handful of queries, never a failure.
 */
export const IN_LIST_CHUNK = 500;

export function chunks<T>(items: readonly T[], size = IN_LIST_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

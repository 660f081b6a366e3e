export {
  openPostgresStore,
  type OpenPostgresStoreOptions,
  type OpenedPostgresStore,
} from './open-postgres-store.js';
export { createPgBossQueue, type PgBossQueue, type PgBossQueueDeps } from './pgboss-queue.js';
export {
  createScratchDatabase,
  emptyDatabase,
  DEFAULT_ADMIN_URL,
  type ScratchDatabase,
} from './scratch-database.js';

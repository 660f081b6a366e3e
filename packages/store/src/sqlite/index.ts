export { openSqliteStore, type OpenSqliteStoreOptions, type OpenedStore } from './open-sqlite-store.js';
export { createSqliteQueue, sqliteEnqueuer, type SqliteQueueDeps } from './sqlite-queue.js';

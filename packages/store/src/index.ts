export {
  createKyselyStore,
  type KyselyStoreDeps,
  type WriteRunner,
  type EnqueuerFactory,
} from './kysely-store.js';
export { migrations, migrationProvider } from './migrations/index.js';
export { StoreError, isStoreError } from './errors.js';
export { createSecretBox, type SecretBox } from './secrets.js';
export type { Database } from './schema.js';

/**
 * The one contract suite every Store/JobQueue driver runs (SQLite now, Postgres later). Not
 * exported from the package root: it imports node:test.
 */
export { runStoreContract } from './store-contract.js';
export { runQueueContract } from './queue-contract.js';
export { runAccountIndexContract } from './account-index-contract.js';
export { runApiKeysWebhooksContract } from './api-keys-webhooks-contract.js';
export { ManualClock } from './manual-clock.js';
export type { MakeStore, OpenOptions, StoreInstance, StoreUnderTest } from './harness.js';

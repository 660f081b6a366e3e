// Bulk API 2.0 for the emulator: ingest and query jobs over the routes the server owns.
import type { RouteRegistry } from '../contracts.js';
import { resolveBulkDeps, type BulkDeps } from './bulk-deps.js';
import { registerIngestRoutes } from './ingest-routes.js';
import { JobStore } from './job-store.js';
import { registerQueryRoutes } from './query-routes.js';

export type { BulkDeps, BulkScheduler, ManualScheduler, SoqlExecutor, SoqlResult } from './bulk-deps.js';
export { createManualScheduler, immediateScheduler } from './bulk-deps.js';

/**
 * Adds `/jobs/ingest…` and `/jobs/query…` (paths after `/services/data/vNN.0`). Jobs are kept in
 * memory per call, so each emulator instance has its own; every route is counted against the API
 * limit like any other request.
 */
export function registerBulkRoutes(routes: RouteRegistry, deps: BulkDeps): void {
  const resolved = resolveBulkDeps(deps);
  const store = new JobStore();
  registerIngestRoutes(routes, store, resolved);
  registerQueryRoutes(routes, store, resolved);
}

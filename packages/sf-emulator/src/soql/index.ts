// The SOQL engine: `executeSoql` for in-process callers (Bulk API query jobs) and the REST query
// endpoints. See execute-soql.ts for what is supported and query-routes.ts for the wire.
export { executeSoql, runSoql, MAX_OFFSET, type ExecuteOptions, type QueryRun } from './execute-soql.js';
export {
  registerQueryRoutes,
  batchSizeFrom,
  DEFAULT_BATCH_SIZE,
  MIN_BATCH_SIZE,
  MAX_URI_LENGTH,
} from './query-routes.js';
export type { CursorOptions } from './query-cursors.js';
export type { WireRecord } from './shape-records.js';

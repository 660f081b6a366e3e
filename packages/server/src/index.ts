export { buildServer, routesOf, API_PREFIX, type RegisteredRoute } from './build-server.js';
export { issueApiKey, resolveApiKey, sha256 } from './api-keys.js';
export type {
  ServerDeps,
  SalesforceConnector,
  ConnectRequest,
  CsvPlanner,
  CsvPlan,
  CsvKind,
  CsvRowNote,
} from './deps.js';

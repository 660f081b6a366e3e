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
export {
  createWebhookDispatcher,
  type WebhookDispatcher,
  type WebhookDispatcherOptions,
  type DeliveryRound,
} from './webhooks/dispatcher.js';
export { verifyWebhookSignature } from './webhooks/signature.js';
export { registerWebhook, stopWebhook } from './webhooks/registry.js';
export { blockedAddressKind } from './webhooks/blocked-addresses.js';
export type { WebhookTargetPolicy } from './webhooks/target-guard.js';
export { revokeKey, apiKeyOut } from './routes/api-keys.js';

import type { Generated } from 'kysely';

/**
 * The tables as Kysely sees them. Conventions that keep one repository layer valid on SQLite
 * and Postgres: instants are ISO-8601 UTC text from `Date#toISOString()` (they sort and compare
 * as text), JSON is text, booleans do not appear, and every table carries `workspace_id`.
 */
export interface Database {
  workspaces: WorkspacesTable;
  settings: SettingsTable;
  settings_history: SettingsHistoryTable;
  connections: ConnectionsTable;
  records: RecordsTable;
  links: LinksTable;
  push_intents: PushIntentsTable;
  decision_log: DecisionLogTable;
  jobs: JobsTable;
  cursors: CursorsTable;
  api_ledger: ApiLedgerTable;
  events: EventsTable;
  bulk_jobs: BulkJobsTable;
  account_index: AccountIndexTable;
  api_keys: ApiKeysTable;
  oauth_flows: OAuthFlowsTable;
  webhooks: WebhooksTable;
  webhook_deliveries: WebhookDeliveriesTable;
}

export interface WorkspacesTable {
  workspace_id: string;
  name: string;
  document: string;
  created_at: string;
}

export interface SettingsTable {
  workspace_id: string;
  document: string;
  version: number;
  updated_at: string;
  updated_by: string;
}

export interface SettingsHistoryTable {
  id: Generated<number>;
  workspace_id: string;
  version: number;
  at: string;
  by: string;
  before_document: string | null;
  after_document: string;
}

export interface ConnectionsTable {
  workspace_id: string;
  org_id: string;
  instance_url: string;
  login_url: string;
  /** AES-256-GCM sealed JSON, see secrets.ts. */
  credentials: string;
  integration_user_id: string | null;
  state: string;
  window_ends_at: string | null;
  connected_at: string;
}

export interface RecordsTable {
  workspace_id: string;
  type: string;
  id: string;
  external_id: string | null;
  document: string;
  /** Search keys derived on write (search-keys.ts), so lookups use an index. */
  email_key: string | null;
  name_key: string | null;
  domain_key: string | null;
  version: number;
  updated_at: string;
  deleted_at: string | null;
}

export interface LinksTable {
  workspace_id: string;
  local_type: string;
  local_id: string;
  org_id: string;
  sf_object: string;
  sf_id: string;
  snapshot: string;
  system_modstamp: string | null;
  state: string;
  merged_into: string | null;
}

export interface PushIntentsTable {
  workspace_id: string;
  local_type: string;
  local_id: string;
  org_id: string;
  sf_object: string;
  started_at: string;
  match_keys: string;
}

export interface DecisionLogTable {
  id: Generated<number>;
  workspace_id: string;
  at: string;
  record_type: string;
  record_id: string;
  action: string;
  /** Comma-separated rule ids, e.g. `C3,X1`. */
  rules: string;
  reason: string;
  payload: string | null;
  sf_object: string | null;
  sf_id: string | null;
  error_code: string | null;
  error_message: string | null;
  run_id: string | null;
}

export interface JobsTable {
  id: Generated<number>;
  workspace_id: string;
  queue: string;
  key: string;
  state: string;
  run_at: string;
  attempts: number;
  lease_until: string | null;
  worker_id: string | null;
  last_error: string | null;
  created_at: string;
}

export interface CursorsTable {
  workspace_id: string;
  org_id: string;
  name: string;
  value: string;
  updated_at: string;
}

export interface ApiLedgerTable {
  workspace_id: string;
  org_id: string;
  /** Whole minutes since the Unix epoch. */
  minute: number;
  count: number;
}

export interface EventsTable {
  id: Generated<number>;
  workspace_id: string;
  at: string;
  type: string;
  data: string;
}

export interface BulkJobsTable {
  workspace_id: string;
  org_id: string;
  sf_job_id: string;
  object: string;
  operation: string;
  state: string;
  local_ids: string;
  run_id: string | null;
  created_at: string;
  updated_at: string;
}

/** X2: the connected org's Accounts; `domain_key` and `name_key` as for local companies (search-keys.ts). */
export interface AccountIndexTable {
  workspace_id: string;
  org_id: string;
  sf_id: string;
  name: string;
  website: string | null;
  domain_key: string | null;
  name_key: string | null;
  created_date: string;
  last_modified_date: string;
  system_modstamp: string;
}

/** Only the key's sha256 is stored; `id` is the public handle to list and revoke by. */
export interface OAuthFlowsTable {
  workspace_id: string;
  state_hash: string;
  /** The flow's JSON sealed with the store's key (it holds the PKCE verifier and maybe a client secret). */
  sealed: string;
  expires_at: string;
}

export interface ApiKeysTable {
  workspace_id: string;
  id: string;
  key_hash: string;
  label: string;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface WebhooksTable {
  workspace_id: string;
  id: string;
  url: string;
  /** AES-256-GCM sealed signing secret, see secrets.ts. */
  secret: string;
  created_at: string;
  event_cursor: number | bigint | string;
  disabled_at: string | null;
}

export interface WebhookDeliveriesTable {
  id: Generated<number>;
  workspace_id: string;
  webhook_id: string;
  event_id: number | bigint | string;
  event_type: string;
  state: string;
  /** JSON array of `{ at, status, error }`. */
  attempts: string;
  next_attempt_at: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

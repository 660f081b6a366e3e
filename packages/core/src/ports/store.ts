import type { z } from 'zod';
import type { Call, Email, Meeting, MeetingSummary, Note, Task } from '../model/activities.js';
import type { Company } from '../model/company.js';
import type { Deal } from '../model/deal.js';
import type { Link, LinkState, LocalObjectType, SalesforceObject } from '../model/link.js';
import type { Person } from '../model/person.js';
import type { Workspace } from '../model/workspace.js';
import type { Settings } from '../settings/schema.js';
import type { BulkOperation, CrmAccountRow } from './crm.js';
import type { JobEnqueuer } from './queue.js';

/**
 * crmsync's persistence, per workspace. Contracts shared by every driver (SQLite now, Postgres
 * later; one contract suite checks both):
 *
 * - Workspace-scoped: after `store.workspace(id)` or inside `store.transaction(id, ...)` no
 *   method takes a workspace id, so no call can read or write another workspace's rows.
 * - Reads run outside a transaction and see committed data only.
 * - Writes run only inside `store.transaction`: one database transaction, all or nothing (the
 *   record, its log entry and its job commit together: transactional outbox).
 * - No network call inside a transaction: the transaction holds the database's write lock, so
 *   a slow Salesforce call would stall every other writer. Read, call, then write.
 * - Documents are parsed at this edge: what a read returns went through the core zod schema.
 * - Errors a caller can act on are thrown as `StoreFailure` (see `StoreErrorCode`).
 */
export interface Store {
  readonly workspaces: WorkspaceAdmin;
  /** Read-only repositories bound to one workspace. Does not check that the workspace exists. */
  workspace(workspaceId: string): WorkspaceReader;
  /**
   * Runs `work` in one write transaction bound to `workspaceId`. Commits when `work` resolves,
   * rolls back and rethrows when it throws. Concurrent transactions never lose an update (SQLite
   * runs them one at a time; Postgres runs them side by side at READ COMMITTED, and every
   * read-modify-write of the repositories is an atomic upsert or row-locking update); they are
   * not re-entrant: starting one inside another throws `nested_transaction`.
   */
  transaction<T>(workspaceId: string, work: (tx: StoreTransaction) => Promise<T>): Promise<T>;
}

export type StoreErrorCode =
  /** Another record of the same type in the workspace already has this external id. */
  | 'external_id_taken'
  | 'workspace_exists'
  | 'workspace_not_found'
  /** The encryption key given to the opener is not the key the credentials were sealed with. */
  | 'wrong_encryption_key'
  | 'nested_transaction'
  /** A document's own `workspaceId` is not the workspace of the handle it was written through. */
  | 'workspace_mismatch'
  /** A stored document no longer parses (hand-edited database or a bug). */
  | 'corrupt_document';

/** The shape of errors the store throws on purpose. */
export interface StoreFailure extends Error {
  readonly code: StoreErrorCode;
}

// ---------------------------------------------------------------------------------------------
// Workspaces (admin)

export interface WorkspaceAdmin {
  /** Throws `workspace_exists` when the id is taken. Runs its own transaction. */
  create(workspace: Workspace): Promise<Workspace>;
  /** Replaces the document (users, mailbox domains, stage lists). Throws `workspace_not_found`. */
  update(workspace: Workspace): Promise<Workspace>;
  get(workspaceId: string): Promise<Workspace | null>;
  /** Ordered by id. */
  list(): Promise<Workspace[]>;
}

// ---------------------------------------------------------------------------------------------
// Records

/** The document stored for each local type. */
export interface RecordDocuments {
  person: Person;
  company: Company;
  deal: Deal;
  email: Email;
  note: Note;
  task: Task;
  call: Call;
  meeting: Meeting;
  meeting_summary: MeetingSummary;
}

export interface StoredRecord<T extends LocalObjectType = LocalObjectType> {
  type: T;
  id: string;
  externalId: string | null;
  data: RecordDocuments[T];
  /** Per record: 1 on first write, +1 on every upsert or delete. */
  version: number;
  updatedAt: Date;
  /** Soft delete: the row stays so links, the log and pushes of the delete can refer to it. */
  deletedAt: Date | null;
}

export interface RecordListFilter<T extends LocalObjectType = LocalObjectType> {
  type: T;
  /** Deleted records are left out unless this is true. */
  includeDeleted?: boolean;
  /** Only records written after this instant. */
  updatedAfter?: Date;
  /** From a previous page's `nextCursor`. */
  cursor?: string | null;
  /** Page size, default 100. */
  limit?: number;
}

export interface Page<T, C = string> {
  items: T[];
  /** Pass back to get the next page; null on the last page. */
  nextCursor: C | null;
}

export interface RecordReader {
  get<T extends LocalObjectType>(type: T, id: string): Promise<StoredRecord<T> | null>;
  /** One query; missing ids are absent from the result, which is in no particular order. */
  getMany<T extends LocalObjectType>(type: T, ids: readonly string[]): Promise<StoredRecord<T>[]>;
  findByExternalId<T extends LocalObjectType>(type: T, externalId: string): Promise<StoredRecord<T> | null>;
  /** Ordered by id; cursor pagination, stable under concurrent inserts. */
  list<T extends LocalObjectType>(filter: RecordListFilter<T>): Promise<Page<StoredRecord<T>>>;
  /** People whose email equals `email` under X1's comparison (trimmed, lower-cased). Deleted ones excluded. */
  findPeopleByEmail(email: string): Promise<StoredRecord<'person'>[]>;
  /**
   * `findPeopleByEmail` for many addresses in a few statements: by each address's email key
   * (`emailKey`), the live people holding it, by id; addresses without one are absent.
   */
  findPeopleByEmails(emails: readonly string[]): Promise<Map<string, StoredRecord<'person'>[]>>;
  /** Companies whose name equals `name` but for case, surrounding spaces and Unicode form. */
  findCompaniesByName(name: string): Promise<StoredRecord<'company'>[]>;
  /** Companies whose website has the registrable domain of `domainOrUrl` (X2). */
  findCompaniesByDomain(domainOrUrl: string): Promise<StoredRecord<'company'>[]>;
}

export interface RecordWriter extends RecordReader {
  /**
   * Inserts or replaces the document of `type`/`data.id` and returns the new version. A deleted
   * record written again is undeleted. Throws `external_id_taken` when another record of the
   * type holds `data.externalId`.
   */
  upsert<T extends LocalObjectType>(type: T, data: RecordDocuments[T]): Promise<number>;
  /** Soft delete; returns the new version, or null when there is no such record. Idempotent on the row (version still moves). */
  delete(type: LocalObjectType, id: string): Promise<number | null>;
}

// ---------------------------------------------------------------------------------------------
// Links

/** A link without its workspace id (the handle supplies it); defaults of the Link schema apply. */
export type LinkInput = Omit<z.input<typeof Link>, 'workspaceId'>;

export interface LinkReader {
  get(localType: LocalObjectType, localId: string, orgId: string): Promise<Link | null>;
  /** One query. */
  getMany(localType: LocalObjectType, localIds: readonly string[], orgId: string): Promise<Link[]>;
  /** Links to these Salesforce ids in one org, whatever their state; one query per batch. */
  getBySfIds(orgId: string, sfIds: readonly string[]): Promise<Link[]>;
}

export interface LinkWriter extends LinkReader {
  /** Inserts or replaces the link keyed by localType + localId + orgId. */
  put(link: LinkInput): Promise<void>;
  /**
   * `put` for many links in a few multi-row statements (a Bulk job's results): the same effect
   * as putting them one by one in order, so of two links with one key the later wins.
   */
  putMany(links: readonly LinkInput[]): Promise<void>;
  /** Returns false when there is no such link. */
  markState(
    key: { localType: LocalObjectType; localId: string; orgId: string },
    state: LinkState,
    mergedInto?: string | null,
  ): Promise<boolean>;
}

// ---------------------------------------------------------------------------------------------
// Push intents (X4: intent-then-reconcile when the org has no external-id field)

export interface PushIntent {
  localType: LocalObjectType;
  localId: string;
  orgId: string;
  sfObject: SalesforceObject;
  startedAt: Date;
  /** What reconcile looks the record up by after an unknown outcome (e.g. email, name). */
  matchKeys: Record<string, unknown>;
}

export interface PushIntentReader {
  list(orgId: string, filter?: { sfObject?: SalesforceObject }): Promise<PushIntent[]>;
}

export interface PushIntentWriter extends PushIntentReader {
  /** Inserts or replaces (keyed by localType + localId + orgId). */
  put(intents: readonly PushIntent[]): Promise<void>;
  clear(orgId: string, localType: LocalObjectType, localIds: readonly string[]): Promise<number>;
}

// ---------------------------------------------------------------------------------------------
// Decision log (O1)

export interface LogEntryInput {
  at?: Date;
  recordType: LocalObjectType;
  recordId: string;
  /** e.g. create, update, link, delete, skip, fail, dry_run_create. Free text so new outcomes need no migration. */
  action: string;
  /** Rule ids that applied, e.g. ['C3', 'X1']. */
  rules: readonly string[];
  /** One sentence a user can read. */
  reason: string;
  payload?: Record<string, unknown> | null;
  sfObject?: SalesforceObject | null;
  sfId?: string | null;
  errorCode?: string | null;
  errorMessage?: string | null;
  /** Push-all or dry-run id grouping the entries of one run. */
  runId?: string | null;
}

export interface LogEntry {
  id: number;
  at: Date;
  recordType: LocalObjectType;
  recordId: string;
  action: string;
  rules: string[];
  reason: string;
  payload: Record<string, unknown> | null;
  sfObject: SalesforceObject | null;
  sfId: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  runId: string | null;
}

export interface LogFilter {
  record?: { type: LocalObjectType; id: string };
  recordType?: LocalObjectType;
  sfObject?: SalesforceObject;
  /** Any of these actions. */
  actions?: readonly string[];
  /** Only entries with an error code (the `--failed` view). */
  failed?: boolean;
  /** Entries where this rule id applied. */
  rule?: string;
  /** One run only; `null` means entries outside any run. */
  runId?: string | null;
  since?: Date;
  /** From a previous page's `nextCursor`: pages go newest first. */
  cursor?: number | null;
  limit?: number;
}

export interface LogCount {
  action: string;
  rules: string[];
  reason: string;
  count: number;
}

export interface DecisionLogReader {
  /** Newest first. */
  list(filter?: LogFilter): Promise<Page<LogEntry, number>>;
  /** Entries of a run grouped by action, rules and reason (dry-run and push-all summaries). */
  countByOutcome(runId: string): Promise<LogCount[]>;
}

export interface DecisionLogWriter extends DecisionLogReader {
  /** Appends in order; returns the new ids in the same order. */
  append(entries: readonly LogEntryInput[]): Promise<number[]>;
  /** Deletes entries with `at` before `before` (retention); returns how many. */
  purgeOlderThan(before: Date): Promise<number>;
}

// ---------------------------------------------------------------------------------------------
// Cursors (pull position per org and feed)

export interface CursorReader {
  get(orgId: string, name: string): Promise<unknown>;
  /** `get` for many names in a few statements; names without a value are absent. */
  getMany(orgId: string, names: readonly string[]): Promise<Map<string, unknown>>;
}
export interface CursorWriter extends CursorReader {
  put(orgId: string, name: string, value: unknown): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// API ledger (O3): requests per minute bucket; the rolling window is a sum over buckets

/** One minute bucket of the ledger: its requests leave the rolling window together at `leavesAt`. */
export interface ApiLedgerBucket {
  leavesAt: Date;
  requests: number;
}

export interface ApiLedgerReader {
  /** Requests counted in the 24 hours before the store clock's now (1,440 whole-minute buckets, the current one included). */
  sumLast24Hours(orgId: string): Promise<number>;
  /** The buckets `sumLast24Hours` adds up, oldest first: when each leaves the window (O3 resumes then). */
  bucketsLast24Hours(orgId: string): Promise<ApiLedgerBucket[]>;
}
export interface ApiLedgerWriter extends ApiLedgerReader {
  /** Counts `requests` in the current minute bucket; drops buckets older than 24 hours. */
  add(orgId: string, requests: number): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Events for the host (O5)

export interface StoredEvent {
  id: number;
  at: Date;
  type: string;
  data: Record<string, unknown>;
}
export interface EventReader {
  /** Ids ascending, strictly after `afterId` (0 for the start). */
  listAfter(afterId: number, limit?: number): Promise<StoredEvent[]>;
}
/** An event to append: its type and what the host reads in `data`. */
export interface EventInput {
  type: string;
  data: Record<string, unknown>;
}
export interface EventWriter extends EventReader {
  append(type: string, data: Record<string, unknown>): Promise<number>;
  /** Appends in order, in a few multi-row statements; returns the new ids, ascending, in the same order. */
  appendMany(events: readonly EventInput[]): Promise<number[]>;
}

// ---------------------------------------------------------------------------------------------
// Settings

export interface SettingsState {
  settings: Settings;
  /** 0 when none was ever saved (then `settings` are the defaults). */
  version: number;
  updatedAt: Date | null;
  updatedBy: string | null;
}

export interface SettingsChange {
  version: number;
  at: Date;
  by: string;
  /** Null for the first save. */
  before: Settings | null;
  after: Settings;
}

export interface SettingsReader {
  get(): Promise<SettingsState>;
  /** Newest first. */
  history(limit?: number): Promise<SettingsChange[]>;
}
export interface SettingsWriter extends SettingsReader {
  /** Saves the document and a history row with the old and new documents; returns the new version. */
  put(settings: Settings, by: string): Promise<number>;
}

// ---------------------------------------------------------------------------------------------
// Connections (one current Salesforce connection per workspace)

export type ConnectionState = 'configuring' | 'active' | 'paused' | 'disconnected';

export interface Connection {
  orgId: string;
  instanceUrl: string;
  loginUrl: string;
  /** Tokens and client secrets. Encrypted at rest; decrypted only when read through the store. */
  credentials: Record<string, string>;
  integrationUserId: string | null;
  state: ConnectionState;
  /** End of the configuration window (L1). */
  windowEndsAt: Date | null;
  connectedAt: Date;
}

export interface ConnectionReader {
  /** Throws `wrong_encryption_key` when the credentials cannot be opened with the store's key. */
  get(): Promise<Connection | null>;
}
export interface ConnectionWriter extends ConnectionReader {
  /** Replaces the workspace's connection. */
  put(connection: Connection): Promise<void>;
  /** Returns false when the workspace has no connection. */
  updateState(state: ConnectionState, changes?: { windowEndsAt?: Date | null }): Promise<boolean>;
  /** Replaces the credentials only (token refresh). */
  updateCredentials(credentials: Record<string, string>): Promise<boolean>;
}

// ---------------------------------------------------------------------------------------------
// Bulk API 2.0 jobs (so a re-run resumes the job instead of re-uploading)

export interface BulkJobRecord {
  orgId: string;
  sfJobId: string;
  object: SalesforceObject;
  operation: BulkOperation | 'query';
  /** Salesforce's job state (Open, UploadComplete, InProgress, JobComplete, Failed, Aborted) or a local one. */
  state: string;
  /** The records uploaded (or empty when the job is defined by `runId`). */
  localIds: string[];
  runId: string | null;
  createdAt: Date;
}

export interface BulkJobReader {
  get(orgId: string, sfJobId: string): Promise<BulkJobRecord | null>;
  /** Oldest first. */
  list(filter?: { orgId?: string; runId?: string; states?: readonly string[] }): Promise<BulkJobRecord[]>;
}
export interface BulkJobWriter extends BulkJobReader {
  put(job: BulkJobRecord): Promise<void>;
  updateState(orgId: string, sfJobId: string, state: string): Promise<boolean>;
}

// ---------------------------------------------------------------------------------------------
// Local Account index (X2): the connected org's Accounts, matched by registrable website domain
// and by exact name, because Salesforce cannot normalise `Website` in a query. Keyed by org.

export interface AccountIndexReader {
  /** Accounts whose Website has one of these registrable domains (any URL or host is normalised first). Ordered by Id. */
  findByDomains(orgId: string, domains: readonly string[]): Promise<CrmAccountRow[]>;
  /** Accounts whose Name equals one of `names` but for case, surrounding spaces and Unicode form. Ordered by Id. */
  findByNames(orgId: string, names: readonly string[]): Promise<CrmAccountRow[]>;
  count(orgId: string): Promise<number>;
}
export interface AccountIndexWriter extends AccountIndexReader {
  /** Inserts or replaces rows by Account Id. */
  upsert(orgId: string, rows: readonly CrmAccountRow[]): Promise<void>;
  /** Returns how many rows were removed. */
  remove(orgId: string, ids: readonly string[]): Promise<number>;
  /** Removes every row of the org (before a full reload); returns how many. */
  clear(orgId: string): Promise<number>;
}

// ---------------------------------------------------------------------------------------------
// API keys (hashed at rest: only the key's sha256 is stored, the clear key is shown once)

export interface ApiKeyRecord {
  /** A short public id (`ak_...`) to list and revoke the key by; not the key. */
  id: string;
  label: string;
  /** The first characters of the key, so a person can tell keys apart. */
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}
export interface ApiKeyReader {
  /** The key stored under this sha256 hex digest, revoked or not; null when none. */
  findByHash(hash: string): Promise<ApiKeyRecord | null>;
  /** Oldest first, revoked keys included. */
  list(): Promise<ApiKeyRecord[]>;
}
export interface ApiKeyWriter extends ApiKeyReader {
  /** Ids and hashes are random: a clash is a bug and throws. */
  create(key: { id: string; hash: string; label: string; prefix: string }): Promise<ApiKeyRecord>;
  /** Marks the key revoked at the transaction's now; false when unknown or already revoked. */
  revoke(id: string): Promise<boolean>;
  /** Sets the last use to the transaction's now. */
  touch(id: string): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// OAuth sign-ins in progress ("Connect Salesforce", web-server flow with PKCE)

/**
 * A pending sign-in kept between `start` and Salesforce's callback, which may reach another
 * server process. Write-only from a transaction: `take` is the only read, and it consumes.
 */
export interface OAuthFlowWriter {
  /** Keeps `flow` (sealed with the store's key) under `stateHash` until `expiresAt`; drops expired ones. */
  put(stateHash: string, flow: Record<string, unknown>, expiresAt: Date): Promise<void>;
  /** Removes and returns the flow of `stateHash`; null when unknown, already taken or expired. */
  take(stateHash: string): Promise<Record<string, unknown> | null>;
}

// ---------------------------------------------------------------------------------------------
// Webhooks (O5 events delivered to a URL, signed with the webhook's secret)

export interface Webhook {
  id: string;
  url: string;
  /** The signing secret, in clear here; sealed at rest like Salesforce credentials. */
  secret: string;
  createdAt: Date;
  /** Events with ids up to this one have a delivery row (or predate the webhook). */
  eventCursor: number;
  disabledAt: Date | null;
}

export type WebhookDeliveryState = 'pending' | 'delivered' | 'failed';

export interface WebhookAttempt {
  at: Date;
  /** The receiver's HTTP status, or null when it did not answer. */
  status: number | null;
  /** Why the attempt failed; null for a 2xx. */
  error: string | null;
}

export interface WebhookDelivery {
  id: number;
  webhookId: string;
  eventId: number;
  eventType: string;
  state: WebhookDeliveryState;
  attempts: WebhookAttempt[];
  /** When a pending delivery is tried next. */
  nextAttemptAt: Date | null;
  lastError: string | null;
  createdAt: Date;
}

export interface WebhookReader {
  get(id: string): Promise<Webhook | null>;
  /** Oldest first, disabled webhooks included. */
  list(): Promise<Webhook[]>;
  /** Newest first. */
  deliveries(filter?: {
    webhookId?: string;
    state?: WebhookDeliveryState;
    /** Only ids below this one (the previous page's last id). */
    beforeId?: number;
    limit?: number;
  }): Promise<WebhookDelivery[]>;
  /** Pending deliveries of enabled webhooks whose next attempt is at or before `now`, oldest first. */
  due(now: Date, limit?: number): Promise<WebhookDelivery[]>;
}
export interface WebhookWriter extends WebhookReader {
  /** Starts after the workspace's newest event: a new webhook receives what happens from now on. */
  create(webhook: { id: string; url: string; secret: string }): Promise<Webhook>;
  /** Stops deliveries (pending ones stay pending, visible); false when unknown or already disabled. */
  disable(id: string): Promise<boolean>;
  /** Adds a pending delivery per event (due now) and moves the webhook's cursor past them. */
  enqueue(webhookId: string, events: readonly { id: number; type: string }[]): Promise<void>;
  /**
   * Takes a due delivery for one attempt: moves its next attempt to `until` when it is still
   * pending and due at the transaction's now. False when another worker took it first, so two
   * workers never send the same delivery at once.
   */
  claim(deliveryId: number, until: Date): Promise<boolean>;
  /** Appends an attempt and sets the delivery's state, next attempt and last error. */
  recordAttempt(
    deliveryId: number,
    attempt: WebhookAttempt,
    outcome: { state: WebhookDeliveryState; nextAttemptAt: Date | null },
  ): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Handles

/** Every repository of one workspace, read-only. */
export interface WorkspaceReader {
  readonly workspaceId: string;
  readonly records: RecordReader;
  readonly links: LinkReader;
  readonly intents: PushIntentReader;
  readonly log: DecisionLogReader;
  readonly cursors: CursorReader;
  readonly ledger: ApiLedgerReader;
  readonly events: EventReader;
  readonly settings: SettingsReader;
  readonly connection: ConnectionReader;
  readonly bulkJobs: BulkJobReader;
  readonly accountIndex: AccountIndexReader;
  readonly apiKeys: ApiKeyReader;
  readonly webhooks: WebhookReader;
}

/** Every repository of one workspace inside one write transaction, plus the job outbox. */
export interface StoreTransaction extends WorkspaceReader {
  readonly records: RecordWriter;
  readonly links: LinkWriter;
  readonly intents: PushIntentWriter;
  readonly log: DecisionLogWriter;
  readonly cursors: CursorWriter;
  readonly ledger: ApiLedgerWriter;
  readonly events: EventWriter;
  readonly settings: SettingsWriter;
  readonly connection: ConnectionWriter;
  readonly bulkJobs: BulkJobWriter;
  readonly accountIndex: AccountIndexWriter;
  readonly apiKeys: ApiKeyWriter;
  readonly oauthFlows: OAuthFlowWriter;
  readonly webhooks: WebhookWriter;
  readonly jobs: JobEnqueuer;
  /** The store clock's now, fixed for the transaction. */
  readonly now: Date;
}

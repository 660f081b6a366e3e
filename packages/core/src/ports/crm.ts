import type { CrmsyncError } from '../errors.js';
import type { ErrorClassification } from '../policy/classify-error.js';
import type { FieldDescribe, ObjectDescribe } from '../policy/map-fields.js';
import type { AccountCandidate, ContactCandidate, LeadCandidate } from '../policy/match.js';

/*
 * The engine's only door to a CRM. `packages/salesforce` implements it with jsforce; a second CRM
 * is one more package implementing the same interface. Object and field names are the CRM's API
 * names (`Contact`, `Email`).
 *
 * Error contract, for every method: a failure of the whole call is thrown as a `CrmsyncError`
 * whose `code` comes from the O4 classification (retryable or not, Salesforce's code and message
 * in `details.sfCode` / `details.sfMessage`); an error thrown by the `onRequest` hook (the O3
 * budget governor's veto) is rethrown unchanged and stops the call before the request is sent.
 * Batch writes are the exception: they never throw for a record and return one result per input
 * record, request-level failures included (see `CrmWriteResult`).
 *
 * "API call" below means one HTTP request, counted as Salesforce counts it: a composite or a
 * collection request is one call whatever it holds. Each one, client retries included, passes
 * through `onRequest` first.
 */

/** A value sent to or read from a CRM field. */
export type CrmValue = string | number | boolean | null;
export type CrmFields = Readonly<Record<string, CrmValue>>;

/** Reported before each HTTP attempt (jsforce's own retries and OAuth token calls included). Throw to veto it. */
export interface CrmRequestEvent {
  method: string;
  /** The full URL, with any token-bearing query parameter blanked. */
  url: string;
  /** 1 for the first try, 2+ for the client's automatic retries of the same request. */
  attempt: number;
}

/** Reported once per request after its last attempt: the HTTP status, or null when no answer came (socket dropped, timeout). */
export interface CrmResponseEvent extends CrmRequestEvent {
  status: number | null;
  /** The org's daily API usage from the answer's `Sforce-Limit-Info` header, when present. */
  apiUsage: CrmApiUsage | null;
}

export interface CrmApiUsage {
  used: number;
  max: number;
}

/** Who the connection is: links are keyed by `orgId`; X4 reconcile looks for records created by `userId`. */
export interface CrmIdentity {
  orgId: string;
  userId: string;
  instanceUrl: string;
}

export interface CrmFieldDescribe extends FieldDescribe {
  externalId: boolean;
  unique: boolean;
  custom: boolean;
  defaultedOnCreate: boolean;
  filterable: boolean;
  referenceTo: string[];
}

/** core's ObjectDescribe (what field mapping reads) plus the object's permissions for doctor. */
export interface CrmObjectDescribe extends ObjectDescribe {
  label: string;
  fields: CrmFieldDescribe[];
  createable: boolean;
  updateable: boolean;
  deletable: boolean;
  queryable: boolean;
}

export interface CrmObjectPermissions {
  object: string;
  /** False when the object is unknown to the org or hidden from the integration user. */
  exists: boolean;
  createable: boolean;
  updateable: boolean;
  deletable: boolean;
  queryable: boolean;
}

/** Data for `crmsync doctor`; the CLI words it. */
export interface CrmDoctorReport {
  identity: CrmIdentity;
  objects: CrmObjectPermissions[];
  externalId: {
    field: string;
    /** Per object: present, and usable for upserts (external id + unique). */
    objects: { object: string; present: boolean; usable: boolean; problem: string | null }[];
    /** How an admin creates the field when it is missing. */
    howToCreate: string;
  };
  /** The source picklists C5/A3 write to: their values and whether the org restricts them. */
  sourcePicklists: {
    object: string;
    field: string;
    exists: boolean;
    restricted: boolean;
    values: string[];
  }[];
  apiUsage: CrmApiUsage | null;
}

/** Salesforce's own words about one record (`statusCode`, as in collection and Bulk results). */
export interface CrmRecordError {
  statusCode: string;
  message: string;
  fields: string[];
}

/**
 * One result per input record, at the same index.
 * - `ok`: saved; `created` false for an update, an upsert that matched, or a delete.
 * - `failed`: Salesforce refused this record (`errors`), or the whole request failed in a way that
 *   left nothing written or that is safe to resend (`requestLevel`). `classification.retryable`
 *   says whether sending it again unchanged can help (O4).
 * - `unknown`: a create whose request broke when it may already have been applied (dropped
 *   connection, 5xx, timeout): reconcile (X4, `findCreatedSince`) before sending it again.
 */
export type CrmWriteResult =
  | { outcome: 'ok'; id: string; created: boolean }
  | {
      outcome: 'failed';
      id: string | null;
      errors: CrmRecordError[];
      classification: ErrorClassification;
      requestLevel: boolean;
    }
  | { outcome: 'unknown'; classification: ErrorClassification };

/** X1 candidates, as core's match types plus the ids the engine links through. */
export type CrmContactCandidate = ContactCandidate & { OwnerId: string | null; AccountId: string | null };
export type CrmLeadCandidate = LeadCandidate & { ConvertedAccountId: string | null; OwnerId: string | null };
export type CrmPersonCandidate = CrmContactCandidate | CrmLeadCandidate;

/** X2 index row; `SystemModstamp` orders the change feed. */
export type CrmAccountRow = AccountCandidate & { SystemModstamp: string };

/** A change-feed position: the last row seen, by (SystemModstamp, Id). Opaque to the engine except for persistence. */
export interface CrmCursor {
  at: string;
  id: string;
}

export interface CrmChangePage<T> {
  records: T[];
  /** The position after the last record returned (unchanged when `records` is empty). */
  cursor: CrmCursor | null;
  /** False when more changes wait: call again with `cursor`. */
  more: boolean;
}

export interface CrmMerge {
  object: string;
  /** The merged-away (deleted) record. */
  loserId: string;
  masterId: string;
  at: string;
}

export interface CrmConvertedLead {
  leadId: string;
  contactId: string | null;
  accountId: string | null;
  opportunityId: string | null;
  convertedDate: string | null;
  at: string;
}

export interface CrmUpdatedFeed {
  ids: string[];
  latestDateCovered: string;
}

export interface CrmDeletedFeed {
  deleted: { id: string; deletedDate: string }[];
  earliestDateAvailable: string | null;
  latestDateCovered: string;
}

export interface CrmReconcileQuery {
  object: string;
  /** When crmsync recorded the intent to create (records created at or after it count). */
  since: Date;
  /** The integration user (`identity().userId`). */
  createdById: string;
  /** Candidate keys, any of which matches: e.g. `{ field: 'Email', values: [...] }` or `{ field: 'Crmsync_Id__c', values: [...] }`. */
  keys: readonly { field: string; values: readonly string[] }[];
  /** Fields to return besides Id, CreatedDate and the key fields. */
  fields?: readonly string[];
}

/**
 * One read of a `readMany` batch: the same question as the single-call method of the same name
 * (`changed` = `changedSince`, `merged` = `mergedSince`, `converted` = `convertedLeadsSince`,
 * `deleted` = `deletedIds`, `query` = `query`), asked as data so several share one API call.
 */
export type CrmRead =
  | { kind: 'changed'; object: string; fields: readonly string[]; cursor: CrmCursor | null; limit?: number }
  | { kind: 'merged'; object: string; since: Date }
  | { kind: 'converted'; since: Date }
  | { kind: 'deleted'; object: string; start: Date; end: Date }
  | { kind: 'query'; soql: string; all?: boolean };

export type CrmReadKind = CrmRead['kind'];

/** What each kind of read answers, as its single-call method returns it. */
export interface CrmReadValues {
  changed: CrmChangePage<Record<string, CrmValue>>;
  merged: CrmMerge[];
  converted: CrmConvertedLead[];
  deleted: CrmDeletedFeed;
  query: Record<string, CrmValue>[];
}

/**
 * A read's outcome, at the index of its read: the value, or the error its single-call method would
 * have thrown for it (e.g. `deleted` on a purged log), so one failed read does not sink the others.
 */
export type CrmReadResult<K extends CrmReadKind = CrmReadKind> = {
  [P in K]: { kind: P; ok: true; value: CrmReadValues[P] } | { kind: P; ok: false; error: CrmsyncError };
}[K];

/** One write of a `writeMany` call: as `create`, `update` (records carry `Id`) or `upsert`. */
export type CrmWrite =
  | { kind: 'create'; object: string; records: readonly CrmFields[] }
  | { kind: 'update'; object: string; records: readonly CrmFields[] }
  | { kind: 'upsert'; object: string; externalIdField: string; records: readonly CrmFields[] };

/**
 * What a `writeMany` call did. A write or read is null when it was not (wholly) sent because a request hook
 * stopped the call before it (`stopped`, e.g. crmsync's API budget, O3); what was sent before the
 * stop has its results.
 */
export interface CrmWriteManyResult {
  writes: (CrmWriteResult[] | null)[];
  reads: (CrmReadResult | null)[];
  stopped: unknown;
}

export type BulkOperation = 'insert' | 'update' | 'upsert' | 'delete';
export type BulkJobState = 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

export interface BulkJob {
  id: string;
  object: string;
  operation: string;
  state: BulkJobState;
  recordsProcessed: number;
  recordsFailed: number;
  errorMessage: string | null;
}

export interface BulkResults {
  successful: { id: string; created: boolean; row: Record<string, string> }[];
  failed: {
    id: string | null;
    error: CrmRecordError;
    classification: ErrorClassification;
    row: Record<string, string>;
  }[];
  /** Rows Salesforce never processed (job aborted or failed): safe to send again. */
  unprocessed: { row: Record<string, string> }[];
}

export interface BulkWaitOptions {
  /** Time between polls; each poll is one API call. */
  intervalMs: number;
  /** Give up (throw SALESFORCE_TIMEOUT) after this long; the job keeps running and can be awaited again. */
  timeoutMs: number;
  /** Called after each poll, for progress. */
  onPoll?: (job: BulkJob) => void;
}

/** A whole ingest, resumable: `jobId` null starts one; a known id resumes it. */
export interface BulkIngestRun {
  /** The job id persisted by an earlier run, or null. */
  jobId: string | null;
  object: string;
  operation: BulkOperation;
  externalIdField?: string;
  rows: readonly CrmFields[];
  wait: BulkWaitOptions;
  /** Awaited after the job is created and before any row is uploaded: persist `job.id` here. */
  onJobCreated: (job: BulkJob) => Promise<void>;
}

/** Bulk API 2.0, driven one step at a time so the engine can persist the job id before uploading. */
export interface CrmBulk {
  /** Opens an ingest job; returns its id. One API call. Persist the id before `uploadAndClose`. */
  createIngestJob(object: string, operation: BulkOperation, externalIdField?: string): Promise<BulkJob>;
  /**
   * Uploads the rows as one CSV (null -> `#N/A`) and marks the job UploadComplete. Two API calls.
   * Only valid on an Open job: after a crash, call `getJob` first and resume by state.
   */
  uploadAndClose(jobId: string, rows: readonly CrmFields[]): Promise<BulkJob>;
  /** One API call. */
  getJob(jobId: string): Promise<BulkJob>;
  /** Polls `getJob` until a terminal state, on the injected clock. Throws on timeout, returns Failed/Aborted jobs. */
  waitForJob(jobId: string, options: BulkWaitOptions): Promise<BulkJob>;
  /** The three result sets of a finished job, parsed. Three API calls. */
  getResults(jobId: string): Promise<BulkResults>;
  /** Aborts an open or running job. One API call. */
  abortJob(jobId: string): Promise<BulkJob>;
  /**
   * create -> onJobCreated -> upload -> close -> poll -> results; with a known `jobId` it resumes
   * instead: an Open job (nothing processed) is aborted and replaced, a running one is polled, a
   * finished one only has its results read. Rows are never uploaded twice to a job that ran.
   */
  runIngest(run: BulkIngestRun): Promise<{ job: BulkJob; results: BulkResults }>;
  /** Runs a Bulk query to completion and returns every row (strings, '' for null). Calls: 1 + polls + 1 per result page. */
  query(
    soql: string,
    options: BulkWaitOptions & { all?: boolean; pageSize?: number },
  ): Promise<Record<string, string>[]>;
}

export interface CrmAdapter {
  /** The org and user. One API call the first time on a pre-issued token, then cached. */
  identity(): Promise<CrmIdentity>;
  /** The token material now; changes after a session refresh (also announced through the adapter's `onCredentials` option). */
  credentials(): unknown;
  /** The org's API usage from the last answer's header; null before any call. No API call. */
  apiUsage(): CrmApiUsage | null;
  /** `/limits`: the org's daily API allocation and what is left. One API call. */
  dailyApiLimit(): Promise<CrmApiUsage>;

  /** The object's describe, cached per adapter (one API call the first time). Throws SALESFORCE_INVALID_FIELD for an unknown object. */
  describe(object: string): Promise<CrmObjectDescribe>;
  /** Drops cached describes (after the admin changed the org). */
  forgetDescribes(): void;
  /** X4: does the object carry `Crmsync_Id__c` as a unique external id? Uses the describe cache. */
  hasExternalIdField(object: string): Promise<boolean>;
  /** Describes Contact, Lead, Account (and Opportunity, Task) for `crmsync doctor`. */
  doctor(): Promise<CrmDoctorReport>;

  /** Collections of up to 200 per call (`allOrNone: false`), in order, sequentially. Never throws for a record. */
  create(object: string, records: readonly CrmFields[]): Promise<CrmWriteResult[]>;
  /** Each record carries `Id`. */
  update(object: string, records: readonly CrmFields[]): Promise<CrmWriteResult[]>;
  /** X4: upsert on `externalIdField` (each record carries it); a resend can never duplicate. */
  upsert(object: string, externalIdField: string, records: readonly CrmFields[]): Promise<CrmWriteResult[]>;
  delete(object: string, ids: readonly string[]): Promise<CrmWriteResult[]>;

  /**
   * X1: Contacts and Leads whose Email equals one of `emails` (lower-cased, deduplicated), Leads
   * with their conversion fields. One `/composite` call holding both queries for up to a few
   * thousand emails (IN-lists cut by URL length); more calls only for more emails or > 2,000 rows.
   */
  findPeopleByEmail(emails: readonly string[]): Promise<CrmPersonCandidate[]>;

  /** X2: every Account (query pages of 2,000, or Bulk above `bulkThreshold` rows), for the local index, and the cursor to follow changes from. */
  loadAccounts(options?: {
    bulkThreshold?: number;
    bulk?: BulkWaitOptions;
  }): Promise<{ rows: CrmAccountRow[]; cursor: CrmCursor | null }>;
  /** X2: Accounts changed (created or edited) after `cursor`, oldest first, one page (one API call). */
  accountsChangedSince(cursor: CrmCursor | null, limit?: number): Promise<CrmChangePage<CrmAccountRow>>;
  /** P1/P3: records of `object` changed after `cursor` (SystemModstamp, Id order), one page; `fields` besides Id and SystemModstamp. */
  changedSince(
    object: string,
    fields: readonly string[],
    cursor: CrmCursor | null,
    limit?: number,
  ): Promise<CrmChangePage<Record<string, CrmValue>>>;
  /** P1: merged-away records (queryAll: IsDeleted and MasterRecordId set) stamped after `since`. */
  mergedSince(object: string, since: Date): Promise<CrmMerge[]>;
  /** P1: Leads converted with SystemModstamp after `since`. */
  convertedLeadsSince(since: Date): Promise<CrmConvertedLead[]>;
  /** Replication feed: ids updated in [start, end] (Salesforce keeps 30 days). One API call. */
  updatedIds(object: string, start: Date, end: Date): Promise<CrmUpdatedFeed>;
  /** Replication feed: ids deleted in [start, end] (15 days; older throws). One API call. */
  deletedIds(object: string, start: Date, end: Date): Promise<CrmDeletedFeed>;
  /**
   * Several reads at once (P1's scheduled probes): Salesforce counts a `/composite` request as ONE
   * API call, so the reads travel in as few composites as its limits allow (25 subrequests, of which
   * at most 5 queries or queryAlls; `deleted` is not a query). API calls: ceil(queries / 5), at
   * least ceil(reads / 25), plus one per further result page, fetched only when a query's first
   * page came back full (more than 2,000 rows). A whole-call failure (or an `onRequest` veto)
   * throws; a failed read is reported in its own result.
   */
  readMany(reads: readonly CrmRead[]): Promise<CrmReadResult[]>;
  /**
   * Writes, then reads, in as few `/composite` calls as Salesforce's caps allow (25 subrequests, at
   * most 5 of them collections or queries): each write travels as collection subrequests of up to
   * 200 records (`allOrNone: false`), each read as one subrequest, all in the given order, so a read
   * sees the writes before it (P2: the SystemModstamp of what was just written, in the same call).
   * Results per write are those `create`/`update`/`upsert` would give, one per record; a composite
   * that fails as a whole fails its writes as those methods' whole-request failures do (a create is
   * `unknown`), and its reads. Throws only when the first call was stopped by a hook (nothing sent).
   */
  writeMany(writes: readonly CrmWrite[], reads?: readonly CrmRead[]): Promise<CrmWriteManyResult>;
  /** X4 reconcile: records of `object` created by `createdById` at or after `since` matching any key. */
  findCreatedSince(query: CrmReconcileQuery): Promise<Record<string, CrmValue>[]>;
  /** Any SOQL, all pages; literals must come from the adapter's escaping (the Salesforce package exports it). */
  query(soql: string, options?: { all?: boolean }): Promise<Record<string, CrmValue>[]>;

  readonly bulk: CrmBulk;
}

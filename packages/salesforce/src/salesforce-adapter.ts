import {
  CrmsyncError,
  type Clock,
  type CrmAdapter,
  type CrmApiUsage,
  type CrmIdentity,
  type CrmRequestEvent,
  type CrmResponseEvent,
  type Logger,
} from '@crmsync/core';
import { accountsChangedSince, loadAccounts } from './account-index.js';
import { createBulkClient } from './bulk.js';
import {
  changedSince,
  convertedLeadsSince,
  deletedIds,
  findCreatedSince,
  mergedSince,
  updatedIds,
} from './change-feeds.js';
import { writeCollections } from './collections.js';
import { SalesforceCredentials, type SalesforceCredentialsInput } from './credentials.js';
import { DescribeCache, doctorReport, externalIdProblem, EXTERNAL_ID_FIELD } from './describe-cache.js';
import { findPeopleByEmail } from './find-people.js';
import { connectJsforce } from './jsforce-api.js';
import { parseWire } from './parse-wire.js';
import { readMany } from './read-many.js';
import { writeMany } from './write-many.js';
import { runQuery } from './run-query.js';
import { WireLimits } from './wire.js';

/*
 * The Salesforce CrmAdapter: composes the jsforce wrapper with the describe cache, collections,
 * lookups, feeds and Bulk. Everything it needs comes in through `SalesforceAdapterOptions`.
 */

export const DEFAULT_API_VERSION = '62.0';

export interface SalesforceAdapterOptions {
  /** Parsed here (zod); the store hands in what it decrypted. */
  credentials: SalesforceCredentialsInput;
  /** Called after a session refresh or sign-in with the new token material: re-encrypt and store it. */
  onCredentials?: (credentials: SalesforceCredentials) => void;
  /** O3: before every HTTP attempt; throw (e.g. API_BUDGET_EXHAUSTED) to stop the call unsent. */
  onRequest?: (event: CrmRequestEvent) => void;
  onResponse?: (event: CrmResponseEvent) => void;
  clock: Clock;
  logger?: Logger;
  /** Default 62.0. */
  apiVersion?: string;
  /** Retry delay base for reads (jsforce's for GET/PUT/DELETE, the adapter's for POST reads; default 500 ms); tests pass 0. */
  retryBaseDelayMs?: number;
  /** Retries of a read that met a dropped connection or a transient 5xx (default 5). */
  maxRetries?: number;
  /** Abort a request unanswered after this long (default 120 s). */
  requestTimeoutMs?: number;
  /** Keep-alive sockets idle for this long are closed, not reused (default 4 s). */
  maxSocketIdleMs?: number;
  /** Records per collection call (default and maximum 200). */
  collectionSize?: number;
  /** Longest query URL (default 16,000 of Salesforce's 16,384). */
  maxUrlLength?: number;
}

export interface SalesforceAdapter extends CrmAdapter {
  credentials(): SalesforceCredentials;
}

function parseCredentials(input: SalesforceCredentialsInput): SalesforceCredentials {
  const parsed = SalesforceCredentials.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues
    .map((i) => `${i.path.join('.') || 'credentials'}: ${i.message}`)
    .join('; ');
  throw new CrmsyncError('INVALID_INPUT', {
    problem: `the Salesforce connection settings are incomplete (${problems})`,
  });
}

/** Signs in when the credentials carry no access token yet, then returns the adapter. */
export async function connectSalesforce(options: SalesforceAdapterOptions): Promise<SalesforceAdapter> {
  const credentials = parseCredentials(options.credentials);
  const http = await connectJsforce({
    credentials,
    version: options.apiVersion ?? DEFAULT_API_VERSION,
    hooks: { onRequest: options.onRequest, onResponse: options.onResponse },
    logger: options.logger,
    retryBaseDelayMs: options.retryBaseDelayMs ?? 500,
    maxRetries: options.maxRetries ?? 5,
    sleep: (ms) => options.clock.sleep(ms),
    requestTimeoutMs: options.requestTimeoutMs ?? 120_000,
    maxSocketIdleMs: options.maxSocketIdleMs,
    onCredentials: options.onCredentials,
  });
  const describes = new DescribeCache(http);
  const bulk = createBulkClient(http, options.clock);
  const batch = Math.min(200, Math.max(1, options.collectionSize ?? 200));

  const identity = async (): Promise<CrmIdentity> => ({
    ...(await http.identity()),
    instanceUrl: http.instanceUrl(),
  });

  return {
    identity,
    credentials: () => http.credentials(),
    apiUsage: () => http.apiUsage(),
    async dailyApiLimit(): Promise<CrmApiUsage> {
      const answer = await http.send({ method: 'GET', path: '/limits', kind: 'read' });
      const limits = parseWire(WireLimits, answer.body, 'limits');
      return {
        max: limits.DailyApiRequests.Max,
        used: limits.DailyApiRequests.Max - limits.DailyApiRequests.Remaining,
      };
    },
    describe: (object) => describes.describe(object),
    forgetDescribes: () => describes.forget(),
    hasExternalIdField: async (object) => externalIdProblem(await describes.describe(object)) === null,
    doctor: async () => doctorReport(describes, await identity(), http.apiUsage()),
    create: (object, records) => writeCollections(http, object, { op: 'create' }, records, batch),
    update: (object, records) => writeCollections(http, object, { op: 'update' }, records, batch),
    upsert: (object, externalIdField, records) =>
      writeCollections(http, object, { op: 'upsert', externalIdField }, records, batch),
    delete: (object, ids) =>
      writeCollections(
        http,
        object,
        { op: 'delete' },
        ids.map((Id) => ({ Id })),
        batch,
      ),
    findPeopleByEmail: (emails) => findPeopleByEmail(http, emails, options.maxUrlLength),
    loadAccounts: (o) => loadAccounts(http, bulk, o),
    accountsChangedSince: (cursor, limit) => accountsChangedSince(http, cursor, limit),
    changedSince: (object, fields, cursor, limit) => changedSince(http, object, fields, cursor, limit),
    mergedSince: (object, since) => mergedSince(http, object, since),
    convertedLeadsSince: (since) => convertedLeadsSince(http, since),
    updatedIds: (object, start, end) => updatedIds(http, object, start, end),
    deletedIds: (object, start, end) => deletedIds(http, object, start, end),
    readMany: (reads) => readMany(http, reads),
    writeMany: (writes, reads) => writeMany(http, writes, reads, batch),
    findCreatedSince: (query) => findCreatedSince(http, query),
    query: (soql, o) => runQuery(http, soql, o),
    bulk,
  };
}

export { EXTERNAL_ID_FIELD };

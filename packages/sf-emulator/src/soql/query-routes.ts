// REST query endpoints: GET /query?q=, GET /queryAll?q=, and the next-page locators. jsforce
// re-fetches every next page at /v<its version>/query/<locator>, even for queryAll, so a locator
// is served under any version and under either path (reference §1.14).
import type { EmuRequest, EmuResponse, RouteRegistry, WritableOrg } from '../contracts.js';
import { runSoql } from './execute-soql.js';
import { CursorStore, parseLocator, type CursorOptions } from './query-cursors.js';
import { soqlErrors } from './soql-errors.js';

export const DEFAULT_BATCH_SIZE = 2000;
export const MIN_BATCH_SIZE = 200;
/** Salesforce refuses request targets longer than this (reference §3, 414). */
export const MAX_URI_LENGTH = 16_384;

/** `Sforce-Query-Options: batchSize=N`, clamped to Salesforce's 200..2000. */
export function batchSizeFrom(header: string | string[] | undefined): number {
  const text = Array.isArray(header) ? header.join(',') : header;
  const m = text === undefined ? null : /batchSize\s*=\s*(\d+)/i.exec(text);
  if (m === null) return DEFAULT_BATCH_SIZE;
  return Math.min(DEFAULT_BATCH_SIZE, Math.max(MIN_BATCH_SIZE, Number(m[1])));
}

function requestTargetLength(req: EmuRequest): number {
  const prefix = req.apiVersion === null ? '' : `/services/data/v${req.apiVersion}`;
  let query = '';
  for (const [k, v] of req.query)
    query += `${query === '' ? '?' : '&'}${encodeURIComponent(k)}=${encodeURIComponent(v)}`;
  return prefix.length + req.path.length + query.length;
}

function uriTooLong(length: number): EmuResponse {
  return {
    status: 414,
    body: [
      {
        message: `The request URI is ${length} characters long; Salesforce accepts at most ${MAX_URI_LENGTH}. Send long queries through Bulk API 2.0.`,
        errorCode: 'URI_TOO_LONG',
      },
    ],
  };
}

interface Page {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: unknown[];
}

export function registerQueryRoutes(routes: RouteRegistry, options: CursorOptions = {}): void {
  const stores = new WeakMap<WritableOrg, CursorStore>();
  const storeFor = (org: WritableOrg): CursorStore => {
    let store = stores.get(org);
    if (store === undefined) {
      store = new CursorStore(options);
      stores.set(org, store);
    }
    return store;
  };
  const version = (req: EmuRequest) => req.apiVersion ?? '62.0';

  function page(req: EmuRequest, cursorId: string, offset: number): Page {
    const cursor = storeFor(req.org).get(cursorId);
    if (cursor === undefined) throw soqlErrors.invalidLocator();
    const { run, batchSize } = cursor;
    const end = Math.min(run.size, offset + batchSize);
    const records = run.slice(offset, end);
    if (end >= run.size) return { totalSize: run.totalSize, done: true, records };
    return {
      totalSize: run.totalSize,
      done: false,
      nextRecordsUrl: `/services/data/v${version(req)}/query/${cursorId}-${end}`,
      records,
    };
  }

  const start =
    (includeDeleted: boolean) =>
    (req: EmuRequest): EmuResponse => {
      const length = requestTargetLength(req);
      if (length > MAX_URI_LENGTH) return uriTooLong(length);
      const soql = req.query.get('q');
      if (soql === null || soql.trim() === '') throw soqlErrors.missingQuery();
      const run = runSoql(req.org, soql, { includeDeleted, apiVersion: version(req) });
      const batchSize = batchSizeFrom(req.headers['sforce-query-options']);
      if (run.size <= batchSize)
        return {
          status: 200,
          body: { totalSize: run.totalSize, done: true, records: run.slice(0, run.size) },
        };
      const cursorId = storeFor(req.org).open(run, batchSize);
      return { status: 200, body: page(req, cursorId, 0) };
    };

  const next = (req: EmuRequest): EmuResponse => {
    const locator = parseLocator(req.params['locator'] ?? '');
    if (locator === undefined) throw soqlErrors.invalidLocator();
    return { status: 200, body: page(req, locator.id, locator.offset) };
  };

  routes.add('GET', /^\/query\/?$/, start(false));
  routes.add('GET', /^\/queryAll\/?$/, start(true));
  routes.add('GET', /^\/query\/(?<locator>[^/]+)\/?$/, next);
  routes.add('GET', /^\/queryAll\/(?<locator>[^/]+)\/?$/, next);
}

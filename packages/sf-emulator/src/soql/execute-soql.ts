// Runs one SOQL statement against an org: parse, bind to the schema, pick an index or a scan,
// filter with the compiled predicate, sort, cut OFFSET/LIMIT. Matching rows are kept as
// references to the stored records; only the rows a caller asks for are shaped for the wire.
import type { Query } from '@jetstreamapp/soql-parser-js';
import type { QueryableOrg, SObjectRecord } from '../contracts.js';
import { bindTree } from './bind-filter.js';
import { compileFilter, type Predicate } from './compile-filter.js';
import { pathReader } from './field-paths.js';
import { parseSoql } from './parse-soql.js';
import { candidateRows, type AccessPlan } from './plan-access.js';
import { bindSelect, type Aggregate } from './select-list.js';
import { shapeRecord, type WireRecord } from './shape-records.js';
import { soqlErrors } from './soql-errors.js';
import { clauseOffset } from './soql-text.js';
import { bindOrderBy, sortRows } from './sort-records.js';
import { whereTree } from './where-tree.js';

export interface ExecuteOptions {
  /** queryAll: deleted rows (IsDeleted = true) are visible too. */
  includeDeleted: boolean;
  /** The API version written into `attributes.url`; default 62.0. */
  apiVersion?: string;
}

/** A finished query whose rows are shaped on demand, page by page. */
export interface QueryRun {
  objectName: string;
  /** Selected columns as written, in SELECT order (for Bulk CSV headers). */
  fields: string[];
  /** Per column, the keys leading to its value in a wire record (`['Account', 'Name']`). */
  paths: string[][];
  totalSize: number;
  /** Rows to page through: 0 for a bare COUNT(). */
  size: number;
  /** Wire records for rows [from, to). */
  slice(from: number, to: number): WireRecord[];
  /** How the rows were found; for tests and benchmarks. */
  plan: AccessPlan;
}

export const MAX_OFFSET = 2000;

// Parsing is the costliest step of a lookup by id, and clients repeat the same statements.
const parsed = new Map<string, Query>();
const PARSE_CACHE_SIZE = 500;

function parseCached(soql: string): Query {
  const hit = parsed.get(soql);
  if (hit !== undefined) return hit;
  const query = parseSoql(soql);
  if (parsed.size >= PARSE_CACHE_SIZE) parsed.delete(parsed.keys().next().value as string);
  parsed.set(soql, query);
  return query;
}

function aggregateRecord(
  org: QueryableOrg,
  rows: SObjectRecord[],
  aggregates: Aggregate[],
  includeDeleted: boolean,
): WireRecord {
  const out: WireRecord = { attributes: { type: 'AggregateResult' } };
  for (const aggregate of aggregates) {
    if (aggregate.path === null) {
      out[aggregate.key] = rows.length;
      continue;
    }
    const read = pathReader(org, aggregate.path, includeDeleted);
    const values = rows.map(read).filter((v) => v !== null && v !== undefined);
    out[aggregate.key] = aggregate.distinct
      ? new Set(values.map((v) => (typeof v === 'string' ? v.toLowerCase() : v))).size
      : values.length;
  }
  return out;
}

/** Runs the statement; throws SalesforceError (MALFORMED_QUERY, INVALID_TYPE, INVALID_FIELD, ...). */
export function runSoql(org: QueryableOrg, soql: string, options: ExecuteOptions): QueryRun {
  const query = parseCached(soql);
  const objectWritten = query.sObject ?? '';
  const meta = org.describe(objectWritten);
  if (meta === undefined || !meta.queryable) throw soqlErrors.unknownObject(soql, objectWritten);
  const includeDeleted = options.includeDeleted;
  const ctx = { org, soql, root: meta, alias: query.sObjectAlias, from: 0 };
  const select = bindSelect(ctx, query.fields ?? []);
  const tree =
    query.where === undefined
      ? undefined
      : bindTree({ ...ctx, from: clauseOffset(soql, 'WHERE'), now: org.now() }, whereTree(query.where, soql));
  const keys = bindOrderBy({ ...ctx, from: clauseOffset(soql, 'ORDER') }, query.orderBy);
  const offset = query.offset ?? 0;
  if (offset > MAX_OFFSET) throw soqlErrors.offsetTooLarge();
  const limit = query.limit ?? Number.POSITIVE_INFINITY;

  const predicate: Predicate | undefined =
    tree === undefined ? undefined : compileFilter(org, tree, includeDeleted);
  const { plan, rows: candidates } = candidateRows(org, meta.name, tree, includeDeleted);
  // Without ORDER BY the scan order is the answer's order, so the scan can stop once enough matched.
  const enough = keys.length === 0 && select.kind !== 'aggregate' ? offset + limit : Number.POSITIVE_INFINITY;
  const matched: SObjectRecord[] = [];
  for (const row of candidates) {
    if (predicate !== undefined && !predicate(row)) continue;
    matched.push(row);
    if (matched.length >= enough) break;
  }
  sortRows(org, matched, keys, includeDeleted);
  const rows = offset === 0 && limit >= matched.length ? matched : matched.slice(offset, offset + limit);
  const shapeCtx = { org, apiVersion: options.apiVersion ?? '62.0', includeDeleted };
  const base = { objectName: meta.name, plan };

  switch (select.kind) {
    case 'count':
      return { ...base, fields: [], paths: [], totalSize: rows.length, size: 0, slice: () => [] };
    case 'aggregate': {
      const record = aggregateRecord(org, matched, select.aggregates, includeDeleted);
      const keysOut = select.aggregates.map((a) => a.key);
      return {
        ...base,
        fields: keysOut,
        paths: keysOut.map((k) => [k]),
        totalSize: 1,
        size: 1,
        slice: (from, to) => [record].slice(from, to),
      };
    }
    case 'records':
      return {
        ...base,
        fields: select.written,
        paths: select.columns.map((c) => [...c.hops.map((h) => h.name), c.field.name]),
        totalSize: rows.length,
        size: rows.length,
        slice: (from, to) =>
          rows.slice(from, to).map((row) => shapeRecord(shapeCtx, row, meta.name, select.shape)),
      };
  }
}

/** The contract entry point: every row shaped for the wire (used by Bulk API query jobs). */
export function executeSoql(
  org: QueryableOrg,
  soql: string,
  opts: ExecuteOptions,
): { records: WireRecord[]; totalSize: number; objectName: string; fields: string[]; paths: string[][] } {
  const run = runSoql(org, soql, opts);
  return {
    records: run.slice(0, run.size),
    totalSize: run.totalSize,
    objectName: run.objectName,
    fields: run.fields,
    paths: run.paths,
  };
}

import type {
  CrmChangePage,
  CrmConvertedLead,
  CrmCursor,
  CrmDeletedFeed,
  CrmMerge,
  CrmReconcileQuery,
  CrmUpdatedFeed,
  CrmValue,
} from '@crmsync/core';
import type { SalesforceHttp } from './http-types.js';
import { parseWire } from './parse-wire.js';
import { runQuery, type Row } from './run-query.js';
import { buildInQueries, soqlDateTime, soqlId, soqlName } from './soql.js';
import { WireDeleted, WireUpdated } from './wire.js';

/*
 * P1 pull feeds and the X4 reconcile query. Cursors are (SystemModstamp, Id): ordering by both
 * makes a page boundary exact even when many records share one stamp.
 */

export const DEFAULT_PAGE = 2000;

/** Salesforce's `2026-11-28T10:00:00.000+0000` as a Date (JavaScript wants `+00:00`). */
export function parseSalesforceDate(text: string): Date {
  return new Date(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

/** Whole seconds, rounded down: a `>= since` filter on it finds a superset, never less. */
export function floorToSecond(at: Date): Date {
  return new Date(Math.floor(at.getTime() / 1000) * 1000);
}

/** `SystemModstamp > c OR (SystemModstamp = c AND Id > id)`: strictly after the cursor. */
export function afterCursor(cursor: CrmCursor): string {
  const at = soqlDateTime(parseSalesforceDate(cursor.at));
  return `SystemModstamp > ${at} OR (SystemModstamp = ${at} AND Id > ${soqlId(cursor.id)})`;
}

export function changedSinceSoql(
  object: string,
  fields: readonly string[],
  cursor: CrmCursor | null,
  limit: number,
): string {
  const select = [...new Set(['Id', 'SystemModstamp', ...fields])].map(soqlName).join(', ');
  const where = cursor === null ? '' : ` WHERE ${afterCursor(cursor)}`;
  return `SELECT ${select} FROM ${soqlName(object)}${where} ORDER BY SystemModstamp ASC, Id ASC LIMIT ${Math.max(1, Math.floor(limit))}`;
}

export async function changedSince(
  http: SalesforceHttp,
  object: string,
  fields: readonly string[],
  cursor: CrmCursor | null,
  limit = DEFAULT_PAGE,
): Promise<CrmChangePage<Record<string, CrmValue>>> {
  return changePage(await runQuery(http, changedSinceSoql(object, fields, cursor, limit)), cursor, limit);
}

/** A `changedSince` page from its rows: a full page means more may wait. */
export function changePage(rows: Row[], cursor: CrmCursor | null, limit: number): CrmChangePage<Row> {
  const last = rows.at(-1);
  return {
    records: rows,
    cursor: last === undefined ? cursor : { at: String(last.SystemModstamp), id: String(last.Id) },
    more: rows.length >= limit,
  };
}

/** Read with queryAll: merged-away rows are deleted. */
export function mergedSinceSoql(object: string, since: Date): string {
  return `SELECT Id, MasterRecordId, SystemModstamp FROM ${soqlName(object)} WHERE IsDeleted = true AND MasterRecordId != null AND SystemModstamp > ${soqlDateTime(floorToSecond(since))} ORDER BY SystemModstamp ASC, Id ASC`;
}

export async function mergedSince(http: SalesforceHttp, object: string, since: Date): Promise<CrmMerge[]> {
  return toMerges(object, await runQuery(http, mergedSinceSoql(object, since), { all: true }));
}

export function toMerges(object: string, rows: readonly Row[]): CrmMerge[] {
  return rows.map((r) => ({
    object,
    loserId: String(r.Id),
    masterId: String(r.MasterRecordId),
    at: String(r.SystemModstamp),
  }));
}

const str = (v: CrmValue | undefined): string | null => (typeof v === 'string' && v !== '' ? v : null);

export function convertedLeadsSoql(since: Date): string {
  return `SELECT Id, ConvertedContactId, ConvertedAccountId, ConvertedOpportunityId, ConvertedDate, SystemModstamp FROM Lead WHERE IsConverted = true AND SystemModstamp > ${soqlDateTime(floorToSecond(since))} ORDER BY SystemModstamp ASC, Id ASC`;
}

export async function convertedLeadsSince(http: SalesforceHttp, since: Date): Promise<CrmConvertedLead[]> {
  return toConvertedLeads(await runQuery(http, convertedLeadsSoql(since)));
}

export function toConvertedLeads(rows: readonly Row[]): CrmConvertedLead[] {
  return rows.map((r) => ({
    leadId: String(r.Id),
    contactId: str(r.ConvertedContactId),
    accountId: str(r.ConvertedAccountId),
    opportunityId: str(r.ConvertedOpportunityId),
    convertedDate: str(r.ConvertedDate),
    at: String(r.SystemModstamp),
  }));
}

/** The replication feeds' date format: `2026-11-28T10:00:00+00:00` (jsforce sends the same). */
export function replicationDate(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

export function feedPath(object: string, feed: 'updated' | 'deleted', start: Date, end: Date): string {
  return `/sobjects/${soqlName(object)}/${feed}/?start=${encodeURIComponent(replicationDate(start))}&end=${encodeURIComponent(replicationDate(end))}`;
}

export async function updatedIds(
  http: SalesforceHttp,
  object: string,
  start: Date,
  end: Date,
): Promise<CrmUpdatedFeed> {
  const answer = await http.send({
    method: 'GET',
    path: feedPath(object, 'updated', start, end),
    kind: 'read',
  });
  return parseWire(WireUpdated, answer.body, 'updated feed');
}

export async function deletedIds(
  http: SalesforceHttp,
  object: string,
  start: Date,
  end: Date,
): Promise<CrmDeletedFeed> {
  const answer = await http.send({
    method: 'GET',
    path: feedPath(object, 'deleted', start, end),
    kind: 'read',
  });
  return toDeletedFeed(answer.body);
}

export function toDeletedFeed(body: unknown): CrmDeletedFeed {
  const parsed = parseWire(WireDeleted, body, 'deleted feed');
  return {
    deleted: parsed.deletedRecords,
    earliestDateAvailable: parsed.earliestDateAvailable,
    latestDateCovered: parsed.latestDateCovered,
  };
}

/** X4: one query per key field (IN-lists cut by URL length), merged by Id. */
export async function findCreatedSince(http: SalesforceHttp, query: CrmReconcileQuery): Promise<Row[]> {
  const keyFields = query.keys.map((k) => k.field);
  const select = [...new Set(['Id', 'CreatedDate', 'CreatedById', ...keyFields, ...(query.fields ?? [])])];
  const where = [
    `CreatedById = ${soqlId(query.createdById)}`,
    `CreatedDate >= ${soqlDateTime(floorToSecond(query.since))}`,
  ];
  const byId = new Map<string, Row>();
  for (const key of query.keys) {
    const values = [...new Set(key.values.filter((v) => v !== ''))];
    const soqls = buildInQueries({
      select,
      from: query.object,
      field: key.field,
      values,
      where,
      urlPrefix: `/services/data/v${http.version}/query?q=`,
    });
    for (const soql of soqls) for (const row of await runQuery(http, soql)) byId.set(String(row.Id), row);
  }
  return [...byId.values()];
}

import type { BulkWaitOptions, CrmAccountRow, CrmChangePage, CrmCursor } from '@crmsync/core';
import type { SalesforceHttp } from './http-types.js';
import { changedSince, DEFAULT_PAGE } from './change-feeds.js';
import { runQuery, type Row } from './run-query.js';
import type { BulkClient } from './bulk.js';

/*
 * X2: Salesforce cannot normalise `Website` in a query, so the engine keeps every Account locally
 * and matches there. Loaded once on connect (REST pages below the threshold, one Bulk query
 * above it, where 2,000-row pages would cost too many calls), then followed by cursor.
 */

export const ACCOUNT_FIELDS = [
  'Id',
  'Name',
  'Website',
  'CreatedDate',
  'LastModifiedDate',
  'SystemModstamp',
] as const;
export const DEFAULT_BULK_THRESHOLD = 50_000;
const DEFAULT_BULK_WAIT: BulkWaitOptions = { intervalMs: 2_000, timeoutMs: 30 * 60_000 };

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export function toAccountRow(row: Row | Record<string, string>): CrmAccountRow {
  return {
    Id: String(row.Id),
    Name: String(row.Name ?? ''),
    Website: text(row.Website),
    CreatedDate: String(row.CreatedDate ?? ''),
    LastModifiedDate: String(row.LastModifiedDate ?? ''),
    SystemModstamp: String(row.SystemModstamp ?? ''),
  };
}

const SOQL = `SELECT ${ACCOUNT_FIELDS.join(', ')} FROM Account ORDER BY SystemModstamp ASC, Id ASC`;

function cursorOf(rows: readonly CrmAccountRow[]): CrmCursor | null {
  let best: CrmAccountRow | null = null;
  for (const r of rows) {
    if (
      best === null ||
      r.SystemModstamp > best.SystemModstamp ||
      (r.SystemModstamp === best.SystemModstamp && r.Id > best.Id)
    )
      best = r;
  }
  return best === null ? null : { at: best.SystemModstamp, id: best.Id };
}

export async function loadAccounts(
  http: SalesforceHttp,
  bulk: BulkClient,
  options: { bulkThreshold?: number; bulk?: BulkWaitOptions } = {},
): Promise<{ rows: CrmAccountRow[]; cursor: CrmCursor | null }> {
  const threshold = options.bulkThreshold ?? DEFAULT_BULK_THRESHOLD;
  const count = await http.send({
    method: 'GET',
    path: `/query?q=${encodeURIComponent('SELECT COUNT() FROM Account')}`,
    kind: 'read',
  });
  const total =
    typeof (count.body as { totalSize?: unknown } | null)?.totalSize === 'number'
      ? (count.body as { totalSize: number }).totalSize
      : 0;
  const raw =
    total > threshold
      ? await bulk.query(SOQL, options.bulk ?? DEFAULT_BULK_WAIT)
      : await runQuery(http, SOQL);
  const rows = raw.map(toAccountRow);
  return { rows, cursor: cursorOf(rows) };
}

export async function accountsChangedSince(
  http: SalesforceHttp,
  cursor: CrmCursor | null,
  limit = DEFAULT_PAGE,
): Promise<CrmChangePage<CrmAccountRow>> {
  const page = await changedSince(http, 'Account', ACCOUNT_FIELDS, cursor, limit);
  return { ...page, records: page.records.map(toAccountRow) };
}

import type { CrmValue } from '@crmsync/core';
import type { SalesforceHttp } from './http-types.js';
import { parseWire } from './parse-wire.js';
import { WireQueryPage } from './wire.js';

/** A query row: `attributes` dropped, primitives kept (relationship objects are not selected by this package). */
export type Row = Record<string, CrmValue>;

export function toRow(record: Record<string, unknown>): Row {
  const row: Row = {};
  for (const [key, value] of Object.entries(record)) {
    if (key === 'attributes') continue;
    if (
      value === null ||
      typeof value === 'string' ||
      typeof value === 'number' ||
      typeof value === 'boolean'
    )
      row[key] = value;
  }
  return row;
}

/** The `/query` (or `/queryAll`) path for `soql`, as jsforce would send it. */
export function queryPath(soql: string, all: boolean): string {
  return `/${all ? 'queryAll' : 'query'}?q=${encodeURIComponent(soql)}`;
}

/** Follows `nextRecordsUrl` from a first page until done; one API call per further page. */
export async function drainPages(http: SalesforceHttp, first: unknown): Promise<Row[]> {
  let page = parseWire(WireQueryPage, first, 'query result');
  const rows = page.records.map(toRow);
  while (!page.done && page.nextRecordsUrl !== undefined) {
    const answer = await http.send({ method: 'GET', path: page.nextRecordsUrl, kind: 'read' });
    page = parseWire(WireQueryPage, answer.body, 'query result');
    for (const r of page.records) rows.push(toRow(r));
  }
  return rows;
}

/** Every row of a SOQL query: one API call per 2,000 rows. */
export async function runQuery(
  http: SalesforceHttp,
  soql: string,
  options: { all?: boolean } = {},
): Promise<Row[]> {
  const answer = await http.send({
    method: 'GET',
    path: queryPath(soql, options.all ?? false),
    kind: 'read',
  });
  return drainPages(http, answer.body);
}

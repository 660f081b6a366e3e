import type { CrmRead, CrmReadResult, CrmReadValues } from '@crmsync/core';
import {
  changedSinceSoql,
  changePage,
  convertedLeadsSoql,
  DEFAULT_PAGE,
  feedPath,
  mergedSinceSoql,
  toConvertedLeads,
  toDeletedFeed,
  toMerges,
} from './change-feeds.js';
import type { SalesforceHttp } from './http-types.js';
import { parseWire } from './parse-wire.js';
import { SalesforceRequestError } from './request-error.js';
import { drainPages, queryPath, type Row } from './run-query.js';
import { WireCompositeResponse, WireRestErrors } from './wire.js';

/*
 * Several read-only requests in one `/composite` call (reference §1.11): Salesforce counts the
 * composite as ONE API call, so P1's scheduled probes (merges, deletions, conversions, changed
 * rows of each object) cost one or two calls instead of one each. `allOrNone: false` keeps the
 * reads independent: a purged deletion log fails its own subrequest, not the batch.
 */

/** Salesforce's cap on subrequests in one composite. */
export const MAX_COMPOSITE_SUBREQUESTS = 25;
/** Salesforce's cap on query / queryAll (and collection) subrequests in one composite. */
export const MAX_COMPOSITE_QUERIES = 5;

export interface PlannedRead {
  index: number;
  /** Counts against MAX_COMPOSITE_QUERIES. */
  query: boolean;
  /** Relative to /services/data/vXX.X. */
  path: string;
  /** The subresponse body as the read's value; further result pages cost one call each. */
  answer(body: unknown): Promise<CrmReadResult>;
}

export function planRead(http: SalesforceHttp, read: CrmRead, index: number): PlannedRead {
  const rows = (body: unknown): Promise<Row[]> => drainPages(http, body);
  const ok = <K extends keyof CrmReadValues>(kind: K, value: CrmReadValues[K]) =>
    ({ kind, ok: true, value }) as CrmReadResult;
  switch (read.kind) {
    case 'changed': {
      const limit = read.limit ?? DEFAULT_PAGE;
      return {
        index,
        query: true,
        path: queryPath(changedSinceSoql(read.object, read.fields, read.cursor, limit), false),
        answer: async (body) => ok('changed', changePage(await rows(body), read.cursor, limit)),
      };
    }
    case 'merged':
      return {
        index,
        query: true,
        path: queryPath(mergedSinceSoql(read.object, read.since), true),
        answer: async (body) => ok('merged', toMerges(read.object, await rows(body))),
      };
    case 'converted':
      return {
        index,
        query: true,
        path: queryPath(convertedLeadsSoql(read.since), false),
        answer: async (body) => ok('converted', toConvertedLeads(await rows(body))),
      };
    case 'deleted':
      return {
        index,
        query: false,
        path: feedPath(read.object, 'deleted', read.start, read.end),
        answer: async (body) => ok('deleted', toDeletedFeed(body)),
      };
    case 'query':
      return {
        index,
        query: true,
        path: queryPath(read.soql, read.all ?? false),
        answer: async (body) => ok('query', await rows(body)),
      };
  }
}

/** Cuts the reads, in order, into composites within both caps. */
export function packComposites<T extends { query: boolean }>(reads: readonly T[]): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let queries = 0;
  for (const read of reads) {
    if (current.length === MAX_COMPOSITE_SUBREQUESTS || (read.query && queries === MAX_COMPOSITE_QUERIES)) {
      groups.push(current);
      current = [];
      queries = 0;
    }
    current.push(read);
    if (read.query) queries += 1;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** A failed subresponse as the error the same request alone would have thrown. */
export function subrequestError(
  status: number,
  body: unknown,
  kind: 'read' | 'write' = 'read',
): SalesforceRequestError {
  const errors = WireRestErrors.safeParse(body);
  const first = errors.success ? errors.data[0] : undefined;
  return new SalesforceRequestError(
    first === undefined
      ? { kind: 'http', status }
      : { kind: 'salesforce', errorCode: first.errorCode, message: first.message, httpStatus: status },
    kind,
  );
}

export async function readMany(http: SalesforceHttp, reads: readonly CrmRead[]): Promise<CrmReadResult[]> {
  const planned = reads.map((r, i) => planRead(http, r, i));
  const results: CrmReadResult[] = new Array<CrmReadResult>(reads.length);
  for (const group of packComposites(planned)) {
    const answer = await http.send({
      method: 'POST',
      path: '/composite',
      json: {
        allOrNone: false,
        compositeRequest: group.map((p) => ({
          method: 'GET',
          url: `/services/data/v${http.version}${p.path}`,
          referenceId: `r${p.index}`,
        })),
      },
      kind: 'read',
    });
    const parsed = parseWire(WireCompositeResponse, answer.body, 'composite read');
    const byRef = new Map(parsed.compositeResponse.map((r) => [r.referenceId, r]));
    for (const p of group) {
      const kind = reads[p.index]!.kind;
      const response = byRef.get(`r${p.index}`);
      if (response === undefined) {
        const error = new SalesforceRequestError(
          {
            kind: 'salesforce',
            errorCode: 'UNEXPECTED_ANSWER',
            message: `composite answer lacks r${p.index}`,
          },
          'read',
        );
        results[p.index] = { kind, ok: false, error } as CrmReadResult;
      } else if (response.httpStatusCode >= 400) {
        results[p.index] = {
          kind,
          ok: false,
          error: subrequestError(response.httpStatusCode, response.body),
        } as CrmReadResult;
      } else {
        results[p.index] = await p.answer(response.body);
      }
    }
  }
  return results;
}

import type { CrmRead, CrmReadResult, CrmWrite, CrmWriteManyResult, CrmWriteResult } from '@crmsync/core';
import {
  chunk,
  COLLECTION_LIMIT,
  collectionCall,
  requestFailureResult,
  saveResults,
  sendableRecords,
  UnexpectedAnswer,
  type WriteOperation,
} from './collections.js';
import type { SalesforceHttp } from './http-types.js';
import { packComposites, planRead, subrequestError } from './read-many.js';
import { SalesforceRequestError } from './request-error.js';
import { soqlName } from './soql.js';
import { WireCompositeResponse } from './wire.js';

/*
 * Writes and the reads that follow them in one `/composite` call (reference §1.11): a trickle
 * batch's upserts, updates and the read-back of their SystemModstamp (P2) cost ONE API call
 * instead of one each. Collections and queries both count against Salesforce's cap of 5 such
 * subrequests per composite, so larger batches take more calls, in order. `allOrNone: false` at
 * both levels: one refused record fails alone, as in a plain collection call.
 */

interface Planned {
  /** Counts against the cap of 5 collection or query subrequests (all of ours do but a feed). */
  query: boolean;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Relative to /services/data/vXX.X. */
  path: string;
  body?: unknown;
  /** Takes the subresponse. */
  answer(status: number, body: unknown): Promise<void>;
  /** The whole composite failed. */
  fail(error: SalesforceRequestError): void;
}

const operationOf = (w: CrmWrite): WriteOperation =>
  w.kind === 'upsert' ? { op: 'upsert', externalIdField: w.externalIdField } : { op: w.kind };

export async function writeMany(
  http: SalesforceHttp,
  writes: readonly CrmWrite[],
  reads: readonly CrmRead[] = [],
  maxBatch = COLLECTION_LIMIT,
): Promise<CrmWriteManyResult> {
  const out: CrmWriteManyResult = {
    writes: writes.map(() => null),
    reads: reads.map(() => null),
    stopped: null,
  };
  const planned: Planned[] = [];
  writes.forEach((write, w) => {
    soqlName(write.object);
    const operation = operationOf(write);
    const results = new Array<CrmWriteResult>(write.records.length);
    const sendable = sendableRecords(operation, write.records, results);
    const batches = chunk(sendable, Math.min(maxBatch, COLLECTION_LIMIT));
    // Sent or not, a write's results are complete once its last batch has answered.
    let filled = write.records.length - sendable.length;
    const settle = () => {
      if (filled === write.records.length) out.writes[w] = results;
    };
    if (batches.length === 0) settle();
    for (const batch of batches) {
      const records = batch.map((i) => write.records[i]!);
      const call = collectionCall(write.object, operation, records);
      const put = (rs: readonly CrmWriteResult[]) => {
        batch.forEach((index, j) => (results[index] = rs[j]!));
        filled += batch.length;
        settle();
      };
      const failAll = (error: SalesforceRequestError) =>
        put(batch.map(() => requestFailureResult(error, operation.op)));
      planned.push({
        query: true,
        method: call.method as Planned['method'],
        path: call.path,
        body: call.json,
        answer: async (status, body) => {
          if (status >= 400) return failAll(subrequestError(status, body, 'write'));
          try {
            put(saveResults(body, operation, records.length));
          } catch (err) {
            if (!(err instanceof UnexpectedAnswer)) throw err;
            // Salesforce answered something unreadable: the records may or may not be saved.
            failAll(new SalesforceRequestError({ kind: 'http', status: 502, message: err.message }, 'write'));
          }
        },
        fail: failAll,
      });
    }
  });
  reads.forEach((read, r) => {
    const p = planRead(http, read, r);
    planned.push({
      query: p.query,
      method: 'GET',
      path: p.path,
      answer: async (status, body) => {
        out.reads[r] =
          status >= 400
            ? ({ kind: read.kind, ok: false, error: subrequestError(status, body) } as CrmReadResult)
            : await p.answer(body);
      },
      fail: (error) => (out.reads[r] = { kind: read.kind, ok: false, error } as CrmReadResult),
    });
  });

  let first = true;
  for (const group of packComposites(planned)) {
    const refs = group.map((_, i) => `w${i}`);
    let answer: Awaited<ReturnType<SalesforceHttp['send']>>;
    try {
      answer = await http.send({
        method: 'POST',
        path: '/composite',
        json: {
          allOrNone: false,
          compositeRequest: group.map((p, i) => ({
            method: p.method,
            url: `/services/data/v${http.version}${p.path}`,
            referenceId: refs[i],
            ...(p.body === undefined ? {} : { body: p.body }),
          })),
        },
        kind: group.some((p) => p.body !== undefined) ? 'write' : 'read',
      });
    } catch (err) {
      if (err instanceof SalesforceRequestError) {
        for (const p of group) p.fail(err);
        first = false;
        continue;
      }
      // A hook stopped the call (crmsync's budget): nothing of this group or later ones was sent.
      if (first) throw err;
      out.stopped = err;
      return out;
    }
    first = false;
    const parsed = WireCompositeResponse.safeParse(answer.body);
    if (!parsed.success) {
      const error = new SalesforceRequestError(
        {
          kind: 'http',
          status: 502,
          message: 'Salesforce answered a composite request with an unreadable body',
        },
        'write',
      );
      for (const p of group) p.fail(error);
      continue;
    }
    const byRef = new Map(parsed.data.compositeResponse.map((r) => [r.referenceId, r]));
    for (const [i, p] of group.entries()) {
      const sub = byRef.get(refs[i]!);
      if (sub === undefined)
        p.fail(
          new SalesforceRequestError(
            {
              kind: 'salesforce',
              errorCode: 'UNEXPECTED_ANSWER',
              message: `composite answer lacks ${refs[i]}`,
            },
            'write',
          ),
        );
      else await p.answer(sub.httpStatusCode, sub.body);
    }
  }
  return out;
}

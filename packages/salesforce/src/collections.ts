import { classifyError, type CrmFields, type CrmWriteResult } from '@crmsync/core';
import type { HttpCall, SalesforceHttp } from './http-types.js';
import { SalesforceRequestError } from './request-error.js';
import { soqlName } from './soql.js';
import { WireSaveResults } from './wire.js';

/*
 * sObject Collections writes: batches of up to 200, `allOrNone: false`, sent one after another,
 * exactly one result per input record at its index. Nothing here throws for a record; a failure
 * of a whole request becomes a result for every record of that batch (see CrmWriteResult).
 */

export const COLLECTION_LIMIT = 200;

export class UnexpectedAnswer extends Error {}

export type WriteOperation =
  { op: 'create' } | { op: 'update' } | { op: 'upsert'; externalIdField: string } | { op: 'delete' };

/** Splits `items` into consecutive batches of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError('chunk size must be a positive integer');
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

const recordIssue = (statusCode: string, message: string, fields: string[]): CrmWriteResult => ({
  outcome: 'failed',
  id: null,
  errors: [{ statusCode, message, fields }],
  classification: classifyError({ kind: 'salesforce', errorCode: statusCode, message }, 'write'),
  requestLevel: false,
});

/** What a whole-request failure means for each record of the batch. */
export function requestFailureResult(
  error: SalesforceRequestError,
  op: WriteOperation['op'],
): CrmWriteResult {
  const c = error.classification;
  // A create that may have landed must be reconciled before it is sent again (X4). Upserts,
  // updates and deletes are idempotent: retrying them is safe, so they are plain failures.
  if (op === 'create' && c.retryable)
    return { outcome: 'unknown', classification: classifyError(error.failure, 'write') };
  return {
    outcome: 'failed',
    id: null,
    errors: [{ statusCode: c.sfCode, message: c.sfMessage, fields: [] }],
    classification: c,
    requestLevel: true,
  };
}

function idOf(record: CrmFields): string | null {
  for (const [key, value] of Object.entries(record))
    if (key.toLowerCase() === 'id' && typeof value === 'string' && value !== '') return value;
  return null;
}

function withoutId(record: CrmFields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) if (key.toLowerCase() !== 'id') out[key] = value;
  return out;
}

/**
 * Indexes of the records that can be sent; the others (an update or delete without an Id, an
 * upsert without its key) get their failure in `results` now, before any call.
 */
export function sendableRecords(
  operation: WriteOperation,
  records: readonly CrmFields[],
  results: CrmWriteResult[],
): number[] {
  const sendable: number[] = [];
  records.forEach((record, i) => {
    if (operation.op === 'update' || operation.op === 'delete') {
      if (idOf(record) === null) {
        results[i] = recordIssue('MISSING_ARGUMENT', `crmsync: this ${operation.op} has no Salesforce Id`, [
          'Id',
        ]);
        return;
      }
    }
    if (operation.op === 'upsert') {
      const key = Object.entries(record).find(
        ([k]) => k.toLowerCase() === operation.externalIdField.toLowerCase(),
      )?.[1];
      if (key === undefined || key === null || key === '') {
        results[i] = recordIssue(
          'MISSING_ARGUMENT',
          `crmsync: this upsert has no ${operation.externalIdField} value`,
          [operation.externalIdField],
        );
        return;
      }
    }
    sendable.push(i);
  });
  return sendable;
}

/** Each batch is one API call (`/composite/sobjects`). */
export async function writeCollections(
  http: SalesforceHttp,
  object: string,
  operation: WriteOperation,
  records: readonly CrmFields[],
  maxBatch = COLLECTION_LIMIT,
): Promise<CrmWriteResult[]> {
  soqlName(object);
  const results: CrmWriteResult[] = new Array<CrmWriteResult>(records.length);
  const sendable = sendableRecords(operation, records, results);
  for (const batch of chunk(sendable, maxBatch)) {
    const batchRecords = batch.map((i) => records[i]!);
    let batchResults: CrmWriteResult[];
    try {
      batchResults = await sendBatch(http, object, operation, batchRecords);
    } catch (err) {
      if (err instanceof UnexpectedAnswer) {
        // Salesforce answered something unreadable: the records may or may not be saved.
        const asRequestError = new SalesforceRequestError(
          { kind: 'http', status: 502, message: err.message },
          'write',
        );
        batchResults = batch.map(() => requestFailureResult(asRequestError, operation.op));
      } else if (err instanceof SalesforceRequestError) {
        batchResults = batch.map(() => requestFailureResult(err, operation.op));
      } else throw err;
    }
    batch.forEach((index, j) => {
      results[index] = batchResults[j]!;
    });
  }
  return results;
}

/** The `/composite/sobjects` request of one batch (at most 200 records, all sendable). */
export function collectionCall(
  object: string,
  operation: WriteOperation,
  records: readonly CrmFields[],
): HttpCall {
  switch (operation.op) {
    case 'create':
      return {
        method: 'POST',
        path: '/composite/sobjects',
        json: {
          allOrNone: false,
          records: records.map((r) => ({ attributes: { type: object }, ...withoutId(r) })),
        },
        kind: 'write',
      };
    case 'update':
      return {
        method: 'PATCH',
        path: '/composite/sobjects',
        json: {
          allOrNone: false,
          records: records.map((r) => ({ attributes: { type: object }, id: idOf(r), ...withoutId(r) })),
        },
        kind: 'write',
      };
    case 'upsert':
      return {
        method: 'PATCH',
        path: `/composite/sobjects/${object}/${soqlName(operation.externalIdField)}`,
        json: {
          allOrNone: false,
          records: records.map((r) => ({ attributes: { type: object }, ...withoutId(r) })),
        },
        kind: 'write',
      };
    case 'delete': {
      const ids = records.map((r) => encodeURIComponent(idOf(r)!)).join(',');
      return { method: 'DELETE', path: `/composite/sobjects?ids=${ids}&allOrNone=false`, kind: 'write' };
    }
  }
}

async function sendBatch(
  http: SalesforceHttp,
  object: string,
  operation: WriteOperation,
  records: readonly CrmFields[],
): Promise<CrmWriteResult[]> {
  const answer = await http.send(collectionCall(object, operation, records));
  return saveResults(answer.body, operation, records.length);
}

/** A collection's answer, one result per record; throws UnexpectedAnswer when it cannot be read. */
export function saveResults(body: unknown, operation: WriteOperation, count: number): CrmWriteResult[] {
  const parsed = WireSaveResults.safeParse(body);
  if (!parsed.success)
    throw new UnexpectedAnswer('Salesforce answered a collection request with an unreadable body');
  if (parsed.data.length !== count)
    throw new UnexpectedAnswer(`Salesforce answered ${parsed.data.length} results for ${count} records`);
  return parsed.data.map((item): CrmWriteResult => {
    if (item.success && item.id !== null)
      return { outcome: 'ok', id: item.id, created: item.created ?? operation.op === 'create' };
    const first = item.errors[0] ?? {
      statusCode: 'UNKNOWN_EXCEPTION',
      message: 'Salesforce gave no reason',
      fields: [],
    };
    return {
      outcome: 'failed',
      id: item.id,
      errors: item.errors.length > 0 ? item.errors : [first],
      classification: classifyError(
        { kind: 'salesforce', errorCode: first.statusCode, message: first.message, fields: first.fields },
        'write',
      ),
      requestLevel: false,
    };
  });
}

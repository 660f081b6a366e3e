import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ERROR_CATALOGUE } from '../errors.js';
import {
  BACKOFFS,
  backoffDelay,
  classifyError,
  type CallKind,
  type SalesforceFailure,
} from './classify-error.js';

interface Case {
  title: string;
  failure: SalesforceFailure;
  call?: CallKind;
  code: string;
  retryable: boolean;
  needsReconcile?: boolean;
}

const sf = (errorCode: string, extra: { httpStatus?: number; message?: string } = {}): SalesforceFailure => ({
  kind: 'salesforce',
  errorCode,
  ...extra,
});

const CASES: Case[] = [
  // Errors that can pass.
  {
    title: 'a row lock is retried',
    failure: sf('UNABLE_TO_LOCK_ROW', { message: 'unable to obtain exclusive access to this record' }),
    code: 'SALESFORCE_LOCK',
    retryable: true,
  },
  {
    title: 'the daily request limit is retried',
    failure: sf('REQUEST_LIMIT_EXCEEDED', { httpStatus: 403 }),
    code: 'SALESFORCE_LIMIT',
    retryable: true,
  },
  {
    title: 'an expired session is retried after signing in again',
    failure: sf('INVALID_SESSION_ID', { httpStatus: 401 }),
    code: 'SALESFORCE_SESSION_EXPIRED',
    retryable: true,
  },
  {
    title: 'a 503 without a Salesforce body on a read is retried',
    failure: { kind: 'http', status: 503 },
    call: 'read',
    code: 'SALESFORCE_UNAVAILABLE',
    retryable: true,
  },
  {
    title: 'a 500 on a write is retried without a reconcile',
    failure: { kind: 'http', status: 500 },
    code: 'SALESFORCE_UNAVAILABLE',
    retryable: true,
    needsReconcile: false,
  },
  {
    title: "jsforce's ERROR_HTTP_503 is retried",
    failure: sf('ERROR_HTTP_503'),
    code: 'SALESFORCE_UNAVAILABLE',
    retryable: true,
  },
  {
    title: 'HTTP 429 is a limit',
    failure: { kind: 'http', status: 429 },
    call: 'read',
    code: 'SALESFORCE_LIMIT',
    retryable: true,
  },
  {
    title: 'HTTP 420 (no route at the edge) is retried',
    failure: { kind: 'http', status: 420 },
    call: 'read',
    code: 'SALESFORCE_UNAVAILABLE',
    retryable: true,
  },
  {
    title: 'a refused connection on a write is retried without a reconcile (nothing was sent)',
    failure: { kind: 'network', code: 'ECONNREFUSED' },
    code: 'SALESFORCE_UNAVAILABLE',
    retryable: true,
    needsReconcile: false,
  },
  {
    title: 'a read timeout is retried',
    failure: { kind: 'timeout' },
    call: 'read',
    code: 'SALESFORCE_TIMEOUT',
    retryable: true,
    needsReconcile: false,
  },
  {
    title: 'a socket timeout on a read is a timeout',
    failure: { kind: 'network', code: 'ETIMEDOUT' },
    call: 'read',
    code: 'SALESFORCE_TIMEOUT',
    retryable: true,
  },
  {
    title: 'a write that timed out has an unknown outcome and needs a reconcile (X4)',
    failure: { kind: 'timeout' },
    code: 'SALESFORCE_UNKNOWN_OUTCOME',
    retryable: true,
    needsReconcile: true,
  },
  {
    title: 'a write whose connection was reset has an unknown outcome',
    failure: { kind: 'network', code: 'econnreset' },
    code: 'SALESFORCE_UNKNOWN_OUTCOME',
    retryable: true,
    needsReconcile: true,
  },
  {
    title: 'a write answered by a 504 gateway has an unknown outcome',
    failure: { kind: 'http', status: 504 },
    code: 'SALESFORCE_UNKNOWN_OUTCOME',
    retryable: true,
    needsReconcile: true,
  },
  {
    title: 'a record rolled back by all-or-none is retried alone',
    failure: sf('ALL_OR_NONE_OPERATION_ROLLED_BACK'),
    code: 'SALESFORCE_UNAVAILABLE',
    retryable: true,
  },
  // Errors that cannot.
  {
    title: 'a validation rule fails the record',
    failure: sf('FIELD_CUSTOM_VALIDATION_EXCEPTION', { message: 'Phone is required for EMEA' }),
    code: 'SALESFORCE_VALIDATION',
    retryable: false,
  },
  {
    title: 'a missing required field fails the record',
    failure: sf('REQUIRED_FIELD_MISSING', { message: 'Required fields are missing: [LastName]' }),
    code: 'SALESFORCE_REQUIRED_FIELD',
    retryable: false,
  },
  {
    title: 'a value too long fails the record',
    failure: sf('STRING_TOO_LONG'),
    code: 'SALESFORCE_VALUE_TOO_LONG',
    retryable: false,
  },
  {
    title: 'a duplicate external id fails the record',
    failure: sf('DUPLICATE_VALUE'),
    code: 'SALESFORCE_DUPLICATE',
    retryable: false,
  },
  {
    title: 'a duplicate rule fails the record',
    failure: sf('DUPLICATES_DETECTED'),
    code: 'SALESFORCE_DUPLICATE',
    retryable: false,
  },
  {
    title: 'INSUFFICIENT_ACCESS_OR_READONLY is a permission problem',
    failure: sf('INSUFFICIENT_ACCESS_OR_READONLY'),
    code: 'SALESFORCE_PERMISSION',
    retryable: false,
  },
  {
    title: 'any INSUFFICIENT_ACCESS* code is a permission problem',
    failure: sf('INSUFFICIENT_ACCESS_TO_SOMETHING_NEW'),
    code: 'SALESFORCE_PERMISSION',
    retryable: false,
  },
  {
    title: 'an unknown field fails the record',
    failure: sf('INVALID_FIELD', { message: "No such column 'Foo__c' on sobject of type Contact" }),
    code: 'SALESFORCE_INVALID_FIELD',
    retryable: false,
  },
  {
    title: 'a deleted record fails the record',
    failure: sf('ENTITY_IS_DELETED', { httpStatus: 404 }),
    code: 'SALESFORCE_RECORD_DELETED',
    retryable: false,
  },
  {
    title: 'a converted lead fails the record',
    failure: sf('CANNOT_UPDATE_CONVERTED_LEAD'),
    code: 'SALESFORCE_CONVERTED_LEAD',
    retryable: false,
  },
  {
    title: 'an unknown Salesforce code on a 400 is not retried',
    failure: sf('SOMETHING_NEW', { httpStatus: 400 }),
    code: 'SALESFORCE_ERROR',
    retryable: false,
  },
  {
    title: 'HTTP 403 without a code is a permission problem',
    failure: { kind: 'http', status: 403 },
    code: 'SALESFORCE_PERMISSION',
    retryable: false,
  },
];

for (const c of CASES) {
  test(`O4: ${c.title}`, () => {
    const got = classifyError(c.failure, c.call ?? 'write');
    assert.equal(got.rule, 'O4');
    assert.equal(got.code, c.code);
    assert.equal(got.retryable, c.retryable);
    if (c.needsReconcile !== undefined) assert.equal(got.needsReconcile, c.needsReconcile);
    assert.equal(ERROR_CATALOGUE[got.code].retryable, c.retryable, 'the catalogue agrees on retryable');
    assert.match(got.reason, /^O4: /);
    if (c.retryable) {
      assert.ok(got.maxAttempts > 1);
    } else {
      assert.equal(got.maxAttempts, 1);
      assert.equal(got.backoffMs(1, 0.5), 0);
      assert.match(got.reason, /by hand/);
    }
  });
}

test('O4: the Salesforce code and message are kept for the log', () => {
  const got = classifyError(
    sf('FIELD_CUSTOM_VALIDATION_EXCEPTION', { message: 'Phone is required for EMEA' }),
  );
  assert.equal(got.sfCode, 'FIELD_CUSTOM_VALIDATION_EXCEPTION');
  assert.equal(got.sfMessage, 'Phone is required for EMEA');
  assert.match(got.reason, /Phone is required for EMEA/);
});

test('O4: a read that times out is not reconciled but the same write is', () => {
  assert.equal(classifyError({ kind: 'timeout' }, 'read').needsReconcile, false);
  assert.equal(classifyError({ kind: 'timeout' }, 'write').needsReconcile, true);
});

test('O4: backoff doubles per attempt, stays within [step/2, step] and stops at the cap', () => {
  const b = { baseMs: 1000, capMs: 10_000, maxAttempts: 9 };
  assert.equal(backoffDelay(b, 1, 1), 1000);
  assert.equal(backoffDelay(b, 1, 0), 500);
  assert.equal(backoffDelay(b, 2, 1), 2000);
  assert.equal(backoffDelay(b, 3, 1), 4000);
  assert.equal(backoffDelay(b, 3, 0.5), 3000);
  assert.equal(backoffDelay(b, 5, 1), 10_000);
  assert.equal(backoffDelay(b, 1_000_000, 1), 10_000, 'huge attempt numbers stay at the cap');
});

test('O4: jitter comes from the injected number and out-of-range numbers are clamped', () => {
  const lock = classifyError(sf('UNABLE_TO_LOCK_ROW'));
  const low = lock.backoffMs(3, 0);
  const high = lock.backoffMs(3, 1);
  assert.ok(low < high, 'different random numbers spread retries apart');
  assert.equal(lock.backoffMs(3, 0.25), lock.backoffMs(3, 0.25), 'same inputs, same delay');
  assert.equal(lock.backoffMs(3, -5), low);
  assert.equal(lock.backoffMs(3, 7), high);
  assert.equal(lock.backoffMs(3, Number.NaN), low);
  assert.equal(lock.backoffMs(0, 1), lock.backoffMs(1, 1), 'attempt 0 counts as the first retry');
});

test('O4: an org limit waits far longer than a row lock', () => {
  const limit = classifyError(sf('REQUEST_LIMIT_EXCEEDED'));
  const lock = classifyError(sf('UNABLE_TO_LOCK_ROW'));
  assert.ok(limit.backoffMs(1, 0) > lock.backoffMs(1, 1));
  assert.equal(limit.backoffMs(1, 1), BACKOFFS.limit.baseMs);
});

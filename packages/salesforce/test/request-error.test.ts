import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failureFromError, SalesforceRequestError } from '../src/request-error.js';

/* jsforce's error shapes (lib/http-api.js, lib/oauth2.js, node-fetch) as plain objects. */

test('a REST error keeps Salesforce code, message, fields and status', () => {
  const err = Object.assign(new Error('Required fields are missing: [Name]'), {
    name: 'REQUIRED_FIELD_MISSING',
    errorCode: 'REQUIRED_FIELD_MISSING',
    data: { fields: ['Name'] },
  });
  assert.deepEqual(failureFromError(err, 400), {
    kind: 'salesforce',
    errorCode: 'REQUIRED_FIELD_MISSING',
    message: 'Required fields are missing: [Name]',
    httpStatus: 400,
    fields: ['Name'],
  });
});

test('several errors in one answer: the first decides and all are kept in the message', () => {
  const err = Object.assign(new Error('Multiple errors returned.'), {
    errorCode: 'MULTIPLE_API_ERRORS',
    data: [
      { errorCode: 'UNABLE_TO_LOCK_ROW', message: 'locked' },
      { errorCode: 'INVALID_FIELD', message: 'bad' },
    ],
  });
  const failure = failureFromError(err, 400);
  assert.equal(failure?.kind === 'salesforce' && failure.errorCode, 'UNABLE_TO_LOCK_ROW');
  assert.equal(failure?.message, 'UNABLE_TO_LOCK_ROW: locked; INVALID_FIELD: bad');
});

test('socket, timeout and OAuth failures map to network, timeout and auth', () => {
  const reset = Object.assign(
    new Error(
      'request to http://127.0.0.1:1/services/data/v62.0/query?q=x&oauth_token=SECRET failed, reason: socket hang up',
    ),
    { name: 'FetchError', code: 'ECONNRESET' },
  );
  const failure = failureFromError(reset, null);
  assert.equal(failure?.kind, 'network');
  assert.doesNotMatch(failure?.message ?? '', /SECRET/);
  assert.deepEqual(failureFromError(Object.assign(new Error('aborted'), { name: 'AbortError' }), null), {
    kind: 'timeout',
    message: 'aborted',
  });
  const oauth = Object.assign(new Error('authentication failure'), { name: 'invalid_grant' });
  assert.deepEqual(failureFromError(oauth, null), {
    kind: 'salesforce',
    errorCode: 'INVALID_GRANT',
    message: 'authentication failure',
  });
  const refresh = new Error('Unable to refresh session due to: expired access/refresh token');
  assert.equal((failureFromError(refresh, null) as { errorCode?: string }).errorCode, 'INVALID_GRANT');
});

test('a request error carries the O4 classification: a reset write needs reconciling, a reset read does not', () => {
  const failure = { kind: 'network', code: 'ECONNRESET' } as const;
  const write = new SalesforceRequestError(failure, 'write');
  const read = new SalesforceRequestError(failure, 'read');
  assert.equal(write.code, 'SALESFORCE_UNKNOWN_OUTCOME');
  assert.equal(write.classification.needsReconcile, true);
  assert.equal(read.code, 'SALESFORCE_UNAVAILABLE');
  assert.equal(read.classification.retryable, true);
  assert.equal(
    new SalesforceRequestError({ kind: 'salesforce', errorCode: 'INVALID_FIELD', httpStatus: 400 }, 'read')
      .retryable,
    false,
  );
});

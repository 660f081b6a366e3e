import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ERROR_CATALOGUE,
  ERROR_CODES,
  CrmsyncError,
  assertNever,
  isErrorCode,
  toErrorBody,
  type ErrorCode,
} from './errors.js';

test('every code has a status, a retryable flag and a message that reads whole without details', () => {
  for (const code of ERROR_CODES) {
    const def = ERROR_CATALOGUE[code];
    assert.ok(def.status >= 400 && def.status < 600, `${code} status`);
    const message = def.message({});
    assert.match(message, /^[A-Z]/, `${code} starts a sentence`);
    assert.doesNotMatch(message, /undefined|null|\{|\}/, `${code} has no hole`);
    assert.ok(message.endsWith('.'), `${code} ends a sentence`);
  }
});

test('codes are unique and the catalogue has nothing else', () => {
  assert.equal(new Set(ERROR_CODES).size, ERROR_CODES.length);
  assert.deepEqual(Object.keys(ERROR_CATALOGUE).sort(), [...ERROR_CODES].sort());
});

test('the codes the brief names exist with the expected retryable flag', () => {
  const expected: [ErrorCode, boolean][] = [
    ['SETTINGS_INVALID', false],
    ['NOT_FOUND', false],
    ['UNAUTHORIZED', false],
    ['FORBIDDEN_WORKSPACE', false],
    ['CONFIGURATION_WINDOW', false],
    ['PAUSED', false],
    ['DISCONNECTED', false],
    ['API_BUDGET_EXHAUSTED', true],
    ['SALESFORCE_VALIDATION', false],
    ['SALESFORCE_REQUIRED_FIELD', false],
    ['SALESFORCE_DUPLICATE', false],
    ['SALESFORCE_LOCK', true],
    ['SALESFORCE_LIMIT', true],
    ['SALESFORCE_UNAVAILABLE', true],
    ['SALESFORCE_SESSION_EXPIRED', true],
    ['SALESFORCE_PERMISSION', false],
    ['SALESFORCE_UNKNOWN_OUTCOME', true],
    ['INVALID_INPUT', false],
    ['CONFLICT', false],
    ['INTERNAL', false],
  ];
  for (const [code, retryable] of expected) assert.equal(ERROR_CATALOGUE[code].retryable, retryable, code);
});

test('CrmsyncError carries code, details, status and the body shape shared by API and CLI', () => {
  const err = new CrmsyncError('SALESFORCE_VALIDATION', {
    sfObject: 'Contact',
    sfId: '003000000000001AAA',
    sfCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION',
    sfMessage: 'Phone is required',
  });
  assert.equal(err.code, 'SALESFORCE_VALIDATION');
  assert.equal(err.status, 422);
  assert.equal(err.retryable, false);
  assert.ok(err instanceof Error);
  const body = err.toErrorBody();
  assert.equal(body.error.code, 'SALESFORCE_VALIDATION');
  assert.match(body.error.message, /Contact 003000000000001AAA/);
  assert.match(body.error.message, /FIELD_CUSTOM_VALIDATION_EXCEPTION: Phone is required/);
  assert.deepEqual(body.error.details, err.details);
  assert.deepEqual(JSON.parse(JSON.stringify(body)), body, 'the body is plain JSON');
});

test('a body without details leaves the key out, and a custom message replaces the template', () => {
  const body = new CrmsyncError('PAUSED').toErrorBody();
  assert.equal('details' in body.error, false);
  const custom = new CrmsyncError(
    'NOT_FOUND',
    { resource: 'person', id: 'p1' },
    { message: 'No person p1 in workspace w1.' },
  );
  assert.equal(custom.message, 'No person p1 in workspace w1.');
});

test('the configuration-window message says when the window ends', () => {
  const err = new CrmsyncError('CONFIGURATION_WINDOW', { endsAt: '2026-11-28T07:00:00.000Z' });
  assert.match(err.message, /until 2026-11-28T07:00:00.000Z/);
});

test('toErrorBody hides anything that is not a CrmsyncError behind INTERNAL', () => {
  const body = toErrorBody(new Error('SQLITE_BUSY: database is locked at /secret/path'));
  assert.equal(body.error.code, 'INTERNAL');
  assert.doesNotMatch(body.error.message, /SQLITE|secret/);
  assert.equal(toErrorBody(new CrmsyncError('PAUSED')).error.code, 'PAUSED');
});

test('isErrorCode recognises catalogue codes only', () => {
  assert.equal(isErrorCode('PAUSED'), true);
  assert.equal(isErrorCode('paused'), false);
  assert.equal(isErrorCode(42), false);
});

test('an exhaustive switch over codes fails to compile when a case is missing', () => {
  // The @ts-expect-error below is itself the assertion: `npm test` type-checks this file, and if
  // the switch stopped being checked for exhaustiveness the directive would be unused and fail.
  function httpFamily(code: ErrorCode): string {
    switch (code) {
      case 'INTERNAL':
        return 'server';
      default:
        // @ts-expect-error every code but INTERNAL reaches here, so `code` is not `never`
        return assertNever(code, 'error code');
    }
  }
  assert.equal(httpFamily('INTERNAL'), 'server');
  assert.throws(() => httpFamily('PAUSED'), /unreachable: unexpected error code "PAUSED"/);
});

import type { ErrorCode } from '../errors.js';

/*
 * O4: what went wrong with a Salesforce call, and whether waiting and sending it again can help.
 * The adapter normalises jsforce's errors into `SalesforceFailure`; this file decides. Errors that
 * can pass (row lock, limit, 5xx, timeout, expired session) are retried with exponential backoff
 * and jitter; the others fail that record alone, keeping Salesforce's code and message so a
 * person can fix the cause and retry by hand.
 */

/** A failed Salesforce call as the adapter saw it. */
export type SalesforceFailure =
  /** Salesforce answered with an error code: a REST error (`errorCode`), a collection item or a Bulk row (`statusCode`). */
  | {
      kind: 'salesforce';
      errorCode: string;
      message?: string;
      httpStatus?: number;
      fields?: readonly string[];
    }
  /** An HTTP status with no Salesforce error code in the body (an HTML gateway page, an empty 503). */
  | { kind: 'http'; status: number; message?: string }
  /** The request failed below HTTP: `ECONNRESET`, `ETIMEDOUT`, `UND_ERR_SOCKET`, ... */
  | { kind: 'network'; code: string; message?: string }
  /** crmsync's own deadline for the call passed. */
  | { kind: 'timeout'; message?: string };

/**
 * Whether the failed call changes data. A write that broke after it may have reached Salesforce
 * has an unknown outcome: it is retried only after the engine reconciles (X4).
 */
export type CallKind = 'read' | 'write';

export interface Backoff {
  /** Delay before the first retry. */
  baseMs: number;
  /** No delay is longer than this. */
  capMs: number;
  /** Attempts in all, the first included; after the last one the record fails and waits for a manual retry. */
  maxAttempts: number;
}

export interface ErrorClassification {
  rule: 'O4';
  code: ErrorCode;
  retryable: boolean;
  /** Salesforce's own code (`UNABLE_TO_LOCK_ROW`, `ERROR_HTTP_503`, `ECONNRESET`), kept for the log. */
  sfCode: string;
  /** Salesforce's message, or the transport's, for the log. */
  sfMessage: string;
  /** True when the call may have been applied: check Salesforce (X4) before sending it again. */
  needsReconcile: boolean;
  /** Attempts in all before giving up; 1 when not retryable. */
  maxAttempts: number;
  /** A plain sentence for the decision log. */
  reason: string;
  /**
   * The delay before retry number `attempt` (1 = the first retry): exponential, capped, with
   * "equal jitter" so retries of one batch spread out yet never come sooner than half the step.
   * `random` is a number in [0, 1] the caller draws (core has no randomness). 0 when not retryable.
   */
  backoffMs(attempt: number, random: number): number;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;

/** Backoffs per kind of passing trouble: short for locks, long for org limits. */
export const BACKOFFS = {
  lock: { baseMs: 2 * SECOND, capMs: 2 * MINUTE, maxAttempts: 8 },
  limit: { baseMs: 5 * MINUTE, capMs: 60 * MINUTE, maxAttempts: 6 },
  unavailable: { baseMs: 5 * SECOND, capMs: 10 * MINUTE, maxAttempts: 8 },
  timeout: { baseMs: 10 * SECOND, capMs: 10 * MINUTE, maxAttempts: 6 },
  /** The client signs in again first, so the first retry can go at once. */
  session: { baseMs: 0, capMs: 30 * SECOND, maxAttempts: 3 },
} as const satisfies Record<string, Backoff>;

type Kind = keyof typeof BACKOFFS | 'permanent';

export function backoffDelay(backoff: Backoff, attempt: number, random: number): number {
  const n = Math.max(1, Math.floor(Number.isFinite(attempt) ? attempt : 1));
  const r = Number.isFinite(random) ? Math.min(1, Math.max(0, random)) : 0;
  // 2 ** 60 is already far beyond any cap; the min keeps huge attempt numbers finite.
  const step = Math.min(backoff.capMs, backoff.baseMs * 2 ** Math.min(n - 1, 60));
  return Math.round(step / 2 + (step / 2) * r);
}

/**
 * Salesforce error codes and what they mean here. `permanent` codes fail the record alone;
 * a code missing from this table is treated as permanent too (SALESFORCE_ERROR), because
 * retrying a refusal nobody understands only spends the API budget.
 */
const SALESFORCE_CODES: Record<string, { code: ErrorCode; kind: Kind }> = {
  UNABLE_TO_LOCK_ROW: { code: 'SALESFORCE_LOCK', kind: 'lock' },
  REQUEST_LIMIT_EXCEEDED: { code: 'SALESFORCE_LIMIT', kind: 'limit' },
  TXN_SECURITY_METERING_ERROR: { code: 'SALESFORCE_LIMIT', kind: 'limit' },
  SERVER_UNAVAILABLE: { code: 'SALESFORCE_UNAVAILABLE', kind: 'unavailable' },
  UNKNOWN_EXCEPTION: { code: 'SALESFORCE_UNAVAILABLE', kind: 'unavailable' },
  QUERY_TIMEOUT: { code: 'SALESFORCE_TIMEOUT', kind: 'timeout' },
  INVALID_SESSION_ID: { code: 'SALESFORCE_SESSION_EXPIRED', kind: 'session' },

  FIELD_CUSTOM_VALIDATION_EXCEPTION: { code: 'SALESFORCE_VALIDATION', kind: 'permanent' },
  FIELD_INTEGRITY_EXCEPTION: { code: 'SALESFORCE_VALIDATION', kind: 'permanent' },
  INVALID_EMAIL_ADDRESS: { code: 'SALESFORCE_VALIDATION', kind: 'permanent' },
  INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: { code: 'SALESFORCE_VALIDATION', kind: 'permanent' },
  INVALID_TYPE_ON_FIELD_IN_RECORD: { code: 'SALESFORCE_VALIDATION', kind: 'permanent' },
  NUMBER_OUTSIDE_VALID_RANGE: { code: 'SALESFORCE_VALIDATION', kind: 'permanent' },
  JSON_PARSER_ERROR: { code: 'SALESFORCE_VALIDATION', kind: 'permanent' },
  INVALID_OPERATION: { code: 'SALESFORCE_VALIDATION', kind: 'permanent' },
  CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY: { code: 'SALESFORCE_VALIDATION', kind: 'permanent' },
  REQUIRED_FIELD_MISSING: { code: 'SALESFORCE_REQUIRED_FIELD', kind: 'permanent' },
  STRING_TOO_LONG: { code: 'SALESFORCE_VALUE_TOO_LONG', kind: 'permanent' },
  DUPLICATE_VALUE: { code: 'SALESFORCE_DUPLICATE', kind: 'permanent' },
  DUPLICATES_DETECTED: { code: 'SALESFORCE_DUPLICATE', kind: 'permanent' },
  DUPLICATE_EXTERNAL_ID: { code: 'SALESFORCE_DUPLICATE', kind: 'permanent' },
  MULTIPLE_CHOICES: { code: 'SALESFORCE_DUPLICATE', kind: 'permanent' },
  INSUFFICIENT_ACCESS: { code: 'SALESFORCE_PERMISSION', kind: 'permanent' },
  INSUFFICIENT_ACCESS_OR_READONLY: { code: 'SALESFORCE_PERMISSION', kind: 'permanent' },
  INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY: { code: 'SALESFORCE_PERMISSION', kind: 'permanent' },
  API_DISABLED_FOR_ORG: { code: 'SALESFORCE_PERMISSION', kind: 'permanent' },
  API_CURRENTLY_DISABLED: { code: 'SALESFORCE_PERMISSION', kind: 'permanent' },
  INVALID_FIELD: { code: 'SALESFORCE_INVALID_FIELD', kind: 'permanent' },
  INVALID_FIELD_FOR_INSERT_UPDATE: { code: 'SALESFORCE_INVALID_FIELD', kind: 'permanent' },
  INVALID_FIELD_WHEN_USING_TEMPLATE: { code: 'SALESFORCE_INVALID_FIELD', kind: 'permanent' },
  INVALID_TYPE: { code: 'SALESFORCE_INVALID_FIELD', kind: 'permanent' },
  INVALID_CROSS_REFERENCE_KEY: { code: 'SALESFORCE_INVALID_REFERENCE', kind: 'permanent' },
  MALFORMED_ID: { code: 'SALESFORCE_INVALID_REFERENCE', kind: 'permanent' },
  INVALID_ID_FIELD: { code: 'SALESFORCE_INVALID_REFERENCE', kind: 'permanent' },
  ENTITY_IS_DELETED: { code: 'SALESFORCE_RECORD_DELETED', kind: 'permanent' },
  NOT_FOUND: { code: 'SALESFORCE_RECORD_DELETED', kind: 'permanent' },
  CANNOT_UPDATE_CONVERTED_LEAD: { code: 'SALESFORCE_CONVERTED_LEAD', kind: 'permanent' },
  INVALID_GRANT: { code: 'SALESFORCE_AUTH_FAILED', kind: 'permanent' },
  INVALID_CLIENT: { code: 'SALESFORCE_AUTH_FAILED', kind: 'permanent' },
  INVALID_CLIENT_ID: { code: 'SALESFORCE_AUTH_FAILED', kind: 'permanent' },
  // Other records of an all-or-none request failed; this one is fine and can go again alone.
  ALL_OR_NONE_OPERATION_ROLLED_BACK: { code: 'SALESFORCE_UNAVAILABLE', kind: 'unavailable' },
  PROCESSING_HALTED: { code: 'SALESFORCE_UNAVAILABLE', kind: 'unavailable' },
};

/** Salesforce's prefix families: `INSUFFICIENT_ACCESS*` codes are all permissions. */
function lookupSalesforceCode(code: string): { code: ErrorCode; kind: Kind } | undefined {
  const exact = SALESFORCE_CODES[code];
  if (exact !== undefined) return exact;
  if (code.startsWith('INSUFFICIENT_ACCESS')) return { code: 'SALESFORCE_PERMISSION', kind: 'permanent' };
  return undefined;
}

/** Transport failures before any HTTP answer. `sent` says whether the request may have reached Salesforce. */
const NETWORK_CODES: Record<string, { sent: boolean; timeout: boolean }> = {
  ECONNREFUSED: { sent: false, timeout: false },
  ENOTFOUND: { sent: false, timeout: false },
  EAI_AGAIN: { sent: false, timeout: false },
  EHOSTUNREACH: { sent: false, timeout: false },
  ENETUNREACH: { sent: false, timeout: false },
  UND_ERR_CONNECT_TIMEOUT: { sent: false, timeout: true },
  ECONNRESET: { sent: true, timeout: false },
  EPIPE: { sent: true, timeout: false },
  ECONNABORTED: { sent: true, timeout: false },
  UND_ERR_SOCKET: { sent: true, timeout: false },
  UND_ERR_CLOSED: { sent: true, timeout: false },
  ETIMEDOUT: { sent: true, timeout: true },
  ESOCKETTIMEDOUT: { sent: true, timeout: true },
  UND_ERR_HEADERS_TIMEOUT: { sent: true, timeout: true },
  UND_ERR_BODY_TIMEOUT: { sent: true, timeout: true },
  ABORT_ERR: { sent: true, timeout: true },
};

function fromHttpStatus(status: number): { code: ErrorCode; kind: Kind } {
  if (status === 401) return { code: 'SALESFORCE_SESSION_EXPIRED', kind: 'session' };
  if (status === 403) return { code: 'SALESFORCE_PERMISSION', kind: 'permanent' };
  if (status === 404) return { code: 'SALESFORCE_RECORD_DELETED', kind: 'permanent' };
  if (status === 408) return { code: 'SALESFORCE_TIMEOUT', kind: 'timeout' };
  if (status === 409) return { code: 'SALESFORCE_DUPLICATE', kind: 'permanent' };
  // 420: Salesforce's edge has no route right now (an org being moved); 429: too many requests.
  if (status === 420 || status >= 500) return { code: 'SALESFORCE_UNAVAILABLE', kind: 'unavailable' };
  if (status === 429) return { code: 'SALESFORCE_LIMIT', kind: 'limit' };
  return { code: 'SALESFORCE_ERROR', kind: 'permanent' };
}

/** jsforce names an error whose body was not Salesforce JSON `ERROR_HTTP_<status>`. */
const JSFORCE_HTTP = /^ERROR_HTTP_(\d{3})$/;

/** 502 and 504 come from a gateway: the write behind it may have run. */
const GATEWAY_STATUSES = new Set([502, 504]);

export function classifyError(failure: SalesforceFailure, call: CallKind = 'write'): ErrorClassification {
  let verdict: { code: ErrorCode; kind: Kind };
  let sfCode: string;
  let mayHaveRun = false;
  switch (failure.kind) {
    case 'salesforce': {
      sfCode = failure.errorCode;
      const http = JSFORCE_HTTP.exec(failure.errorCode);
      const status = http?.[1] !== undefined ? Number(http[1]) : failure.httpStatus;
      verdict =
        lookupSalesforceCode(failure.errorCode.toUpperCase()) ??
        (status !== undefined ? fromHttpStatus(status) : { code: 'SALESFORCE_ERROR', kind: 'permanent' });
      mayHaveRun = http !== null && status !== undefined && GATEWAY_STATUSES.has(status);
      break;
    }
    case 'http':
      sfCode = `HTTP_${failure.status}`;
      verdict = fromHttpStatus(failure.status);
      mayHaveRun = GATEWAY_STATUSES.has(failure.status);
      break;
    case 'network': {
      sfCode = failure.code;
      const known = NETWORK_CODES[failure.code.toUpperCase()];
      // An unknown transport error may have happened after the request left.
      const sent = known?.sent ?? true;
      const timeout = known?.timeout ?? false;
      verdict = timeout
        ? { code: 'SALESFORCE_TIMEOUT', kind: 'timeout' }
        : { code: 'SALESFORCE_UNAVAILABLE', kind: 'unavailable' };
      mayHaveRun = sent;
      break;
    }
    case 'timeout':
      sfCode = 'TIMEOUT';
      verdict = { code: 'SALESFORCE_TIMEOUT', kind: 'timeout' };
      mayHaveRun = true;
      break;
  }

  const sfMessage = failure.message ?? '';
  const retryable = verdict.kind !== 'permanent';
  const needsReconcile = retryable && call === 'write' && mayHaveRun;
  const code: ErrorCode = needsReconcile ? 'SALESFORCE_UNKNOWN_OUTCOME' : verdict.code;
  const backoff: Backoff | null = verdict.kind === 'permanent' ? null : BACKOFFS[verdict.kind];
  return {
    rule: 'O4',
    code,
    retryable,
    sfCode,
    sfMessage,
    needsReconcile,
    maxAttempts: backoff?.maxAttempts ?? 1,
    reason: reasonFor(verdict.kind, sfCode, sfMessage, needsReconcile),
    backoffMs: (attempt, random) => (backoff === null ? 0 : backoffDelay(backoff, attempt, random)),
  };
}

function reasonFor(kind: Kind, sfCode: string, sfMessage: string, needsReconcile: boolean): string {
  const said = `Salesforce returned ${sfCode}${sfMessage ? ` (${sfMessage})` : ''}`;
  const check = needsReconcile ? '; crmsync checks whether the write was saved before sending it again' : '';
  switch (kind) {
    case 'lock':
      return `O4: ${said}: another process held the record; it will be retried with backoff${check}.`;
    case 'limit':
      return `O4: ${said}: an org limit was reached; it will be retried later with backoff${check}.`;
    case 'unavailable':
      return `O4: ${said}: Salesforce was unavailable; it will be retried with backoff${check}.`;
    case 'timeout':
      return `O4: ${said}: the call timed out; it will be retried with backoff${check}.`;
    case 'session':
      return `O4: ${said}: the session expired; crmsync signs in again and retries${check}.`;
    case 'permanent':
      return `O4: ${said}: sending it again would fail the same way, so this record failed alone; fix the cause and retry it by hand.`;
  }
}

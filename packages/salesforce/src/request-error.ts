import { CrmsyncError, classifyError, type ErrorClassification, type SalesforceFailure } from '@crmsync/core';
import { redactUrl } from './credentials.js';

/*
 * A Salesforce call that failed as a whole (not one record of a batch): the O4 classification
 * says whether to retry and whether a write may have landed. Built from jsforce's error shapes by
 * duck typing, so this file needs no jsforce import and its mapping is unit-tested on plain data.
 */

export class SalesforceRequestError extends CrmsyncError {
  readonly classification: ErrorClassification;
  constructor(
    readonly failure: SalesforceFailure,
    readonly callKind: 'read' | 'write',
    where: { method?: string; path?: string } = {},
  ) {
    const classification = classifyError(failure, callKind);
    super(classification.code, {
      sfCode: classification.sfCode,
      sfMessage: classification.sfMessage,
      ...(failure.kind === 'salesforce' && failure.httpStatus !== undefined
        ? { httpStatus: failure.httpStatus }
        : {}),
      ...(failure.kind === 'http' ? { httpStatus: failure.status } : {}),
      ...where,
    });
    this.classification = classification;
  }
}

const rec = (v: unknown): Record<string, unknown> | null =>
  typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : null;
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Messages can quote URLs (FetchError does); a URL never carries a token here but is blanked anyway. */
function clean(message: string | undefined): string | undefined {
  return message === undefined ? undefined : redactUrl(message).slice(0, 2000);
}

const OAUTH_CODE = /^[a-z][a-z_]+$/;
const AUTH_FAILURE = /invalid_grant|authentication failure|expired access\/refresh token|invalid_client/i;

/**
 * jsforce's error (HttpApiError, an OAuth error, node-fetch's FetchError or AbortError, the
 * refresh delegate's wrapper) as core's SalesforceFailure; undefined when it is none of those.
 */
export function failureFromError(err: unknown, status: number | null): SalesforceFailure | undefined {
  const e = rec(err);
  if (e === null) return undefined;
  const name = str(e.name) ?? '';
  const message = clean(str(e.message));
  const withStatus = status === null ? {} : { httpStatus: status };
  const withMessage = message === undefined ? {} : { message };

  const errorCode = str(e.errorCode);
  if (errorCode !== undefined) {
    // Several errors in one answer: the first decides, all are kept in the message.
    if (errorCode === 'MULTIPLE_API_ERRORS' && Array.isArray(e.data)) {
      const first = rec(e.data[0]);
      const code = str(first?.errorCode) ?? errorCode;
      const all = e.data
        .map((d) => `${str(rec(d)?.errorCode) ?? '?'}: ${str(rec(d)?.message) ?? ''}`)
        .join('; ');
      return { kind: 'salesforce', errorCode: code, message: clean(all) ?? '', ...withStatus };
    }
    const data = rec(e.data);
    const fields = Array.isArray(data?.fields)
      ? data.fields.filter((f): f is string => typeof f === 'string')
      : undefined;
    return {
      kind: 'salesforce',
      errorCode,
      ...withMessage,
      ...withStatus,
      ...(fields === undefined ? {} : { fields }),
    };
  }
  if (name === 'FetchError' || typeof e.code === 'string') {
    return { kind: 'network', code: str(e.code) ?? 'UNKNOWN', ...withMessage };
  }
  if (name === 'AbortError') return { kind: 'timeout', ...withMessage };
  if (message !== undefined && message.startsWith('Unable to refresh session')) {
    return {
      kind: 'salesforce',
      errorCode: AUTH_FAILURE.test(message) ? 'INVALID_GRANT' : 'INVALID_SESSION_ID',
      message,
      ...withStatus,
    };
  }
  if (OAUTH_CODE.test(name))
    return { kind: 'salesforce', errorCode: name.toUpperCase(), ...withMessage, ...withStatus };
  if (status !== null && status >= 400) return { kind: 'http', status, ...withMessage };
  return undefined;
}

export function failureFromStatus(status: number): SalesforceFailure {
  return status >= 400 ? { kind: 'http', status } : { kind: 'network', code: 'UNKNOWN' };
}

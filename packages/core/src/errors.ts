/*
 * The error catalogue: every error a user, the API or the CLI can see has one stable code, an
 * HTTP status, whether waiting and trying again can help (O4), and a message that says what went
 * wrong and what to do. Codes are part of the public API: never rename one, add a new one.
 *
 * Per-record Salesforce failures are returned values (see `policy/classify-error.ts`), never
 * thrown out of a batch; `CrmsyncError` is for failures of a whole request or command.
 */

export const ERROR_CODES = [
  'INVALID_INPUT',
  'PAYLOAD_TOO_LARGE',
  'SETTINGS_INVALID',
  'NOT_FOUND',
  'CONFLICT',
  'UNAUTHORIZED',
  'FORBIDDEN_WORKSPACE',
  'CONFIGURATION_WINDOW',
  'PAUSED',
  'DISCONNECTED',
  'API_BUDGET_EXHAUSTED',
  'SALESFORCE_VALIDATION',
  'SALESFORCE_REQUIRED_FIELD',
  'SALESFORCE_VALUE_TOO_LONG',
  'SALESFORCE_INVALID_FIELD',
  'SALESFORCE_INVALID_REFERENCE',
  'SALESFORCE_RECORD_DELETED',
  'SALESFORCE_CONVERTED_LEAD',
  'SALESFORCE_DUPLICATE',
  'SALESFORCE_PERMISSION',
  'SALESFORCE_LOCK',
  'SALESFORCE_LIMIT',
  'SALESFORCE_UNAVAILABLE',
  'SALESFORCE_TIMEOUT',
  'SALESFORCE_SESSION_EXPIRED',
  'SALESFORCE_AUTH_FAILED',
  'SALESFORCE_UNKNOWN_OUTCOME',
  'SALESFORCE_ERROR',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Facts attached to an error: ids, field names, Salesforce's own code and message. JSON-safe. */
export type ErrorDetails = Readonly<Record<string, unknown>>;

export interface ErrorDefinition {
  /** The HTTP status the API answers with when this error ends a request. */
  status: number;
  /** True when the same request may succeed later without anyone changing anything (O4). */
  retryable: boolean;
  /** The sentence shown to a person; reads details when they are present and stays whole without them. */
  message: (details: ErrorDetails) => string;
}

const text = (v: unknown): string | undefined =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;

/** " for Contact 003...", or '' when the record is not known. */
function forRecord(d: ErrorDetails): string {
  const object = text(d.sfObject) ?? text(d.localType);
  const id = text(d.sfId) ?? text(d.localId);
  if (object === undefined && id === undefined) return '';
  return ` for ${[object, id].filter((x) => x !== undefined).join(' ')}`;
}

/** Salesforce's own words, quoted, when present. */
function salesforceSaid(d: ErrorDetails): string {
  const code = text(d.sfCode);
  const msg = text(d.sfMessage);
  if (code === undefined && msg === undefined) return '';
  return ` Salesforce said: ${[code, msg].filter((x) => x !== undefined).join(': ')}.`;
}

/**
 * Adding a code to ERROR_CODES without an entry here fails to compile (the Record is total), and
 * so does every exhaustive switch that ends in `assertNever`.
 */
export const ERROR_CATALOGUE: Record<ErrorCode, ErrorDefinition> = {
  INVALID_INPUT: {
    status: 400,
    retryable: false,
    message: (d) =>
      `The request is not valid${text(d.problem) ? `: ${text(d.problem)}` : ''}. Correct it and send it again.`,
  },
  PAYLOAD_TOO_LARGE: {
    status: 413,
    retryable: false,
    message: (d) =>
      `The request body is larger than this endpoint accepts${text(d.limitBytes) ? ` (${text(d.limitBytes)} bytes)` : ''}. Send fewer records per request, or import a large file through the CSV import.`,
  },
  SETTINGS_INVALID: {
    status: 422,
    retryable: false,
    message: () =>
      'The settings were not saved because some values are not valid; each problem below names the setting and how to fix it.',
  },
  NOT_FOUND: {
    status: 404,
    retryable: false,
    message: (d) =>
      `No ${text(d.resource) ?? 'record'}${text(d.id) ? ` with id ${text(d.id)}` : ''} exists in this workspace. Check the id.`,
  },
  CONFLICT: {
    status: 409,
    retryable: false,
    message: (d) =>
      `The ${text(d.resource) ?? 'record'} was changed by someone else since you read it. Reload it and apply your change again.`,
  },
  UNAUTHORIZED: {
    status: 401,
    retryable: false,
    message: () =>
      'You are not signed in, or your API token is missing or expired. Sign in again or send a valid token.',
  },
  FORBIDDEN_WORKSPACE: {
    status: 403,
    retryable: false,
    message: () => 'Your account has no access to this workspace. Ask one of its admins to invite you.',
  },
  CONFIGURATION_WINDOW: {
    status: 409,
    retryable: false,
    message: (d) =>
      `The integration is still in its configuration window${text(d.endsAt) ? ` until ${text(d.endsAt)}` : ''} (L1): automatic sync and manual pulls start then. Choose "start syncing now" to end the window early.`,
  },
  PAUSED: {
    status: 409,
    retryable: false,
    message: () =>
      'Sync is paused (L3): nothing is sent to or read from Salesforce. Resume sync to continue; nothing queued is lost.',
  },
  DISCONNECTED: {
    status: 409,
    retryable: false,
    message: () =>
      'No Salesforce org is connected to this workspace. Connect the org again; existing links are kept for the same org.',
  },
  API_BUDGET_EXHAUSTED: {
    status: 429,
    retryable: true,
    message: (d) =>
      `This workspace has used crmsync's share of the org's daily Salesforce API allocation (O3)${text(d.resumesAt) ? `; it resumes at ${text(d.resumesAt)}` : ''}. Raise the share in the settings or wait.`,
  },
  SALESFORCE_VALIDATION: {
    status: 422,
    retryable: false,
    message: (d) =>
      `A Salesforce validation rule refused the record${forRecord(d)}.${salesforceSaid(d)} Fix the record or the rule, then retry it.`,
  },
  SALESFORCE_REQUIRED_FIELD: {
    status: 422,
    retryable: false,
    message: (d) =>
      `Salesforce needs a value crmsync did not send${forRecord(d)}.${salesforceSaid(d)} Fill the field locally or map a local field to it, then retry.`,
  },
  SALESFORCE_VALUE_TOO_LONG: {
    status: 422,
    retryable: false,
    message: (d) =>
      `A value is longer than its Salesforce field allows${forRecord(d)}.${salesforceSaid(d)} Shorten it or set that mapping to cut long values.`,
  },
  SALESFORCE_INVALID_FIELD: {
    status: 422,
    retryable: false,
    message: (d) =>
      `Salesforce does not know a field crmsync sent${forRecord(d)}.${salesforceSaid(d)} Check the field mappings against the org (a field may have been deleted or hidden).`,
  },
  SALESFORCE_INVALID_REFERENCE: {
    status: 422,
    retryable: false,
    message: (d) =>
      `The record${forRecord(d)} points at a Salesforce record that does not exist or is of the wrong type.${salesforceSaid(d)} Re-link the related record, then retry.`,
  },
  SALESFORCE_RECORD_DELETED: {
    status: 422,
    retryable: false,
    message: (d) =>
      `The Salesforce record${forRecord(d)} has been deleted.${salesforceSaid(d)} Restore it in Salesforce or push the local record by hand to create it again.`,
  },
  SALESFORCE_CONVERTED_LEAD: {
    status: 422,
    retryable: false,
    message: (d) =>
      `The Lead${forRecord(d)} has been converted and can no longer be changed.${salesforceSaid(d)} The next pull re-links the person to its Contact (C12).`,
  },
  SALESFORCE_DUPLICATE: {
    status: 409,
    retryable: false,
    message: (d) =>
      `Salesforce refused the record${forRecord(d)} as a duplicate.${salesforceSaid(d)} Link it to the existing record, or relax the duplicate rule, then retry.`,
  },
  SALESFORCE_PERMISSION: {
    status: 403,
    retryable: false,
    message: (d) =>
      `The integration user may not do this${forRecord(d)}.${salesforceSaid(d)} Give that user access to the object, field or record, then retry.`,
  },
  SALESFORCE_LOCK: {
    status: 503,
    retryable: true,
    message: (d) =>
      `Salesforce was busy with the same record${forRecord(d)} (a row lock); crmsync retries it on its own.${salesforceSaid(d)}`,
  },
  SALESFORCE_LIMIT: {
    status: 503,
    retryable: true,
    message: (d) =>
      `Salesforce refused the request because an org limit was reached; crmsync retries later on its own.${salesforceSaid(d)}`,
  },
  SALESFORCE_UNAVAILABLE: {
    status: 502,
    retryable: true,
    message: (d) =>
      `Salesforce could not be reached or answered with a server error; crmsync retries on its own.${salesforceSaid(d)}`,
  },
  SALESFORCE_TIMEOUT: {
    status: 504,
    retryable: true,
    message: () => 'Salesforce did not answer in time; crmsync retries on its own.',
  },
  SALESFORCE_SESSION_EXPIRED: {
    status: 502,
    retryable: true,
    message: () =>
      'The Salesforce session expired; crmsync signs in again and retries. If this repeats, reconnect the org.',
  },
  SALESFORCE_AUTH_FAILED: {
    status: 502,
    retryable: false,
    message: (d) =>
      `Salesforce refused crmsync's credentials.${salesforceSaid(d)} Reconnect the org from the settings page.`,
  },
  SALESFORCE_UNKNOWN_OUTCOME: {
    status: 502,
    retryable: true,
    message: (d) =>
      `The connection broke before Salesforce answered, so it is not known whether the change${forRecord(d)} was saved; crmsync checks Salesforce before sending it again (X4).`,
  },
  SALESFORCE_ERROR: {
    status: 502,
    retryable: false,
    message: (d) =>
      `Salesforce refused the request${forRecord(d)}.${salesforceSaid(d)} Fix the cause, then retry the record.`,
  },
  INTERNAL: {
    status: 500,
    retryable: false,
    message: () =>
      'Something went wrong inside crmsync. The error has been logged; try again, and report it if it repeats.',
  },
};

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** The one JSON shape of an error, shared by the API and the CLI's `--json` output. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: ErrorDetails };
}

/** A failure of a whole request or command, carrying a catalogue code and the facts behind it. */
export class CrmsyncError extends Error {
  override readonly name = 'CrmsyncError';
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  /** `message` overrides the catalogue's sentence when the caller knows better words for this case. */
  constructor(
    code: ErrorCode,
    details: ErrorDetails = {},
    options: { message?: string; cause?: unknown } = {},
  ) {
    super(
      options.message ?? ERROR_CATALOGUE[code].message(details),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return ERROR_CATALOGUE[this.code].status;
  }

  get retryable(): boolean {
    return ERROR_CATALOGUE[this.code].retryable;
  }

  toErrorBody(): ErrorBody {
    const body: ErrorBody = { error: { code: this.code, message: this.message } };
    if (Object.keys(this.details).length > 0) body.error.details = this.details;
    return body;
  }
}

/**
 * The body for anything thrown: a CrmsyncError as it is; anything else as INTERNAL with the
 * catalogue's sentence only, so a stack trace or a driver's message never reaches a user.
 */
export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof CrmsyncError) return error.toErrorBody();
  return { error: { code: 'INTERNAL', message: ERROR_CATALOGUE.INTERNAL.message({}) } };
}

/** Ends an exhaustive switch: a new member of the union makes the call site fail to compile. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unreachable: unexpected ${what} ${JSON.stringify(value)}`);
}

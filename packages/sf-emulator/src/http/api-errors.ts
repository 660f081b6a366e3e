// The REST-level errors the HTTP layer and routes raise, with Salesforce's status, code and
// wording (reference §2). Route handlers throw these; the server turns them into JSON arrays.
import { SalesforceError, type RecordError } from '../contracts.js';

export const apiErrors = {
  notFound: () => new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist'),
  externalIdFieldNotFound: (name: string) =>
    new SalesforceError(
      404,
      'NOT_FOUND',
      `Provided external ID field does not exist or is not accessible: ${name}`,
    ),
  methodNotAllowed: (method: string, allowed: string[]) =>
    new SalesforceError(
      405,
      'METHOD_NOT_ALLOWED',
      `HTTP Method '${method}' not allowed. Allowed are ${allowed.join(',')}`,
    ),
  invalidSession: () => new SalesforceError(401, 'INVALID_SESSION_ID', 'Session expired or invalid'),
  limitExceeded: () => new SalesforceError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'),
  jsonParse: (message: string) => new SalesforceError(400, 'JSON_PARSER_ERROR', message),
  bodyRequired: () =>
    new SalesforceError(
      400,
      'JSON_PARSER_ERROR',
      'The HTTP entity body is required, but this request has no entity body.',
    ),
  tooLarge: (cap: number) =>
    new SalesforceError(
      413,
      'REQUEST_ENTITY_TOO_LARGE',
      `The request body exceeds the maximum size of ${cap} bytes.`,
    ),
  exceededIdLimit: (what = 'record limit reached. cannot submit more than 200 records into this call') =>
    new SalesforceError(400, 'EXCEEDED_ID_LIMIT', what),
  invalidType: (name: string) =>
    new SalesforceError(
      400,
      'INVALID_TYPE',
      `sObject type '${name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
    ),
  invalidField: (name: string, objectName: string) =>
    new SalesforceError(
      400,
      'INVALID_FIELD',
      `No such column '${name}' on entity '${objectName}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
      [name],
    ),
  malformedId: (label: string, id: string) =>
    new SalesforceError(400, 'MALFORMED_ID', `${label} ID: id value of incorrect type: ${id}`, ['Id']),
  missingArgument: (message: string) => new SalesforceError(400, 'MISSING_ARGUMENT', message),
  unavailable: () =>
    new SalesforceError(503, 'SERVER_UNAVAILABLE', 'Server temporarily unavailable, please retry later'),
  unknown: (ref: string) =>
    new SalesforceError(
      500,
      'UNKNOWN_EXCEPTION',
      `An unexpected error occurred. Please include this ErrorId if you contact support: ${ref}`,
    ),
};

/** The REST answer for a single-record write that failed: the record error as a top-level error. */
export function fromRecordError(error: RecordError): SalesforceError {
  const status = error.statusCode === 'NOT_FOUND' || error.statusCode === 'ENTITY_IS_DELETED' ? 404 : 400;
  if (error.duplicateResult !== undefined)
    return new DuplicatesDetectedError(status, error.statusCode, error.message, error.duplicateResult);
  return new SalesforceError(status, error.statusCode, error.message, error.fields);
}

/** A duplicate-rule failure: REST answers it with the duplicateResult details (reference §2.5). */
class DuplicatesDetectedError extends SalesforceError {
  constructor(
    status: number,
    errorCode: string,
    message: string,
    private readonly duplicateResult: unknown,
  ) {
    super(status, errorCode, message);
  }
  override toBody(): unknown[] {
    return [{ errorCode: this.errorCode, message: this.message, duplicateResult: this.duplicateResult }];
  }
}

/** Parses a JSON request body, answering JSON_PARSER_ERROR in Salesforce's words when it is not JSON. */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) throw apiErrors.bodyRequired();
  const text = body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : 'malformed JSON';
    const position = /position (\d+)/.exec(detail);
    const at = position === null ? 0 : Number(position[1]);
    const before = text.slice(0, at);
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    const ch = text[at];
    const what = ch === undefined ? 'end-of-input' : `character ('${ch}' (code ${ch.charCodeAt(0)}))`;
    throw apiErrors.jsonParse(
      `Unexpected ${what}: ${detail.replace(/ in JSON at position \d+.*$/, '')} at [line:${line}, column:${column}]`,
    );
  }
}

/** A JSON object body (records, envelopes); arrays and scalars are deserialization errors. */
export function parseJsonObject(body: Buffer, what = 'SObject'): Record<string, unknown> {
  const value = parseJsonBody(body);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw apiErrors.jsonParse(
      `Cannot deserialize instance of ${what} from ${Array.isArray(value) ? 'START_ARRAY' : 'VALUE_STRING'} value ${JSON.stringify(value)?.slice(0, 80)} or request may be missing a required field at [line:1, column:1]`,
    );
  }
  return value as Record<string, unknown>;
}

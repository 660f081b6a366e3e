export {
  connectSalesforce,
  DEFAULT_API_VERSION,
  EXTERNAL_ID_FIELD,
  type SalesforceAdapter,
  type SalesforceAdapterOptions,
} from './salesforce-adapter.js';
export {
  SalesforceCredentials,
  redactCredentials,
  redactUrl,
  type SalesforceCredentialsInput,
} from './credentials.js';
export {
  soqlString,
  soqlLike,
  soqlDateTime,
  soqlId,
  soqlName,
  buildInQueries,
  SoqlLiteralError,
  MAX_URI_LENGTH,
  type InQuery,
} from './soql.js';
export { buildCsv, parseCsv, parseBulkError, BULK_NULL } from './csv.js';
export { SalesforceRequestError, failureFromError } from './request-error.js';
export { HOW_TO_CREATE_EXTERNAL_ID } from './describe-cache.js';
export { COLLECTION_LIMIT } from './collections.js';
export { peopleQueries, lookupEmails } from './find-people.js';
export { MAX_COMPOSITE_QUERIES, MAX_COMPOSITE_SUBREQUESTS } from './read-many.js';

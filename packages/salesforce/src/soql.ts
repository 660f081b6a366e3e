// The escaping functions live in core (pure) so the engine's own queries use the same single path.
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
} from '@crmsync/core';

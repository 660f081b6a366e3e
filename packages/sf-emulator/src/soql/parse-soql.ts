// The edge between SOQL text and the engine: the parser library does the grammar; this file turns
// its failures into Salesforce's MALFORMED_QUERY (with the caret under the offending token) and
// refuses, by name, the constructs the emulator does not implement.
import { parseQuery, type Query, type WhereClause } from '@jetstreamapp/soql-parser-js';
import { soqlErrors } from './soql-errors.js';
import { messageAt } from './soql-text.js';

const SUPPORTED_AGGREGATES = new Set(['COUNT', 'COUNT_DISTINCT']);

/** Parses SOQL; throws SalesforceError MALFORMED_QUERY for bad syntax or an unsupported construct. */
export function parseSoql(soql: string): Query {
  let query: Query;
  try {
    query = parseQuery(soql);
  } catch (error) {
    throw soqlErrors.malformed(describeParseFailure(soql, error));
  }
  rejectUnsupported(query);
  return query;
}

type Attempt = { ok: true } | { ok: false; found: string | undefined; lexOffset: number | undefined };

function attempt(text: string): Attempt {
  try {
    parseQuery(text);
    return { ok: true };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const lex = /at offset: (\d+)/.exec(message);
    if (lex !== null) return { ok: false, found: undefined, lexOffset: Number(lex[1]) };
    const found = /but found:? (?:--> )?'([\s\S]*?)'(?: <--)?\s*$/.exec(message);
    return { ok: false, found: found?.[1], lexOffset: undefined };
  }
}

/** A prefix the grammar could still complete: it parses, or fails only because the text ended. */
function viable(prefix: string): boolean {
  const result = attempt(prefix);
  return result.ok || result.found === '';
}

function describeParseFailure(soql: string, error: unknown): string {
  const result = attempt(soql);
  if (result.ok) return error instanceof Error ? error.message : String(error);
  if (result.lexOffset !== undefined) {
    const ch = soql[result.lexOffset] ?? '<EOF>';
    return messageAt(soql, result.lexOffset, `unexpected token: '${ch}'`);
  }
  const found = result.found;
  if (found === undefined)
    return `unexpected token in query: ${error instanceof Error ? error.message : String(error)}`;
  if (found === '') return messageAt(soql, soql.trimEnd().length, "unexpected token: '<EOF>'");
  // The library does not report where it failed; the offending token is the first occurrence of
  // the text it found where the query before it is still viable and the query through it is not.
  const lower = soql.toLowerCase();
  const needle = found.toLowerCase();
  for (
    let at = lower.indexOf(needle), tries = 0;
    at !== -1 && tries < 50;
    at = lower.indexOf(needle, at + 1), tries++
  ) {
    if (viable(soql.slice(0, at)) && !viable(soql.slice(0, at + found.length))) {
      // Salesforce's column for an unexpected token is its 0-based offset, so the caret sits one
      // character before the token ("SELECT Id, FROM Account" -> Column:11).
      return messageAt(soql, Math.max(0, at - 1), `unexpected token: '${found}'`);
    }
  }
  return `unexpected token: '${found}'`;
}

function rejectUnsupported(query: Query): void {
  for (const field of query.fields ?? []) {
    if (field.type === 'FieldSubquery')
      throw soqlErrors.unsupported(`A subquery in SELECT (SELECT … FROM ${field.subquery.relationshipName})`);
    if (field.type === 'FieldTypeof') throw soqlErrors.unsupported(`TYPEOF ${field.field}`);
    if (field.type === 'FieldFunctionExpression') {
      const name = field.functionName.toUpperCase();
      if (!field.isAggregateFn || !SUPPORTED_AGGREGATES.has(name))
        throw soqlErrors.unsupported(`The function ${field.functionName}() in SELECT`);
    }
  }
  if (query.groupBy !== undefined) throw soqlErrors.unsupported('GROUP BY');
  if (query.having !== undefined) throw soqlErrors.unsupported('HAVING');
  if (query.for !== undefined) throw soqlErrors.unsupported(`FOR ${query.for}`);
  if (query.update !== undefined) throw soqlErrors.unsupported(`UPDATE ${query.update}`);
  if (query.withDataCategory !== undefined) throw soqlErrors.unsupported('WITH DATA CATEGORY');
  if (query.withSecurityEnforced === true) throw soqlErrors.unsupported('WITH SECURITY_ENFORCED');
  if (query.withAccessLevel !== undefined) throw soqlErrors.unsupported(`WITH ${query.withAccessLevel}`);
  if (query.usingScope !== undefined) throw soqlErrors.unsupported('USING SCOPE');
  const orderBy =
    query.orderBy === undefined ? [] : Array.isArray(query.orderBy) ? query.orderBy : [query.orderBy];
  for (const clause of orderBy) {
    if ('fn' in clause)
      throw soqlErrors.unsupported(
        `ORDER BY ${clause.fn.rawValue ?? clause.fn.functionName ?? 'a function'}`,
      );
  }
  rejectUnsupportedWhere(query.where);
}

function rejectUnsupportedWhere(where: WhereClause | undefined): void {
  for (
    let node: WhereClause | undefined = where;
    node !== undefined;
    node = 'right' in node ? node.right : undefined
  ) {
    const left = node.left;
    if (left === null || !('operator' in left)) continue;
    if ('valueQuery' in left)
      throw soqlErrors.unsupported(`A semi-join (${left.field} ${left.operator} (SELECT …))`);
    if ('fn' in left)
      throw soqlErrors.unsupported(`The function ${left.fn.rawValue ?? left.fn.functionName ?? ''} in WHERE`);
    const types = Array.isArray(left.literalType) ? left.literalType : [left.literalType];
    for (const type of types) {
      if (type === 'APEX_BIND_VARIABLE') throw soqlErrors.unsupported('An Apex bind variable');
      if (type === 'INTEGER_WITH_CURRENCY_PREFIX' || type === 'DECIMAL_WITH_CURRENCY_PREFIX')
        throw soqlErrors.unsupported('A currency-prefixed number');
    }
  }
}

/*
 * SOQL text: the ONE escaping path for literals in crmsync (the adapter and the engine both use it). Every value that enters a query goes through `soqlString` (or
 * `soqlLike`, `soqlDateTime`, `soqlId`): there is no other path for a literal, so a name like
 * O'Brien or a value ending in a backslash can never change a query's meaning.
 */

/** Salesforce's quoted-string escapes (SOQL and SOSL reference, "Quoted String Escape Sequences"). */
const ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/** Control characters Salesforce has no escape for: a literal holding one cannot be written. */
// eslint-disable-next-line no-control-regex
const UNWRITABLE = /[\u0000-\u0007\u000b\u000e-\u001f\u007f]/u;

export class SoqlLiteralError extends Error {
  override readonly name = 'SoqlLiteralError';
  constructor(readonly value: string) {
    super(
      `A value holds a control character (code ${value.match(UNWRITABLE)?.[0]?.charCodeAt(0) ?? '?'}) that cannot be written into a SOQL query; remove it from the record.`,
    );
  }
}

function escapeBody(value: string, likeWildcards: boolean): string {
  if (UNWRITABLE.test(value)) throw new SoqlLiteralError(value);
  let out = '';
  for (const ch of value) {
    const escaped = ESCAPES[ch];
    if (escaped !== undefined) out += escaped;
    else if (likeWildcards && (ch === '%' || ch === '_')) out += `\\${ch}`;
    else out += ch;
  }
  return out;
}

/** A quoted SOQL string literal for `value`: `O'Brien` -> `'O\'Brien'`. Throws SoqlLiteralError for unwritable control characters. */
export function soqlString(value: string): string {
  return `'${escapeBody(value, false)}'`;
}

/**
 * A quoted LIKE pattern that matches `value` literally, with `%`/`_` escaped; `prefix`/`suffix`
 * add real wildcards (`soqlLike('50%', { suffix: '%' })` matches values starting with "50%").
 */
export function soqlLike(value: string, wildcards: { prefix?: '%' | '_'; suffix?: '%' | '_' } = {}): string {
  return `'${wildcards.prefix ?? ''}${escapeBody(value, true)}${wildcards.suffix ?? ''}'`;
}

/**
 * A SOQL datetime literal (unquoted, UTC): `2026-11-28T10:00:00Z`. Salesforce stamps whole
 * seconds; milliseconds are written only when the instant has them, so nothing is lost either way.
 */
export function soqlDateTime(at: Date): string {
  if (Number.isNaN(at.getTime())) throw new RangeError('soqlDateTime: invalid date');
  return at.toISOString().replace(/\.000Z$/, 'Z');
}

/** A quoted record id, refused unless it looks like a 15- or 18-character Salesforce id. */
export function soqlId(id: string): string {
  if (!/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/.test(id))
    throw new RangeError(`Not a Salesforce id: ${JSON.stringify(id)}`);
  return `'${id}'`;
}

/** Field and object API names are identifiers, never literals: refuse anything else. */
export function soqlName(name: string): string {
  if (!/^[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)*$/.test(name))
    throw new RangeError(`Not a Salesforce API name: ${JSON.stringify(name)}`);
  return name;
}

/**
 * Salesforce refuses request URIs over 16,384 characters (414). Query text travels
 * percent-encoded in the URL (`/query?q=` or a composite subrequest's `url`), so IN-lists are cut
 * by their encoded length with room left for the host, the version path and the other clauses.
 */
export const MAX_URI_LENGTH = 16_384;
const DEFAULT_BUDGET = 16_000;

export interface InQuery {
  /** Fields in the SELECT list. */
  select: readonly string[];
  from: string;
  /** The field compared with IN. */
  field: string;
  /** Raw values: they are escaped here. Duplicates are kept as given (dedupe before if needed). */
  values: readonly string[];
  /** Extra conditions joined with AND; already-built SOQL made from this module's literal functions. */
  where?: readonly string[];
  orderBy?: string;
  /** The URL text before the SOQL, e.g. `/services/data/v62.0/query?q=` (counted in the budget). */
  urlPrefix?: string;
  /** Maximum encoded URL length per query (default 16,000, under Salesforce's 16,384). */
  maxUrlLength?: number;
}

/** Percent-encoded length, as `encodeURIComponent` would produce it. */
function encodedLength(text: string): number {
  return encodeURIComponent(text).length;
}

/**
 * `SELECT ... FROM ... WHERE <where> AND Field IN (...)` split into as few queries as fit the URL
 * budget. No values -> no queries. A single value too long for any query throws RangeError.
 */
export function buildInQueries(query: InQuery): string[] {
  if (query.values.length === 0) return [];
  const select = query.select.map(soqlName).join(', ');
  const conditions = [...(query.where ?? [])];
  const head = `SELECT ${select} FROM ${soqlName(query.from)} WHERE ${conditions.map((c) => `(${c}) AND `).join('')}${soqlName(query.field)} IN (`;
  const tail = `)${query.orderBy === undefined ? '' : ` ORDER BY ${query.orderBy}`}`;
  const budget = (query.maxUrlLength ?? DEFAULT_BUDGET) - (query.urlPrefix?.length ?? 0);
  const fixed = encodedLength(head) + encodedLength(tail);
  const comma = encodedLength(',');

  const out: string[] = [];
  let chunk: string[] = [];
  let length = fixed;
  for (const value of query.values) {
    const literal = soqlString(value);
    const add = encodedLength(literal) + (chunk.length === 0 ? 0 : comma);
    if (fixed + encodedLength(literal) > budget)
      throw new RangeError(
        `A value is too long to fit in a query URL (${encodedLength(literal)} encoded characters).`,
      );
    if (length + add > budget) {
      out.push(head + chunk.join(',') + tail);
      chunk = [];
      length = fixed;
    }
    length += chunk.length === 0 ? encodedLength(literal) : encodedLength(literal) + comma;
    chunk.push(literal);
  }
  if (chunk.length > 0) out.push(head + chunk.join(',') + tail);
  return out;
}

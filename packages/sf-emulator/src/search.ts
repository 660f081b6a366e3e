// `GET /search?q=<SOSL>`: the simple SOSL a sync client sends,
//   FIND {term} [IN ALL FIELDS|IN NAME FIELDS|IN EMAIL FIELDS|IN PHONE FIELDS]
//   RETURNING Object[(Field, ... [LIMIT n])] [, Object(...)] [LIMIT n]
// answering `{ "searchRecords": [...] }`. Matching is by whole words, case-insensitive; a
// trailing `*` matches word prefixes and `?` one character. Anything else is MALFORMED_SEARCH
// naming the part that is not supported.
import {
  SalesforceError,
  type EmuRequest,
  type EmuResponse,
  type FieldMeta,
  type ObjectMeta,
  type RouteRegistry,
  type SObjectRecord,
} from './contracts.js';
import { apiErrors } from './http/api-errors.js';
import { recordUrl } from './rest/record-json.js';

export const DEFAULT_SEARCH_LIMIT = 2000;

type Scope = 'ALL' | 'NAME' | 'EMAIL' | 'PHONE';

interface Returning {
  object: string;
  fields: string[] | null;
  limit: number | null;
}

export interface SoslQuery {
  term: string;
  scope: Scope;
  returning: Returning[];
  limit: number | null;
}

const malformed = (message: string) => new SalesforceError(400, 'MALFORMED_SEARCH', message);

const SUPPORTED =
  'The emulator supports FIND {term} [IN ALL|NAME|EMAIL|PHONE FIELDS] RETURNING Object(Field, ...) [LIMIT n].';

function unsupported(part: string): SalesforceError {
  return malformed(`unsupported SOSL: '${part.trim().slice(0, 80)}'. ${SUPPORTED}`);
}

/** Reads the braced search term, honouring backslash escapes. */
function readTerm(text: string): { term: string; rest: string } {
  const m = /^\s*FIND\s*\{/i.exec(text);
  if (m === null) throw unsupported(text.split(/\s+/).slice(0, 2).join(' ') || text);
  let i = m[0].length;
  let term = '';
  while (i < text.length && text[i] !== '}') {
    if (text[i] === '\\' && i + 1 < text.length) {
      term += text[i + 1];
      i += 2;
    } else term += text[i++];
  }
  if (text[i] !== '}')
    throw malformed(`unterminated search term: the term after FIND must be closed with '}'`);
  return { term: term.trim(), rest: text.slice(i + 1) };
}

export function parseSosl(text: string): SoslQuery {
  const { term, rest: afterTerm } = readTerm(text);
  if (term.replace(/[*?]/g, '').length < 2) throw malformed('search term must be longer than one character');
  let rest = afterTerm.trim();
  let scope: Scope = 'ALL';
  const inMatch = /^IN\s+(ALL|NAME|EMAIL|PHONE)\s+FIELDS\b/i.exec(rest);
  if (inMatch !== null) {
    scope = inMatch[1]!.toUpperCase() as Scope;
    rest = rest.slice(inMatch[0].length).trim();
  } else if (/^IN\b/i.test(rest)) throw unsupported(rest.split(/\s+/).slice(0, 3).join(' '));
  const returningMatch = /^RETURNING\s+/i.exec(rest);
  if (returningMatch === null)
    throw rest === '' ? malformed(`RETURNING is required. ${SUPPORTED}`) : unsupported(rest);
  rest = rest.slice(returningMatch[0].length);
  const returning: Returning[] = [];
  for (;;) {
    const objectMatch = /^\s*([A-Za-z][A-Za-z0-9_]*)\s*/.exec(rest);
    if (objectMatch === null) throw unsupported(rest || 'RETURNING');
    rest = rest.slice(objectMatch[0].length);
    let fields: string[] | null = null;
    let limit: number | null = null;
    if (rest.startsWith('(')) {
      const close = rest.indexOf(')');
      if (close < 0) throw malformed(`unterminated field list for ${objectMatch[1]}`);
      let inner = rest.slice(1, close).trim();
      rest = rest.slice(close + 1);
      const innerLimit = /\s+LIMIT\s+(\d+)\s*$/i.exec(inner);
      if (innerLimit !== null) {
        limit = Number(innerLimit[1]);
        inner = inner.slice(0, innerLimit.index).trim();
      }
      fields = inner.split(',').map((f) => f.trim());
      for (const f of fields)
        if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(f)) throw unsupported(f === '' ? `${objectMatch[1]}()` : f);
    }
    returning.push({ object: objectMatch[1]!, fields, limit });
    rest = rest.trim();
    if (rest.startsWith(',')) {
      rest = rest.slice(1);
      continue;
    }
    break;
  }
  let limit: number | null = null;
  const limitMatch = /^LIMIT\s+(\d+)\s*$/i.exec(rest);
  if (limitMatch !== null) {
    limit = Number(limitMatch[1]);
    rest = '';
  }
  if (rest !== '') throw unsupported(rest);
  return { term, scope, returning, limit };
}

const TEXT_TYPES = new Set([
  'string',
  'textarea',
  'email',
  'phone',
  'url',
  'picklist',
  'combobox',
  'multipicklist',
]);
const NAME_FIELDS = new Set(['Name', 'FirstName', 'LastName', 'Company', 'Title', 'Subject']);

function searchedFields(meta: ObjectMeta, scope: Scope): FieldMeta[] {
  switch (scope) {
    case 'ALL':
      return meta.fields.filter((f) => TEXT_TYPES.has(f.type));
    case 'NAME':
      return meta.fields.filter((f) => NAME_FIELDS.has(f.name) && TEXT_TYPES.has(f.type));
    case 'EMAIL':
      return meta.fields.filter((f) => f.type === 'email');
    case 'PHONE':
      return meta.fields.filter((f) => f.type === 'phone');
  }
}

/** A search word -> a whole-word matcher (`*` any run of characters, `?` one). */
function wordMatcher(word: string): RegExp {
  const pattern = word
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${pattern}$`, 'i');
}

/** Words of a value: the whole value, and its pieces split on anything that is not a letter or digit. */
function wordsOf(value: string): string[] {
  const lower = value.toLowerCase();
  return [lower, ...lower.split(/[^\p{L}\p{N}*?]+/u).filter((w) => w !== '')];
}

export function runSearch(
  org: EmuRequest['org'],
  query: SoslQuery,
  version: string,
): Record<string, unknown>[] {
  const termWords = query.term
    .replace(/"/g, ' ')
    .split(/\s+/)
    .filter((w) => w !== '' && !/^(AND|OR)$/i.test(w));
  if (termWords.some((w) => /^(NOT|AND NOT)$/i.test(w))) throw unsupported('NOT');
  // Each search word must match one word of the record's searched text.
  const matchers = termWords.map((w) => (/[*?]/.test(w) ? wordMatcher(w) : null));
  const plain = termWords.map((w) => w.toLowerCase());
  const overall = query.limit ?? DEFAULT_SEARCH_LIMIT;
  const out: Record<string, unknown>[] = [];
  for (const target of query.returning) {
    const meta = org.describe(target.object);
    if (meta === undefined) throw apiErrors.invalidType(target.object);
    const fields = (target.fields ?? ['Id']).map((name) => {
      const f = meta.fields.find((x) => x.name.toLowerCase() === name.toLowerCase());
      if (f === undefined) throw apiErrors.invalidField(name, meta.name);
      return f.name;
    });
    const searched = searchedFields(meta, query.scope);
    let taken = 0;
    for (const record of org.scan(meta.name, false)) {
      if (out.length >= overall || (target.limit !== null && taken >= target.limit)) break;
      if (!matches(record, searched, plain, matchers)) continue;
      out.push(shape(meta, record, fields, version));
      taken++;
    }
  }
  return out;
}

function matches(
  record: SObjectRecord,
  searched: FieldMeta[],
  plain: string[],
  matchers: Array<RegExp | null>,
): boolean {
  const words = new Set<string>();
  for (const f of searched) {
    const value = record[f.name];
    if (typeof value === 'string' && value !== '') for (const w of wordsOf(value)) words.add(w);
  }
  if (words.size === 0) return false;
  return plain.every((word, i) => {
    const matcher = matchers[i];
    if (matcher === null || matcher === undefined) return words.has(word);
    for (const w of words) if (matcher.test(w)) return true;
    return false;
  });
}

function shape(
  meta: ObjectMeta,
  record: SObjectRecord,
  fields: string[],
  version: string,
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    attributes: { type: meta.name, url: recordUrl(version, meta.name, record.Id) },
  };
  for (const f of fields) out[f] = record[f] ?? null;
  return out;
}

function search(req: EmuRequest): EmuResponse {
  const q = req.query.get('q');
  if (q === null || q.trim() === '')
    throw apiErrors.missingArgument(
      'The q parameter is required: a SOSL search such as FIND {term} RETURNING Contact(Id, Name)',
    );
  const parsed = parseSosl(q);
  return { status: 200, body: { searchRecords: runSearch(req.org, parsed, req.apiVersion ?? '62.0') } };
}

export function registerSearchRoutes(routes: RouteRegistry): void {
  routes.add('GET', /^\/search\/?$/, search);
}

// SOQL string literals. The parser library hands literals back raw (quotes and backslashes as
// written), so the escapes are undone here, exactly as Salesforce defines them: \' \" \\ \n \r \t
// \b \f \uXXXX everywhere, and \% \_ only inside LIKE, where they stand for a literal % or _.
import { soqlErrors } from './soql-errors.js';

const SIMPLE_ESCAPES: Record<string, string> = {
  "'": "'",
  '"': '"',
  '\\': '\\',
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\b',
  f: '\f',
};

/** One piece of a LIKE pattern: literal text, `%` (any run of characters) or `_` (one character). */
export type LikePart = { kind: 'text'; text: string } | { kind: 'any' } | { kind: 'one' };

function illegal(raw: string, sequence: string): Error {
  return soqlErrors.malformed(
    `Invalid string literal '${raw}'. Illegal character sequence '${sequence}' in string literal.`,
  );
}

/** Walks the literal's body, calling `emit` for each character (escaped=true when it came from \% or \_). */
function walk(raw: string, allowLikeEscapes: boolean, emit: (ch: string, escaped: boolean) => void): void {
  if (raw.length < 2 || !raw.startsWith("'") || !raw.endsWith("'"))
    throw soqlErrors.malformed(`Invalid string literal ${raw}`);
  const body = raw.slice(1, -1);
  for (let i = 0; i < body.length; i++) {
    const ch = body[i] as string;
    if (ch !== '\\') {
      emit(ch, false);
      continue;
    }
    const next = body[i + 1];
    if (next === undefined) throw illegal(raw, '\\');
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      emit(simple, false);
      i++;
    } else if (next === 'u') {
      const hex = body.slice(i + 2, i + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw illegal(raw, `\\u${hex}`);
      emit(String.fromCharCode(parseInt(hex, 16)), false);
      i += 5;
    } else if ((next === '%' || next === '_') && allowLikeEscapes) {
      emit(next, true);
      i++;
    } else {
      throw illegal(raw, `\\${next}`);
    }
  }
}

/** The value of a quoted literal outside LIKE. */
export function unescapeString(raw: string): string {
  let out = '';
  walk(raw, false, (ch) => {
    out += ch;
  });
  return out;
}

/** A LIKE pattern, split into literal runs and wildcards. */
export function parseLikePattern(raw: string): LikePart[] {
  const parts: LikePart[] = [];
  let text = '';
  walk(raw, true, (ch, escaped) => {
    if (!escaped && (ch === '%' || ch === '_')) {
      if (text !== '') parts.push({ kind: 'text', text });
      text = '';
      parts.push(ch === '%' ? { kind: 'any' } : { kind: 'one' });
    } else {
      text += ch;
    }
  });
  if (text !== '') parts.push({ kind: 'text', text });
  return parts;
}

/** A case-insensitive matcher for a LIKE pattern; `_` matches one Unicode code point. */
export function likeMatcher(parts: readonly LikePart[]): (value: string) => boolean {
  const source = parts
    .map((p) =>
      p.kind === 'any'
        ? '.*'
        : p.kind === 'one'
          ? '.'
          : p.text.toLowerCase().replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'),
    )
    .join('');
  const re = new RegExp(`^${source}$`, 'su');
  return (value) => re.test(value.toLowerCase());
}

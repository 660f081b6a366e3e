// Positions inside the SOQL text, for Salesforce's error messages: they quote the query, put a
// caret under the offending token and name its row and column.

export interface SoqlToken {
  text: string;
  /** Offset in the query text. */
  start: number;
  kind: 'word' | 'string' | 'symbol';
}

/** A light tokenizer used only to find where something is written; the parser library does the real parsing. */
export function tokenize(soql: string): SoqlToken[] {
  const out: SoqlToken[] = [];
  let i = 0;
  while (i < soql.length) {
    const ch = soql[i] as string;
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === "'") {
      const start = i++;
      while (i < soql.length && soql[i] !== "'") i += soql[i] === '\\' ? 2 : 1;
      i++;
      out.push({ text: soql.slice(start, i), start, kind: 'string' });
    } else if (/[\w.:$-]/.test(ch)) {
      const start = i;
      while (i < soql.length && /[\w.:+-]/.test(soql[i] as string)) i++;
      if (i === start) i++;
      out.push({ text: soql.slice(start, i), start, kind: 'word' });
    } else {
      const two = soql.slice(i, i + 2);
      const len = two === '!=' || two === '<>' || two === '<=' || two === '>=' ? 2 : 1;
      out.push({ text: soql.slice(i, i + len), start: i, kind: 'symbol' });
      i += len;
    }
  }
  return out;
}

export function rowAndColumn(soql: string, offset: number): { row: number; column: number; line: string } {
  const before = soql.slice(0, offset);
  const row = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const lineEnd = soql.indexOf('\n', offset);
  return {
    row,
    column: offset - lineStart + 1,
    line: soql.slice(lineStart, lineEnd === -1 ? soql.length : lineEnd),
  };
}

/** Salesforce's message shape: "\n<line>\n<caret>\nERROR at Row:r:Column:c\n<problem>". */
export function messageAt(soql: string, offset: number, problem: string): string {
  const { row, column, line } = rowAndColumn(soql, offset);
  return `\n${line}\n${' '.repeat(column - 1)}^\nERROR at Row:${row}:Column:${column}\n${problem}`;
}

/**
 * Where a name (a field, a path such as Account.Name, or an object) is written, matched
 * case-insensitively on whole tokens; the first occurrence at or after `from` wins.
 */
export function findWord(soql: string, word: string, from = 0): number | undefined {
  const wanted = word.toLowerCase();
  for (const token of tokenize(soql)) {
    if (token.kind !== 'word' || token.start < from) continue;
    const text = token.text.toLowerCase();
    if (text === wanted || text.endsWith(`.${wanted}`)) return token.start + (text.length - wanted.length);
  }
  return undefined;
}

/** The message with the caret prefix when the name can be found (preferably at or after `from`), else the bare problem. */
export function messageAtWord(soql: string, word: string, problem: string, from = 0): string {
  const at = findWord(soql, word, from) ?? findWord(soql, word);
  return at === undefined ? problem : messageAt(soql, at, problem);
}

/** Offset of a clause keyword (`WHERE`, `ORDER`) outside string literals, or 0 when absent. */
export function clauseOffset(soql: string, keyword: string): number {
  const wanted = keyword.toLowerCase();
  return tokenize(soql).find((t) => t.kind === 'word' && t.text.toLowerCase() === wanted)?.start ?? 0;
}

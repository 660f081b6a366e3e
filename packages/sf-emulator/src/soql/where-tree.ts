// The parser library gives WHERE as a right-leaning chain of conditions with parenthesis counts;
// this rebuilds the boolean tree that the text means. SOQL has no precedence between AND and OR:
// mixing them at one level without parentheses is a MALFORMED_QUERY, as in Salesforce. NOT binds
// to the condition or parenthesised group right after it.
import type { Condition, WhereClause } from '@jetstreamapp/soql-parser-js';
import { soqlErrors } from './soql-errors.js';
import { tokenize } from './soql-text.js';

/** A comparison as the parser gives it: `field operator value(s)` with the literal kinds. */
export type RawCondition = Extract<Condition, { field: string; value: string | string[] }>;

export type BoolTree<C> =
  | { kind: 'and'; children: BoolTree<C>[] }
  | { kind: 'or'; children: BoolTree<C>[] }
  | { kind: 'not'; child: BoolTree<C> }
  | { kind: 'condition'; condition: C };

type Token = '(' | ')' | 'AND' | 'OR' | 'NOT' | RawCondition;

function flatten(where: WhereClause): Token[] {
  const tokens: Token[] = [];
  let node: WhereClause | undefined = where;
  while (node !== undefined) {
    const left = node.left;
    const operator = 'operator' in node ? node.operator : undefined;
    if (operator === 'NOT' && (left === null || !('operator' in left))) {
      for (let i = 0; i < (left?.openParen ?? 0); i++) tokens.push('(');
      tokens.push('NOT');
    } else if (left !== null && 'field' in left && 'value' in left) {
      const condition = left as RawCondition;
      for (let i = 0; i < (condition.openParen ?? 0); i++) tokens.push('(');
      tokens.push(condition);
      for (let i = 0; i < (condition.closeParen ?? 0); i++) tokens.push(')');
      if (operator === 'AND' || operator === 'OR') tokens.push(operator);
    } else {
      throw soqlErrors.malformed('unexpected condition in WHERE');
    }
    node = 'right' in node ? node.right : undefined;
  }
  return tokens;
}

/** NOT keywords in the text (outside literals), not counting the NOT of NOT IN. */
function notsWritten(soql: string): number {
  const tokens = tokenize(soql);
  return tokens.filter(
    (t, i) =>
      t.kind === 'word' && t.text.toUpperCase() === 'NOT' && tokens[i + 1]?.text.toUpperCase() !== 'IN',
  ).length;
}

/** Rebuilds the WHERE clause's boolean structure; throws MALFORMED_QUERY for AND/OR mixed without parentheses. */
export function whereTree(where: WhereClause, soql: string): BoolTree<RawCondition> {
  const tokens = flatten(where);
  // The parser library drops a NOT (and its parenthesis) from chains such as NOT NOT NOT x or
  // NOT (NOT (NOT x)); answering such a query would silently invert it, so it is refused.
  const opens = tokens.filter((t) => t === '(').length;
  const closes = tokens.filter((t) => t === ')').length;
  if (opens !== closes || tokens.filter((t) => t === 'NOT').length !== notsWritten(soql)) {
    throw soqlErrors.unsupported('This nesting of NOT operators (three or more NOTs in a row)');
  }
  let i = 0;
  const peek = (): Token | undefined => tokens[i];

  function unary(): BoolTree<RawCondition> {
    const token = tokens[i++];
    if (token === 'NOT') return { kind: 'not', child: unary() };
    if (token === '(') {
      const inner = expression();
      if (tokens[i++] !== ')') throw soqlErrors.malformed("unexpected token: missing ')'");
      return inner;
    }
    if (token === undefined || typeof token === 'string')
      throw soqlErrors.malformed(`unexpected token: '${token ?? '<EOF>'}'`);
    return { kind: 'condition', condition: token };
  }

  function expression(): BoolTree<RawCondition> {
    const first = unary();
    const joiner = peek();
    if (joiner !== 'AND' && joiner !== 'OR') return first;
    const children = [first];
    while (peek() === 'AND' || peek() === 'OR') {
      const op = tokens[i++];
      if (op !== joiner) {
        throw soqlErrors.malformed(
          `unexpected token: '${op as string}'. SOQL needs parentheses to combine AND and OR, for example (A AND B) OR C.`,
        );
      }
      children.push(unary());
    }
    return { kind: joiner === 'AND' ? 'and' : 'or', children };
  }

  const tree = expression();
  if (i !== tokens.length) throw soqlErrors.malformed(`unexpected token: '${String(tokens[i])}'`);
  return tree;
}

// Binds WHERE conditions to the schema: canonical field paths, the field's comparison kind and the
// literals converted to that kind, with Salesforce's errors for a wrong operator or value type.
import type { LiteralType } from '@jetstreamapp/soql-parser-js';
import type { FieldType } from '../contracts.js';
import { normalizeId } from '../ids.js';
import { parseDateTime } from '../org/sf-format.js';
import { dateLiteralRange, type DateRange } from './date-literals.js';
import { resolvePath, type FieldPath, type PathContext } from './field-paths.js';
import { soqlErrors } from './soql-errors.js';
import { parseLikePattern, unescapeString, type LikePart } from './string-literal.js';
import type { BoolTree, RawCondition } from './where-tree.js';

/** How values of a field compare. */
export type ValueKind = 'text' | 'id' | 'multipicklist' | 'boolean' | 'number' | 'date' | 'datetime';

export type Operator =
  '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'IN' | 'NOT IN' | 'INCLUDES' | 'EXCLUDES';

/**
 * A literal converted for its field: null; text (ids canonical 18-char); a number; a boolean;
 * a set of picklist values; a date range in UTC ms (a single date or datetime is a range one
 * millisecond wide, so one rule serves literals and TODAY alike); or a LIKE pattern.
 */
export type Operand =
  | { kind: 'null' }
  | { kind: 'text'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'set'; values: string[] }
  | { kind: 'range'; range: DateRange }
  | { kind: 'like'; parts: LikePart[] };

export interface BoundCondition {
  path: FieldPath;
  valueKind: ValueKind;
  operator: Operator;
  operands: Operand[];
}

export function valueKindOf(type: FieldType): ValueKind | undefined {
  switch (type) {
    case 'id':
    case 'reference':
      return 'id';
    case 'multipicklist':
      return 'multipicklist';
    case 'boolean':
      return 'boolean';
    case 'int':
    case 'double':
    case 'currency':
    case 'percent':
      return 'number';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'time':
      return undefined;
    default:
      return 'text';
  }
}

/** UTC ms of a stored date (`2024-01-31`) or datetime value; NaN when unreadable. */
export function toMs(value: string, kind: 'date' | 'datetime'): number {
  if (kind === 'date') return Date.parse(`${value.slice(0, 10)}T00:00:00Z`);
  return parseDateTime(value)?.getTime() ?? Number.NaN;
}

const TYPE_NAMES: Record<ValueKind, { name: (t: FieldType) => string; quoted: boolean }> = {
  text: { name: () => 'string', quoted: true },
  id: { name: () => 'id', quoted: true },
  multipicklist: { name: () => 'string', quoted: true },
  boolean: { name: () => 'boolean', quoted: false },
  number: { name: (t) => (t === 'int' ? 'integer' : 'double'), quoted: false },
  date: { name: () => 'date', quoted: false },
  datetime: { name: () => 'dateTime', quoted: false },
};

const ACCEPTED: Record<ValueKind, ReadonlySet<LiteralType>> = {
  text: new Set(['STRING']),
  id: new Set(['STRING']),
  multipicklist: new Set(['STRING']),
  boolean: new Set(['BOOLEAN']),
  number: new Set(['INTEGER', 'DECIMAL']),
  date: new Set(['DATE', 'DATE_LITERAL', 'DATE_N_LITERAL']),
  datetime: new Set(['DATETIME', 'DATE_LITERAL', 'DATE_N_LITERAL']),
};

interface BindContext extends PathContext {
  now: Date;
}

function operand(
  ctx: BindContext,
  path: FieldPath,
  kind: ValueKind,
  operator: Operator,
  raw: string,
  literalType: LiteralType,
): Operand {
  if (literalType === 'NULL') return { kind: 'null' };
  if (!ACCEPTED[kind].has(literalType)) {
    const t = TYPE_NAMES[kind];
    throw soqlErrors.valueType(
      ctx.soql,
      path.written,
      path.field.name,
      t.name(path.field.type),
      t.quoted,
      ctx.from,
    );
  }
  switch (literalType) {
    case 'STRING': {
      if (operator === 'LIKE') return { kind: 'like', parts: parseLikePattern(raw) };
      const text = unescapeString(raw);
      if (kind === 'id') {
        const id = normalizeId(text);
        if (id === undefined) throw soqlErrors.invalidId(ctx.soql, path.written, text, ctx.from);
        return { kind: 'text', value: id };
      }
      if (kind === 'multipicklist') return { kind: 'set', values: picklistSet(text) };
      return { kind: 'text', value: text };
    }
    case 'INTEGER':
    case 'DECIMAL':
      return { kind: 'number', value: Number(raw) };
    case 'BOOLEAN':
      return { kind: 'boolean', value: raw.toUpperCase() === 'TRUE' };
    case 'DATE':
    case 'DATETIME': {
      const ms = toMs(raw, literalType === 'DATE' ? 'date' : 'datetime');
      if (Number.isNaN(ms))
        throw soqlErrors.malformed(`invalid ${literalType === 'DATE' ? 'date' : 'dateTime'} literal: ${raw}`);
      return { kind: 'range', range: { startMs: ms, endMs: ms + 1 } };
    }
    case 'DATE_LITERAL':
    case 'DATE_N_LITERAL':
      return { kind: 'range', range: dateLiteralRange(raw, ctx.now) };
    default:
      throw soqlErrors.unsupported(`A ${literalType} literal`);
  }
}

/** A multi-select picklist value as a set: lower-cased, trimmed, order-free. */
export function picklistSet(text: string): string[] {
  return [...new Set(text.split(';').map((v) => v.trim().toLowerCase()))].filter((v) => v !== '').sort();
}

function checkOperator(ctx: BindContext, path: FieldPath, kind: ValueKind, operator: Operator): void {
  const where = path.written;
  if ((operator === 'INCLUDES' || operator === 'EXCLUDES') && kind !== 'multipicklist') {
    throw soqlErrors.invalidOperator(
      ctx.soql,
      where,
      'includes or excludes operator only valid on multipicklist field',
      ctx.from,
    );
  }
  if (operator === 'LIKE' && kind !== 'text') {
    throw soqlErrors.invalidOperator(
      ctx.soql,
      where,
      `invalid operator on ${path.field.type} field '${path.field.name}': LIKE works on text fields only`,
      ctx.from,
    );
  }
  if (
    (operator === '<' || operator === '<=' || operator === '>' || operator === '>=') &&
    (kind === 'boolean' || kind === 'multipicklist')
  ) {
    throw soqlErrors.invalidOperator(
      ctx.soql,
      where,
      `invalid operator on ${path.field.type} field '${path.field.name}'`,
      ctx.from,
    );
  }
}

function bindCondition(ctx: BindContext, raw: RawCondition): BoundCondition {
  const path = resolvePath(ctx, raw.field);
  if (!path.field.filterable) throw soqlErrors.notFilterable(ctx.soql, raw.field, path.field.name, ctx.from);
  const kind = valueKindOf(path.field.type);
  if (kind === undefined)
    throw soqlErrors.unsupported(`Filtering on the ${path.field.type} field ${path.field.name}`);
  const operator = (raw.operator === ('<>' as string) ? '!=' : raw.operator) as Operator;
  checkOperator(ctx, path, kind, operator);
  const values = Array.isArray(raw.value) ? raw.value : [raw.value];
  const types = values.map(
    (_, i) => (Array.isArray(raw.literalType) ? raw.literalType[i] : raw.literalType) ?? 'STRING',
  );
  const operands = values.map((value, i) =>
    operand(ctx, path, kind, operator, value, types[i] as LiteralType),
  );
  if (operator === 'LIKE' && operands.some((o) => o.kind !== 'like')) {
    throw soqlErrors.invalidOperator(ctx.soql, path.written, 'LIKE needs a quoted pattern', ctx.from);
  }
  return { path, valueKind: kind, operator, operands };
}

export function bindTree(ctx: BindContext, tree: BoolTree<RawCondition>): BoolTree<BoundCondition> {
  switch (tree.kind) {
    case 'and':
    case 'or':
      return { kind: tree.kind, children: tree.children.map((c) => bindTree(ctx, c)) };
    case 'not':
      return { kind: 'not', child: bindTree(ctx, tree.child) };
    case 'condition':
      return { kind: 'condition', condition: bindCondition(ctx, tree.condition) };
  }
}

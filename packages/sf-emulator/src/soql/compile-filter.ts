// Compiles a bound WHERE tree into one closure per node, once per query, so evaluating a record is
// a few property reads and comparisons. Salesforce's semantics: text compares case-insensitively;
// a null field fails =, <, >, LIKE and INCLUDES, and so passes != , NOT IN and EXCLUDES.
import type { QueryableOrg, SObjectRecord } from '../contracts.js';
import { picklistSet, toMs, type BoundCondition, type Operand } from './bind-filter.js';
import { pathReader } from './field-paths.js';
import { likeMatcher } from './string-literal.js';
import type { BoolTree } from './where-tree.js';

export type Predicate = (record: SObjectRecord) => boolean;

type Prepared = string | number | boolean;

/** Maps a stored value (and an operand) to the form that compares with ===, < and >. */
function preparer(condition: BoundCondition): (value: unknown) => Prepared | null {
  switch (condition.valueKind) {
    case 'text':
      return (v) => (v === null || v === undefined ? null : String(v).toLowerCase());
    case 'id':
      return (v) => (v === null || v === undefined ? null : String(v));
    case 'number':
      return (v) => (typeof v === 'number' ? v : v === null || v === undefined ? null : Number(v));
    case 'boolean':
      return (v) => v === true || v === 'true';
    case 'multipicklist':
      return (v) => (v === null || v === undefined || v === '' ? null : picklistSet(String(v)).join(';'));
    case 'date':
    case 'datetime': {
      const kind = condition.valueKind;
      return (v) => (typeof v === 'string' ? toMs(v, kind) : null);
    }
  }
}

function operandValue(operand: Operand): Prepared | null {
  switch (operand.kind) {
    case 'null':
      return null;
    case 'text':
      return operand.value.toLowerCase();
    case 'number':
    case 'boolean':
      return operand.value;
    case 'set':
      return operand.values.join(';');
    case 'range':
    case 'like':
      return null;
  }
}

function compileEquality(condition: BoundCondition, read: (r: SObjectRecord) => unknown): Predicate {
  const prep = preparer(condition);
  const { operands } = condition;
  const hasNull = operands.some((o) => o.kind === 'null');
  let matches: (v: Prepared | null) => boolean;
  if (condition.valueKind === 'date' || condition.valueKind === 'datetime') {
    const ranges = operands.flatMap((o) => (o.kind === 'range' ? [o.range] : []));
    matches = (v) =>
      v === null ? hasNull : ranges.some((r) => (v as number) >= r.startMs && (v as number) < r.endMs);
  } else {
    const values = new Set<Prepared>();
    for (const o of operands) {
      const prepared = condition.valueKind === 'id' && o.kind === 'text' ? o.value : operandValue(o);
      if (prepared !== null) values.add(prepared);
    }
    matches = (v) => (v === null ? hasNull : values.has(v));
  }
  const negate = condition.operator === '!=' || condition.operator === 'NOT IN';
  return negate ? (r) => !matches(prep(read(r))) : (r) => matches(prep(read(r)));
}

function compileOrdering(condition: BoundCondition, read: (r: SObjectRecord) => unknown): Predicate {
  const prep = preparer(condition);
  const operand = condition.operands[0];
  if (operand === undefined || operand.kind === 'null') return () => false;
  const op = condition.operator;
  if (operand.kind === 'range') {
    const { startMs, endMs } = operand.range;
    const test =
      op === '<'
        ? (v: number) => v < startMs
        : op === '<='
          ? (v: number) => v < endMs
          : op === '>'
            ? (v: number) => v >= endMs
            : (v: number) => v >= startMs;
    return (r) => {
      const v = prep(read(r));
      return typeof v === 'number' && !Number.isNaN(v) && test(v);
    };
  }
  const bound =
    condition.valueKind === 'id' && operand.kind === 'text' ? operand.value : operandValue(operand);
  if (bound === null) return () => false;
  return (r) => {
    const v = prep(read(r));
    if (v === null) return false;
    switch (op) {
      case '<':
        return v < bound;
      case '<=':
        return v <= bound;
      case '>':
        return v > bound;
      default:
        return v >= bound;
    }
  };
}

function compileIncludes(condition: BoundCondition, read: (r: SObjectRecord) => unknown): Predicate {
  const wanted = condition.operands.flatMap((o) => (o.kind === 'set' ? [o.values] : []));
  const includes = (v: unknown): boolean => {
    if (v === null || v === undefined || v === '') return false;
    const have = new Set(picklistSet(String(v)));
    return wanted.some((set) => set.every((value) => have.has(value)));
  };
  return condition.operator === 'EXCLUDES' ? (r) => !includes(read(r)) : (r) => includes(read(r));
}

function compileLike(condition: BoundCondition, read: (r: SObjectRecord) => unknown): Predicate {
  const operand = condition.operands[0];
  if (operand === undefined || operand.kind !== 'like') return () => false;
  const test = likeMatcher(operand.parts);
  return (r) => {
    const v = read(r);
    return v !== null && v !== undefined && test(String(v));
  };
}

function compileCondition(org: QueryableOrg, condition: BoundCondition, includeDeleted: boolean): Predicate {
  const read = pathReader(org, condition.path, includeDeleted);
  switch (condition.operator) {
    case '=':
    case '!=':
    case 'IN':
    case 'NOT IN':
      return compileEquality(condition, read);
    case '<':
    case '<=':
    case '>':
    case '>=':
      return compileOrdering(condition, read);
    case 'INCLUDES':
    case 'EXCLUDES':
      return compileIncludes(condition, read);
    case 'LIKE':
      return compileLike(condition, read);
  }
}

/** One closure for the whole WHERE clause. */
export function compileFilter(
  org: QueryableOrg,
  tree: BoolTree<BoundCondition>,
  includeDeleted: boolean,
): Predicate {
  switch (tree.kind) {
    case 'condition':
      return compileCondition(org, tree.condition, includeDeleted);
    case 'not': {
      const child = compileFilter(org, tree.child, includeDeleted);
      return (r) => !child(r);
    }
    case 'and': {
      const children = tree.children.map((c) => compileFilter(org, c, includeDeleted));
      return (r) => children.every((p) => p(r));
    }
    case 'or': {
      const children = tree.children.map((c) => compileFilter(org, c, includeDeleted));
      return (r) => children.some((p) => p(r));
    }
  }
}

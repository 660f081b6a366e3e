// The SELECT list: plain fields and parent paths (shaped into nested objects on the wire), the
// bare COUNT() that answers only totalSize, or COUNT(field)/COUNT_DISTINCT(field) aggregates.
import type { FieldType as SelectItem } from '@jetstreamapp/soql-parser-js';
import type { FieldMeta } from '../contracts.js';
import { resolvePath, type FieldPath, type PathContext, type RelationshipHop } from './field-paths.js';
import { soqlErrors } from './soql-errors.js';

/** How one stored row becomes a wire record: fields and parent objects, in SELECT order. */
export type ShapeNode =
  | { kind: 'field'; key: string; field: FieldMeta }
  | { kind: 'parent'; key: string; hop: RelationshipHop; children: ShapeNode[] };

export interface Aggregate {
  /** The key on the wire: the alias, or expr0, expr1, ... */
  key: string;
  distinct: boolean;
  /** null for COUNT() inside an aggregate list, which counts rows. */
  path: FieldPath | null;
}

export type SelectPlan =
  | { kind: 'records'; written: string[]; columns: FieldPath[]; shape: ShapeNode[] }
  | { kind: 'count' }
  | { kind: 'aggregate'; aggregates: Aggregate[] };

function writtenName(item: Extract<SelectItem, { type: 'Field' | 'FieldRelationship' }>): string {
  if (item.type === 'Field')
    return 'rawValue' in item && typeof item.rawValue === 'string' ? item.rawValue : item.field;
  return item.rawValue ?? [...item.relationships, item.field].join('.');
}

function addToShape(nodes: ShapeNode[], path: FieldPath): void {
  let level = nodes;
  for (const hop of path.hops) {
    let parent = level.find(
      (n): n is Extract<ShapeNode, { kind: 'parent' }> => n.kind === 'parent' && n.key === hop.name,
    );
    if (parent === undefined) {
      parent = { kind: 'parent', key: hop.name, hop, children: [] };
      level.push(parent);
    }
    level = parent.children;
  }
  level.push({ kind: 'field', key: path.field.name, field: path.field });
}

export function bindSelect(ctx: PathContext, items: SelectItem[]): SelectPlan {
  const functions = items.filter((i) => i.type === 'FieldFunctionExpression');
  if (functions.length > 0) {
    const countAll = functions.find(
      (f) => f.functionName.toUpperCase() === 'COUNT' && f.parameters.length === 0,
    );
    if (countAll !== undefined && items.length === 1 && countAll.alias === undefined)
      return { kind: 'count' };
    const plain = items.find((i) => i.type !== 'FieldFunctionExpression');
    if (plain !== undefined) {
      throw soqlErrors.notGrouped(
        ctx.soql,
        plain.type === 'Field' || plain.type === 'FieldRelationship' ? writtenName(plain) : 'field',
      );
    }
    let unnamed = 0;
    const aggregates = functions.map((f): Aggregate => {
      const param = f.parameters[0];
      if (typeof param === 'object') throw soqlErrors.unsupported(`Nested functions in ${f.functionName}()`);
      return {
        key: f.alias ?? `expr${unnamed++}`,
        distinct: f.functionName.toUpperCase() === 'COUNT_DISTINCT',
        path: param === undefined ? null : resolvePath(ctx, param),
      };
    });
    return { kind: 'aggregate', aggregates };
  }
  const written: string[] = [];
  const columns: FieldPath[] = [];
  const shape: ShapeNode[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    if (item.type !== 'Field' && item.type !== 'FieldRelationship')
      throw soqlErrors.unsupported(`The SELECT item ${item.type}`);
    const name = writtenName(item);
    const path = resolvePath(ctx, name);
    const canonical = path.canonical.toLowerCase();
    if (seen.has(canonical)) throw soqlErrors.duplicateField(ctx.soql, name);
    seen.add(canonical);
    written.push(name);
    columns.push(path);
    addToShape(shape, path);
  }
  return { kind: 'records', written, columns, shape };
}

// ORDER BY: several keys, ASC/DESC, NULLS FIRST/LAST (Salesforce's default is NULLS FIRST for ASC
// and NULLS LAST for DESC); text sorts case-insensitively, picklists in their defined order.
// Keys are read once per row.
import type { OrderByClause } from '@jetstreamapp/soql-parser-js';
import type { QueryableOrg, SObjectRecord } from '../contracts.js';
import { toMs, valueKindOf } from './bind-filter.js';
import { pathReader, resolvePath, type FieldPath, type PathContext } from './field-paths.js';
import { soqlErrors } from './soql-errors.js';

export interface SortKey {
  path: FieldPath;
  descending: boolean;
  nullsFirst: boolean;
}

export function bindOrderBy(
  ctx: PathContext,
  orderBy: OrderByClause | OrderByClause[] | undefined,
): SortKey[] {
  const clauses = orderBy === undefined ? [] : Array.isArray(orderBy) ? orderBy : [orderBy];
  return clauses.map((clause) => {
    if (!('field' in clause)) throw soqlErrors.unsupported('ORDER BY a function');
    const path = resolvePath(ctx, clause.field);
    if (!path.field.sortable) throw soqlErrors.notSortable(ctx.soql, clause.field, path.field.name, ctx.from);
    const descending = clause.order === 'DESC';
    const nullsFirst = clause.nulls === undefined ? !descending : clause.nulls === 'FIRST';
    return { path, descending, nullsFirst };
  });
}

type Key = string | number | boolean | null;

function keyReader(org: QueryableOrg, key: SortKey, includeDeleted: boolean): (r: SObjectRecord) => Key {
  const read = pathReader(org, key.path, includeDeleted);
  const field = key.path.field;
  if (field.type === 'picklist' && field.picklistValues.length > 0) {
    // Salesforce sorts a picklist in the order its values are defined, not alphabetically.
    const rank = new Map(field.picklistValues.map((p, i) => [p.value.toLowerCase(), i]));
    return (r) => {
      const v = read(r);
      if (v === null || v === undefined) return null;
      return rank.get(String(v).toLowerCase()) ?? rank.size;
    };
  }
  const kind = valueKindOf(field.type);
  switch (kind) {
    case 'date':
    case 'datetime':
      return (r) => {
        const v = read(r);
        return typeof v === 'string' ? toMs(v, kind) : null;
      };
    case 'number':
      return (r) => {
        const v = read(r);
        return typeof v === 'number' ? v : null;
      };
    case 'boolean':
      return (r) => read(r) === true;
    case 'id':
      return (r) => {
        const v = read(r);
        return v === null || v === undefined ? null : String(v);
      };
    default:
      return (r) => {
        const v = read(r);
        return v === null || v === undefined ? null : String(v).toLowerCase();
      };
  }
}

/** Sorts rows in place order-stably by the keys; returns the same array. */
export function sortRows(
  org: QueryableOrg,
  rows: SObjectRecord[],
  keys: SortKey[],
  includeDeleted: boolean,
): SObjectRecord[] {
  if (keys.length === 0) return rows;
  const readers = keys.map((k) => keyReader(org, k, includeDeleted));
  const decorated = rows.map((row, index) => ({ row, index, keys: readers.map((read) => read(row)) }));
  decorated.sort((a, b) => {
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as SortKey;
      const x = a.keys[i] as Key;
      const y = b.keys[i] as Key;
      if (x === y) continue;
      if (x === null) return key.nullsFirst ? -1 : 1;
      if (y === null) return key.nullsFirst ? 1 : -1;
      const cmp = x < y ? -1 : x > y ? 1 : 0;
      if (cmp !== 0) return key.descending ? -cmp : cmp;
    }
    return a.index - b.index;
  });
  for (let i = 0; i < decorated.length; i++) rows[i] = (decorated[i] as { row: SObjectRecord }).row;
  return rows;
}

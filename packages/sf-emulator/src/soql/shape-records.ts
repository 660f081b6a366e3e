// Stored rows -> wire records: `attributes` first, then the selected fields in SELECT order, parent
// relationships as nested records with their own `attributes` (or null), datetimes in
// Salesforce's `2013-05-20T20:49:32.000+0000` form and dates as `2024-01-31`.
import type { FieldMeta, QueryableOrg, SObjectRecord } from '../contracts.js';
import { formatDateTime, parseDateTime } from '../org/sf-format.js';
import { followHop, objectOfRecord } from './field-paths.js';
import type { ShapeNode } from './select-list.js';

export type WireRecord = Record<string, unknown>;

const CANONICAL_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/;

export function wireValue(field: FieldMeta, value: unknown): unknown {
  if (value === undefined || value === null) return null;
  if (field.type === 'datetime' && typeof value === 'string' && !CANONICAL_DATETIME.test(value)) {
    const at = parseDateTime(value);
    return at === undefined ? value : formatDateTime(at);
  }
  if (field.type === 'date' && typeof value === 'string' && value.length > 10) return value.slice(0, 10);
  return value;
}

export interface ShapeContext {
  org: QueryableOrg;
  apiVersion: string;
  includeDeleted: boolean;
}

export function shapeRecord(
  ctx: ShapeContext,
  record: SObjectRecord,
  type: string,
  nodes: readonly ShapeNode[],
): WireRecord {
  const out: WireRecord = {
    attributes: { type, url: `/services/data/v${ctx.apiVersion}/sobjects/${type}/${record.Id}` },
  };
  for (const node of nodes) {
    if (node.kind === 'field') {
      out[node.key] = wireValue(node.field, record[node.field.name]);
    } else {
      const parent = followHop(ctx.org, record, node.hop, ctx.includeDeleted);
      out[node.key] =
        parent === null
          ? null
          : shapeRecord(ctx, parent, objectOfRecord(node.hop, parent).name, node.children);
    }
  }
  return out;
}

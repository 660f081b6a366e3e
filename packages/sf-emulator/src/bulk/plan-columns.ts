// Maps an upload's header to the object's fields once per job, so each record is applied by index.
// A header naming a field the object does not have fails the whole job, as on Salesforce.
import type { FieldMeta, ObjectMeta, QueryableOrg } from '../contracts.js';

export type ColumnPlan =
  | { kind: 'field'; index: number; field: FieldMeta }
  /** `Account.Ext__c`: the value names the parent by one of its external-id (or idLookup) fields. */
  | { kind: 'parent'; index: number; field: FieldMeta; parentObject: string; parentKey: FieldMeta };

export type PlannedColumns = { ok: true; columns: ColumnPlan[] } | { ok: false; errorMessage: string };

export function planColumns(
  org: QueryableOrg,
  object: ObjectMeta,
  header: readonly string[],
): PlannedColumns {
  const fields = fieldIndex(object);
  const columns: ColumnPlan[] = [];
  for (const [index, name] of header.entries()) {
    const dot = name.indexOf('.');
    if (dot < 0) {
      const field = fields.get(name.toLowerCase());
      if (field === undefined) return notFound(name);
      columns.push({ kind: 'field', index, field });
      continue;
    }
    const relationship = name.slice(0, dot).toLowerCase();
    const field = object.fields.find((f) => f.relationshipName?.toLowerCase() === relationship);
    const parentObject = field?.referenceTo[0];
    const parentMeta = parentObject === undefined ? undefined : org.describe(parentObject);
    const parentKey =
      parentMeta === undefined ? undefined : fieldIndex(parentMeta).get(name.slice(dot + 1).toLowerCase());
    if (field === undefined || parentMeta === undefined || parentKey === undefined) return notFound(name);
    if (!parentKey.externalId && !parentKey.idLookup) return notFound(name);
    columns.push({ kind: 'parent', index, field, parentObject: parentMeta.name, parentKey });
  }
  return { ok: true, columns };
}

export function fieldIndex(object: ObjectMeta): Map<string, FieldMeta> {
  return new Map(object.fields.map((field) => [field.name.toLowerCase(), field]));
}

function notFound(name: string): PlannedColumns {
  return { ok: false, errorMessage: `InvalidBatch : Field name not found : ${name}` };
}

// Applies one uploaded record through the org, exactly like a REST save of that record: each
// record is its own transaction and its own result, and a bad record never stops the job.
import type { RecordError, SaveResult, WritableOrg, WriteContext } from '../contracts.js';
import { convertCsvValue, NULL_MARKER } from './convert-value.js';
import type { IngestOperation } from './job-model.js';
import type { ColumnPlan } from './plan-columns.js';

export type RowOutcome =
  { ok: true; id: string; created: boolean } | { ok: false; id: string; error: string };

export interface ApplyContext {
  org: WritableOrg;
  object: string;
  operation: IngestOperation;
  externalIdFieldName: string | null;
  columns: readonly ColumnPlan[];
  /** Index of the Id column, or -1. */
  idColumn: number;
  write: WriteContext;
}

export function applyRow(ctx: ApplyContext, row: readonly string[]): RowOutcome {
  const givenId = ctx.idColumn < 0 ? '' : (row[ctx.idColumn] ?? '');
  if (ctx.operation === 'delete' || ctx.operation === 'hardDelete') {
    if (givenId === '' || givenId === NULL_MARKER) return failed('', missingId(ctx.operation));
    return outcome(ctx.org.delete(givenId, ctx.write), givenId, false);
  }
  const fields = rowFields(ctx, row);
  if (!fields.ok) return failed(ctx.operation === 'insert' ? '' : givenId, fields.error);
  switch (ctx.operation) {
    case 'insert':
      return outcome(ctx.org.create(ctx.object, fields.values, ctx.write), '', true);
    case 'update':
      if (givenId === '' || givenId === NULL_MARKER) return failed('', missingId(ctx.operation));
      return outcome(ctx.org.update(ctx.object, givenId, fields.values, ctx.write), givenId, false);
    case 'upsert': {
      const externalIdField = ctx.externalIdFieldName ?? 'Id';
      const result = ctx.org.upsert(ctx.object, externalIdField, fields.values, ctx.write);
      return outcome(
        result.success
          ? result
          : { ...result, errors: result.errors.map((e) => asBulkUpsertError(e, externalIdField)) },
        givenId,
        undefined,
      );
    }
  }
}

/**
 * REST answers an ambiguous upsert with 300 MULTIPLE_CHOICES; Bulk writes it as a record error
 * naming the matching ids [recall].
 */
function asBulkUpsertError(error: RecordError, externalIdField: string): RecordError {
  if (error.statusCode !== 'MULTIPLE_CHOICES') return error;
  return {
    statusCode: 'DUPLICATE_EXTERNAL_ID',
    message: `${externalIdField}: more than one record found for external id field: [${error.fields.join(', ')}]`,
    fields: [],
  };
}

/** Empty means "leave unchanged" (the field is not sent); `#N/A` means null. */
function rowFields(
  ctx: ApplyContext,
  row: readonly string[],
): { ok: true; values: Record<string, unknown> } | { ok: false; error: RecordError } {
  const values: Record<string, unknown> = {};
  const keepId =
    ctx.operation === 'insert' ||
    (ctx.operation === 'upsert' && ctx.externalIdFieldName?.toLowerCase() === 'id');
  for (const column of ctx.columns) {
    if (column.index === ctx.idColumn && !keepId) continue;
    const raw = row[column.index] ?? '';
    if (raw === '') continue;
    if (raw === NULL_MARKER) {
      values[column.field.name] = null;
      continue;
    }
    if (column.kind === 'parent') {
      const parent = findParent(ctx.org, column, raw);
      if (!parent.ok) return parent;
      values[column.field.name] = parent.id;
      continue;
    }
    const converted = convertCsvValue(column.field, raw, column.index + 1);
    if (!converted.ok) return converted;
    values[column.field.name] = converted.value;
  }
  return { ok: true, values };
}

function findParent(
  org: WritableOrg,
  column: Extract<ColumnPlan, { kind: 'parent' }>,
  value: string,
): { ok: true; id: string } | { ok: false; error: RecordError } {
  const key = column.parentKey.name;
  const matches =
    org.lookup(column.parentObject, key, [value], false) ??
    [...org.scan(column.parentObject, false)].filter(
      (record) => String(record[key] ?? '').toLowerCase() === value.toLowerCase(),
    );
  const [first, second] = matches;
  if (first !== undefined && second === undefined) return { ok: true, id: first.Id };
  const message =
    first === undefined
      ? `Foreign key external ID: ${value} not found for field ${key} in entity ${column.parentObject}`
      : `Foreign key external ID: ${value} matched more than one record for field ${key} in entity ${column.parentObject}`;
  return { ok: false, error: { statusCode: 'INVALID_FIELD', message, fields: [] } };
}

/** `created` is fixed by the operation except for upsert, where the org says which way it went. */
function outcome(result: SaveResult, givenId: string, created: boolean | undefined): RowOutcome {
  if (result.success) return { ok: true, id: result.id, created: created ?? result.created ?? false };
  return failed(result.id ?? givenId, ...result.errors);
}

function failed(id: string, ...errors: RecordError[]): RowOutcome {
  return { ok: false, id, error: errors.map(formatRecordError).join(' ') };
}

function missingId(operation: IngestOperation): RecordError {
  const article = operation === 'update' || operation === 'insert' || operation === 'upsert' ? 'an' : 'a';
  return {
    statusCode: 'MISSING_ARGUMENT',
    message: `Id not specified in ${article} ${operation} call`,
    fields: [],
  };
}

/**
 * `sf__Error` as Salesforce writes it: `CODE:message:fields --`, e.g.
 * `REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --`, or
 * `INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--` when no field is named.
 */
export function formatRecordError(error: RecordError): string {
  return error.fields.length === 0
    ? `${error.statusCode}:${error.message}:--`
    : `${error.statusCode}:${error.message}:${error.fields.join(',')} --`;
}

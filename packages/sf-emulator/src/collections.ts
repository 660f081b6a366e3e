// sObject Collections (`/composite/sobjects`): create, update, upsert, delete and retrieve of up
// to 200 records (2000 ids for retrieve), with allOrNone and Salesforce's result shapes
// (reference §1.10). Per-record failures are results, never thrown.
import {
  SalesforceError,
  type EmuRequest,
  type EmuResponse,
  type RecordError,
  type RouteRegistry,
  type SaveResult,
} from './contracts.js';
import { apiErrors, parseJsonObject } from './http/api-errors.js';
import { keyPrefixOf, normalizeId } from './ids.js';
import { recordError } from './org/record-errors.js';
import { resolveFieldList, toApiRecord } from './rest/record-json.js';
import { objectFromPath, writeContext } from './rest/sobject-context.js';

export const MAX_COLLECTION_RECORDS = 200;
export const MAX_RETRIEVE_IDS = 2000;

const ROLLED_BACK: RecordError = recordError(
  'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  'Record rolled back because not all records were valid and the request was using AllOrNone header',
);

interface Envelope {
  allOrNone: boolean;
  records: Array<Record<string, unknown>>;
}

function envelope(req: EmuRequest): Envelope {
  const body = parseJsonObject(req.body, 'CollectionRequest');
  const records = body['records'];
  if (!Array.isArray(records))
    throw apiErrors.jsonParse(
      'Cannot deserialize instance of List<SObject> from missing value: the request must contain a "records" array',
    );
  if (records.length > MAX_COLLECTION_RECORDS) throw apiErrors.exceededIdLimit();
  for (const r of records) {
    if (typeof r !== 'object' || r === null || Array.isArray(r))
      throw apiErrors.jsonParse(`Cannot deserialize instance of SObject from ${JSON.stringify(r)}`);
  }
  const allOrNone = body['allOrNone'];
  if (allOrNone !== undefined && typeof allOrNone !== 'boolean')
    throw apiErrors.jsonParse(
      `Cannot deserialize instance of boolean from VALUE_STRING value ${String(allOrNone)}`,
    );
  return { allOrNone: allOrNone === true, records: records as Array<Record<string, unknown>> };
}

function typeOf(record: Record<string, unknown>): string | undefined {
  const attributes = record['attributes'];
  if (
    typeof attributes === 'object' &&
    attributes !== null &&
    typeof (attributes as Record<string, unknown>)['type'] === 'string'
  ) {
    return (attributes as Record<string, string>)['type'];
  }
  return typeof record['type'] === 'string' ? record['type'] : undefined;
}

function fieldsOf(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in record) if (key !== 'attributes' && key !== 'type') out[key] = record[key];
  return out;
}

/** The body of one result item; `created` only for upserts. */
function resultItem(result: SaveResult, withCreated: boolean): Record<string, unknown> {
  const item: Record<string, unknown> = result.success
    ? { id: result.id, success: true, errors: [] }
    : {
        ...(result.id === undefined ? {} : { id: result.id }),
        success: false,
        errors: result.errors.map(toWireError),
      };
  if (withCreated) item['created'] = result.created ?? false;
  return item;
}

function toWireError(e: RecordError): RecordError {
  return e.duplicateResult === undefined
    ? { statusCode: e.statusCode, message: e.message, fields: e.fields }
    : e;
}

/** Runs one write per record, all-or-none when asked; rolled-back successes become ROLLED_BACK failures. */
function runAll(
  req: EmuRequest,
  count: number,
  allOrNone: boolean,
  write: (i: number) => SaveResult,
  withCreated: boolean,
): EmuResponse {
  const run = () => Array.from({ length: count }, (_, i) => write(i));
  if (!allOrNone) return { status: 200, body: run().map((r) => resultItem(r, withCreated)) };
  const results = req.org.transaction(() => {
    const all = run();
    return { commit: all.every((r) => r.success), value: all };
  });
  if (results.every((r) => r.success))
    return { status: 200, body: results.map((r) => resultItem(r, withCreated)) };
  const body = results.map((r) => {
    if (!r.success) return resultItem(r, withCreated);
    // jsforce's own e2e test expects rolled-back upsert items to say created:true.
    const rolledBack: SaveResult = {
      success: false,
      errors: [ROLLED_BACK],
      ...(r.created === undefined ? {} : { created: r.created }),
    };
    return resultItem(withCreated ? { ...rolledBack, id: r.id } : rolledBack, withCreated);
  });
  return { status: 200, body };
}

function requireType(record: Record<string, unknown>, req: EmuRequest): string {
  const type = typeOf(record);
  if (type === undefined) throw apiErrors.jsonParse('Must send a concrete entity type.');
  const meta = req.org.describe(type);
  if (meta === undefined) throw apiErrors.invalidType(type);
  return meta.name;
}

function createMany(req: EmuRequest): EmuResponse {
  const { allOrNone, records } = envelope(req);
  const types = records.map((r) => requireType(r, req));
  const ctx = writeContext(req);
  return runAll(
    req,
    records.length,
    allOrNone,
    (i) => req.org.create(types[i]!, fieldsOf(records[i]!), ctx),
    false,
  );
}

function updateMany(req: EmuRequest): EmuResponse {
  const { allOrNone, records } = envelope(req);
  const types = records.map((r) => requireType(r, req));
  const ctx = writeContext(req);
  return runAll(
    req,
    records.length,
    allOrNone,
    (i) => {
      const fields = fieldsOf(records[i]!);
      const idKey = Object.keys(fields).find((k) => k.toLowerCase() === 'id');
      const id = idKey === undefined ? undefined : fields[idKey];
      if (typeof id !== 'string' || id === '')
        return {
          success: false,
          errors: [recordError('MISSING_ARGUMENT', 'Id not specified in an update call', [])],
        };
      delete fields[idKey!];
      return req.org.update(types[i]!, id, fields, ctx);
    },
    false,
  );
}

/** The store reports several matches as MULTIPLE_CHOICES (REST answers 300); a collection item says DUPLICATE_EXTERNAL_ID. */
function duplicateExternalId(result: SaveResult, fieldName: string): SaveResult {
  if (result.success || result.errors[0]?.statusCode !== 'MULTIPLE_CHOICES') return result;
  const ids = result.errors[0].fields;
  const error = recordError(
    'DUPLICATE_EXTERNAL_ID',
    `${fieldName}: more than one record found for external id field: [${ids.join(', ')}]`,
  );
  return { ...result, errors: [error] };
}

function upsertMany(req: EmuRequest): EmuResponse {
  const meta = objectFromPath(req);
  const fieldName = req.params['field'] ?? '';
  const f = meta.fields.find((x) => x.name.toLowerCase() === fieldName.toLowerCase());
  if (f === undefined || !(f.externalId || f.idLookup)) throw apiErrors.invalidField(fieldName, meta.name);
  const { allOrNone, records } = envelope(req);
  for (const r of records) {
    const type = typeOf(r);
    if (type === undefined) throw apiErrors.jsonParse('Must send a concrete entity type.');
    if (type.toLowerCase() !== meta.name.toLowerCase()) {
      throw new SalesforceError(
        400,
        'INVALID_TYPE',
        `Records of type ${type} cannot be upserted through /composite/sobjects/${meta.name}: every record must be a ${meta.name}`,
      );
    }
  }
  const ctx = writeContext(req);
  return runAll(
    req,
    records.length,
    allOrNone,
    (i) => duplicateExternalId(req.org.upsert(meta.name, f.name, fieldsOf(records[i]!), ctx), f.name),
    true,
  );
}

function deleteMany(req: EmuRequest): EmuResponse {
  const ids = (req.query.get('ids') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (ids.length === 0) throw apiErrors.missingArgument('ids parameter is required');
  if (ids.length > MAX_COLLECTION_RECORDS) throw apiErrors.exceededIdLimit();
  const allOrNone = req.query.get('allOrNone') === 'true';
  const ctx = writeContext(req);
  return runAll(req, ids.length, allOrNone, (i) => req.org.delete(ids[i]!, ctx), false);
}

function retrieveMany(req: EmuRequest, ids: unknown, fields: unknown): EmuResponse {
  const meta = objectFromPath(req);
  if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string'))
    throw apiErrors.missingArgument('ids parameter is required');
  if (ids.length > MAX_RETRIEVE_IDS)
    throw apiErrors.exceededIdLimit(
      `record limit reached. cannot submit more than ${MAX_RETRIEVE_IDS} records into this call`,
    );
  if (!Array.isArray(fields) || fields.length === 0)
    throw apiErrors.missingArgument('fields parameter is required');
  const names = resolveFieldList(meta, fields.map(String));
  const body = (ids as string[]).map((raw) => {
    const id = normalizeId(raw);
    if (id === undefined) throw apiErrors.malformedId(meta.label, raw);
    if (keyPrefixOf(id) !== meta.keyPrefix) return null;
    const record = req.org.getById(id);
    return record === undefined || record['IsDeleted'] === true
      ? null
      : toApiRecord(meta, record, req.apiVersion ?? '62.0', names);
  });
  return { status: 200, body };
}

export function registerCollectionRoutes(routes: RouteRegistry): void {
  routes.add('POST', /^\/composite\/sobjects\/?$/, createMany);
  routes.add('PATCH', /^\/composite\/sobjects\/?$/, updateMany);
  routes.add('DELETE', /^\/composite\/sobjects\/?$/, deleteMany);
  routes.add('PATCH', /^\/composite\/sobjects\/(?<type>[^/]+)\/(?<field>[^/]+)\/?$/, upsertMany);
  routes.add('GET', /^\/composite\/sobjects\/(?<type>[^/]+)\/?$/, (req) =>
    retrieveMany(req, req.query.get('ids')?.split(','), req.query.get('fields')?.split(',')),
  );
  routes.add('POST', /^\/composite\/sobjects\/(?<type>[^/]+)\/?$/, (req) => {
    const body = parseJsonObject(req.body, 'CollectionRetrieveRequest');
    return retrieveMany(req, body['ids'], body['fields']);
  });
}

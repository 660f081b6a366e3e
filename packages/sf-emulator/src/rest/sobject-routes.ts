// The sObject REST resources: resources list, describeGlobal, basic info, describe, and record
// create / retrieve / update / delete / upsert / retrieve by external id (reference §1.2-1.9).
import type { EmuRequest, EmuResponse, ObjectMeta, RouteRegistry, SObjectRecord } from '../contracts.js';
import { apiErrors, fromRecordError, parseJsonObject } from '../http/api-errors.js';
import { fullDescribe, globalEntry } from './describe.js';
import { recordUrl, resolveFieldList, toApiRecord } from './record-json.js';
import { fieldsParam, idFromPath, objectFromPath, writeContext } from './sobject-context.js';

const RESOURCES = [
  'tooling',
  'metadata',
  'eclair',
  'folders',
  'prechatForms',
  'contact-tracing',
  'jsonxform',
  'chatter',
  'tabs',
  'appMenu',
  'quickActions',
  'queryAll',
  'commerce',
  'wave',
  'iot',
  'analytics',
  'search',
  'smartdatadiscovery',
  'identity',
  'composite',
  'parameterizedSearch',
  'fingerprint',
  'theme',
  'nouns',
  'event',
  'serviceTemplates',
  'recent',
  'connect',
  'licensing',
  'limits',
  'process',
  'async-queries',
  'query',
  'match',
  'emailConnect',
  'compactLayouts',
  'knowledgeManagement',
  'sobjects',
  'actions',
  'support',
  'jobs',
];

function resources(req: EmuRequest): EmuResponse {
  const body: Record<string, string> = {};
  for (const name of RESOURCES) body[name] = `/services/data/v${req.apiVersion}/${name}`;
  body['identity'] = `${req.baseUrl}/id/${req.org.orgId}/${req.userId}`;
  return { status: 200, body };
}

function describeGlobal(req: EmuRequest, objects: () => ObjectMeta[]): EmuResponse {
  const version = req.apiVersion ?? '62.0';
  return {
    status: 200,
    body: { encoding: 'UTF-8', maxBatchSize: 200, sobjects: objects().map((m) => globalEntry(m, version)) },
  };
}

function bodyFields(req: EmuRequest): Record<string, unknown> {
  return parseJsonObject(req.body, `${req.params['type'] ?? 'SObject'}`);
}

function create(req: EmuRequest): EmuResponse {
  const meta = objectFromPath(req);
  const result = req.org.create(meta.name, bodyFields(req), writeContext(req));
  if (!result.success) throw fromRecordError(result.errors[0]!);
  return {
    status: 201,
    headers: { Location: recordUrl(req.apiVersion ?? '62.0', meta.name, result.id) },
    body: { id: result.id, success: true, errors: [] },
  };
}

function liveRecord(req: EmuRequest, meta: ObjectMeta, id: string): SObjectRecord {
  const record = req.org.getById(id);
  if (record === undefined || record['IsDeleted'] === true) throw apiErrors.notFound();
  return record;
}

function retrieve(req: EmuRequest): EmuResponse {
  const meta = objectFromPath(req);
  const id = idFromPath(meta, req.params['id'] ?? '');
  const requested = fieldsParam(req);
  const fields = requested === undefined ? undefined : resolveFieldList(meta, requested);
  return {
    status: 200,
    body: toApiRecord(meta, liveRecord(req, meta, id), req.apiVersion ?? '62.0', fields),
  };
}

function update(req: EmuRequest): EmuResponse {
  const meta = objectFromPath(req);
  const id = idFromPath(meta, req.params['id'] ?? '');
  const fields = bodyFields(req);
  const result = req.org.update(meta.name, id, fields, writeContext(req));
  if (!result.success) throw fromRecordError(result.errors[0]!);
  return { status: 204 };
}

function destroy(req: EmuRequest): EmuResponse {
  const meta = objectFromPath(req);
  const id = idFromPath(meta, req.params['id'] ?? '');
  const record = req.org.getById(id);
  if (record === undefined) throw apiErrors.notFound();
  const result = req.org.delete(id, writeContext(req));
  if (!result.success) throw fromRecordError(result.errors[0]!);
  return { status: 204 };
}

function externalIdField(meta: ObjectMeta, name: string) {
  const f = meta.fields.find((x) => x.name.toLowerCase() === name.toLowerCase());
  if (f === undefined || !(f.externalId || f.idLookup)) throw apiErrors.externalIdFieldNotFound(name);
  return f;
}

function matchesByExternalId(
  req: EmuRequest,
  meta: ObjectMeta,
  fieldName: string,
  value: string,
): SObjectRecord[] {
  const indexed = req.org.lookup(meta.name, fieldName, [value], false);
  if (indexed !== undefined) return indexed;
  const wanted = value.toLowerCase();
  return [...req.org.scan(meta.name, false)].filter(
    (r) => typeof r[fieldName] === 'string' && (r[fieldName] as string).toLowerCase() === wanted,
  );
}

function multipleChoices(req: EmuRequest, meta: ObjectMeta, ids: string[]): EmuResponse {
  return { status: 300, body: ids.map((id) => recordUrl(req.apiVersion ?? '62.0', meta.name, id)) };
}

function retrieveByExternalId(req: EmuRequest): EmuResponse {
  const meta = objectFromPath(req);
  const f = externalIdField(meta, req.params['field'] ?? '');
  const matches = matchesByExternalId(req, meta, f.name, req.params['value'] ?? '');
  if (matches.length > 1)
    return multipleChoices(
      req,
      meta,
      matches.map((r) => r.Id),
    );
  const match = matches[0];
  if (match === undefined) throw apiErrors.notFound();
  const requested = fieldsParam(req);
  return {
    status: 200,
    body: toApiRecord(
      meta,
      match,
      req.apiVersion ?? '62.0',
      requested === undefined ? undefined : resolveFieldList(meta, requested),
    ),
  };
}

function upsert(req: EmuRequest): EmuResponse {
  const meta = objectFromPath(req);
  const f = externalIdField(meta, req.params['field'] ?? '');
  const value = req.params['value'] ?? '';
  const fields = bodyFields(req);
  for (const key of Object.keys(fields)) if (key.toLowerCase() === f.name.toLowerCase()) delete fields[key];
  const result = req.org.upsert(meta.name, f.name, { ...fields, [f.name]: value }, writeContext(req));
  if (!result.success) {
    const error = result.errors[0]!;
    if (error.statusCode === 'MULTIPLE_CHOICES') return multipleChoices(req, meta, error.fields);
    throw fromRecordError(error);
  }
  if (result.created === true) {
    return {
      status: 201,
      headers: { Location: recordUrl(req.apiVersion ?? '62.0', meta.name, result.id) },
      body: { id: result.id, success: true, errors: [], created: true },
    };
  }
  // Before API 46.0 an upsert that updated answered 204 with no body.
  if (Number(req.apiVersion ?? '62.0') < 46) return { status: 204 };
  return { status: 200, body: { id: result.id, success: true, errors: [], created: false } };
}

export function registerSObjectRoutes(
  routes: RouteRegistry,
  objects: (req: EmuRequest) => ObjectMeta[],
): void {
  routes.add('GET', /^\/?$/, resources);
  routes.add('GET', /^\/sobjects\/?$/, (req) => describeGlobal(req, () => objects(req)));
  routes.add('GET', /^\/sobjects\/(?<type>[^/]+)\/describe\/?$/, (req) => ({
    status: 200,
    body: fullDescribe(objectFromPath(req), req.apiVersion ?? '62.0'),
  }));
  routes.add('GET', /^\/sobjects\/(?<type>[^/]+)\/?$/, (req) => {
    const meta = objectFromPath(req);
    return {
      status: 200,
      body: { objectDescribe: globalEntry(meta, req.apiVersion ?? '62.0'), recentItems: [] },
    };
  });
  routes.add('POST', /^\/sobjects\/(?<type>[^/]+)\/?$/, create);
  routes.add('GET', /^\/sobjects\/(?<type>[^/]+)\/(?<id>[^/]+)\/?$/, retrieve);
  routes.add('PATCH', /^\/sobjects\/(?<type>[^/]+)\/(?<id>[^/]+)\/?$/, update);
  routes.add('DELETE', /^\/sobjects\/(?<type>[^/]+)\/(?<id>[^/]+)\/?$/, destroy);
  routes.add('GET', /^\/sobjects\/(?<type>[^/]+)\/(?<field>[^/]+)\/(?<value>.+)$/, retrieveByExternalId);
  routes.add('PATCH', /^\/sobjects\/(?<type>[^/]+)\/(?<field>[^/]+)\/(?<value>.+)$/, upsert);
  routes.add('DELETE', /^\/sobjects\/(?<type>[^/]+)\/(?<field>[^/]+)\/(?<value>.+)$/, (req) => {
    const meta = objectFromPath(req);
    const f = externalIdField(meta, req.params['field'] ?? '');
    const matches = matchesByExternalId(req, meta, f.name, req.params['value'] ?? '');
    if (matches.length > 1)
      return multipleChoices(
        req,
        meta,
        matches.map((r) => r.Id),
      );
    const match = matches[0];
    if (match === undefined) throw apiErrors.notFound();
    const result = req.org.delete(match.Id, writeContext(req));
    if (!result.success) throw fromRecordError(result.errors[0]!);
    return { status: 204 };
  });
}

// Shared pieces of the record routes: resolve the object in the path, the id in the path, and
// the write context from the request headers.
import type { EmuRequest, ObjectMeta, WriteContext } from '../contracts.js';
import { apiErrors } from '../http/api-errors.js';
import { keyPrefixOf, looksLikeId, normalizeId } from '../ids.js';

export function objectFromPath(req: EmuRequest, param = 'type'): ObjectMeta {
  const meta = req.org.describe(req.params[param] ?? '');
  if (meta === undefined) throw apiErrors.notFound();
  return meta;
}

/** The id in `/sobjects/{T}/{id}`: a non-id is read as an external-id field name, as Salesforce does. */
export function idFromPath(meta: ObjectMeta, raw: string): string {
  if (!looksLikeId(raw)) throw apiErrors.externalIdFieldNotFound(raw);
  const id = normalizeId(raw);
  if (id === undefined) throw apiErrors.malformedId(meta.label, raw);
  if (keyPrefixOf(id) !== meta.keyPrefix) throw apiErrors.notFound();
  return id;
}

export function writeContext(req: EmuRequest): WriteContext {
  const header = req.headers['sforce-duplicate-rule-header'];
  const text = Array.isArray(header) ? header.join(';') : (header ?? '');
  const base: WriteContext =
    req.apiVersion === null ? { userId: req.userId } : { userId: req.userId, apiVersion: req.apiVersion };
  return /allowSave\s*=\s*true/i.test(text) ? { ...base, allowDuplicateSave: true } : base;
}

export function fieldsParam(req: EmuRequest): string[] | undefined {
  const raw = req.query.get('fields');
  return raw === null ? undefined : raw.split(',');
}

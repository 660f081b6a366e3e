// Records as the REST API writes them: `attributes` first, then every field (nulls included) or
// only the requested ones.
import type { ObjectMeta, SObjectRecord } from '../contracts.js';
import { apiErrors } from '../http/api-errors.js';

export function recordUrl(version: string, objectName: string, id: string): string {
  return `/services/data/v${version}/sobjects/${objectName}/${id}`;
}

/** Canonical field names for a `fields=` list; unknown names answer INVALID_FIELD. */
export function resolveFieldList(meta: ObjectMeta, names: readonly string[]): string[] {
  return names
    .map((n) => n.trim())
    .filter((n) => n !== '')
    .map((n) => {
      const f = meta.fields.find((x) => x.name.toLowerCase() === n.toLowerCase());
      if (f === undefined) throw apiErrors.invalidField(n, meta.name);
      return f.name;
    });
}

export function toApiRecord(
  meta: ObjectMeta,
  record: SObjectRecord,
  version: string,
  fields?: readonly string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    attributes: { type: meta.name, url: recordUrl(version, meta.name, record.Id) },
  };
  // base64 fields (ContentNote.Content) come back as the URL of their blob, as Salesforce does.
  const value = (name: string): unknown => {
    const v = record[name] ?? null;
    return v !== null && meta.fields.find((f) => f.name === name)?.type === 'base64'
      ? `${recordUrl(version, meta.name, record.Id)}/${name}`
      : v;
  };
  if (fields === undefined) {
    for (const f of meta.fields) out[f.name] = f.type === 'base64' ? value(f.name) : (record[f.name] ?? null);
  } else {
    for (const name of fields) out[name] = value(name);
    // Salesforce always includes Id when fields are listed.
    if (!('Id' in out)) out['Id'] = record.Id;
  }
  return out;
}

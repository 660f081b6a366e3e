// The blob behind a base64 field: retrieve answers ContentNote.Content as this URL (as
// Salesforce does) and a GET of it returns the bytes.
import type { EmuRequest, EmuResponse, RouteRegistry } from './contracts.js';
import { apiErrors } from './http/api-errors.js';
import { normalizeId } from './ids.js';

function blob(req: EmuRequest): EmuResponse {
  const id = normalizeId(req.params['id'] ?? '');
  const record = id === undefined ? undefined : req.org.getById(id);
  if (record === undefined || record['IsDeleted'] === true || !record.Id.startsWith('069'))
    throw apiErrors.notFound();
  const content = record['Content'];
  return {
    status: 200,
    headers: { 'Content-Type': 'application/octet-stream' },
    body: typeof content === 'string' ? Buffer.from(content, 'base64') : Buffer.alloc(0),
  };
}

/** Register before the sObject routes, whose `/sobjects/{T}/{field}/{value}` would take the path. */
export function registerContentRoutes(routes: RouteRegistry): void {
  routes.add(
    'GET',
    /^\/sobjects\/(?<type>ContentNote)\/(?<id>069[A-Za-z0-9]{12}(?:[A-Za-z0-9]{3})?)\/(?<field>Content)\/?$/i,
    blob,
  );
}

// What a request picked by an UNABLE_TO_LOCK_ROW fault answers: per-record failures for
// collection writes (nothing is written), a 400 for everything else.
import { SalesforceError, type EmuRequest, type EmuResponse } from './contracts.js';
import { recordErrors } from './org/record-errors.js';

function recordCount(req: EmuRequest): number {
  if (req.method === 'DELETE') return (req.query.get('ids') ?? '').split(',').filter((s) => s !== '').length;
  try {
    const parsed = JSON.parse(req.body.toString('utf8')) as { records?: unknown[] };
    return Array.isArray(parsed.records) ? parsed.records.length : 1;
  } catch {
    return 1;
  }
}

export function lockedResponse(req: EmuRequest, routeLabel: string): EmuResponse {
  const isCollectionWrite =
    routeLabel.startsWith('/composite/sobjects') &&
    !(req.method === 'POST' && routeLabel !== '/composite/sobjects');
  if (isCollectionWrite) {
    const isUpsert = req.method === 'PATCH' && routeLabel !== '/composite/sobjects';
    const ids = req.method === 'DELETE' ? (req.query.get('ids') ?? '').split(',') : [];
    const body = Array.from({ length: recordCount(req) }, (_, i) => ({
      ...(ids[i] === undefined ? {} : { id: ids[i] }),
      success: false,
      errors: [recordErrors.unableToLock(ids[i])],
      ...(isUpsert ? { created: false } : {}),
    }));
    return { status: 200, body };
  }
  const e = new SalesforceError(
    400,
    'UNABLE_TO_LOCK_ROW',
    recordErrors.unableToLock(req.params['id']).message,
  );
  return { status: e.status, body: e.toBody() };
}

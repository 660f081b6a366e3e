// Replication feeds: `/sobjects/{T}/updated/?start&end` (30-day window, keyed on SystemModstamp)
// and `/sobjects/{T}/deleted/?start&end` (15-day window), with times truncated to the minute
// as Salesforce reports them (reference §1.15).
import { SalesforceError, type EmuRequest, type EmuResponse, type RouteRegistry } from './contracts.js';
import { apiErrors } from './http/api-errors.js';
import type { OrgStore } from './org/org-store.js';
import { formatDateTime, parseDateTime } from './org/sf-format.js';
import { objectFromPath } from './rest/sobject-context.js';

const DAY_MS = 24 * 60 * 60 * 1000;
export const UPDATED_WINDOW_DAYS = 30;
export const DELETED_WINDOW_DAYS = 15;
const MAX_IDS = 600000;

const floorMinute = (ms: number) => Math.floor(ms / 60000) * 60000;

function window(req: EmuRequest, days: number): { start: number; end: number; now: number } {
  const read = (name: string) => {
    const raw = req.query.get(name);
    if (raw === null)
      throw apiErrors.missingArgument(
        `${name} parameter is required (a date-time such as 2024-01-01T00:00:00+00:00)`,
      );
    const at = parseDateTime(raw);
    if (at === undefined)
      throw new SalesforceError(
        400,
        'INVALID_REPLICATION_DATE',
        `${name}: '${raw}' is not a valid date-time`,
      );
    return floorMinute(at.getTime());
  };
  const start = read('start');
  const end = read('end');
  const now = req.org.now().getTime();
  if (end < start)
    throw new SalesforceError(400, 'INVALID_REPLICATION_DATE', 'end date must be after start date');
  if (start < floorMinute(now - days * DAY_MS)) {
    throw new SalesforceError(
      400,
      'INVALID_REPLICATION_DATE',
      `start date cannot be more than ${days} days ago`,
    );
  }
  return { start, end, now };
}

function updated(req: EmuRequest): EmuResponse {
  const meta = objectFromPath(req);
  const { start, end, now } = window(req, UPDATED_WINDOW_DAYS);
  const covered = Math.min(end, floorMinute(now));
  const ids: string[] = [];
  for (const record of req.org.scan(meta.name, false)) {
    const stamp = Date.parse(String(record['SystemModstamp']).replace('+0000', 'Z'));
    if (stamp >= start && stamp < covered) ids.push(record.Id);
  }
  if (ids.length > MAX_IDS)
    throw apiErrors.exceededIdLimit(`too many ids: more than ${MAX_IDS} records changed in the window`);
  return { status: 200, body: { ids, latestDateCovered: formatDateTime(new Date(covered)) } };
}

function deleted(req: EmuRequest): EmuResponse {
  const meta = objectFromPath(req);
  const { start, end, now } = window(req, DELETED_WINDOW_DAYS);
  const covered = Math.min(end, floorMinute(now));
  const horizon = now - DELETED_WINDOW_DAYS * DAY_MS;
  const deletions = (req.org as unknown as OrgStore).deletionsOf(meta.name);
  let earliest = floorMinute(horizon);
  const deletedRecords: Array<{ id: string; deletedDate: string }> = [];
  let oldest = Number.POSITIVE_INFINITY;
  for (const d of deletions) {
    const at = Date.parse(d.deletedAt.replace('+0000', 'Z'));
    if (at < horizon) continue;
    oldest = Math.min(oldest, at);
    if (at >= start && at < covered) deletedRecords.push({ id: d.id, deletedDate: d.deletedAt });
  }
  if (Number.isFinite(oldest)) earliest = Math.max(earliest, floorMinute(oldest));
  if (deletedRecords.length > MAX_IDS)
    throw apiErrors.exceededIdLimit(`too many ids: more than ${MAX_IDS} records deleted in the window`);
  return {
    status: 200,
    body: {
      deletedRecords,
      earliestDateAvailable: formatDateTime(new Date(earliest)),
      latestDateCovered: formatDateTime(new Date(covered)),
    },
  };
}

/** Must be registered before the `/sobjects/{T}/{id}` routes, which would otherwise claim these paths. */
export function registerFeedRoutes(routes: RouteRegistry): void {
  routes.add('GET', /^\/sobjects\/(?<type>[^/]+)\/updated\/?$/, updated);
  routes.add('GET', /^\/sobjects\/(?<type>[^/]+)\/deleted\/?$/, deleted);
}

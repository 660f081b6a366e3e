// Formats a query job's result snapshot into CSV lines in bounded steps, so the job is seen
// UploadComplete, then InProgress, then JobComplete, like a real query job.
import type { ResolvedBulkDeps } from './bulk-deps.js';
import { csvLine } from './csv-write.js';
import type { QueryJob } from './job-model.js';

export function scheduleQueryJob(job: QueryJob, deps: ResolvedBulkDeps): void {
  deps.scheduler.schedule(() => runStep(job, deps));
}

function runStep(job: QueryJob, deps: ResolvedBulkDeps): void {
  if (job.deleted || (job.state !== 'UploadComplete' && job.state !== 'InProgress')) return;
  const started = deps.monotonicMs();
  let more = true;
  if (job.state === 'UploadComplete') {
    job.state = 'InProgress';
  } else {
    more = formatNextLines(job, deps.recordsPerStep);
  }
  job.totalProcessingTime += deps.monotonicMs() - started;
  job.systemModstamp = job.org.now();
  if (more) scheduleQueryJob(job, deps);
}

/** Formats the next slice of records as CSV lines; true while records remain. */
function formatNextLines(job: QueryJob, limit: number): boolean {
  const end = Math.min(job.records.length, job.lines.length + limit);
  for (let i = job.lines.length; i < end; i += 1) {
    const record = job.records[i] ?? {};
    job.lines.push(
      csvLine(
        job.paths.map((path) => csvValue(valueAt(record, path))),
        job.columnDelimiter,
      ),
    );
  }
  job.numberRecordsProcessed = job.lines.length;
  if (end < job.records.length) return true;
  job.state = 'JobComplete';
  job.records = [];
  return false;
}

/** Follows `Account.Owner.Name` through nested parent records; a null parent gives null. */
export function valueAt(record: Record<string, unknown>, path: readonly string[]): unknown {
  let current: unknown = record;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return null;
    const object = current as Record<string, unknown>;
    if (key in object) {
      current = object[key];
      continue;
    }
    const lower = key.toLowerCase();
    const match = Object.keys(object).find((name) => name.toLowerCase() === lower);
    current = match === undefined ? null : object[match];
  }
  return current;
}

/** Null is empty, booleans `true`/`false`; strings (datetimes already `…000+0000`) pass as they are. */
export function csvValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

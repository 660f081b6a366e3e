// Processes a closed ingest job in bounded steps on the injected scheduler: the first step parses
// the upload and moves the job to InProgress, each later step applies up to `recordsPerStep`
// records, and the last one completes it. Between steps the job is observable in flight, and an
// abort or delete stops it before the next step.
import type { ResolvedBulkDeps } from './bulk-deps.js';
import { applyRow } from './apply-row.js';
import { parseUpload } from './csv-read.js';
import { csvLine, quoteCsv } from './csv-write.js';
import { COLUMN_DELIMITERS, type CsvRow, type IngestJob } from './job-model.js';
import { planColumns } from './plan-columns.js';

const PROCESSED: CsvRow = [];

export function scheduleIngestJob(job: IngestJob, deps: ResolvedBulkDeps): void {
  deps.scheduler.schedule(() => runStep(job, deps));
}

function runStep(job: IngestJob, deps: ResolvedBulkDeps): void {
  if (job.deleted || (job.state !== 'UploadComplete' && job.state !== 'InProgress')) return;
  const started = deps.monotonicMs();
  const applying = job.state === 'InProgress';
  let more = false;
  try {
    more = applying ? applyNextRecords(job, deps.recordsPerStep) : startProcessing(job);
  } catch (error) {
    // A step runs outside any request: an unexpected throw would take the whole emulator down,
    // so it fails this job instead, leaving the record that threw among the unprocessed.
    job.state = 'Failed';
    job.errorMessage = `InternalServerError : ${error instanceof Error ? error.message : String(error)}`;
  }
  const elapsed = deps.monotonicMs() - started;
  job.totalProcessingTime += elapsed;
  job.apiActiveProcessingTime += elapsed;
  job.systemModstamp = job.org.now();
  if (applying) deps.onRecordsWritten();
  if (more) scheduleIngestJob(job, deps);
}

/** Parses the upload and matches its header; false when the job failed instead. */
function startProcessing(job: IngestJob): boolean {
  const problem = ensureParsed(job) ?? prepareApply(job);
  if (problem !== null) {
    job.state = 'Failed';
    job.errorMessage = problem;
    return false;
  }
  job.state = 'InProgress';
  return true;
}

/**
 * Turns the stored upload into header and rows (once); answers the reason the file cannot be used.
 * Also used to list unprocessed records of a job aborted before processing began.
 */
export function ensureParsed(job: IngestJob): string | null {
  if (job.upload === null) {
    return job.header.length > 0
      ? null
      : `InvalidBatch : No data was uploaded to job ${job.id} before it was closed`;
  }
  const parsed = parseUpload(job.upload, job.columnDelimiter, job.lineEnding);
  job.upload = null;
  if (!parsed.ok) return parsed.errorMessage;
  job.header = parsed.header;
  job.rows = parsed.rows;
  return null;
}

function prepareApply(job: IngestJob): string | null {
  const object = job.org.describe(job.object);
  if (object === undefined) return `InvalidBatch : Object ${job.object} is no longer available`;
  const planned = planColumns(job.org, object, job.header);
  if (!planned.ok) return planned.errorMessage;
  job.applyContext = {
    org: job.org,
    object: object.name,
    operation: job.operation,
    externalIdFieldName: job.externalIdFieldName,
    columns: planned.columns,
    idColumn: job.header.findIndex((name) => name.toLowerCase() === 'id'),
    write: { userId: job.createdById },
  };
  return null;
}

/** Applies the next slice of records; true while records remain. */
function applyNextRecords(job: IngestJob, limit: number): boolean {
  const ctx = job.applyContext;
  if (ctx === null) throw new Error(`ingest job ${job.id} is InProgress without an apply context`);
  const separator = COLUMN_DELIMITERS[job.columnDelimiter];
  const end = Math.min(job.rows.length, job.cursor + limit);
  for (let i = job.cursor; i < end; i += 1) {
    const row = job.rows[i] ?? [];
    const result = applyRow(ctx, row);
    // The results lines now carry the row; dropping it keeps a 100,000-record job's heap small.
    job.rows[i] = PROCESSED;
    job.cursor = i + 1;
    const original = csvLine(row, job.columnDelimiter);
    if (result.ok) {
      job.successfulLines.push(
        quoteCsv(result.id) + separator + quoteCsv(String(result.created)) + separator + original,
      );
    } else {
      job.failedLines.push(quoteCsv(result.id) + separator + quoteCsv(result.error) + separator + original);
      job.numberRecordsFailed += 1;
    }
    job.numberRecordsProcessed += 1;
  }
  if (end < job.rows.length) return true;
  job.state = 'JobComplete';
  return false;
}

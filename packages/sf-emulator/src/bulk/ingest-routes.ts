// Bulk API 2.0 ingest: create a job, upload one CSV, close (or abort) it, poll it, read its
// results, delete it. Processing runs on the scheduler (run-ingest-job.ts), never in a request.
import type { EmuRequest, EmuResponse, RouteRegistry } from '../contracts.js';
import { bulkErrors } from './bulk-errors.js';
import type { ResolvedBulkDeps } from './bulk-deps.js';
import { csvDocument, csvLine } from './csv-write.js';
import { ingestJobInfo, ingestJobSummary } from './job-info.js';
import {
  CLIENT_TRANSITIONS,
  DELETABLE_STATES,
  TERMINAL_STATES,
  newJobBase,
  type IngestJob,
} from './job-model.js';
import type { JobStore } from './job-store.js';
import { changeJobStateBody, createIngestJobBody, parseBody } from './parse-job-request.js';
import { fieldIndex } from './plan-columns.js';
import { answering, csvResponse, findJob, JOB_ID } from './route-helpers.js';
import { ensureParsed, scheduleIngestJob } from './run-ingest-job.js';

/** Salesforce's limit for one upload. */
export const MAX_UPLOAD_BYTES = 150 * 1024 * 1024;

const RESULT_KINDS = ['successfulResults', 'failedResults', 'unprocessedrecords'] as const;
type ResultKind = (typeof RESULT_KINDS)[number];

export function registerIngestRoutes(routes: RouteRegistry, store: JobStore, deps: ResolvedBulkDeps): void {
  const job = new RegExp(`^/jobs/ingest/${JOB_ID}/?$`);
  routes.add(
    'POST',
    /^\/jobs\/ingest\/?$/,
    answering((req) => createJob(req, store)),
  );
  routes.add(
    'GET',
    /^\/jobs\/ingest\/?$/,
    answering((req) => listJobs(req, store)),
  );
  routes.add(
    'PUT',
    new RegExp(`^/jobs/ingest/${JOB_ID}/batches/?$`),
    answering((req) => upload(findJob(store, req, 'ingest'), req)),
  );
  routes.add(
    'PATCH',
    job,
    answering((req) => changeState(findJob(store, req, 'ingest'), req, deps)),
  );
  routes.add(
    'GET',
    job,
    answering((req) => ({ status: 200, body: ingestJobInfo(findJob(store, req, 'ingest')) })),
  );
  routes.add(
    'DELETE',
    job,
    answering((req) => deleteJob(findJob(store, req, 'ingest'), store)),
  );
  routes.add(
    'GET',
    new RegExp(`^/jobs/ingest/${JOB_ID}/(?<kind>${RESULT_KINDS.join('|')})/?$`),
    answering((req) => results(findJob(store, req, 'ingest'), req.params['kind'] as ResultKind)),
  );
}

function createJob(req: EmuRequest, store: JobStore): EmuResponse {
  const body = parseBody(req.body, createIngestJobBody);
  const object = req.org.describe(body.object);
  if (object === undefined) throw bulkErrors.unknownObject(body.object);
  let externalIdFieldName: string | null = null;
  if (body.operation === 'upsert') {
    if (body.externalIdFieldName === undefined) {
      throw bulkErrors.invalidJob(
        'InvalidJob : An upsert job needs externalIdFieldName: name the external-id field that matches records.',
      );
    }
    const field = fieldIndex(object).get(body.externalIdFieldName.toLowerCase());
    if (field === undefined || !(field.externalId || field.idLookup || field.name === 'Id')) {
      throw bulkErrors.invalidJob(
        `InvalidJob : ${body.externalIdFieldName} is not an external-id field of ${object.name}: mark it External ID or upsert on another field.`,
      );
    }
    externalIdFieldName = field.name;
  }
  const job: IngestJob = {
    kind: 'ingest',
    ...newJobBase(req, store.nextId(), 'Open', body),
    object: object.name,
    operation: body.operation,
    externalIdFieldName,
    assignmentRuleId: body.assignmentRuleId ?? null,
    errorMessage: null,
    upload: null,
    header: [],
    rows: [],
    applyContext: null,
    cursor: 0,
    numberRecordsFailed: 0,
    apiActiveProcessingTime: 0,
    successfulLines: [],
    failedLines: [],
  };
  store.add(job);
  return { status: 200, body: ingestJobSummary(job) };
}

function listJobs(req: EmuRequest, store: JobStore): EmuResponse {
  const records = store
    .list(req.org.orgId)
    .flatMap((job) => (job.kind === 'ingest' ? [ingestJobInfo(job)] : []));
  return { status: 200, body: { done: true, records, nextRecordsUrl: null } };
}

function upload(job: IngestJob, req: EmuRequest): EmuResponse {
  if (job.state !== 'Open') throw bulkErrors.uploadNotOpen(job.id, job.state);
  if (job.upload !== null) throw bulkErrors.uploadTwice(job.id);
  if (req.body.length === 0) throw bulkErrors.emptyUpload(job.id);
  if (req.body.length > MAX_UPLOAD_BYTES) throw bulkErrors.uploadTooLarge(job.id, MAX_UPLOAD_BYTES);
  job.upload = req.body;
  job.systemModstamp = req.org.now();
  return { status: 201 };
}

function changeState(job: IngestJob, req: EmuRequest, deps: ResolvedBulkDeps): EmuResponse {
  const { state } = parseBody(req.body, changeJobStateBody);
  if (state !== 'UploadComplete' && state !== 'Aborted') throw bulkErrors.unknownTargetState(state);
  if (!CLIENT_TRANSITIONS[state].ingest.includes(job.state))
    throw bulkErrors.badStateChange(job.id, job.state, state);
  job.state = state;
  job.systemModstamp = req.org.now();
  if (state === 'UploadComplete') scheduleIngestJob(job, deps);
  return { status: 200, body: ingestJobSummary(job) };
}

function deleteJob(job: IngestJob, store: JobStore): EmuResponse {
  if (!DELETABLE_STATES.includes(job.state)) throw bulkErrors.deleteWhileActive(job.id, job.state);
  store.remove(job.id);
  return { status: 204 };
}

function results(job: IngestJob, kind: ResultKind): EmuResponse {
  if (!TERMINAL_STATES.includes(job.state)) throw bulkErrors.ingestNotComplete(job.id, job.state);
  if (kind === 'unprocessedrecords') ensureParsed(job);
  const header = job.header;
  switch (kind) {
    case 'successfulResults':
      return csvResponse(
        csvDocument(
          csvLine(['sf__Id', 'sf__Created', ...header], job.columnDelimiter),
          job.successfulLines,
          job.lineEnding,
        ),
      );
    case 'failedResults':
      return csvResponse(
        csvDocument(
          csvLine(['sf__Id', 'sf__Error', ...header], job.columnDelimiter),
          job.failedLines,
          job.lineEnding,
        ),
      );
    case 'unprocessedrecords': {
      if (header.length === 0) return csvResponse('');
      const rest = job.rows.slice(job.cursor).map((row) => csvLine(row, job.columnDelimiter));
      return csvResponse(csvDocument(csvLine(header, job.columnDelimiter), rest, job.lineEnding));
    }
  }
}

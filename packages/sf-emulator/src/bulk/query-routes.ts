// Bulk API 2.0 query: create a job (the SOQL runs at once, so a bad query is a 400 like REST's),
// poll it through UploadComplete -> InProgress -> JobComplete, page through its CSV results with
// locators, abort or delete it.
import type { EmuRequest, EmuResponse, RouteRegistry } from '../contracts.js';
import { bulkErrors } from './bulk-errors.js';
import type { ResolvedBulkDeps } from './bulk-deps.js';
import { csvDocument, csvLine } from './csv-write.js';
import { queryJobInfo, queryJobSummary } from './job-info.js';
import { CLIENT_TRANSITIONS, DELETABLE_STATES, newJobBase, type QueryJob } from './job-model.js';
import type { JobStore } from './job-store.js';
import { changeJobStateBody, createQueryJobBody, parseBody } from './parse-job-request.js';
import { decodeLocator, pageAt } from './query-pages.js';
import { answering, csvResponse, findJob, JOB_ID } from './route-helpers.js';
import { scheduleQueryJob } from './run-query-job.js';

export function registerQueryRoutes(routes: RouteRegistry, store: JobStore, deps: ResolvedBulkDeps): void {
  const job = new RegExp(`^/jobs/query/${JOB_ID}/?$`);
  routes.add(
    'POST',
    /^\/jobs\/query\/?$/,
    answering((req) => createJob(req, store, deps)),
  );
  routes.add(
    'GET',
    /^\/jobs\/query\/?$/,
    answering((req) => listJobs(req, store)),
  );
  routes.add(
    'GET',
    job,
    answering((req) => ({ status: 200, body: queryJobInfo(findJob(store, req, 'query')) })),
  );
  routes.add(
    'PATCH',
    job,
    answering((req) => changeState(findJob(store, req, 'query'), req)),
  );
  routes.add(
    'DELETE',
    job,
    answering((req) => deleteJob(findJob(store, req, 'query'), store)),
  );
  routes.add(
    'GET',
    new RegExp(`^/jobs/query/${JOB_ID}/results/?$`),
    answering((req) => results(findJob(store, req, 'query'), req, deps)),
  );
}

function createJob(req: EmuRequest, store: JobStore, deps: ResolvedBulkDeps): EmuResponse {
  const body = parseBody(req.body, createQueryJobBody);
  const result = deps.executeSoql(req.org, body.query, { includeDeleted: body.operation === 'queryAll' });
  const job: QueryJob = {
    kind: 'query',
    ...newJobBase(req, store.nextId(), 'UploadComplete', body),
    object: result.objectName,
    operation: body.operation,
    query: body.query,
    columns: result.fields,
    paths: result.paths ?? result.fields.map((column) => column.split('.')),
    records: result.records,
    lines: [],
  };
  store.add(job);
  scheduleQueryJob(job, deps);
  return { status: 200, body: queryJobSummary(job) };
}

function listJobs(req: EmuRequest, store: JobStore): EmuResponse {
  const records = store
    .list(req.org.orgId)
    .flatMap((job) => (job.kind === 'query' ? [queryJobInfo(job)] : []));
  return { status: 200, body: { done: true, records, nextRecordsUrl: null } };
}

function changeState(job: QueryJob, req: EmuRequest): EmuResponse {
  const { state } = parseBody(req.body, changeJobStateBody);
  if (state !== 'UploadComplete' && state !== 'Aborted') throw bulkErrors.unknownTargetState(state);
  if (!CLIENT_TRANSITIONS[state].query.includes(job.state))
    throw bulkErrors.badStateChange(job.id, job.state, state);
  job.state = state;
  job.systemModstamp = req.org.now();
  return { status: 200, body: queryJobSummary(job) };
}

function deleteJob(job: QueryJob, store: JobStore): EmuResponse {
  if (!DELETABLE_STATES.includes(job.state)) throw bulkErrors.deleteWhileActive(job.id, job.state);
  store.remove(job.id);
  return { status: 204 };
}

function results(job: QueryJob, req: EmuRequest, deps: ResolvedBulkDeps): EmuResponse {
  if (job.state !== 'JobComplete') throw bulkErrors.queryNotComplete(job.state);
  if (req.apiVersion !== job.apiVersion)
    throw bulkErrors.apiVersionMismatch(job.id, job.apiVersion, req.apiVersion);
  const maxRecords = parseMaxRecords(req.query.get('maxRecords'), deps.defaultQueryPageSize);
  const locator = req.query.get('locator') ?? '';
  const offset = locator === '' ? 0 : decodeLocator(locator, job.lines.length);
  if (offset === undefined) throw bulkErrors.badLocator(locator);
  const page = pageAt(offset, maxRecords, job.lines.length);
  const body = csvDocument(
    csvLine(job.columns, job.columnDelimiter),
    job.lines.slice(page.start, page.end),
    job.lineEnding,
  );
  return csvResponse(body, {
    'Sforce-NumberOfRecords': String(page.end - page.start),
    'Sforce-Locator': page.nextLocator,
  });
}

function parseMaxRecords(value: string | null, fallback: number): number {
  if (value === null || value === '') return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) throw bulkErrors.badMaxRecords(value);
  return Number(value);
}

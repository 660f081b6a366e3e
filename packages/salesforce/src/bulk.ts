import {
  CrmsyncError,
  classifyError,
  type BulkIngestRun,
  type BulkJob,
  type BulkOperation,
  type BulkResults,
  type BulkWaitOptions,
  type Clock,
  type CrmBulk,
  type CrmFields,
} from '@crmsync/core';
import { buildCsv, columnsOf, parseBulkError, parseCsv } from './csv.js';
import type { SalesforceHttp } from './http-types.js';
import { parseWire } from './parse-wire.js';
import { soqlName } from './soql.js';
import { WireBulkJob } from './wire.js';

/*
 * Bulk API 2.0 one step at a time (not jsforce's loadAndWaitForResults, which hides the job id
 * until it is done): the engine learns the job id first and persists it, so a crash at any point
 * resumes the same job instead of loading the rows twice.
 */

const TERMINAL = new Set(['JobComplete', 'Failed', 'Aborted']);

export type BulkClient = CrmBulk;

function toJob(body: unknown): BulkJob {
  const w = parseWire(WireBulkJob, body, 'Bulk job');
  return {
    id: w.id,
    object: w.object,
    operation: w.operation,
    state: w.state,
    recordsProcessed: w.numberRecordsProcessed,
    recordsFailed: w.numberRecordsFailed,
    errorMessage: w.errorMessage,
  };
}

const jobPath = (kind: 'ingest' | 'query', id: string) => `/jobs/${kind}/${encodeURIComponent(id)}`;

export function createBulkClient(http: SalesforceHttp, clock: Clock): BulkClient {
  async function getJob(jobId: string, kind: 'ingest' | 'query' = 'ingest'): Promise<BulkJob> {
    const answer = await http.send({ method: 'GET', path: jobPath(kind, jobId), kind: 'read' });
    return toJob(answer.body);
  }

  async function waitFor(
    jobId: string,
    options: BulkWaitOptions,
    kind: 'ingest' | 'query',
  ): Promise<BulkJob> {
    const deadline = clock.now().getTime() + options.timeoutMs;
    for (;;) {
      const job = await getJob(jobId, kind);
      options.onPoll?.(job);
      if (TERMINAL.has(job.state)) return job;
      if (job.state === 'Open') {
        throw new CrmsyncError('SALESFORCE_ERROR', {
          sfCode: 'JOB_OPEN',
          sfMessage: `Bulk job ${jobId} is still open: its data was never marked uploaded`,
        });
      }
      if (clock.now().getTime() + options.intervalMs > deadline) {
        throw new CrmsyncError('SALESFORCE_TIMEOUT', {
          sfCode: 'POLL_TIMEOUT',
          sfMessage: `Bulk job ${jobId} still ${job.state} after ${options.timeoutMs} ms; it keeps running`,
        });
      }
      await clock.sleep(options.intervalMs);
    }
  }

  async function createIngestJob(
    object: string,
    operation: BulkOperation,
    externalIdField?: string,
  ): Promise<BulkJob> {
    if (operation === 'upsert' && externalIdField === undefined)
      throw new RangeError('A Bulk upsert needs the external id field');
    const answer = await http.send({
      method: 'POST',
      path: '/jobs/ingest',
      json: {
        object: soqlName(object),
        operation,
        ...(externalIdField === undefined ? {} : { externalIdFieldName: soqlName(externalIdField) }),
        contentType: 'CSV',
        lineEnding: 'LF',
        columnDelimiter: 'COMMA',
      },
      kind: 'write',
      // At worst a second empty Open job: runIngest uploads only to the job it was answered with.
      resendIfUnanswered: true,
    });
    return toJob(answer.body);
  }

  async function uploadAndClose(
    jobId: string,
    rows: readonly CrmFields[],
    operation?: string,
  ): Promise<BulkJob> {
    if (rows.length === 0) throw new RangeError('A Bulk job needs at least one row');
    const columns = operation === 'delete' ? ['Id'] : columnsOf(rows);
    await http.send({
      method: 'PUT',
      path: `${jobPath('ingest', jobId)}/batches`,
      text: { body: buildCsv(columns, rows), contentType: 'text/csv' },
      accept: 'text',
      kind: 'write',
    });
    const answer = await http.send({
      method: 'PATCH',
      path: jobPath('ingest', jobId),
      json: { state: 'UploadComplete' },
      kind: 'write',
    });
    return toJob(answer.body);
  }

  async function csv(path: string): Promise<Record<string, string>[]> {
    const answer = await http.send({ method: 'GET', path, accept: 'text', kind: 'read' });
    return typeof answer.body === 'string' ? parseCsv(answer.body) : [];
  }

  const strip = (row: Record<string, string>): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(row)) if (!k.startsWith('sf__')) out[k] = v;
    return out;
  };

  /**
   * A job's results: three CSV reads, or fewer when the finished job's counts already say a list is
   * empty (no failed rows; nothing left unprocessed by a complete job).
   */
  async function getResults(jobId: string, finished?: BulkJob): Promise<BulkResults> {
    const base = jobPath('ingest', jobId);
    const successful = await csv(`${base}/successfulResults`);
    const failed = finished?.recordsFailed === 0 ? [] : await csv(`${base}/failedResults`);
    const unprocessed = finished?.state === 'JobComplete' ? [] : await csv(`${base}/unprocessedrecords`);
    return {
      successful: successful.map((r) => ({
        id: r.sf__Id ?? '',
        created: r.sf__Created === 'true',
        row: strip(r),
      })),
      failed: failed.map((r) => {
        const error = parseBulkError(r.sf__Error ?? '');
        return {
          id: r.sf__Id === undefined || r.sf__Id === '' ? null : r.sf__Id,
          error,
          classification: classifyError(
            { kind: 'salesforce', errorCode: error.statusCode, message: error.message, fields: error.fields },
            'write',
          ),
          row: strip(r),
        };
      }),
      unprocessed: unprocessed.map((r) => ({ row: r })),
    };
  }

  async function abortJob(jobId: string): Promise<BulkJob> {
    const answer = await http.send({
      method: 'PATCH',
      path: jobPath('ingest', jobId),
      json: { state: 'Aborted' },
      kind: 'write',
    });
    return toJob(answer.body);
  }

  async function runIngest(run: BulkIngestRun): Promise<{ job: BulkJob; results: BulkResults }> {
    let job: BulkJob | null = run.jobId === null ? null : await getJob(run.jobId);
    if (job !== null && job.state === 'Open') {
      // An Open job processed nothing: abort it and start clean rather than guess whether its upload landed.
      await abortJob(job.id);
      job = null;
    }
    if (job === null) {
      job = await createIngestJob(run.object, run.operation, run.externalIdField);
      await run.onJobCreated(job);
      job = await uploadAndClose(job.id, run.rows, run.operation);
    }
    if (!TERMINAL.has(job.state)) job = await waitFor(job.id, run.wait, 'ingest');
    return { job, results: await getResults(job.id, job) };
  }

  async function query(
    soql: string,
    options: BulkWaitOptions & { all?: boolean; pageSize?: number },
  ): Promise<Record<string, string>[]> {
    const created = await http.send({
      method: 'POST',
      path: '/jobs/query',
      json: {
        operation: options.all === true ? 'queryAll' : 'query',
        query: soql,
        contentType: 'CSV',
        lineEnding: 'LF',
        columnDelimiter: 'COMMA',
      },
      kind: 'read',
    });
    const job = toJob(created.body);
    const done = await waitFor(job.id, options, 'query');
    if (done.state !== 'JobComplete') {
      throw new CrmsyncError('SALESFORCE_ERROR', {
        sfCode: `BULK_QUERY_${done.state.toUpperCase()}`,
        sfMessage: done.errorMessage ?? `Bulk query ${done.id} ended ${done.state}`,
      });
    }
    const rows: Record<string, string>[] = [];
    let locator: string | null = null;
    for (;;) {
      const params = new URLSearchParams();
      if (locator !== null) params.set('locator', locator);
      if (options.pageSize !== undefined) params.set('maxRecords', String(options.pageSize));
      const query = params.size === 0 ? '' : `?${params.toString()}`;
      const answer = await http.send({
        method: 'GET',
        path: `${jobPath('query', job.id)}/results${query}`,
        accept: 'text',
        kind: 'read',
      });
      if (typeof answer.body === 'string') for (const r of parseCsv(answer.body)) rows.push(r);
      const next = answer.headers['sforce-locator'];
      // Salesforce writes the literal "null" on the last page; a missing header ends it too.
      if (next === undefined || next === '' || next === 'null') break;
      locator = next;
    }
    return rows;
  }

  return {
    createIngestJob,
    uploadAndClose: (jobId, rows) => uploadAndClose(jobId, rows),
    getJob: (jobId) => getJob(jobId),
    waitForJob: (jobId, options) => waitFor(jobId, options, 'ingest'),
    getResults: (jobId) => getResults(jobId),
    abortJob,
    runIngest,
    query,
  };
}

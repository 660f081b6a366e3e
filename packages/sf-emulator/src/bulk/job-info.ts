// Jobs as Salesforce writes them on the wire (reference §3.1): `apiVersion` a number,
// `contentUrl` without a leading slash, datetimes as `2018-12-18T22:51:36.000+0000`.
import type { IngestJob, QueryJob } from './job-model.js';

export function formatSfDateTime(date: Date): string {
  return date.toISOString().replace('Z', '+0000');
}

/** The answer to create and close: what the job is, without progress counters. */
export function ingestJobSummary(job: IngestJob): Record<string, unknown> {
  return {
    id: job.id,
    operation: job.operation,
    object: job.object,
    createdById: job.createdById,
    createdDate: formatSfDateTime(job.createdDate),
    systemModstamp: formatSfDateTime(job.systemModstamp),
    state: job.state,
    ...(job.externalIdFieldName === null ? {} : { externalIdFieldName: job.externalIdFieldName }),
    ...(job.assignmentRuleId === null ? {} : { assignmentRuleId: job.assignmentRuleId }),
    concurrencyMode: 'Parallel',
    contentType: 'CSV',
    apiVersion: Number(job.apiVersion),
    jobType: 'V2Ingest',
    contentUrl: `services/data/v${job.apiVersion}/jobs/ingest/${job.id}/batches`,
    lineEnding: job.lineEnding,
    columnDelimiter: job.columnDelimiter,
  };
}

/** The answer to GET: the summary plus progress counters and, once Failed, the reason. */
export function ingestJobInfo(job: IngestJob): Record<string, unknown> {
  return {
    ...ingestJobSummary(job),
    numberRecordsProcessed: job.numberRecordsProcessed,
    numberRecordsFailed: job.numberRecordsFailed,
    retries: job.retries,
    totalProcessingTime: Math.round(job.totalProcessingTime),
    apiActiveProcessingTime: Math.round(job.apiActiveProcessingTime),
    apexProcessingTime: 0,
    ...(job.errorMessage === null ? {} : { errorMessage: job.errorMessage }),
  };
}

export function queryJobSummary(job: QueryJob): Record<string, unknown> {
  return {
    id: job.id,
    operation: job.operation,
    object: job.object,
    createdById: job.createdById,
    createdDate: formatSfDateTime(job.createdDate),
    systemModstamp: formatSfDateTime(job.systemModstamp),
    state: job.state,
    concurrencyMode: 'Parallel',
    contentType: 'CSV',
    apiVersion: Number(job.apiVersion),
    jobType: 'V2Query',
    lineEnding: job.lineEnding,
    columnDelimiter: job.columnDelimiter,
  };
}

export function queryJobInfo(job: QueryJob): Record<string, unknown> {
  return {
    ...queryJobSummary(job),
    numberRecordsProcessed: job.numberRecordsProcessed,
    retries: job.retries,
    totalProcessingTime: Math.round(job.totalProcessingTime),
  };
}

// Every request-level error Bulk API 2.0 answers, in one place. Codes and statuses follow
// Salesforce's docs where they state them (404 NOT_FOUND, 412 JOB_NOT_COMPLETE, 409 for an API
// version mismatch); the rest are [recall] of real org answers. Per-record failures are not here:
// they are rows in failedResults, never request errors.
import { SalesforceError } from '../contracts.js';
import type { JobState } from './job-model.js';

/** Salesforce writes job states in this message in upper snake case (IN_PROGRESS). */
const shout = (state: JobState): string => state.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();

export const bulkErrors = {
  jobNotFound: () => new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist'),
  badJson: (detail: string) => new SalesforceError(400, 'JSON_PARSER_ERROR', detail),
  invalidJob: (message: string) => new SalesforceError(400, 'INVALIDJOB', message),
  unknownObject: (objectName: string) =>
    new SalesforceError(
      400,
      'INVALIDJOB',
      `Object ${objectName} does not exist or is not accessible: check the object's API name.`,
    ),
  uploadNotOpen: (jobId: string, state: JobState) =>
    new SalesforceError(
      409,
      'INVALIDJOBSTATE',
      `Job ${jobId} is in state ${state}; data can be uploaded only while a job is Open. Create a new job for more data.`,
    ),
  uploadTwice: (jobId: string) =>
    new SalesforceError(
      409,
      'BULK_API_ERROR',
      `Found multiple contents for job: <${jobId}>, please 'Close' / 'Abort' / 'Delete' the current Job then create a new Job and make sure the content is uploaded only once for each job`,
    ),
  emptyUpload: (jobId: string) =>
    new SalesforceError(
      400,
      'INVALIDJOB',
      `The upload for job ${jobId} is empty: send CSV with a header line and at least one record.`,
    ),
  uploadTooLarge: (jobId: string, limitBytes: number) =>
    new SalesforceError(
      400,
      'INVALIDJOB',
      `The upload for job ${jobId} exceeds ${limitBytes} bytes: split the data over several jobs.`,
    ),
  badStateChange: (jobId: string, from: JobState, to: string) =>
    new SalesforceError(409, 'INVALIDJOBSTATE', `Job ${jobId} cannot change from state ${from} to ${to}.`),
  unknownTargetState: (to: string) =>
    new SalesforceError(
      400,
      'INVALIDJOBSTATE',
      `'${to}' is not a state a client can set: send UploadComplete or Aborted.`,
    ),
  ingestNotComplete: (jobId: string, state: JobState) =>
    new SalesforceError(
      409,
      'INVALIDJOBSTATE',
      `Results for job ${jobId} are not available while it is ${state}: poll the job until it is JobComplete, Failed or Aborted.`,
    ),
  queryNotComplete: (state: JobState) =>
    new SalesforceError(
      412,
      'JOB_NOT_COMPLETE',
      `can only download query results of successfully completed bulk job with status: JOB_COMPLETE. Current status: ${shout(state)}`,
    ),
  deleteWhileActive: (jobId: string, state: JobState) =>
    new SalesforceError(
      409,
      'INVALIDJOBSTATE',
      `Job ${jobId} is ${state} and cannot be deleted yet: abort it or wait until it is JobComplete, Failed or Aborted.`,
    ),
  apiVersionMismatch: (jobId: string, jobVersion: string, requestVersion: string | null) =>
    new SalesforceError(
      409,
      'API_ERROR',
      `Query job ${jobId} was created with API version ${jobVersion}; request its results with that version (this request used ${requestVersion ?? 'none'}).`,
    ),
  badLocator: (locator: string) =>
    new SalesforceError(
      400,
      'INVALID_LOCATOR',
      `'${locator}' is not a locator of this job: use the Sforce-Locator header of the previous page.`,
    ),
  badMaxRecords: (value: string) =>
    new SalesforceError(
      400,
      'INVALID_MAX_RECORDS',
      `maxRecords must be a positive whole number; got '${value}'.`,
    ),
} as const;

// Small pieces every Bulk route shares: turning a thrown SalesforceError into Salesforce's error
// answer, finding the job a path names, and CSV responses.
import { SalesforceError, type EmuRequest, type EmuResponse, type RouteHandler } from '../contracts.js';
import { bulkErrors } from './bulk-errors.js';
import type { BulkJob, IngestJob, QueryJob } from './job-model.js';
import type { JobStore } from './job-store.js';

/** Path patterns, matched against the path after `/services/data/vNN.0`. */
export const JOB_ID = '(?<jobId>[^/]+)';

/** Request errors are thrown as SalesforceError inside handlers and answered here; anything else is a bug and propagates. */
export function answering(handler: (req: EmuRequest) => EmuResponse): RouteHandler {
  return (req) => {
    try {
      return handler(req);
    } catch (error) {
      if (error instanceof SalesforceError) return { status: error.status, body: error.toBody() };
      throw error;
    }
  };
}

export function findJob(store: JobStore, req: EmuRequest, kind: 'ingest'): IngestJob;
export function findJob(store: JobStore, req: EmuRequest, kind: 'query'): QueryJob;
export function findJob(store: JobStore, req: EmuRequest, kind: BulkJob['kind']): BulkJob {
  const job = store.get(req.params['jobId'] ?? '', req.org.orgId);
  if (job === undefined || job.kind !== kind) throw bulkErrors.jobNotFound();
  return job;
}

export function csvResponse(body: string, headers: Record<string, string> = {}): EmuResponse {
  return { status: 200, headers: { 'Content-Type': 'text/csv', ...headers }, body };
}

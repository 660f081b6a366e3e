import type { LogEntry, SalesforceObject } from '@crmsync/core';
import type { EngineDeps } from './deps.js';
import { jobKey, PUSH_QUEUE, type PushType } from './push/jobs.js';

/*
 * O4: records that failed for good (parked jobs) are retried by hand after the cause is fixed:
 * one record, a filter (Salesforce object, error code), or all. Retrying makes the parked jobs
 * due now; the worker then decides again on the record as it is.
 */

export type RetryFilter =
  | { all: true }
  | { record: { type: PushType; id: string } }
  | { sfObject?: SalesforceObject; errorCode?: string };

/** Returns how many parked jobs became due. */
export async function retryFailed(
  deps: Pick<EngineDeps, 'store' | 'queue'>,
  workspaceId: string,
  filter: RetryFilter,
): Promise<number> {
  if ('all' in filter) {
    let n = 0;
    for (const queue of Object.values(PUSH_QUEUE)) n += await deps.queue.retryFailed(workspaceId, { queue });
    return n;
  }
  if ('record' in filter) {
    const { type, id } = filter.record;
    return deps.queue.retryFailed(workspaceId, { queue: PUSH_QUEUE[type], keys: [jobKey(type, id)] });
  }
  // Which records failed with this object / code: the log keeps Salesforce's code per failure.
  const reader = deps.store.workspace(workspaceId);
  const keys: Record<PushType, Set<string>> = { person: new Set(), company: new Set() };
  let cursor: number | null = null;
  do {
    const page: { items: LogEntry[]; nextCursor: number | null } = await reader.log.list({
      failed: true,
      ...(filter.sfObject === undefined ? {} : { sfObject: filter.sfObject }),
      cursor,
      limit: 500,
    });
    for (const e of page.items) {
      if (filter.errorCode !== undefined && e.errorCode !== filter.errorCode) continue;
      if (e.recordType === 'person' || e.recordType === 'company')
        keys[e.recordType].add(jobKey(e.recordType, e.recordId));
    }
    cursor = page.nextCursor;
  } while (cursor !== null);
  let n = 0;
  for (const type of ['company', 'person'] as const) {
    if (keys[type].size > 0)
      n += await deps.queue.retryFailed(workspaceId, { queue: PUSH_QUEUE[type], keys: [...keys[type]] });
  }
  return n;
}

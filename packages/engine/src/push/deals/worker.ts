import type { CrmSession } from '../../crm-session.js';
import type { EngineDeps } from '../../deps.js';
import { overwriteDealsOnce } from '../../pull/opportunities-overwrite.js';
import type { PushContext } from '../context.js';
import { DEAL_QUEUE, parseDealJobKey } from '../jobs.js';
import { settleJobs, stopBatch, withClaimedBatch } from '../settle-jobs.js';
import type { PushBatchReport } from '../worker.js';
import { executeDealPlan, type DealOutcome } from './execute.js';
import { loadDealContext, planDeals } from './plan.js';

/*
 * The deal part of a push batch (D1-D6), run after companies and people so a deal's Account
 * and Contacts exist when its Opportunity and contact roles are written. A job ends as the
 * people's do: completed, retried with backoff (O4), parked, or rescheduled for the budget (O3).
 */

/** Claims one batch of deal jobs, decides and sends; adds its counts to `report`. Throws only for the store or a broken adapter. */
export async function runDealJobs(
  deps: EngineDeps,
  session: CrmSession,
  workspaceId: string,
  report: PushBatchReport,
  context: () => Promise<PushContext>,
): Promise<Map<string, DealOutcome>> {
  const outcomes = new Map<string, DealOutcome>();
  await withClaimedBatch(
    deps,
    workspaceId,
    DEAL_QUEUE,
    (key) => {
      const id = parseDealJobKey(key);
      return id === null ? null : { id };
    },
    report,
    async (refs, jobs) => {
      try {
        const push = await context();
        // D1: turning bidirectional sync on overwrites linked deals from Salesforce before any deal is pushed.
        await overwriteDealsOnce({
          store: deps.store,
          crm: push.crm,
          logger: deps.logger,
          workspaceId,
          orgId: push.orgId,
          settings: push.settings,
        });
        const ctx = await loadDealContext(push);
        const planned = await planDeals(
          ctx,
          refs.map((r) => r.id),
          'change',
        );
        for (const [id, o] of await executeDealPlan(ctx, planned)) outcomes.set(id, o);
      } catch (err) {
        const stop = await stopBatch(
          deps,
          workspaceId,
          jobs,
          refs.map((r) => ({ recordType: 'deal' as const, recordId: r.id })),
          err,
        );
        for (const r of refs) outcomes.set(r.id, stop);
      }
      await settleJobs(
        deps,
        refs.map(({ job, id }) => ({ job, outcome: outcomes.get(id) })),
        report,
      );
    },
  );
  return outcomes;
}

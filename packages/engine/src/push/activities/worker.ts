import type { EngineDeps } from '../../deps.js';
import type { PushContext } from '../context.js';
import { settleJobs, stopBatch, withClaimedBatch, type JobCounts } from '../settle-jobs.js';
import { ACTIVITY_QUEUE, activityKey, parseActivityJobKey } from './kinds.js';
import { planActivities } from './plan.js';
import { sendActivities, type ActivityOutcome } from './send.js';

/*
 * The activity leg of a push batch, run after companies and people (so the people an activity is
 * logged on are linked first): claims one batch of activity jobs, plans and sends them, and ends
 * each job as completed, retried with backoff (O4), parked, or rescheduled after the API budget
 * (O3) - as the people leg does.
 */

/** Claims one batch of activity jobs; adds its counts to `report`. Throws only for the store or a broken adapter, never for an activity. */
export async function runActivityBatch(
  deps: EngineDeps,
  workspaceId: string,
  report: JobCounts,
  loadContext: () => Promise<PushContext>,
): Promise<Map<string, ActivityOutcome>> {
  const result = new Map<string, ActivityOutcome>();
  await withClaimedBatch(
    deps,
    workspaceId,
    ACTIVITY_QUEUE,
    parseActivityJobKey,
    report,
    async (refs, jobs) => {
      let outcomes: Map<string, ActivityOutcome>;
      try {
        const ctx = await loadContext();
        outcomes = await sendActivities(ctx, await planActivities(ctx, refs));
      } catch (err) {
        // A veto or a passing failure while reading stops the whole batch: every job tries again later.
        const stop = await stopBatch(
          deps,
          workspaceId,
          jobs,
          refs.map((r) => ({ recordType: r.type, recordId: r.id })),
          err,
        );
        // An activity's failure carries Salesforce's code only, not crmsync's.
        const whole: ActivityOutcome =
          stop.status === 'budget'
            ? stop
            : {
                status: 'failed',
                retryable: stop.retryable,
                classification: stop.classification,
                sfCode: stop.sfCode,
                message: stop.message,
                rules: stop.rules,
              };
        outcomes = new Map(refs.map((r) => [activityKey(r.type, r.id), whole]));
      }
      const settled = refs.map(({ job, type, id }) => {
        const outcome = outcomes.get(activityKey(type, id));
        if (outcome !== undefined) result.set(activityKey(type, id), outcome);
        return { job, outcome };
      });
      await settleJobs(deps, settled, report);
    },
  );
  return result;
}

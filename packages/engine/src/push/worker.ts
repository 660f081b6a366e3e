import { allowTraffic, type Connection, type TrafficDecision } from '@crmsync/core';
import { budgetResumeAt } from '../crm-session.js';
import { toLifecycle } from '../lifecycle.js';
import type { CrmSessions } from '../crm-session.js';
import type { EngineDeps } from '../deps.js';
import { engineOptions, loadPushContext, type AccountCandidateSource } from './context.js';
import { executePlan, outcomeKey, type PushOutcome } from './execute.js';
import { parseJobKey, PUSH_QUEUE, type PushType } from './jobs.js';
import { planPush } from './plan.js';
import { claimBatch, settleJobs, stopBatch, workOnBatch } from './settle-jobs.js';
import { runDealJobs } from './deals/worker.js';
import { runActivityBatch } from './activities/worker.js';

/*
 * The push worker: claims a batch of jobs per type (companies first, so their Accounts exist
 * before the people that go under them), re-reads everything, decides and sends. A job ends as
 * completed, retried later with backoff and jitter (O4), parked for a manual retry, or
 * rescheduled when the API budget is spent (O3, no attempt counted).
 */

export interface PushBatchReport {
  /** Why nothing ran, when traffic is not allowed now (L1, L3). */
  gated: TrafficDecision | null;
  /** True when nothing was claimed because a partial batch is still gathering or nothing waits (see `gather.ts`). */
  gathering: boolean;
  claimed: number;
  completed: number;
  retrying: number;
  parked: number;
  budgetWaits: number;
  /** O3: set when the API budget was spent before anything could be claimed; nothing was claimed. */
  budgetWaitUntil: Date | null;
  outcomes: Map<string, PushOutcome>;
}

/** The lifecycle as core's `allowTraffic` reads it, from the stored connection. */
export function trafficFor(
  connection: Connection,
  traffic: 'auto_push' | 'manual_push',
  now: Date,
): TrafficDecision {
  return allowTraffic(toLifecycle(connection), traffic, now);
}

export interface PushWorkerOptions {
  /** X2 candidates; default: the org's Accounts loaded once per run. */
  accounts?: AccountCandidateSource;
  /**
   * C10/A4, local deletes: when given, jobs of records deleted locally go here (the pull side's
   * `applyLocalDeletes`, which counts an Account's remaining children first) instead of through
   * decidePush, which can delete a person but leaves a company's Account alone until its
   * children are counted. Throwing leaves the jobs to be retried.
   */
  localDeletes?: (workspaceId: string, refs: { type: PushType; id: string }[]) => Promise<unknown>;
  /** The long-running worker's gathering (`PushGatherer.ready`): false leaves the due jobs queued a little longer. */
  gather?: () => Promise<boolean>;
}

/** Runs one batch per push queue for a workspace. Throws only for the store or a broken adapter, never for a record. */
export async function runPushBatch(
  deps: EngineDeps,
  sessions: CrmSessions,
  workspaceId: string,
  opts: PushWorkerOptions = {},
): Promise<PushBatchReport> {
  const report: PushBatchReport = {
    gated: null,
    gathering: false,
    claimed: 0,
    completed: 0,
    retrying: 0,
    parked: 0,
    budgetWaits: 0,
    budgetWaitUntil: null,
    outcomes: new Map(),
  };
  const connection = await deps.store.workspace(workspaceId).connection.get();
  if (connection === null) {
    report.gated = {
      allowed: false,
      rule: 'L3',
      code: 'DISCONNECTED',
      reason: 'Salesforce is not connected.',
      retryAt: null,
    };
    return report;
  }
  // L1/L3: leave jobs pending and unclaimed; nothing is lost.
  const gate = trafficFor(connection, 'auto_push', deps.clock.now());
  if (!gate.allowed) {
    report.gated = gate;
    return report;
  }
  if (opts.gather !== undefined && !(await opts.gather())) {
    report.gathering = true;
    return report;
  }
  // O3: opening the session is a counted call too; a spent budget leaves every job queued until it frees.
  let session: Awaited<ReturnType<CrmSessions['session']>>;
  try {
    session = await sessions.session(workspaceId);
    await session.refreshBudget();
  } catch (err) {
    const resumeAt = budgetResumeAt(err, deps.clock.now());
    if (resumeAt === null) throw err;
    report.budgetWaitUntil = resumeAt;
    return report;
  }
  // Loaded once, by the first batch that needs it (describes, owners, the Account source); a
  // failed load (a budget veto, a passing error) is tried again by the next batch.
  let loaded: Awaited<ReturnType<typeof loadPushContext>> | null = null;
  const context = async () =>
    (loaded ??= await loadPushContext(
      deps,
      session,
      opts.accounts === undefined ? {} : { accounts: opts.accounts },
    ));
  const options = engineOptions(deps);
  const claimSize = options.pushClaimSize ?? options.batchSize;

  // Both batches are claimed before either is sent: another worker that finds the gathered batch
  // ready meanwhile then finds nothing left, instead of sending the people while this one sends
  // their companies (two smaller batches, twice the calls).
  const batches = {
    company: await claimBatch(deps, workspaceId, PUSH_QUEUE.company, report, claimSize),
    person: await claimBatch(deps, workspaceId, PUSH_QUEUE.person, report, claimSize),
  };
  for (const type of ['company', 'person'] as const satisfies readonly PushType[]) {
    await workOnBatch(deps, batches[type], parseJobKey, async (refs, jobs) => {
      let live = refs;
      if (opts.localDeletes !== undefined && refs.length > 0) {
        const rows = await deps.store.workspace(workspaceId).records.getMany(
          type,
          refs.map((r) => r.id),
        );
        const deleted = new Set(rows.filter((r) => r.deletedAt !== null).map((r) => r.id));
        const gone = refs.filter((r) => deleted.has(r.id));
        if (gone.length > 0) {
          await opts.localDeletes(
            workspaceId,
            gone.map((r) => ({ type: r.type, id: r.id })),
          );
          await deps.queue.complete(
            gone.map((r) => r.job.id),
            { workerId: deps.workerId },
          );
          report.completed += gone.length;
          live = refs.filter((r) => !deleted.has(r.id));
        }
      }
      let outcomes: Map<string, PushOutcome>;
      try {
        const ctx = await context();
        outcomes =
          live.length === 0
            ? new Map()
            : await executePlan(
                ctx,
                await planPush(
                  ctx,
                  type,
                  live.map((r) => r.id),
                  'change',
                ),
              );
      } catch (err) {
        // A budget veto or a passing failure (O4) while reading (lookups, describes) stops the whole batch.
        const stop = await stopBatch(
          deps,
          workspaceId,
          jobs,
          live.map((r) => ({ recordType: r.type, recordId: r.id })),
          err,
        );
        outcomes = new Map(live.map((r) => [outcomeKey(r.type, r.id), stop]));
      }
      const settled = live.map(({ job, type: t, id }) => {
        const outcome = outcomes.get(outcomeKey(t, id));
        if (outcome !== undefined) report.outcomes.set(outcomeKey(t, id), outcome);
        return { job, outcome };
      });
      await settleJobs(deps, settled, report);
    }).catch(async (err: unknown) => {
      // The store or a broken adapter: the people claimed with the companies go back untouched.
      if (type === 'company') {
        batches.person.done();
        await deps.queue
          .release(
            batches.person.jobs.map((j) => j.id),
            { workerId: deps.workerId },
          )
          .catch(() => {});
      }
      throw err;
    });
  }
  // D1-D6: deals after people, so their Accounts and Contacts exist for the Opportunity and its roles.
  await runDealJobs(deps, session, workspaceId, report, context);
  // E1-E12: activities last, so the people, companies and deals they are logged on are linked.
  await runActivityBatch(deps, workspaceId, report, context);
  await session.flushLedger();
  return report;
}

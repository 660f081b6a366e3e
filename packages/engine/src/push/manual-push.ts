import { CrmsyncError } from '@crmsync/core';
import type { CrmSessions } from '../crm-session.js';
import type { EngineDeps } from '../deps.js';
import { loadPushContext, type AccountCandidateSource } from './context.js';
import { executePlan, outcomeKey, type PushOutcome } from './execute.js';
import type { PushType } from './jobs.js';
import { planPush } from './plan.js';
import { trafficFor } from './worker.js';

/*
 * M1: an admin pushes chosen people or companies now. It overrides C2/C3/A1/A2 and a link marked
 * deleted in Salesforce (decidePush's `manual` trigger), still applies C4-C8 and the field map,
 * and still obeys a pause (L3) and the API budget (O3). The result is reported per record.
 */

export interface ManualPushRequest {
  people?: readonly string[];
  companies?: readonly string[];
}

export interface ManualPushResult {
  type: PushType;
  id: string;
  outcome: PushOutcome;
}

/** Throws PAUSED / DISCONNECTED when traffic is stopped (L3); per-record failures are results. */
export async function manualPush(
  deps: EngineDeps,
  sessions: CrmSessions,
  workspaceId: string,
  request: ManualPushRequest,
  opts: { accounts?: AccountCandidateSource } = {},
): Promise<ManualPushResult[]> {
  const connection = await deps.store.workspace(workspaceId).connection.get();
  if (connection === null) throw new CrmsyncError('DISCONNECTED', { workspaceId });
  const gate = trafficFor(connection, 'manual_push', deps.clock.now());
  if (!gate.allowed)
    throw new CrmsyncError(gate.code, { workspaceId, rule: gate.rule }, { message: gate.reason });
  const session = await sessions.session(workspaceId);
  await session.refreshBudget();
  const ctx = await loadPushContext(
    deps,
    session,
    opts.accounts === undefined ? {} : { accounts: opts.accounts },
  );
  const results: ManualPushResult[] = [];
  // Companies first: their Accounts exist before the people that go under them.
  for (const [type, ids] of [
    ['company', request.companies ?? []],
    ['person', request.people ?? []],
  ] as const) {
    for (let i = 0; i < ids.length; i += ctx.options.batchSize) {
      const batch = ids.slice(i, i + ctx.options.batchSize);
      // A budget veto while planning (lookups) ends the push with API_BUDGET_EXHAUSTED: nothing was sent.
      const outcomes = await executePlan(ctx, await planPush(ctx, type, batch, 'manual'));
      for (const id of batch) {
        const outcome = outcomes.get(outcomeKey(type, id));
        if (outcome !== undefined) results.push({ type, id, outcome });
      }
    }
  }
  await session.flushLedger();
  return results;
}

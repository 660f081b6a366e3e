import type { Settings } from '../settings/schema.js';

/** What the governor knows before a request: its own ledger and the org's last reported usage. */
export interface BudgetState {
  /** crmsync's own requests to this org over the last 24 hours (the persisted ledger). */
  usedLast24h: number;
  /** The org's daily allocation and what the org as a whole has used, from Sforce-Limit-Info or /limits. */
  orgMax: number;
  orgUsed: number;
  /** The ledger's minute buckets inside the window, oldest first: when their requests leave it. */
  window: readonly { leavesAt: Date; requests: number }[];
}

export type BudgetDecision =
  | { allowed: true; remainingShare: number }
  | {
      allowed: false;
      rule: 'O3';
      code: 'API_BUDGET_EXHAUSTED';
      reason: string;
      /**
       * When enough of crmsync's requests have left the window for these to fit in its share; null
       * when the org's own usage stands in the way (its composition is unknown: look again later).
       */
      resumeAt: Date | null;
    };

/**
 * O3: may crmsync spend `requests` more calls now? It stops at its share of the org's daily
 * allocation and when the org as a whole nears its limit (the reserve), so it never causes
 * REQUEST_LIMIT_EXCEEDED. Manual pushes are governed too.
 */
export function checkBudget(state: BudgetState, settings: Settings, requests = 1): BudgetDecision {
  const share = Math.floor((state.orgMax * settings.apiBudget.sharePercent) / 100);
  const reserve = Math.ceil((state.orgMax * settings.apiBudget.reservePercent) / 100);
  if (state.usedLast24h + requests > share) {
    const resumeAt = windowFreesAt(state, state.usedLast24h + requests - share);
    return {
      allowed: false,
      rule: 'O3',
      code: 'API_BUDGET_EXHAUSTED',
      reason: `crmsync has used ${state.usedLast24h} of its ${share} Salesforce API calls for the last 24 hours (${settings.apiBudget.sharePercent}% of the org's ${state.orgMax}); sync resumes as the window frees${resumeAt ? ` at ${resumeAt.toISOString()}` : ''}, or sooner if the API budget share is raised in the settings.`,
      resumeAt,
    };
  }
  const orgLeft = state.orgMax - state.orgUsed;
  if (orgLeft - requests < reserve) {
    return {
      allowed: false,
      rule: 'O3',
      code: 'API_BUDGET_EXHAUSTED',
      reason: `The Salesforce org has ${Math.max(0, orgLeft)} API calls left today, below the ${settings.apiBudget.reservePercent}% reserve (${reserve}); crmsync waits so that other integrations keep working.`,
      resumeAt: null,
    };
  }
  return { allowed: true, remainingShare: share - state.usedLast24h - requests };
}

/** When `excess` of the window's requests have left it: the bucket whose leaving makes the count; null if they never do. */
function windowFreesAt(state: BudgetState, excess: number): Date | null {
  let left = excess;
  for (const bucket of state.window) {
    left -= bucket.requests;
    if (left <= 0) return bucket.leavesAt;
  }
  return null;
}

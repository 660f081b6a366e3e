import type { Settings } from '../settings/schema.js';

/** What the governor knows before a request: its own ledger and the org's last reported usage. */
export interface BudgetState {
  /** crmsync's own requests to this org over the last 24 hours (the persisted ledger). */
  usedLast24h: number;
  /** The org's daily allocation and what the org as a whole has used, from Sforce-Limit-Info or /limits. */
  orgMax: number;
  orgUsed: number;
  /** When the oldest request inside the 24-hour window leaves it (null when the ledger is empty). */
  oldestInWindowAt: Date | null;
}

export type BudgetDecision =
  | { allowed: true; remainingShare: number }
  | {
      allowed: false;
      rule: 'O3';
      code: 'API_BUDGET_EXHAUSTED';
      reason: string;
      /** When the window frees a request; null when only the org's own usage stands in the way. */
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
  const resumeAt =
    state.oldestInWindowAt === null ? null : new Date(state.oldestInWindowAt.getTime() + 24 * 3_600_000);
  if (state.usedLast24h + requests > share) {
    return {
      allowed: false,
      rule: 'O3',
      code: 'API_BUDGET_EXHAUSTED',
      reason: `crmsync has used ${state.usedLast24h} of its ${share} Salesforce API calls for the last 24 hours (${settings.apiBudget.sharePercent}% of the org's ${state.orgMax}); sync resumes as the window frees${resumeAt ? ` at ${resumeAt.toISOString()}` : ''}.`,
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
      resumeAt,
    };
  }
  return { allowed: true, remainingShare: share - state.usedLast24h - requests };
}

import { z } from 'zod';
import type { Deal } from '../model/deal.js';
import type { Link } from '../model/link.js';
import type { DealSync, Settings } from '../settings/schema.js';
import type { RuleId } from './decision.js';
import { dealFieldsFromOpportunity } from './deal-fields.js';

/*
 * D1-D5 for the other direction: changed Opportunities (pulled with the cursor, never one query
 * per deal) -> local deal actions, each with its rule ids and a sentence. Pure: the engine
 * applies them and never queues an applied change for push (P2).
 */

/** A row from `queryAll` on Opportunity; the mapped fields ride along. */
export const PulledOpportunity = z.looseObject({
  Id: z.string().min(15).max(18),
  IsDeleted: z.boolean().default(false),
  SystemModstamp: z.string(),
  StageName: z.string().nullable().optional(),
  AccountId: z.string().nullable().optional(),
});
export type PulledOpportunity = z.infer<typeof PulledOpportunity>;

export interface ResolveDealPullInput {
  settings: Settings;
  orgId: string;
  rows: readonly PulledOpportunity[];
  /** Ids from the deletion feed (`/deleted`). */
  deletedIds?: readonly string[];
  /** The org's deal links for the rows' ids, and the company links of their AccountIds. */
  links: readonly Link[];
  /**
   * D1's one-time overwrite (see `dealsToOverwrite`): Salesforce's values are applied even to a
   * row whose SystemModstamp is crmsync's own write, because the local deal may have moved on
   * since and Salesforce must win once.
   */
  overwrite?: boolean;
}

/** How a pulled deal's company follows the Opportunity's Account. */
export type DealCompany =
  /** The Account is linked to this local company. */
  | { via: 'account'; companyId: string }
  /** The Opportunity has no Account: the deal has no company. */
  | { via: 'none' }
  /** The Account is not linked locally (yet): a new deal gets no company, an existing one keeps its own. */
  | { via: 'account_not_linked'; accountSfId: string };

interface Explained {
  rules: readonly RuleId[];
  reason: string;
  sfId: string;
}

export type DealPullAction =
  | (Explained & {
      /** D1/D3: a local deal from the Opportunity, linked to it, origin `salesforce`. */
      action: 'create_local';
      fields: Record<string, unknown>;
      origin: 'salesforce';
      /** D5: hidden from local lists and the API's default listing; still updated and pushed. */
      hidden: boolean;
      company: DealCompany;
      systemModstamp: string;
    })
  | (Explained & {
      /** D1/D3: update the linked local deal with Salesforce's values. */
      action: 'update_local';
      localId: string;
      fields: Record<string, unknown>;
      company: DealCompany;
      systemModstamp: string;
    })
  | (Explained & {
      /** The Opportunity was deleted: the local deal stays, its link no longer writes. */
      action: 'mark_link';
      localId: string;
      state: 'deleted_in_salesforce';
    })
  | (Explained & { action: 'ignore' });

const STATE_TEXT: Record<Link['state'], string> = {
  active: 'active',
  deleted_in_salesforce: 'deleted in Salesforce',
  deleted_locally: 'deleted locally',
  merged: 'merged',
};
const PULLS: Record<DealSync, boolean> = { bidirectional: true, pull: true, off: false, push: false };
const SYNC_RULE: Record<DealSync, RuleId> = { bidirectional: 'D1', off: 'D2', pull: 'D3', push: 'D4' };

/**
 * D5: whether a deal is left out of local lists and the API's default listing. Only deals that
 * came from Salesforce are hidden; the record stays and is still updated and pushed.
 */
export function isDealHidden(deal: Pick<Deal, 'origin'>, settings: Pick<Settings, 'deals'>): boolean {
  return settings.deals.hideDeals && deal.origin === 'salesforce';
}

export function resolveDealPull(input: ResolveDealPullInput): DealPullAction[] {
  const sync = input.settings.deals.dealSync;
  const rule = SYNC_RULE[sync];
  const ids = [...new Set([...input.rows.map((r) => r.Id), ...(input.deletedIds ?? [])])];
  if (!PULLS[sync]) {
    const why =
      sync === 'off'
        ? 'deal sync is off, so Opportunities are no longer pulled (deals already pulled stay as they are)'
        : 'deal sync is "push", so local deals go to Salesforce and Opportunities are not pulled';
    return ids.map((sfId) => ({
      action: 'ignore',
      sfId,
      rules: [rule],
      reason: `Opportunity ${sfId} is not pulled: ${why}.`,
    }));
  }

  const dealLinks = new Map<string, Link>();
  const companyOfAccount = new Map<string, string>();
  for (const l of input.links) {
    if (l.orgId !== input.orgId) continue;
    if (l.localType === 'deal' && l.sfObject === 'Opportunity') dealLinks.set(l.sfId, l);
    if (l.localType === 'company' && l.sfObject === 'Account' && l.state === 'active')
      companyOfAccount.set(l.sfId, l.localId);
  }

  const actions: DealPullAction[] = [];
  const handled = new Set<string>();
  const deleted = [...(input.deletedIds ?? []), ...input.rows.filter((r) => r.IsDeleted).map((r) => r.Id)];
  for (const sfId of new Set(deleted)) {
    handled.add(sfId);
    actions.push(resolveDeletion(sfId, dealLinks.get(sfId), rule));
  }
  for (const row of input.rows) {
    if (handled.has(row.Id)) continue;
    handled.add(row.Id);
    actions.push(resolveChange(row, input, dealLinks.get(row.Id), companyOfAccount, rule));
  }
  return actions;
}

function resolveDeletion(sfId: string, link: Link | undefined, rule: RuleId): DealPullAction {
  if (link === undefined || link.state !== 'active') {
    return {
      action: 'ignore',
      sfId,
      rules: [rule, 'P1'],
      reason: `Opportunity ${sfId} was deleted in Salesforce; no local deal is linked to it, so nothing changes.`,
    };
  }
  return {
    action: 'mark_link',
    sfId,
    localId: link.localId,
    state: 'deleted_in_salesforce',
    rules: [rule, 'P1'],
    reason: `Opportunity ${sfId} was deleted in Salesforce. Deals have no deletion sync, so local deal ${link.localId} is kept and its link is marked deleted in Salesforce; it is not pushed again unless pushed by hand.`,
  };
}

function companyOf(
  row: PulledOpportunity,
  companies: ReadonlyMap<string, string>,
): { company: DealCompany; sentence: string } {
  const accountId = row.AccountId ?? null;
  if (accountId === null) return { company: { via: 'none' }, sentence: '' };
  const companyId = companies.get(accountId);
  if (companyId !== undefined)
    return {
      company: { via: 'account', companyId },
      sentence: ` Its company is ${companyId}, linked to Account ${accountId}.`,
    };
  return {
    company: { via: 'account_not_linked', accountSfId: accountId },
    sentence: ` Its Account ${accountId} is not linked to a local company, so the deal's company is not changed from it.`,
  };
}

function resolveChange(
  row: PulledOpportunity,
  input: ResolveDealPullInput,
  link: Link | undefined,
  companies: ReadonlyMap<string, string>,
  rule: RuleId,
): DealPullAction {
  const sfId = row.Id;
  if (link !== undefined && link.state !== 'active') {
    return {
      action: 'ignore',
      sfId,
      rules: [rule],
      reason: `Opportunity ${sfId} changed in Salesforce, but its link to deal ${link.localId} is marked ${STATE_TEXT[link.state]}, so the change is not pulled; a manual push of the deal creates a new Opportunity.`,
    };
  }
  const overwrite = input.overwrite === true;
  if (
    link !== undefined &&
    !overwrite &&
    link.systemModstamp !== null &&
    link.systemModstamp === row.SystemModstamp
  ) {
    return {
      action: 'ignore',
      sfId,
      rules: ['P2'],
      reason: `Opportunity ${sfId} has not changed since crmsync wrote it (same SystemModstamp), so it is not pulled back.`,
    };
  }
  const fields = dealFieldsFromOpportunity(row, input.settings);
  const { company, sentence } = companyOf(row, companies);
  if (link !== undefined) {
    const why = overwrite
      ? 'bidirectional deal sync was just turned on, so the linked deal is overwritten from Salesforce once'
      : 'Salesforce is the source of truth for synced deals, so the linked deal is updated from it';
    const hidden = input.settings.deals.hideDeals ? ' Hidden deals are still updated (D5).' : '';
    return {
      action: 'update_local',
      sfId,
      localId: link.localId,
      fields,
      company,
      systemModstamp: row.SystemModstamp,
      rules: input.settings.deals.hideDeals ? [rule, 'D5'] : [rule],
      reason: `Opportunity ${sfId} changed in Salesforce; ${why}.${sentence}${hidden}`,
    };
  }
  const hidden = input.settings.deals.hideDeals;
  return {
    action: 'create_local',
    sfId,
    fields,
    origin: 'salesforce',
    hidden,
    company,
    systemModstamp: row.SystemModstamp,
    rules: hidden ? [rule, 'D5'] : [rule],
    reason: `Opportunity ${sfId} is not linked to a local deal, so a deal is created from it and linked.${sentence}${hidden ? ' "Hide deals" is on, so it is hidden from deal lists; it is still updated and pushed (D5).' : ''}`,
  };
}

export type DealOverwritePlan =
  | { overwrite: false; rules: readonly RuleId[]; reason: string }
  | {
      overwrite: true;
      rules: readonly RuleId[];
      reason: string;
      /** The linked Opportunities to read and pass to `resolveDealPull` with `overwrite: true`. */
      sfIds: readonly string[];
    };

/**
 * D1: turning bidirectional sync on overwrites already-linked deals from Salesforce, once. Given
 * the settings change, says which linked deals to overwrite. Only the change from another mode
 * to bidirectional triggers it; saving bidirectional again does not.
 */
export function dealsToOverwrite(input: {
  before: Pick<Settings, 'deals'>;
  after: Pick<Settings, 'deals'>;
  orgId: string;
  links: readonly Link[];
}): DealOverwritePlan {
  const from = input.before.deals.dealSync;
  const to = input.after.deals.dealSync;
  if (to !== 'bidirectional' || from === 'bidirectional') {
    return {
      overwrite: false,
      rules: ['D1'],
      reason:
        to === 'bidirectional'
          ? 'Bidirectional deal sync was already on, so no deal is overwritten.'
          : `Deal sync is "${to}", so no deal is overwritten from Salesforce.`,
    };
  }
  const sfIds = [
    ...new Set(
      input.links
        .filter(
          (l) =>
            l.orgId === input.orgId &&
            l.localType === 'deal' &&
            l.sfObject === 'Opportunity' &&
            l.state === 'active',
        )
        .map((l) => l.sfId),
    ),
  ];
  return {
    overwrite: true,
    rules: ['D1'],
    sfIds,
    reason: `Deal sync changed from "${from}" to bidirectional, so the ${sfIds.length} linked ${sfIds.length === 1 ? 'deal is' : 'deals are'} overwritten from Salesforce once; from now on Salesforce is the source of truth for synced deals.`,
  };
}

import { linkInOrg, type ChangeKind, type Link, type RuleId, type Settings } from '@crmsync/core';

/*
 * The cheap check at ingest for a deal (D1-D4): could this change be pushed at all? Only the
 * mode and the link decide it; the full decision (`decideDealPush`, stage mapping, required
 * fields, D1's SystemModstamp check) is made by the worker under the settings in force then.
 */

export type DealEligibility =
  | { eligible: true; effect: 'push'; code: 'deal_sync_pushes'; rules: RuleId[]; reason: string }
  | {
      eligible: false;
      code: 'deal_sync_off' | 'deal_sync_pull_only' | 'no_deal_deletion_sync' | 'link_deleted_in_salesforce';
      rules: RuleId[];
      reason: string;
      markLink: null;
    };

export function dealEligibility(input: {
  dealId: string;
  change: ChangeKind;
  link: Link | null;
  settings: Settings;
  orgId: string;
}): DealEligibility {
  const { dealId, change, settings } = input;
  const sync = settings.deals.dealSync;
  const label = `Deal ${dealId}`;
  const refuse = (
    code: Extract<DealEligibility, { eligible: false }>['code'],
    rules: RuleId[],
    reason: string,
  ) => ({ eligible: false, code, rules, reason, markLink: null }) as const;
  if (change === 'deleted')
    return refuse(
      'no_deal_deletion_sync',
      [sync === 'bidirectional' ? 'D1' : sync === 'push' ? 'D4' : sync === 'pull' ? 'D3' : 'D2'],
      `${label} was deleted in crmsync; deals have no deletion sync, so its Opportunity (if any) stays in Salesforce.`,
    );
  if (sync === 'off')
    return refuse(
      'deal_sync_off',
      ['D2'],
      `${label} is not queued: deal sync is off, so deals do not travel to Salesforce.`,
    );
  if (sync === 'pull')
    return refuse(
      'deal_sync_pull_only',
      ['D3'],
      `${label} is not queued: deal sync is "pull", so Opportunities come into crmsync and local deals are never pushed.`,
    );
  const rule: RuleId = sync === 'bidirectional' ? 'D1' : 'D4';
  const link = linkInOrg(input.link, input.orgId);
  if (link !== null && (link.state === 'deleted_in_salesforce' || link.state === 'merged'))
    return refuse(
      'link_deleted_in_salesforce',
      [rule],
      `${label} is not queued: its Opportunity ${link.sfId} is no longer in Salesforce; push the deal by hand to create it again.`,
    );
  return {
    eligible: true,
    effect: 'push',
    code: 'deal_sync_pushes',
    rules: [rule],
    reason: `${label} is queued: deal sync is "${sync}", so new and changed local deals are pushed to Salesforce (${rule}).`,
  };
}

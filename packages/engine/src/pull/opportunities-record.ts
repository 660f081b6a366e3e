import {
  CrmsyncError,
  PulledOpportunity,
  resolveDealPull,
  soqlId,
  type CrmAdapter,
  type Logger,
  type Store,
} from '@crmsync/core';
import {
  applyDealPullActions,
  dealPullLinks,
  dealSyncPulls,
  opportunityFields,
  type DealPullContext,
} from './opportunities.js';

/*
 * P3 for deals: a manual pull of one Opportunity by its id (`crmsync pull --record 006...`). One
 * queryAll, so a deleted Opportunity is seen as deleted (its link marked, the local deal kept);
 * one transaction; the cursors do not move. Refused with what to change when deal sync does not
 * pull, since nothing would happen (D2, D4).
 */

export async function pullOneOpportunity(input: {
  store: Store;
  crm: CrmAdapter;
  logger: Logger;
  ctx: DealPullContext;
  sfId: string;
}): Promise<Record<string, number>> {
  const { store, crm, ctx, sfId } = input;
  const sync = ctx.settings.deals.dealSync;
  if (!dealSyncPulls(ctx.settings)) {
    throw new CrmsyncError(
      'INVALID_INPUT',
      { sfId, field: 'deals.dealSync' },
      {
        message: `Opportunity ${sfId} was not pulled: deal sync is "${sync}" (${sync === 'off' ? 'D2' : 'D4'}), so Opportunities do not come into crmsync; set deals.dealSync to "pull" or "bidirectional" to pull it.`,
      },
    );
  }
  const fields = await opportunityFields(crm, ctx.settings, input.logger);
  const select = [...new Set(['Id', 'IsDeleted', 'SystemModstamp', ...fields])].join(', ');
  const rows = (
    await crm.query(`SELECT ${select} FROM Opportunity WHERE Id = ${soqlId(sfId)}`, { all: true })
  ).map((r) => PulledOpportunity.parse(r));
  const reader = store.workspace(ctx.workspaceId);
  const links =
    rows.length > 0
      ? await dealPullLinks(reader, ctx.orgId, rows)
      : await reader.links.getBySfIds(ctx.orgId, [sfId]);
  const actions = resolveDealPull({
    settings: ctx.settings,
    orgId: ctx.orgId,
    rows,
    ...(rows.length === 0 ? { deletedIds: [sfId] } : {}),
    links,
  });
  const counts: Record<string, number> = {};
  await store.transaction(ctx.workspaceId, async (tx) => {
    const applied = await applyDealPullActions(tx, ctx, actions, new Map(rows.map((r) => [r.Id, r])));
    for (const [k, n] of Object.entries(applied)) counts[`deal_${k}`] = n;
  });
  return counts;
}

import {
  DealSync,
  dealsToOverwrite,
  PulledOpportunity,
  resolveDealPull,
  soqlId,
  type CrmAdapter,
  type Link,
  type Logger,
  type Page,
  type StoredRecord,
  type Settings,
  type Store,
} from '@crmsync/core';
import { applyDealPullActions, dealPullLinks, opportunityFields } from './opportunities.js';

/*
 * D1: turning bidirectional deal sync on overwrites the already-linked deals from Salesforce,
 * once. Settings are saved by several doors (CLI, API, a settings file), so instead of a hook on
 * each, the mode last acted on is kept per org as a cursor; the first pull or deal push that
 * sees the mode changed to bidirectional performs the overwrite and records the new mode in the
 * same transaction. A crash before that commit only repeats the overwrite.
 */

const MODE_CURSOR = 'deals:sync-mode';

function storedMode(value: unknown): DealSync {
  const parsed = DealSync.safeParse((value as { dealSync?: unknown } | null)?.dealSync);
  // Before any deal sync was acted on, the mode was the default: off.
  return parsed.success ? parsed.data : 'off';
}

/** Every active deal link of the org (deals are read a page at a time). */
async function dealLinks(store: Store, workspaceId: string, orgId: string): Promise<Link[]> {
  const reader = store.workspace(workspaceId);
  const links: Link[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<StoredRecord<'deal'>> = await reader.records.list({ type: 'deal', cursor, limit: 500 });
    if (page.items.length > 0)
      links.push(
        ...(await reader.links.getMany(
          'deal',
          page.items.map((r) => r.id),
          orgId,
        )),
      );
    cursor = page.nextCursor;
  } while (cursor !== null);
  return links;
}

/**
 * Performs D1's one-time overwrite when the mode changed to bidirectional since it was last acted
 * on, and records the mode. Reads the linked Opportunities by id (one query per 200), never one
 * per deal. Returns how many deals were overwritten (0 when nothing was due).
 */
export async function overwriteDealsOnce(input: {
  store: Store;
  crm: CrmAdapter;
  logger: Logger;
  workspaceId: string;
  orgId: string;
  settings: Settings;
}): Promise<number> {
  const { store, crm, workspaceId, orgId, settings } = input;
  const before = storedMode(await store.workspace(workspaceId).cursors.get(orgId, MODE_CURSOR));
  const after = settings.deals.dealSync;
  if (before === after) return 0;
  const record = { dealSync: after };
  const plan = dealsToOverwrite({
    before: { deals: { ...settings.deals, dealSync: before } },
    after: settings,
    orgId,
    links: after === 'bidirectional' ? await dealLinks(store, workspaceId, orgId) : [],
  });
  if (!plan.overwrite || plan.sfIds.length === 0) {
    await store.transaction(workspaceId, (tx) => tx.cursors.put(orgId, MODE_CURSOR, record));
    return 0;
  }
  const fields = await opportunityFields(crm, settings, input.logger);
  const rows: PulledOpportunity[] = [];
  for (let i = 0; i < plan.sfIds.length; i += 200) {
    const ids = plan.sfIds.slice(i, i + 200);
    const found = await crm.query(
      `SELECT Id, SystemModstamp, ${fields.join(', ')} FROM Opportunity WHERE Id IN (${ids.map(soqlId).join(', ')})`,
    );
    rows.push(...found.map((r) => PulledOpportunity.parse(r)));
  }
  const links = await dealPullLinks(store.workspace(workspaceId), orgId, rows);
  const actions = resolveDealPull({ settings, orgId, rows, links, overwrite: true }).map((a) =>
    a.action === 'update_local' ? { ...a, reason: `${plan.reason} ${a.reason}` } : a,
  );
  let overwritten = 0;
  await store.transaction(workspaceId, async (tx) => {
    const counts = await applyDealPullActions(
      tx,
      { workspaceId, orgId, settings },
      actions,
      new Map(rows.map((r) => [r.Id, r])),
    );
    overwritten = counts.update_local ?? 0;
    await tx.cursors.put(orgId, MODE_CURSOR, record);
  });
  return overwritten;
}

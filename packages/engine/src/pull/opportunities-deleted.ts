import {
  resolveDealPull,
  soqlId,
  type CrmAdapter,
  type CrmRead,
  type CrmReadResult,
  type Page,
  type Store,
  type StoredRecord,
  type WorkspaceReader,
} from '@crmsync/core';
import { stampMs } from './change-cursor.js';
import { expectKind, isPurgedLogError } from './feeds.js';
import { applyDealPullActions, type DealPullContext } from './opportunities.js';

/*
 * P1 for deals: Opportunities deleted in Salesforce, read from the replication feed as the people
 * path reads its deletions (`feeds.ts`). The read rides in the run's shared `readMany` (one
 * subrequest per pull, whatever the number of deals, and not a query, so it costs no extra call).
 * A deleted Opportunity's link is marked `deleted_in_salesforce` and the local deal stays (deals
 * have no deletion sync; `resolveDealPull` decides it): the deal is no longer pushed automatically,
 * and a manual push (M1) creates a new Opportunity. Re-reading the overlap marks nothing twice,
 * because only an active link is marked. A purged deletion log (15 days, less after the Recycle
 * Bin is emptied) makes the run look up every linked Opportunity with queryAll instead.
 */

export const OPPORTUNITY_DELETED_CURSOR = 'pull:Opportunity:deleted';

export interface OpportunityDeletionPlan {
  read: Extract<CrmRead, { kind: 'deleted' }>;
}

/** Where this run reads the feed from: the last `latestDateCovered` (or the connection) less the overlap, to now. */
export function planOpportunityDeletions(input: {
  stored: unknown;
  now: Date;
  connectedAt: Date;
  overlapMs: number;
}): OpportunityDeletionPlan {
  const covered = (input.stored as { latestDateCovered?: unknown } | null)?.latestDateCovered;
  const from = typeof covered === 'string' && !Number.isNaN(stampMs(covered)) ? stampMs(covered) : null;
  const start = new Date((from ?? input.connectedAt.getTime()) - input.overlapMs);
  const end = new Date(Math.max(input.now.getTime(), start.getTime()));
  return { read: { kind: 'deleted', object: 'Opportunity', start, end } };
}

const SF_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/** Every Opportunity an active deal link of the org points at (deleted local deals included). */
async function linkedOpportunities(reader: WorkspaceReader, orgId: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<StoredRecord<'deal'>> = await reader.records.list({
      type: 'deal',
      cursor,
      limit: 500,
      includeDeleted: true,
    });
    const links = await reader.links.getMany(
      'deal',
      page.items.map((r) => r.id),
      orgId,
    );
    for (const l of links) if (l.sfObject === 'Opportunity' && l.state === 'active') ids.push(l.sfId);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return ids.filter((id) => SF_ID.test(id));
}

/** P1 full reconcile: linked Opportunities missing from queryAll, or deleted there (one query per 200). */
async function reconcile(crm: CrmAdapter, reader: WorkspaceReader, orgId: string): Promise<string[]> {
  const ids = await linkedOpportunities(reader, orgId);
  const gone: string[] = [];
  for (let i = 0; i < ids.length; i += 200) {
    const chunk = ids.slice(i, i + 200);
    const rows = await crm.query(
      `SELECT Id, IsDeleted FROM Opportunity WHERE Id IN (${chunk.map(soqlId).join(', ')})`,
      { all: true },
    );
    const live = new Set(rows.filter((r) => r.IsDeleted !== true).map((r) => String(r.Id).slice(0, 15)));
    gone.push(...chunk.filter((id) => !live.has(id.slice(0, 15))));
  }
  return gone;
}

/**
 * Applies the feed's answer: links of deleted Opportunities marked (logged with D1/D3 and P1),
 * in one transaction with the cursor. Returns counts as `deal_mark_link` / `deal_ignore`, and
 * whether the log had been purged (the run then reconciled).
 */
export async function applyOpportunityDeletions(input: {
  store: Pick<Store, 'transaction'>;
  reader: WorkspaceReader;
  crm: CrmAdapter;
  ctx: DealPullContext;
  plan: OpportunityDeletionPlan;
  answer: CrmReadResult | undefined;
}): Promise<{ counts: Record<string, number>; reconciled: boolean }> {
  const { reader, crm, ctx, plan } = input;
  const answer = expectKind(input.answer, 'deleted');
  let deletedIds: string[];
  let covered: string;
  let reconciled = false;
  if (!answer.ok && !isPurgedLogError(answer.error)) throw answer.error;
  if (
    !answer.ok ||
    (answer.value.earliestDateAvailable !== null &&
      stampMs(answer.value.earliestDateAvailable) > plan.read.start.getTime())
  ) {
    reconciled = true;
    deletedIds = await reconcile(crm, reader, ctx.orgId);
    covered = plan.read.end.toISOString();
  } else {
    deletedIds = [...new Set(answer.value.deleted.map((d) => d.id))];
    covered = answer.value.latestDateCovered;
  }
  const links = deletedIds.length === 0 ? [] : await reader.links.getBySfIds(ctx.orgId, deletedIds);
  const actions = resolveDealPull({ settings: ctx.settings, orgId: ctx.orgId, rows: [], deletedIds, links });
  const counts: Record<string, number> = {};
  await input.store.transaction(ctx.workspaceId, async (tx) => {
    const applied = await applyDealPullActions(tx, ctx, actions, new Map());
    for (const [k, n] of Object.entries(applied)) counts[`deal_${k}`] = n;
    await tx.cursors.put(ctx.orgId, OPPORTUNITY_DELETED_CURSOR, { latestDateCovered: covered });
  });
  return { counts, reconciled };
}

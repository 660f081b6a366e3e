import { randomUUID } from 'node:crypto';
import {
  Deal,
  PulledOpportunity,
  resolveDealPull,
  type CrmAdapter,
  type CrmChangePage,
  type CrmCursor,
  type CrmRead,
  type CrmValue,
  type DealPullAction,
  type Link,
  type Logger,
  type Settings,
  type Store,
  type StoreTransaction,
  type WorkspaceReader,
} from '@crmsync/core';
import { advance, isAfter, parseChangeCursor, readFrom, unseen, type ChangeCursor } from './change-cursor.js';

/*
 * D1/D3/D5 pull: changed Opportunities -> local deals. The rows come from the run's shared
 * `readMany` (one query per pull, whatever the number of deals); each page is resolved by core's
 * `resolveDealPull` and applied in one transaction with its cursor. An applied change is never
 * queued for push (P2): no job is written here, and the link records the row's SystemModstamp
 * so the same row coming back is recognised.
 */

export const OPPORTUNITY_CURSOR = 'pull:Opportunity';

/** D1/D3: the modes under which Opportunities come into crmsync. */
export const dealSyncPulls = (settings: Settings): boolean =>
  settings.deals.dealSync === 'bidirectional' || settings.deals.dealSync === 'pull';

/** The Opportunity fields a pull reads: the field map's, StageName (D6) and AccountId (the deal's company). */
export async function opportunityFields(
  crm: CrmAdapter,
  settings: Settings,
  logger: Logger,
): Promise<string[]> {
  const wanted = [
    ...new Set([...settings.fieldMappings.Opportunity.map((m) => m.salesforce), 'StageName', 'AccountId']),
  ];
  const known = new Set((await crm.describe('Opportunity')).fields.map((f) => f.name.toLowerCase()));
  const missing = wanted.filter((f) => !known.has(f.toLowerCase()));
  if (missing.length > 0)
    logger.warn(
      { object: 'Opportunity', missing },
      `the org's Opportunity has no field ${missing.join(', ')}; those mappings are not pulled`,
    );
  return wanted.filter((f) => known.has(f.toLowerCase()));
}

/** The Salesforce side of what a pull applied, by Salesforce field name: the link's snapshot (X5 compares with it). */
function snapshotOf(row: Readonly<Record<string, unknown>>, settings: Settings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of [
    ...settings.fieldMappings.Opportunity.map((m) => m.salesforce),
    'StageName',
    'AccountId',
  ]) {
    const key = Object.keys(row).find((k) => k.toLowerCase() === name.toLowerCase());
    if (key !== undefined) out[name] = row[key] ?? null;
  }
  return out;
}

/** Pulled deal fields onto a deal document. The host's `externalId` never comes from Salesforce. */
function withPulledFields(
  doc: Record<string, unknown>,
  fields: Record<string, unknown>,
): Record<string, unknown> {
  const out = { ...doc };
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'externalId') continue;
    if (key === 'name' || key === 'stage') {
      if (typeof value === 'string' && value.trim() !== '') out[key] = value;
    } else if (key === 'amount') {
      out.amount = value === null || value === '' ? null : Number(value);
    } else if (key === 'closeDate') {
      out.closeDate = typeof value === 'string' && value !== '' ? value.slice(0, 10) : null;
    }
  }
  return out;
}

export interface DealPullContext {
  workspaceId: string;
  orgId: string;
  settings: Settings;
}

/**
 * Applies deal pull actions inside `tx`: local deals created or updated (never queued for push,
 * P2), links with the row's SystemModstamp, a log entry per action. `rows` gives the Salesforce
 * values for the links' snapshots. Returns counts by action.
 */
export async function applyDealPullActions(
  tx: StoreTransaction,
  ctx: DealPullContext,
  actions: readonly DealPullAction[],
  rows: ReadonlyMap<string, Readonly<Record<string, unknown>>>,
  /** The log action for an applied update: D1's push-time conflict logs it as `overwritten`. */
  logAs?: string,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const count = (k: string) => (counts[k] = (counts[k] ?? 0) + 1);
  for (const action of actions) {
    const base = {
      rules: action.rules,
      reason: action.reason,
      sfObject: 'Opportunity' as const,
      sfId: action.sfId,
    };
    switch (action.action) {
      case 'ignore':
        // Nothing local changes; an echo of crmsync's own write is not worth a log line each poll.
        count('ignore');
        continue;
      case 'mark_link':
        await tx.links.markState(
          { localType: 'deal', localId: action.localId, orgId: ctx.orgId },
          action.state,
        );
        await tx.log.append([
          { ...base, recordType: 'deal', recordId: action.localId, action: 'pull_mark_link' },
        ]);
        count('mark_link');
        continue;
      case 'create_local':
      case 'update_local': {
        const existing =
          action.action === 'update_local' ? await tx.records.get('deal', action.localId) : null;
        if (action.action === 'update_local' && existing === null) {
          count('failed');
          await tx.log.append([
            {
              ...base,
              recordType: 'deal',
              recordId: action.localId,
              action: 'pull_failed',
              reason: `${action.reason} The local deal no longer exists.`,
            },
          ]);
          continue;
        }
        const localId = existing?.id ?? randomUUID();
        const doc: Record<string, unknown> =
          existing !== null
            ? { ...(existing.data as Record<string, unknown>) }
            : { id: localId, workspaceId: ctx.workspaceId, origin: 'salesforce', personIds: [] };
        if (action.company.via === 'account') doc.companyId = action.company.companyId;
        else if (action.company.via === 'none') doc.companyId = null;
        else if (existing === null) doc.companyId = null;
        const parsed = Deal.safeParse(withPulledFields(doc, action.fields));
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          const problem = `${issue?.path.map(String).join('.') || 'deal'} ${issue?.message ?? 'is invalid'}`;
          count('failed');
          await tx.log.append([
            {
              ...base,
              recordType: 'deal',
              recordId: existing?.id ?? localId,
              action: 'pull_failed',
              reason: `Opportunity ${action.sfId} could not be pulled: ${problem}. Correct the Opportunity in Salesforce; it is pulled again when it changes.`,
              errorCode: 'INVALID_INPUT',
              errorMessage: problem,
            },
          ]);
          continue;
        }
        await tx.records.upsert('deal', parsed.data);
        const link = existing === null ? null : await tx.links.get('deal', localId, ctx.orgId);
        await tx.links.put({
          localType: 'deal',
          localId,
          orgId: ctx.orgId,
          sfObject: 'Opportunity',
          sfId: action.sfId,
          snapshot: { ...(link?.snapshot ?? {}), ...snapshotOf(rows.get(action.sfId) ?? {}, ctx.settings) },
          // P2: the next row with this stamp is this same change coming back.
          systemModstamp: action.systemModstamp,
          state: 'active',
          mergedInto: null,
        });
        await tx.log.append([
          {
            ...base,
            recordType: 'deal',
            recordId: localId,
            action: action.action === 'update_local' && logAs !== undefined ? logAs : `pull_${action.action}`,
            payload: { fields: action.fields, company: action.company },
          },
        ]);
        await tx.events.append(
          action.action === 'create_local' ? 'link.created' : 'record.updated_from_salesforce',
          {
            recordType: 'deal',
            recordId: localId,
            sfObject: 'Opportunity',
            sfId: action.sfId,
            rules: action.rules,
          },
        );
        count(action.action);
        continue;
      }
    }
  }
  return counts;
}

/** The links `resolveDealPull` needs for these rows: the deals' own and their Accounts' companies. */
export async function dealPullLinks(
  reader: Pick<WorkspaceReader, 'links'>,
  orgId: string,
  rows: readonly PulledOpportunity[],
): Promise<Link[]> {
  const ids = [
    ...new Set(rows.flatMap((r) => [r.Id, ...(typeof r.AccountId === 'string' ? [r.AccountId] : [])])),
  ];
  return ids.length === 0 ? [] : reader.links.getBySfIds(orgId, ids);
}

export interface OpportunityPullInput {
  reader: WorkspaceReader;
  store: Pick<Store, 'transaction'>;
  crm: CrmAdapter;
  ctx: DealPullContext;
  fields: readonly string[];
  cursor: ChangeCursor | null;
  /** Where this run read from (the stored cursor less the overlap). */
  position: CrmCursor | null;
  firstPage: CrmChangePage<Record<string, CrmValue>>;
  overlapMs: number;
  pageSize: number;
}

/** Applies the changed-Opportunity pages, each with its cursor in one transaction. Only a full page costs another call. */
export async function pullOpportunities(
  input: OpportunityPullInput,
): Promise<{ counts: Record<string, number>; pages: number }> {
  const { reader, store, crm, ctx } = input;
  const counts: Record<string, number> = {};
  let pages = 0;
  let cursor = input.cursor;
  let page = input.firstPage;
  for (;;) {
    const rows = page.records
      .map((r) => PulledOpportunity.parse(r))
      .filter((r) => isAfter(r, input.position));
    const fresh = unseen(cursor, rows);
    const next = advance(cursor, rows, input.overlapMs);
    if (fresh.length > 0 || next !== cursor) {
      const links = await dealPullLinks(reader, ctx.orgId, fresh);
      const actions = resolveDealPull({ settings: ctx.settings, orgId: ctx.orgId, rows: fresh, links });
      await store.transaction(ctx.workspaceId, async (tx) => {
        const applied = await applyDealPullActions(tx, ctx, actions, new Map(fresh.map((r) => [r.Id, r])));
        for (const [k, n] of Object.entries(applied)) counts[`deal_${k}`] = (counts[`deal_${k}`] ?? 0) + n;
        if (next !== null) await tx.cursors.put(ctx.orgId, OPPORTUNITY_CURSOR, next);
      });
      pages += 1;
    }
    cursor = next;
    if (!page.more || page.records.length === 0) break;
    page = await crm.changedSince('Opportunity', input.fields, page.cursor, input.pageSize);
  }
  return { counts, pages };
}

/** This run's changed-Opportunity read, for the run's shared `readMany`: the stored cursor, where to read from, the fields. */
export async function opportunityProbe(input: {
  reader: WorkspaceReader;
  crm: CrmAdapter;
  orgId: string;
  settings: Settings;
  overlapMs: number;
  pageSize: number;
  logger: Logger;
}): Promise<{ cursor: ChangeCursor | null; position: CrmCursor | null; fields: string[]; read: CrmRead }> {
  const cursor = parseChangeCursor(await input.reader.cursors.get(input.orgId, OPPORTUNITY_CURSOR));
  const position = readFrom(cursor, input.overlapMs);
  const fields = await opportunityFields(input.crm, input.settings, input.logger);
  return {
    cursor,
    position,
    fields,
    read: { kind: 'changed', object: 'Opportunity', fields, cursor: position, limit: input.pageSize },
  };
}

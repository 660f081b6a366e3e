import {
  allowTraffic,
  CrmsyncError,
  PulledRow,
  resolvePull,
  type CrmAdapter,
  type CrmCursor,
  type CrmRead,
  type PulledObject,
  type Settings,
  soqlId,
} from '@crmsync/core';
import { refusal, toLifecycle } from '../lifecycle.js';
import { ACCOUNT_INDEX_FIELDS, createAccountIndex } from '../account-index.js';
import { applyPullActions, type ApplySummary } from './apply-pull-actions.js';
import {
  advance,
  earlierCursor,
  isAfter,
  parseChangeCursor,
  readFrom,
  unseen,
  type ChangeCursor,
} from './change-cursor.js';
import {
  FEEDS_CURSOR,
  feedAnswers,
  feedReads,
  parseFeedCursor,
  planFeeds,
  readFeeds,
  valueOf,
} from './feeds.js';
import { pullOptions, type PullDeps } from './pull-deps.js';
import { pulledFieldNames } from './pulled-values.js';
import { dealSyncPulls, opportunityProbe, pullOpportunities } from './opportunities.js';
import { overwriteDealsOnce } from './opportunities-overwrite.js';
import {
  applyOpportunityDeletions,
  OPPORTUNITY_DELETED_CURSOR,
  planOpportunityDeletions,
} from './opportunities-deleted.js';
import { pullOneOpportunity } from './opportunities-record.js';
import { resolveContext } from './resolve-context.js';

/*
 * The pull worker's run (P1-P4), per workspace:
 *   1. the gate (L1: a manual pull is refused with the window's end; an automatic one waits);
 *   1b. one `readMany` for every first read (feeds, first page of changed rows per pulled object,
 *      the Account read shared with the X2 index): an idle run costs two API calls (O3), where
 *      one call per read cost eleven;
 *   2. merges, deletions and conversions (one transaction with their cursor);
 *   3. the X2 Account index brought up to date;
 *   4. changed Accounts, Contacts and Leads, page by page, each page applied together with its
 *      cursor in one transaction, so a crash between pages re-reads at most one page. Only a
 *      full page costs another call;
 *   5. where deal sync pulls (D1/D3): D1's one-time overwrite, changed Opportunities, then
 *      Opportunities deleted in Salesforce (P1: their links marked, the deals kept), both read in 1b.
 * Salesforce is called only between transactions, never inside one.
 */

export type PullTrigger = 'schedule' | 'manual';

export interface PullRequest {
  trigger: PullTrigger;
  /** A manual pull of one record (P3) instead of every change. */
  record?: string;
}

export type PullReport =
  | { status: 'gated'; rule: string; reason: string; retryAt: Date | null }
  | {
      status: 'done';
      orgId: string;
      /** Actions applied, by kind. */
      counts: Record<string, number>;
      /** Transactions committed (feeds, pages, one record). */
      pages: number;
      /** Objects whose deletion log had been purged and were reconciled in full (P1). */
      reconciled: PulledObject[];
    };

/** One pulled object's changed-rows read: its stored cursor, where this run reads from, and the fields. */
interface ChangeProbe {
  object: PulledObject;
  cursor: ChangeCursor | null;
  position: CrmCursor | null;
  fields: string[];
}

export const CHANGE_OBJECTS: readonly PulledObject[] = ['Account', 'Contact', 'Lead'];
const PULL_RECORDS_KEY = { Contact: 'contacts', Lead: 'leads', Account: 'accounts' } as const;

export const changeCursorName = (object: PulledObject): string => `pull:${object}`;

function addCounts(into: Record<string, number>, from: ApplySummary['counts']): void {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
}

/**
 * The mapped fields the org actually has: a mapping to a field the org lacks (deleted, hidden,
 * or an edition without it) must not stop the whole pull; it is left out and said once per run.
 */
async function readableFields(
  crm: CrmAdapter,
  object: PulledObject,
  wanted: readonly string[],
  log: PullDeps['logger'],
): Promise<string[]> {
  const describe = await crm.describe(object);
  const known = new Set(describe.fields.map((f) => f.name.toLowerCase()));
  const missing = wanted.filter((f) => !known.has(f.toLowerCase()));
  if (missing.length > 0)
    log.warn(
      { object, missing },
      `the org's ${object} has no field ${missing.join(', ')}; those mappings are not pulled`,
    );
  return wanted.filter((f) => known.has(f.toLowerCase()));
}

const PREFIX_OBJECT: Record<string, PulledObject> = { '001': 'Account', '003': 'Contact', '00Q': 'Lead' };

export async function runPull(
  deps: PullDeps,
  workspaceId: string,
  request: PullRequest,
): Promise<PullReport> {
  const { store, clock } = deps;
  const options = pullOptions(deps);
  const reader = store.workspace(workspaceId);
  const connection = await reader.connection.get();
  if (connection === null) {
    throw new CrmsyncError(
      'DISCONNECTED',
      { workspaceId },
      { message: `Workspace ${workspaceId} has no Salesforce connection; connect an org before pulling.` },
    );
  }
  const gate = allowTraffic(
    toLifecycle(connection),
    request.trigger === 'manual' ? 'manual_pull' : 'auto_pull',
    clock.now(),
  );
  if (!gate.allowed) {
    if (request.trigger === 'manual') throw refusal(gate);
    return { status: 'gated', rule: gate.rule, reason: gate.reason, retryAt: gate.retryAt };
  }
  const orgId = connection.orgId;
  const settings = (await reader.settings.get()).settings;
  const crm = await deps.getCrm(workspaceId);
  const log = deps.logger.child({ workspaceId, orgId, trigger: request.trigger });

  if (request.record !== undefined)
    return pullOneRecord(deps, workspaceId, orgId, settings, crm, request.record);

  const counts: Record<string, number> = {};
  let pages = 0;

  // 1b. Every first read of the run in one `readMany` (one or two composite calls, O3): the
  // feeds, and the first page of changed rows per pulled object. The Account read also serves
  // the X2 index, so an idle run costs nothing more.
  const index = createAccountIndex({
    store,
    logger: deps.logger,
    getCrm: async () => crm,
    pageSize: options.pageSize,
  });
  const feedCursor = parseFeedCursor(await reader.cursors.get(orgId, FEEDS_CURSOR));
  // One instant for the feeds' read window and their next cursor: nothing between the two is skipped.
  const feedsAt = clock.now();
  const feedPlan = planFeeds({
    cursor: feedCursor,
    now: feedsAt,
    connectedAt: connection.connectedAt,
    overlapMs: options.overlapMs,
  });
  const changes: ChangeProbe[] = [];
  for (const object of CHANGE_OBJECTS) {
    if (!settings.pull.pullRecords[PULL_RECORDS_KEY[object]]) continue;
    const cursor = parseChangeCursor(await reader.cursors.get(orgId, changeCursorName(object)));
    changes.push({
      object,
      cursor,
      position: readFrom(cursor, options.overlapMs),
      fields: await readableFields(crm, object, pulledFieldNames(object, settings), log),
    });
  }
  const indexFrom = await index.cursor(workspaceId);
  const accounts = changes.find((c) => c.object === 'Account');
  const accountRead: CrmRead = {
    kind: 'changed',
    object: 'Account',
    fields: [...new Set([...(accounts?.fields ?? []), ...ACCOUNT_INDEX_FIELDS])],
    cursor: accounts === undefined ? indexFrom : earlierCursor(accounts.position, indexFrom),
    limit: options.pageSize,
  };
  const changeReads = changes.map((c): CrmRead =>
    c.object === 'Account'
      ? accountRead
      : { kind: 'changed', object: c.object, fields: c.fields, cursor: c.position, limit: options.pageSize },
  );
  const reads = [...feedReads(feedPlan), ...changeReads, ...(accounts === undefined ? [accountRead] : [])];
  // D1/D3: changed Opportunities ride in the same readMany, last (one query per pull, never per deal).
  const deals = dealSyncPulls(settings)
    ? await opportunityProbe({ reader, crm, orgId, settings, ...options, logger: log })
    : null;
  // P1: deleted Opportunities from the replication feed, in the same readMany (not a query: no extra call).
  const dealDeletions =
    deals === null
      ? null
      : planOpportunityDeletions({
          stored: await reader.cursors.get(orgId, OPPORTUNITY_DELETED_CURSOR),
          now: feedsAt,
          connectedAt: connection.connectedAt,
          overlapMs: options.overlapMs,
        });
  const answers = await crm.readMany(
    deals === null || dealDeletions === null ? reads : [...reads, deals.read, dealDeletions.read],
  );
  const feedCount = reads.length - changeReads.length - (accounts === undefined ? 1 : 0);
  const firstPages = changes.map((_, i) => valueOf(answers[feedCount + i], 'changed'));
  const accountPage =
    accounts === undefined
      ? valueOf(answers[reads.length - 1], 'changed')
      : firstPages[changes.indexOf(accounts)]!;

  // 2. Feeds: merges before deletions, then conversions, all in one transaction with their cursor.
  const feeds = await readFeeds({
    crm,
    reader,
    orgId,
    cursor: feedCursor,
    now: feedsAt,
    overlapMs: options.overlapMs,
    plan: feedPlan,
    answers: feedAnswers(answers.slice(0, feedCount)),
  });
  const feedInput = await resolveContext(reader, {
    orgId,
    settings,
    rows: feeds.rows,
    deletedIds: feeds.deletedIds,
  });
  const feedActions = resolvePull(feedInput);
  const goneAccounts = [
    ...(feeds.deletedIds.Account ?? []),
    ...(feeds.rows.Account ?? []).filter((r) => r.IsDeleted).map((r) => r.Id),
  ];
  const convertedLeads = new Set(
    (feeds.rows.Lead ?? []).filter((r) => r.IsConverted === true).map((r) => r.Id),
  );
  await store.transaction(workspaceId, async (tx) => {
    addCounts(counts, (await applyPullActions(tx, { orgId, settings, workspaceId }, feedActions)).counts);
    if (goneAccounts.length > 0) await tx.accountIndex.remove(orgId, goneAccounts);
    await tx.cursors.put(orgId, FEEDS_CURSOR, feeds.next);
  });
  pages += 1;
  if (feeds.reconciled.length > 0)
    log.warn({ objects: feeds.reconciled }, 'deletion log purged: reconciled linked records in full (P1)');

  // 3. X2: the index takes the shared Account page; only a full page makes it read on by itself.
  if (!(await index.applyPage(workspaceId, accountRead.cursor, accountPage)).current)
    await index.refresh(workspaceId);

  // 4. Changed rows, Accounts first so a Contact's Account is linked before the Contact arrives.
  for (const [i, change] of changes.entries()) {
    const { object, fields } = change;
    const name = changeCursorName(object);
    let cursor = change.cursor;
    let page = firstPages[i]!;
    for (;;) {
      // The shared Account read may start before this cursor's position: earlier rows were applied already.
      const rows = page.records.map((r) => PulledRow.parse(r)).filter((r) => isAfter(r, change.position));
      const fresh = unseen(cursor, rows).filter((r) => !(object === 'Lead' && convertedLeads.has(r.Id)));
      const next = advance(cursor, rows, options.overlapMs);
      if (fresh.length > 0 || next !== cursor) {
        const input = await resolveContext(reader, {
          orgId,
          settings,
          rows: { [object]: fresh },
          deletedIds: {},
        });
        const actions = resolvePull(input);
        await store.transaction(workspaceId, async (tx) => {
          addCounts(counts, (await applyPullActions(tx, { orgId, settings, workspaceId }, actions)).counts);
          if (next !== null) await tx.cursors.put(orgId, name, next);
        });
        pages += 1;
      }
      cursor = next;
      if (!page.more || page.records.length === 0) break;
      page = await crm.changedSince(object, fields, page.cursor, options.pageSize);
    }
  }
  // D1: bidirectional sync just turned on overwrites linked deals once; then changed Opportunities (D1, D3, D5).
  await overwriteDealsOnce({ store, crm, logger: log, workspaceId, orgId, settings });
  if (deals !== null) {
    const pulled = await pullOpportunities({
      reader,
      store,
      crm,
      ctx: { workspaceId, orgId, settings },
      fields: deals.fields,
      cursor: deals.cursor,
      position: deals.position,
      firstPage: valueOf(answers[reads.length], 'changed'),
      overlapMs: options.overlapMs,
      pageSize: options.pageSize,
    });
    addCounts(counts, pulled.counts);
    pages += pulled.pages;
  }
  if (dealDeletions !== null) {
    const deleted = await applyOpportunityDeletions({
      store,
      reader,
      crm,
      ctx: { workspaceId, orgId, settings },
      plan: dealDeletions,
      answer: answers[reads.length + 1],
    });
    addCounts(counts, deleted.counts);
    pages += 1;
    if (deleted.reconciled)
      log.warn({ objects: ['Opportunity'] }, 'deletion log purged: reconciled linked records in full (P1)');
  }
  log.info({ counts, pages }, 'pull finished');
  return { status: 'done', orgId, counts, pages, reconciled: feeds.reconciled };
}

/** P3: a manual pull of one record, by its Salesforce id; the cursors do not move. */
async function pullOneRecord(
  deps: PullDeps,
  workspaceId: string,
  orgId: string,
  settings: Settings,
  crm: CrmAdapter,
  sfId: string,
): Promise<PullReport> {
  const object = PREFIX_OBJECT[sfId.slice(0, 3)];
  const opportunity = sfId.startsWith('006');
  if ((object === undefined && !opportunity) || !/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/.test(sfId)) {
    throw new CrmsyncError(
      'INVALID_INPUT',
      { sfId },
      {
        message: `${sfId} is not the id of a Salesforce Account, Contact or Lead, nor of an Opportunity (pulled when deal sync pulls); give an id starting with 001, 003, 00Q or 006.`,
      },
    );
  }
  if (object === undefined) {
    const counts = await pullOneOpportunity({
      store: deps.store,
      crm,
      logger: deps.logger,
      ctx: { workspaceId, orgId, settings },
      sfId,
    });
    return { status: 'done', orgId, counts, pages: 1, reconciled: [] };
  }
  const fields = [
    ...new Set([
      'Id',
      'IsDeleted',
      'MasterRecordId',
      'SystemModstamp',
      ...(await readableFields(crm, object, pulledFieldNames(object, settings), deps.logger)),
    ]),
  ];
  const found = await crm.query(`SELECT ${fields.join(', ')} FROM ${object} WHERE Id = ${soqlId(sfId)}`, {
    all: true,
  });
  const rows = found.map((r) => PulledRow.parse(r));
  const deletedIds = rows.length === 0 ? { [object]: [sfId] } : {};
  const reader = deps.store.workspace(workspaceId);
  const input = await resolveContext(reader, { orgId, settings, rows: { [object]: rows }, deletedIds });
  const actions = resolvePull(input);
  const counts: Record<string, number> = {};
  await deps.store.transaction(workspaceId, async (tx) => {
    addCounts(counts, (await applyPullActions(tx, { orgId, settings, workspaceId }, actions)).counts);
  });
  return { status: 'done', orgId, counts, pages: 1, reconciled: [] };
}

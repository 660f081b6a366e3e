import {
  CrmsyncError,
  companyMatchKeys,
  type AccountCandidate,
  type CrmAccountRow,
  type CrmAdapter,
  type CrmChangePage,
  type CrmCursor,
  type CrmValue,
  type Logger,
  type Store,
} from '@crmsync/core';
import { compareCursors, laterCursor } from './pull/change-cursor.js';
import type { AccountCandidateSource } from './push/context.js';

/*
 * X2: Salesforce cannot normalise `Website` in a query, so crmsync keeps the org's Accounts
 * (Id, Name, Website, registrable domain, CreatedDate, LastModifiedDate) in the store and
 * matches companies there. The index is loaded on connect and kept current by its own cursor
 * over `accountsChangedSince` (one API call when nothing changed); the pull removes Accounts it
 * learns were deleted or merged away, in the same transaction as the rest of that page.
 * The scheduled pull reads changed Accounts anyway: it asks for the index's fields too, from the
 * earlier of the two positions, and hands the page over with `applyPage`, so an idle run spends
 * no call of its own on the index.
 */

export const ACCOUNT_INDEX_CURSOR = 'account-index';

/** The fields an index row needs besides Id and SystemModstamp (a `changedSince` read always has those). */
export const ACCOUNT_INDEX_FIELDS = ['Name', 'Website', 'CreatedDate', 'LastModifiedDate'] as const;

const text = (v: CrmValue | undefined): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** A changed-Account record (extra fields ignored) as an index row; Id and SystemModstamp are required. */
export function toIndexRow(record: Readonly<Record<string, CrmValue>>): CrmAccountRow {
  const { Id, SystemModstamp } = record;
  if (typeof Id !== 'string' || typeof SystemModstamp !== 'string') {
    throw new CrmsyncError(
      'INTERNAL',
      { record: JSON.stringify(record).slice(0, 500) },
      { message: 'a changed Account came back without Id or SystemModstamp' },
    );
  }
  return {
    Id,
    Name: text(record.Name) ?? '',
    Website: text(record.Website),
    CreatedDate: text(record.CreatedDate) ?? '',
    LastModifiedDate: text(record.LastModifiedDate) ?? '',
    SystemModstamp,
  };
}

export interface AccountIndexDeps {
  store: Store;
  logger: Logger;
  getCrm: (workspaceId: string) => Promise<CrmAdapter>;
  /** Rows per `accountsChangedSince` page. */
  pageSize?: number;
}

export interface AccountIndex {
  /** Replaces the org's index with every Account (one transaction) and sets the cursor. */
  load(workspaceId: string): Promise<{ orgId: string; accounts: number }>;
  /** Applies Accounts changed since the cursor, page by page, each page with its cursor in one transaction. */
  refresh(workspaceId: string): Promise<{ orgId: string; changed: number }>;
  /** The index's cursor (null: from the beginning). */
  cursor(workspaceId: string): Promise<CrmCursor | null>;
  /**
   * Applies a page of changed Accounts read by someone else from `from` (at or before the index's
   * cursor) with at least the ACCOUNT_INDEX_FIELDS. Returns whether the index is now current:
   * false when the page was full, so `refresh` must read on.
   */
  applyPage(
    workspaceId: string,
    from: CrmCursor | null,
    page: CrmChangePage<Record<string, CrmValue>>,
  ): Promise<{ current: boolean; changed: number }>;
  /**
   * Adds Accounts crmsync itself just created or linked, so X2 finds them before the next refresh
   * reads them back with Salesforce's own values (their SystemModstamp taken from
   * LastModifiedDate until then). One transaction.
   */
  remember(workspaceId: string, rows: readonly AccountCandidate[]): Promise<void>;
  /** X2 candidates for a batch of companies: by registrable website domain and by exact name, deduplicated. */
  candidates(
    workspaceId: string,
    companies: readonly { name: string; website: string | null }[],
  ): Promise<AccountCandidate[]>;
}

const toCandidate = (row: CrmAccountRow): AccountCandidate => ({
  Id: row.Id,
  Name: row.Name,
  Website: row.Website,
  CreatedDate: row.CreatedDate,
  LastModifiedDate: row.LastModifiedDate,
});

function parseCursor(value: unknown): CrmCursor | null {
  if (typeof value !== 'object' || value === null) return null;
  const { at, id } = value as { at?: unknown; id?: unknown };
  return typeof at === 'string' && typeof id === 'string' ? { at, id } : null;
}

async function orgOf(store: Store, workspaceId: string): Promise<string> {
  const connection = await store.workspace(workspaceId).connection.get();
  if (connection === null)
    throw new Error(`Workspace ${workspaceId} has no Salesforce connection; connect an org first.`);
  return connection.orgId;
}

export function createAccountIndex(deps: AccountIndexDeps): AccountIndex {
  const { store, logger } = deps;
  const pageSize = deps.pageSize ?? 2_000;
  return {
    async load(workspaceId) {
      const orgId = await orgOf(store, workspaceId);
      const crm = await deps.getCrm(workspaceId);
      const { rows, cursor } = await crm.loadAccounts();
      await store.transaction(workspaceId, async (tx) => {
        await tx.accountIndex.clear(orgId);
        await tx.accountIndex.upsert(orgId, rows);
        await tx.cursors.put(orgId, ACCOUNT_INDEX_CURSOR, cursor);
      });
      logger.info({ workspaceId, orgId, accounts: rows.length }, 'loaded the local Account index (X2)');
      return { orgId, accounts: rows.length };
    },

    async refresh(workspaceId) {
      const orgId = await orgOf(store, workspaceId);
      const crm = await deps.getCrm(workspaceId);
      let cursor = parseCursor(await store.workspace(workspaceId).cursors.get(orgId, ACCOUNT_INDEX_CURSOR));
      let changed = 0;
      for (;;) {
        const page = await crm.accountsChangedSince(cursor, pageSize);
        if (page.records.length > 0) {
          const next = page.cursor;
          await store.transaction(workspaceId, async (tx) => {
            await tx.accountIndex.upsert(orgId, page.records);
            await tx.cursors.put(orgId, ACCOUNT_INDEX_CURSOR, next);
          });
          changed += page.records.length;
        }
        cursor = page.cursor;
        if (!page.more || page.records.length === 0) break;
      }
      if (changed > 0) logger.debug({ workspaceId, orgId, changed }, 'Account index brought up to date (X2)');
      return { orgId, changed };
    },

    async cursor(workspaceId) {
      const orgId = await orgOf(store, workspaceId);
      return parseCursor(await store.workspace(workspaceId).cursors.get(orgId, ACCOUNT_INDEX_CURSOR));
    },

    async applyPage(workspaceId, from, page) {
      const orgId = await orgOf(store, workspaceId);
      const current = parseCursor(
        await store.workspace(workspaceId).cursors.get(orgId, ACCOUNT_INDEX_CURSOR),
      );
      if (compareCursors(from, current) > 0) {
        throw new CrmsyncError(
          'INTERNAL',
          { from: JSON.stringify(from), cursor: JSON.stringify(current) },
          {
            message:
              "an Account page read from after the index's cursor was handed to the index: the changes in between would be lost",
          },
        );
      }
      // Rows before the index's cursor are re-reads (the pull's overlap): their values are current, so upserting them is harmless.
      const rows = page.records.map(toIndexRow);
      const next = laterCursor(current, page.cursor);
      if (rows.length > 0 || next !== current) {
        await store.transaction(workspaceId, async (tx) => {
          if (rows.length > 0) await tx.accountIndex.upsert(orgId, rows);
          await tx.cursors.put(orgId, ACCOUNT_INDEX_CURSOR, next);
        });
      }
      return { current: !page.more || page.records.length === 0, changed: rows.length };
    },

    async remember(workspaceId, rows) {
      if (rows.length === 0) return;
      const orgId = await orgOf(store, workspaceId);
      await store.transaction(workspaceId, (tx) =>
        tx.accountIndex.upsert(
          orgId,
          rows.map((r) => ({ ...r, SystemModstamp: r.LastModifiedDate })),
        ),
      );
    },

    async candidates(workspaceId, companies) {
      const orgId = await orgOf(store, workspaceId);
      const domains = new Set<string>();
      const names = new Set<string>();
      for (const c of companies) {
        const keys = companyMatchKeys(c);
        if (keys.domain !== null) domains.add(keys.domain);
        if (keys.name !== null) names.add(c.name);
      }
      const reader = store.workspace(workspaceId).accountIndex;
      const [byDomain, byName] = await Promise.all([
        reader.findByDomains(orgId, [...domains]),
        reader.findByNames(orgId, [...names]),
      ]);
      const byId = new Map<string, AccountCandidate>();
      for (const row of [...byDomain, ...byName]) byId.set(row.Id, toCandidate(row));
      return [...byId.values()];
    },
  };
}

/**
 * The push worker's X2 candidate source (`push/context.ts` AccountCandidateSource) over the
 * local index: `find` queries the store (no Salesforce call). Accounts the run itself created or
 * linked are written into the index by the next `find` (one transaction), so later batches match
 * them while memory stays flat however many Accounts a run creates (held in memory, the 20,000
 * Accounts of a 100,000-person push all grew the process with the run). A source dropped before
 * its next `find` leaves them to the next index refresh.
 */
export function accountIndexSource(index: AccountIndex, workspaceId: string): AccountCandidateSource {
  let waiting: AccountCandidate[] = [];
  return {
    async find(companies) {
      if (waiting.length > 0) {
        const rows = waiting;
        waiting = [];
        try {
          await index.remember(workspaceId, rows);
        } catch (err) {
          waiting = [...rows, ...waiting];
          throw err;
        }
      }
      return index.candidates(workspaceId, companies);
    },
    remember(rows) {
      waiting.push(...rows);
    },
  };
}

import type { AccountIndexReader, AccountIndexWriter, CrmAccountRow } from '@crmsync/core';
import type { Selectable } from 'kysely';
import type { AccountIndexTable } from '../schema.js';
import { domainKey, nameKey } from '../search-keys.js';
import { chunks, type RepositoryContext } from './context.js';

const toRow = (row: Selectable<AccountIndexTable>): CrmAccountRow => ({
  Id: row.sf_id,
  Name: row.name,
  Website: row.website,
  CreatedDate: row.created_date,
  LastModifiedDate: row.last_modified_date,
  SystemModstamp: row.system_modstamp,
});

/** Ordered by Salesforce id so results are stable. */
export function accountIndexReader(ctx: RepositoryContext): AccountIndexReader {
  const { db, workspaceId } = ctx;
  const base = (orgId: string) =>
    db
      .selectFrom('account_index')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('org_id', '=', orgId);
  const byKey = async (
    orgId: string,
    column: 'domain_key' | 'name_key',
    keys: readonly (string | null)[],
  ) => {
    const wanted = [...new Set(keys.filter((k): k is string => k !== null))];
    const out: CrmAccountRow[] = [];
    for (const part of chunks(wanted))
      out.push(...(await base(orgId).where(column, 'in', part).orderBy('sf_id').execute()).map(toRow));
    return out.sort((a, b) => (a.Id < b.Id ? -1 : a.Id > b.Id ? 1 : 0));
  };
  return {
    findByDomains: (orgId, domains) =>
      byKey(
        orgId,
        'domain_key',
        domains.map((d) => domainKey(d)),
      ),
    findByNames: (orgId, names) =>
      byKey(
        orgId,
        'name_key',
        names.map((n) => nameKey(n)),
      ),
    async count(orgId) {
      const row = await db
        .selectFrom('account_index')
        .select((eb) => eb.fn.countAll<number | bigint | string>().as('n'))
        .where('workspace_id', '=', workspaceId)
        .where('org_id', '=', orgId)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },
  };
}

export function accountIndexWriter(ctx: RepositoryContext): AccountIndexWriter {
  const { db, workspaceId } = ctx;
  return {
    ...accountIndexReader(ctx),
    async upsert(orgId, rows) {
      // Later rows of one call win, as they would one call at a time.
      const latest = new Map(rows.map((r) => [r.Id, r]));
      for (const part of chunks([...latest.values()], 50)) {
        const values = part.map((r) => ({
          workspace_id: workspaceId,
          org_id: orgId,
          sf_id: r.Id,
          name: r.Name,
          website: r.Website,
          domain_key: domainKey(r.Website),
          name_key: nameKey(r.Name),
          created_date: r.CreatedDate,
          last_modified_date: r.LastModifiedDate,
          system_modstamp: r.SystemModstamp,
        }));
        await db
          .insertInto('account_index')
          .values(values)
          .onConflict((oc) =>
            oc.columns(['workspace_id', 'org_id', 'sf_id']).doUpdateSet((eb) => ({
              name: eb.ref('excluded.name'),
              website: eb.ref('excluded.website'),
              domain_key: eb.ref('excluded.domain_key'),
              name_key: eb.ref('excluded.name_key'),
              created_date: eb.ref('excluded.created_date'),
              last_modified_date: eb.ref('excluded.last_modified_date'),
              system_modstamp: eb.ref('excluded.system_modstamp'),
            })),
          )
          .execute();
      }
    },
    async remove(orgId, ids) {
      let removed = 0;
      for (const part of chunks([...new Set(ids)])) {
        const result = await db
          .deleteFrom('account_index')
          .where('workspace_id', '=', workspaceId)
          .where('org_id', '=', orgId)
          .where('sf_id', 'in', part)
          .executeTakeFirst();
        removed += Number(result.numDeletedRows);
      }
      return removed;
    },
    async clear(orgId) {
      const result = await db
        .deleteFrom('account_index')
        .where('workspace_id', '=', workspaceId)
        .where('org_id', '=', orgId)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

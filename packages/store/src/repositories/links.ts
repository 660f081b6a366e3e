import { Link, type LinkInput, type LinkReader, type LinkWriter } from '@crmsync/core';
import type { Selectable } from 'kysely';
import { parseJsonColumn } from '../codec.js';
import { StoreError } from '../errors.js';
import type { LinksTable } from '../schema.js';
import { chunks, type RepositoryContext } from './context.js';

function toLink(row: Selectable<LinksTable>): Link {
  const parsed = Link.safeParse({
    workspaceId: row.workspace_id,
    localType: row.local_type,
    localId: row.local_id,
    orgId: row.org_id,
    sfObject: row.sf_object,
    sfId: row.sf_id,
    snapshot: parseJsonColumn(row.snapshot, `snapshot of ${row.local_type} ${row.local_id}`),
    systemModstamp: row.system_modstamp,
    state: row.state,
    mergedInto: row.merged_into,
  });
  if (!parsed.success) {
    throw new StoreError(
      'corrupt_document',
      `The stored link of ${row.local_type} ${row.local_id} to ${row.sf_id} is not valid; unlink and push the record again.`,
      {
        cause: parsed.error,
      },
    );
  }
  return parsed.data;
}

export function linkReader(ctx: RepositoryContext): LinkReader {
  const { db, workspaceId } = ctx;
  const base = () => db.selectFrom('links').selectAll().where('workspace_id', '=', workspaceId);
  return {
    async get(localType, localId, orgId) {
      const row = await base()
        .where('local_type', '=', localType)
        .where('local_id', '=', localId)
        .where('org_id', '=', orgId)
        .executeTakeFirst();
      return row === undefined ? null : toLink(row);
    },
    async getMany(localType, localIds, orgId) {
      const out: Link[] = [];
      for (const part of chunks([...new Set(localIds)])) {
        const rows = await base()
          .where('local_type', '=', localType)
          .where('org_id', '=', orgId)
          .where('local_id', 'in', part)
          .execute();
        out.push(...rows.map(toLink));
      }
      return out;
    },
    async getBySfIds(orgId, sfIds) {
      const out: Link[] = [];
      for (const part of chunks([...new Set(sfIds)])) {
        const rows = await base().where('org_id', '=', orgId).where('sf_id', 'in', part).execute();
        out.push(...rows.map(toLink));
      }
      return out;
    },
  };
}

/** Rows per multi-row upsert: 9 bound values each, far below both databases' parameter limits. */
const PUT_CHUNK = 500;

export function linkWriter(ctx: RepositoryContext): LinkWriter {
  const { db, workspaceId } = ctx;
  const putMany = async (inputs: readonly LinkInput[]) => {
    // One statement may not touch a row twice on PostgreSQL: of two links with one key, the later wins, as it would one put at a time.
    const latest = new Map<string, Link>();
    for (const input of inputs) {
      const link = Link.parse({ ...input, workspaceId });
      latest.set(JSON.stringify([link.localType, link.localId, link.orgId]), link);
    }
    for (const part of chunks([...latest.values()], PUT_CHUNK)) {
      await db
        .insertInto('links')
        .values(
          part.map((link) => ({
            workspace_id: workspaceId,
            local_type: link.localType,
            local_id: link.localId,
            org_id: link.orgId,
            sf_object: link.sfObject,
            sf_id: link.sfId,
            snapshot: JSON.stringify(link.snapshot),
            system_modstamp: link.systemModstamp,
            state: link.state,
            merged_into: link.mergedInto,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['workspace_id', 'local_type', 'local_id', 'org_id']).doUpdateSet((eb) => ({
            sf_object: eb.ref('excluded.sf_object'),
            sf_id: eb.ref('excluded.sf_id'),
            snapshot: eb.ref('excluded.snapshot'),
            system_modstamp: eb.ref('excluded.system_modstamp'),
            state: eb.ref('excluded.state'),
            merged_into: eb.ref('excluded.merged_into'),
          })),
        )
        .execute();
    }
  };
  return {
    ...linkReader(ctx),
    put: (input) => putMany([input]),
    putMany,
    async markState(key, state, mergedInto) {
      const result = await db
        .updateTable('links')
        .set(mergedInto === undefined ? { state } : { state, merged_into: mergedInto })
        .where('workspace_id', '=', workspaceId)
        .where('local_type', '=', key.localType)
        .where('local_id', '=', key.localId)
        .where('org_id', '=', key.orgId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}

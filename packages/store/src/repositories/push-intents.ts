import type {
  LocalObjectType,
  PushIntent,
  PushIntentReader,
  PushIntentWriter,
  SalesforceObject,
} from '@crmsync/core';
import { parseJsonColumn, toText } from '../codec.js';
import { chunks, type RepositoryContext } from './context.js';

export function pushIntentReader(ctx: RepositoryContext): PushIntentReader {
  const { db, workspaceId } = ctx;
  return {
    async list(orgId, filter = {}) {
      let query = db
        .selectFrom('push_intents')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('org_id', '=', orgId);
      if (filter.sfObject !== undefined) query = query.where('sf_object', '=', filter.sfObject);
      const rows = await query.orderBy('started_at').orderBy('local_id').execute();
      return rows.map((row): PushIntent => ({
        localType: row.local_type as LocalObjectType,
        localId: row.local_id,
        orgId: row.org_id,
        sfObject: row.sf_object as SalesforceObject,
        startedAt: new Date(row.started_at),
        matchKeys: parseJsonColumn(row.match_keys, `intent of ${row.local_type} ${row.local_id}`) as Record<
          string,
          unknown
        >,
      }));
    },
  };
}

export function pushIntentWriter(ctx: RepositoryContext): PushIntentWriter {
  const { db, workspaceId } = ctx;
  return {
    ...pushIntentReader(ctx),
    async put(intents) {
      for (const part of chunks(intents, 100)) {
        if (part.length === 0) continue;
        await db
          .insertInto('push_intents')
          .values(
            part.map((intent) => ({
              workspace_id: workspaceId,
              local_type: intent.localType,
              local_id: intent.localId,
              org_id: intent.orgId,
              sf_object: intent.sfObject,
              started_at: toText(intent.startedAt),
              match_keys: JSON.stringify(intent.matchKeys),
            })),
          )
          .onConflict((oc) =>
            oc.columns(['workspace_id', 'local_type', 'local_id', 'org_id']).doUpdateSet((eb) => ({
              sf_object: eb.ref('excluded.sf_object'),
              started_at: eb.ref('excluded.started_at'),
              match_keys: eb.ref('excluded.match_keys'),
            })),
          )
          .execute();
      }
    },
    async clear(orgId, localType, localIds) {
      let removed = 0;
      for (const part of chunks([...new Set(localIds)])) {
        const result = await db
          .deleteFrom('push_intents')
          .where('workspace_id', '=', workspaceId)
          .where('org_id', '=', orgId)
          .where('local_type', '=', localType)
          .where('local_id', 'in', part)
          .executeTakeFirst();
        removed += Number(result.numDeletedRows);
      }
      return removed;
    },
  };
}

import type { ApiLedgerReader, ApiLedgerWriter } from '@crmsync/core';
import { toNumber } from '../codec.js';
import type { RepositoryContext } from './context.js';

const MINUTE_MS = 60_000;
/** The rolling window of O3, in minute buckets. */
export const WINDOW_MINUTES = 24 * 60;

export function minuteOf(date: Date): number {
  return Math.floor(date.getTime() / MINUTE_MS);
}

export function apiLedgerReader(ctx: RepositoryContext): ApiLedgerReader {
  const { db, workspaceId } = ctx;
  return {
    async sumLast24Hours(orgId) {
      const oldest = minuteOf(ctx.now()) - WINDOW_MINUTES + 1;
      const row = await db
        .selectFrom('api_ledger')
        .select((eb) => eb.fn.sum<number | bigint | string | null>('count').as('total'))
        .where('workspace_id', '=', workspaceId)
        .where('org_id', '=', orgId)
        .where('minute', '>=', oldest)
        .executeTakeFirst();
      return row?.total === null || row?.total === undefined ? 0 : toNumber(row.total);
    },
    async bucketsLast24Hours(orgId) {
      const rows = await db
        .selectFrom('api_ledger')
        .select(['minute', 'count'])
        .where('workspace_id', '=', workspaceId)
        .where('org_id', '=', orgId)
        .where('minute', '>=', minuteOf(ctx.now()) - WINDOW_MINUTES + 1)
        .orderBy('minute')
        .execute();
      return rows.map((r) => ({
        leavesAt: new Date((toNumber(r.minute) + WINDOW_MINUTES) * MINUTE_MS),
        requests: toNumber(r.count),
      }));
    },
  };
}

export function apiLedgerWriter(ctx: RepositoryContext): ApiLedgerWriter {
  const { db, workspaceId } = ctx;
  return {
    ...apiLedgerReader(ctx),
    async add(orgId, requests) {
      if (!Number.isInteger(requests) || requests < 0)
        throw new RangeError(`The API ledger counts whole requests; got ${requests}.`);
      if (requests === 0) return;
      const minute = minuteOf(ctx.now());
      await db
        .insertInto('api_ledger')
        .values({ workspace_id: workspaceId, org_id: orgId, minute, count: requests })
        .onConflict((oc) =>
          oc
            .columns(['workspace_id', 'org_id', 'minute'])
            .doUpdateSet((eb) => ({ count: eb(eb.ref('api_ledger.count'), '+', requests) })),
        )
        .execute();
      // Buckets that left the window are never summed again; dropping them keeps the table at 1,440 rows per org.
      await db
        .deleteFrom('api_ledger')
        .where('workspace_id', '=', workspaceId)
        .where('org_id', '=', orgId)
        .where('minute', '<=', minute - WINDOW_MINUTES)
        .execute();
    },
  };
}

import type { Link, LocalObjectType } from '@crmsync/core';
import type { EngineDeps } from '../deps.js';

/**
 * Ids of the live records of `type` that `counts` finds no link of in the org, one store page at a
 * time (pages with none left are skipped). The backfills (C9) and the dry run read what to push
 * from here; each type says which link states count as linked.
 */
export async function* unlinkedIds(
  deps: Pick<EngineDeps, 'store'>,
  workspaceId: string,
  type: LocalObjectType,
  orgId: string,
  pageSize: number,
  counts: (link: Link) => boolean,
): AsyncGenerator<string[]> {
  const reader = deps.store.workspace(workspaceId);
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<typeof reader.records.list>> = await reader.records.list({
      type,
      cursor,
      limit: pageSize,
    });
    const ids = page.items.map((r) => r.id);
    const linked = new Set(
      (await reader.links.getMany(type, ids, orgId)).filter(counts).map((l) => l.localId),
    );
    const out = ids.filter((id) => !linked.has(id));
    if (out.length > 0) yield out;
    cursor = page.nextCursor;
  } while (cursor !== null);
}

/*
 * How the port's (workspace, queue, key) maps onto pg-boss. Each workspace's queue is its own
 * pg-boss queue, so its own partition of pg-boss's job table: a claim reads one workspace's jobs
 * through pg-boss's own fetch index (name, start_after) and never walks another workspace's
 * backlog. The record key is pg-boss's `singleton_key`; the stately policy's unique index then
 * allows at most one created, one retry and one active job per key.
 */

const PREFIX = 'crmsync';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** `crmsync/<workspace>/<queue>`, each part URI-encoded so `/` only ever separates. */
export function bossQueueName(workspaceId: string, queue: string): string {
  return `${PREFIX}/${encodeURIComponent(workspaceId)}/${encodeURIComponent(queue)}`;
}

export function parseBossQueueName(name: string): { workspaceId: string; queue: string } | null {
  const parts = name.split('/');
  if (parts.length !== 3 || parts[0] !== PREFIX) return null;
  try {
    return { workspaceId: decodeURIComponent(parts[1] ?? ''), queue: decodeURIComponent(parts[2] ?? '') };
  } catch {
    return null;
  }
}

/**
 * The port's opaque job id: pg-boss's uuid plus its queue name, because pg-boss keys jobs by
 * (name, id) and a lookup by id alone would scan every partition.
 */
export function toJobId(uuid: string, bossName: string): string {
  return `${uuid}:${bossName}`;
}

/** Groups ids by pg-boss queue; ids that are not ours are dropped (the port ignores unknown ids). */
export function groupJobIds(ids: readonly string[]): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const id of new Set(ids)) {
    const uuid = id.slice(0, 36);
    const name = id.slice(37);
    if (!UUID.test(uuid) || id[36] !== ':' || parseBossQueueName(name) === null) continue;
    const list = byName.get(name) ?? [];
    list.push(uuid);
    byName.set(name, list);
  }
  return byName;
}

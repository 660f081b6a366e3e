import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyRecord, Store } from '@crmsync/core';

/*
 * API keys per workspace, hashed at rest: the key is `csk.<workspace id, base64url>.<secret>`,
 * only its sha256 is stored, so a stolen database reveals no key. Naming the workspace in the key
 * makes a lookup one read of that workspace, never a scan across workspaces.
 */

export interface ApiKeyIdentity {
  workspaceId: string;
  /** The key's public id (`ak_...`). */
  keyId: string;
  /** Who the key was issued to; recorded as the author of settings changes. */
  label: string;
}

/** The last use is written at most once a minute per key, so reads stay reads. */
const TOUCH_EVERY_MS = 60_000;

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** True when `given` is `expected`, compared in constant time over their hashes. */
export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(Buffer.from(sha256(given), 'hex'), Buffer.from(sha256(expected), 'hex'));
}

/** Creates a key for an existing workspace; the clear key is returned once and never stored. */
export async function issueApiKey(
  store: Store,
  workspaceId: string,
  label: string,
): Promise<{ key: string; record: ApiKeyRecord }> {
  const secret = randomBytes(24).toString('base64url');
  const key = `csk.${Buffer.from(workspaceId).toString('base64url')}.${secret}`;
  const record = await store.transaction(workspaceId, (tx) =>
    tx.apiKeys.create({
      id: `ak_${randomBytes(8).toString('hex')}`,
      hash: sha256(key),
      label,
      prefix: key.slice(0, key.lastIndexOf('.') + 5),
    }),
  );
  return { key, record };
}

/**
 * The workspace a key belongs to, or null for an unknown, malformed or revoked key. Records the
 * use when the last one is older than a minute at `now` (the caller's clock).
 */
export async function resolveApiKey(
  store: Store,
  key: string,
  now: Date = new Date(),
): Promise<ApiKeyIdentity | null> {
  const m = /^csk\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{20,})$/.exec(key);
  if (m === null) return null;
  const workspaceId = Buffer.from(m[1]!, 'base64url').toString('utf8');
  if (workspaceId === '') return null;
  const stored = await store.workspace(workspaceId).apiKeys.findByHash(sha256(key));
  if (stored === null || stored.revokedAt !== null) return null;
  const lastUsed = stored.lastUsedAt?.getTime() ?? 0;
  if (now.getTime() - lastUsed >= TOUCH_EVERY_MS)
    await store.transaction(workspaceId, (tx) => tx.apiKeys.touch(stored.id));
  return { workspaceId, keyId: stored.id, label: stored.label };
}

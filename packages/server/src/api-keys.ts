import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Store } from '@crmsync/core';
import { z } from 'zod';

/*
 * API keys per workspace, hashed at rest: the key is `csk.<workspace id, base64url>.<secret>`,
 * only its sha256 is stored, so a stolen database reveals no key. Naming the workspace in the key
 * makes a lookup one read of that workspace, never a scan across workspaces.
 *
 * Storage: the workspace's cursor table under the reserved org id '' (no Salesforce org id is
 * empty), so keys need no migration yet; only this file knows where they live.
 */

const KEY_ORG = '';
const keyName = (hash: string) => `api-key:${hash}`;

const StoredKey = z.object({ label: z.string(), createdAt: z.string(), revoked: z.boolean().default(false) });

export interface ApiKeyIdentity {
  workspaceId: string;
  /** Who the key was issued to; recorded as the author of settings changes. */
  label: string;
}

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
): Promise<{ key: string; prefix: string }> {
  const secret = randomBytes(24).toString('base64url');
  const key = `csk.${Buffer.from(workspaceId).toString('base64url')}.${secret}`;
  await store.transaction(workspaceId, (tx) =>
    tx.cursors.put(KEY_ORG, keyName(sha256(key)), { label, createdAt: tx.now.toISOString(), revoked: false }),
  );
  return { key, prefix: key.slice(0, key.lastIndexOf('.') + 5) };
}

/** The workspace a key belongs to, or null for an unknown, malformed or revoked key. */
export async function resolveApiKey(store: Store, key: string): Promise<ApiKeyIdentity | null> {
  const m = /^csk\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{20,})$/.exec(key);
  if (m === null) return null;
  const workspaceId = Buffer.from(m[1]!, 'base64url').toString('utf8');
  if (workspaceId === '') return null;
  const stored = StoredKey.safeParse(
    await store.workspace(workspaceId).cursors.get(KEY_ORG, keyName(sha256(key))),
  );
  if (!stored.success || stored.data.revoked) return null;
  return { workspaceId, label: stored.data.label };
}

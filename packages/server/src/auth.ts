import { CrmsyncError } from '@crmsync/core';
import type { FastifyRequest } from 'fastify';
import { resolveApiKey, sameSecret, type ApiKeyIdentity } from './api-keys.js';
import type { ServerDeps } from './deps.js';

/*
 * Who is calling: a workspace API key or the admin key, as `Authorization: Bearer <key>`.
 * Workspace routes see only the key's workspace, so another workspace's ids are simply not found
 * (404, never 403: the answer does not reveal that the id exists elsewhere).
 */

const identities = new WeakMap<FastifyRequest, ApiKeyIdentity>();

function bearer(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m === null ? null : m[1]!;
}

/** onRequest hook of workspace routes: 401 without a valid workspace key. */
export function requireWorkspaceKey(deps: Pick<ServerDeps, 'store' | 'clock'>) {
  return async (request: FastifyRequest): Promise<void> => {
    const key = bearer(request);
    const identity = key === null ? null : await resolveApiKey(deps.store, key, deps.clock.now());
    if (identity === null) throw new CrmsyncError('UNAUTHORIZED', {});
    identities.set(request, identity);
  };
}

/** onRequest hook of admin routes: 401 without the admin key. */
export function requireAdminKey(deps: Pick<ServerDeps, 'adminKey'>) {
  return async (request: FastifyRequest): Promise<void> => {
    const key = bearer(request);
    if (key === null || !sameSecret(key, deps.adminKey)) throw new CrmsyncError('UNAUTHORIZED', {});
  };
}

/** The caller of a workspace route (set by `requireWorkspaceKey`). */
export function callerOf(request: FastifyRequest): ApiKeyIdentity {
  const identity = identities.get(request);
  if (identity === undefined) throw new Error('callerOf used on a route without requireWorkspaceKey');
  return identity;
}

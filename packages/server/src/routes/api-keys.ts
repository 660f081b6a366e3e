import { CrmsyncError, type ApiKeyRecord, type Store } from '@crmsync/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { issueApiKey } from '../api-keys.js';
import { callerOf } from '../auth.js';
import type { ServerDeps } from '../deps.js';
import { iso, IsoDate } from '../schemas.js';

/*
 * API keys, by the admin for any workspace (/admin/workspaces/:workspaceId/api-keys) and by a
 * workspace key for its own workspace (/api-keys): create (the key is shown once), list (prefix,
 * label, created, last used, revoked), revoke. A revoked key answers 401 from then on.
 */

export const ApiKeyOut = z.object({
  id: z.string().describe('The public id to revoke the key by'),
  label: z.string(),
  prefix: z.string().describe('The first characters of the key'),
  createdAt: IsoDate,
  lastUsedAt: IsoDate.nullable(),
  revokedAt: IsoDate.nullable(),
});
export const IssuedKeyOut = ApiKeyOut.extend({
  workspaceId: z.string(),
  key: z.string().describe('Shown once: only its hash is stored'),
});
export const KeyBody = z
  .object({
    label: z.string().min(1).max(200).describe('Who or what uses the key; shown in settings history'),
  })
  .strict();

export const apiKeyOut = (k: ApiKeyRecord): z.infer<typeof ApiKeyOut> => ({
  id: k.id,
  label: k.label,
  prefix: k.prefix,
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: iso(k.lastUsedAt),
  revokedAt: iso(k.revokedAt),
});

export async function issueKeyOut(store: Store, workspaceId: string, label: string) {
  const { key, record } = await issueApiKey(store, workspaceId, label);
  return { ...apiKeyOut(record), workspaceId, key };
}

/** Revokes a key of the workspace; 404 when it is not one of the workspace's live keys. */
export async function revokeKey(store: Store, workspaceId: string, keyId: string) {
  const revoked = await store.transaction(workspaceId, (tx) => tx.apiKeys.revoke(keyId));
  if (!revoked) throw new CrmsyncError('NOT_FOUND', { resource: 'active API key', id: keyId });
  const key = (await store.workspace(workspaceId).apiKeys.list()).find((k) => k.id === keyId)!;
  return apiKeyOut(key);
}

const tags = ['api keys'];

export const apiKeyRoutes: FastifyPluginAsyncZod<{ deps: ServerDeps }> = async (app, { deps }) => {
  app.get(
    '/api-keys',
    {
      schema: {
        tags,
        summary: "This workspace's API keys (never the keys themselves), oldest first",
        response: { 200: z.object({ items: z.array(ApiKeyOut) }) },
      },
    },
    async (request) => ({
      items: (await deps.store.workspace(callerOf(request).workspaceId).apiKeys.list()).map(apiKeyOut),
    }),
  );

  app.post(
    '/api-keys',
    {
      schema: {
        tags,
        summary: 'Create another API key for this workspace; the key is in the answer once',
        body: KeyBody,
        response: { 201: IssuedKeyOut },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await issueKeyOut(deps.store, callerOf(request).workspaceId, request.body.label)),
  );

  app.delete(
    '/api-keys/:keyId',
    {
      schema: {
        tags,
        summary: 'Revoke an API key of this workspace (it answers 401 from then on)',
        params: z.object({ keyId: z.string() }),
        response: { 200: ApiKeyOut },
      },
    },
    async (request) => revokeKey(deps.store, callerOf(request).workspaceId, request.params.keyId),
  );
};

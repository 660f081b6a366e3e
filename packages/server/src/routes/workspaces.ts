import { CrmsyncError, Workspace } from '@crmsync/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerDeps } from '../deps.js';
import { ApiKeyOut, apiKeyOut, IssuedKeyOut, issueKeyOut, KeyBody, revokeKey } from './api-keys.js';

/** Admin only: workspaces and their API keys. */

const WorkspaceBody = Workspace.strict();
const WorkspaceOut = z.object({
  id: z.string(),
  name: z.string(),
  mailboxDomains: z.array(z.string()),
  users: z.array(z.object({ id: z.string(), name: z.string(), email: z.string() })),
  stages: z.object({
    people: z.array(z.string()),
    companies: z.array(z.string()),
    deals: z.array(z.string()),
  }),
});

export const workspaceRoutes: FastifyPluginAsyncZod<{ deps: ServerDeps }> = async (app, { deps }) => {
  app.post(
    '/workspaces',
    {
      schema: {
        tags: ['admin'],
        summary: 'Create a workspace',
        body: WorkspaceBody,
        response: { 201: WorkspaceOut },
      },
    },
    async (request, reply) => {
      if ((await deps.store.workspaces.get(request.body.id)) !== null) {
        throw new CrmsyncError(
          'CONFLICT',
          { resource: 'workspace', id: request.body.id },
          { message: `A workspace with id ${request.body.id} already exists. Choose another id.` },
        );
      }
      return reply.status(201).send(await deps.store.workspaces.create(request.body));
    },
  );

  app.get(
    '/workspaces',
    {
      schema: {
        tags: ['admin'],
        summary: 'List workspaces',
        response: { 200: z.object({ items: z.array(WorkspaceOut) }) },
      },
    },
    async () => ({ items: await deps.store.workspaces.list() }),
  );

  const WorkspaceParams = z.object({ workspaceId: z.string() });
  async function existing(workspaceId: string): Promise<void> {
    if ((await deps.store.workspaces.get(workspaceId)) === null)
      throw new CrmsyncError('NOT_FOUND', { resource: 'workspace', id: workspaceId });
  }

  app.post(
    '/workspaces/:workspaceId/api-keys',
    {
      schema: {
        tags: ['admin'],
        summary: 'Create an API key for a workspace; the key is in the answer once',
        params: WorkspaceParams,
        body: KeyBody,
        response: { 201: IssuedKeyOut },
      },
    },
    async (request, reply) => {
      const { workspaceId } = request.params;
      await existing(workspaceId);
      return reply.status(201).send(await issueKeyOut(deps.store, workspaceId, request.body.label));
    },
  );

  app.get(
    '/workspaces/:workspaceId/api-keys',
    {
      schema: {
        tags: ['admin'],
        summary: "A workspace's API keys (never the keys themselves), oldest first",
        params: WorkspaceParams,
        response: { 200: z.object({ items: z.array(ApiKeyOut) }) },
      },
    },
    async (request) => {
      await existing(request.params.workspaceId);
      return {
        items: (await deps.store.workspace(request.params.workspaceId).apiKeys.list()).map(apiKeyOut),
      };
    },
  );

  app.delete(
    '/workspaces/:workspaceId/api-keys/:keyId',
    {
      schema: {
        tags: ['admin'],
        summary: 'Revoke an API key of a workspace',
        params: WorkspaceParams.extend({ keyId: z.string() }),
        response: { 200: ApiKeyOut },
      },
    },
    async (request) => {
      await existing(request.params.workspaceId);
      return revokeKey(deps.store, request.params.workspaceId, request.params.keyId);
    },
  );
};

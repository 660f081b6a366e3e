import { CrmsyncError, Workspace } from '@crmsync/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { issueApiKey } from '../api-keys.js';
import type { ServerDeps } from '../deps.js';

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
const KeyOut = z.object({
  workspaceId: z.string(),
  label: z.string(),
  key: z.string().describe('Shown once: only its hash is stored'),
  prefix: z.string(),
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

  app.post(
    '/workspaces/:workspaceId/api-keys',
    {
      schema: {
        tags: ['admin'],
        summary: 'Create an API key for a workspace',
        params: z.object({ workspaceId: z.string() }),
        body: z
          .object({
            label: z.string().min(1).max(200).describe('Who or what uses the key; shown in settings history'),
          })
          .strict(),
        response: { 201: KeyOut },
      },
    },
    async (request, reply) => {
      const { workspaceId } = request.params;
      if ((await deps.store.workspaces.get(workspaceId)) === null)
        throw new CrmsyncError('NOT_FOUND', { resource: 'workspace', id: workspaceId });
      const issued = await issueApiKey(deps.store, workspaceId, request.body.label);
      return reply.status(201).send({ workspaceId, label: request.body.label, ...issued });
    },
  );
};

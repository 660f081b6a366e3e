import { CrmsyncError } from '@crmsync/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../auth.js';
import type { ServerDeps } from '../deps.js';

/*
 * The caller's own workspace: what a workspace-key sign-in needs to offer choices (the stage
 * lists behind the settings' stage checkboxes, the mailbox domains behind "internal" emails).
 * Users are left out: a workspace key reads settings, not the team's directory.
 */

const WorkspaceSelf = z.object({
  id: z.string(),
  name: z.string(),
  mailboxDomains: z.array(z.string()),
  stages: z.object({
    people: z.array(z.string()),
    companies: z.array(z.string()),
    deals: z.array(z.string()),
  }),
});

export const workspaceSelfRoutes: FastifyPluginAsyncZod<{ deps: ServerDeps }> = async (app, { deps }) => {
  app.get(
    '/workspace',
    {
      schema: {
        tags: ['settings'],
        summary: "The caller's workspace: name, mailbox domains and stage lists",
        response: { 200: WorkspaceSelf },
      },
    },
    async (request) => {
      const { workspaceId } = callerOf(request);
      const w = await deps.store.workspaces.get(workspaceId);
      if (w === null) throw new CrmsyncError('NOT_FOUND', { resource: 'workspace', id: workspaceId });
      return { id: w.id, name: w.name, mailboxDomains: w.mailboxDomains, stages: w.stages };
    },
  );
};

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerDeps } from '../deps.js';
import { IsoDate } from '../schemas.js';

/** Liveness and database reachability, without a key (for load balancers). */
export const healthRoutes: FastifyPluginAsyncZod<{ deps: ServerDeps }> = async (app, { deps }) => {
  app.get(
    '/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Whether the server and its database answer',
        security: [],
        response: { 200: z.object({ status: z.literal('ok'), time: IsoDate }) },
      },
    },
    async () => {
      await deps.store.workspaces.get('__health__');
      return { status: 'ok' as const, time: deps.clock.now().toISOString() };
    },
  );
};

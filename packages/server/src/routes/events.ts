import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../auth.js';
import type { ServerDeps } from '../deps.js';
import { IsoDate, Limit } from '../schemas.js';

/** Events for the host (O5), read by cursor: pass the last id seen as `after`. */
export const eventRoutes: FastifyPluginAsyncZod<{ deps: ServerDeps }> = async (app, { deps }) => {
  app.get(
    '/events',
    {
      schema: {
        tags: ['events'],
        summary: 'Events after a cursor, oldest first',
        querystring: z
          .object({ after: z.coerce.number().int().min(0).default(0), limit: Limit(1000, 100) })
          .strict(),
        response: {
          200: z.object({
            items: z.array(
              z.object({
                id: z.number().int(),
                at: IsoDate,
                type: z.string(),
                data: z.record(z.string(), z.unknown()),
              }),
            ),
            next: z
              .number()
              .int()
              .describe('Pass as `after` for the next page (equal to `after` when there were none)'),
          }),
        },
      },
    },
    async (request) => {
      const { after, limit } = request.query;
      const events = await deps.store.workspace(callerOf(request).workspaceId).events.listAfter(after, limit);
      return {
        items: events.map((e) => ({ ...e, at: e.at.toISOString() })),
        next: events.at(-1)?.id ?? after,
      };
    },
  );
};

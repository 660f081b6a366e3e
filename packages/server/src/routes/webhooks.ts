import { CrmsyncError, type Webhook, type WebhookDelivery } from '@crmsync/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../auth.js';
import type { ServerDeps } from '../deps.js';
import { iso, IsoDate, Limit } from '../schemas.js';
import { registerWebhook, stopWebhook, WebhookUrl } from '../webhooks/registry.js';

/*
 * Webhooks (O5): a URL per workspace that receives every event from its creation on, signed with
 * HMAC-SHA256 (`Crmsync-Signature: t=<unix seconds>,v1=<hex of HMAC(secret, "<t>.<body>")>`).
 * The workers deliver them and retry with backoff; every attempt is listed under deliveries.
 * URLs that lead into crmsync's own network are refused unless the deployment allows them.
 */

const WebhookOut = z.object({
  id: z.string(),
  url: z.string(),
  createdAt: IsoDate,
  disabledAt: IsoDate.nullable(),
});
const CreatedOut = WebhookOut.extend({
  secret: z.string().describe('The signing secret, shown once; verify each delivery with it'),
});
const DeliveryOut = z.object({
  id: z.number().int(),
  webhookId: z.string(),
  eventId: z.number().int(),
  eventType: z.string(),
  state: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.array(
    z.object({
      at: IsoDate,
      status: z.number().int().nullable().describe("The receiver's HTTP status; null when it did not answer"),
      error: z.string().nullable(),
    }),
  ),
  nextAttemptAt: IsoDate.nullable(),
  lastError: z.string().nullable(),
  createdAt: IsoDate,
});

const webhookOut = (w: Webhook): z.infer<typeof WebhookOut> => ({
  id: w.id,
  url: w.url,
  createdAt: w.createdAt.toISOString(),
  disabledAt: iso(w.disabledAt),
});
const deliveryOut = (d: WebhookDelivery): z.infer<typeof DeliveryOut> => ({
  ...d,
  attempts: d.attempts.map((a) => ({ ...a, at: a.at.toISOString() })),
  nextAttemptAt: iso(d.nextAttemptAt),
  createdAt: d.createdAt.toISOString(),
});

const tags = ['webhooks'];
const IdParams = z.object({ id: z.string() });

export const webhookRoutes: FastifyPluginAsyncZod<{ deps: ServerDeps }> = async (app, { deps }) => {
  async function existing(workspaceId: string, id: string): Promise<Webhook> {
    const hook = await deps.store.workspace(workspaceId).webhooks.get(id);
    if (hook === null) throw new CrmsyncError('NOT_FOUND', { resource: 'webhook', id });
    return hook;
  }

  app.post(
    '/webhooks',
    {
      schema: {
        tags,
        summary:
          'Register a URL that receives every event from now on, signed; the secret is in the answer once',
        body: z
          .object({
            url: WebhookUrl,
          })
          .strict(),
        response: { 201: CreatedOut },
      },
    },
    async (request, reply) => {
      const { webhook: hook, secret } = await registerWebhook(
        deps.store,
        callerOf(request).workspaceId,
        request.body.url,
        deps.webhookTargets,
      );
      return reply.status(201).send({ ...webhookOut(hook), secret });
    },
  );

  app.get(
    '/webhooks',
    {
      schema: {
        tags,
        summary: "This workspace's webhooks (never their secrets), oldest first",
        response: { 200: z.object({ items: z.array(WebhookOut) }) },
      },
    },
    async (request) => ({
      items: (await deps.store.workspace(callerOf(request).workspaceId).webhooks.list()).map(webhookOut),
    }),
  );

  app.delete(
    '/webhooks/:id',
    {
      schema: {
        tags,
        summary: 'Stop a webhook: nothing more is sent to it; its deliveries stay listed',
        params: IdParams,
        response: { 200: WebhookOut },
      },
    },
    async (request) => {
      return webhookOut(await stopWebhook(deps.store, callerOf(request).workspaceId, request.params.id));
    },
  );

  app.get(
    '/webhooks/:id/deliveries',
    {
      schema: {
        tags,
        summary: "A webhook's deliveries with every attempt, newest first",
        params: IdParams,
        querystring: z
          .object({
            state: z.enum(['pending', 'delivered', 'failed']).optional(),
            before: z.coerce.number().int().min(1).optional().describe('nextBefore of the previous page'),
            limit: Limit(500, 50),
          })
          .strict(),
        response: {
          200: z.object({ items: z.array(DeliveryOut), nextBefore: z.number().int().nullable() }),
        },
      },
    },
    async (request) => {
      const { workspaceId } = callerOf(request);
      await existing(workspaceId, request.params.id);
      const { state, before, limit } = request.query;
      const items = await deps.store.workspace(workspaceId).webhooks.deliveries({
        webhookId: request.params.id,
        limit,
        ...(state === undefined ? {} : { state }),
        ...(before === undefined ? {} : { beforeId: before }),
      });
      return {
        items: items.map(deliveryOut),
        nextBefore: items.length === limit ? (items.at(-1)?.id ?? null) : null,
      };
    },
  );
};

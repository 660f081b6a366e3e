import { CrmsyncError } from '@crmsync/core';
import type { LifecycleState } from '@crmsync/engine';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../auth.js';
import type { ServerDeps } from '../deps.js';
import { iso, IsoDate } from '../schemas.js';

/** The workspace's Salesforce connection: status, API usage, connect, and the lifecycle (L1-L3). */

const State = z.object({
  state: z.enum(['configuring', 'active', 'paused', 'disconnected']),
  orgId: z.string(),
  connectedAt: IsoDate,
  windowEndsAt: IsoDate.nullable(),
});
const stateOut = (s: LifecycleState) => ({
  state: s.state,
  orgId: s.orgId,
  connectedAt: s.connectedAt.toISOString(),
  windowEndsAt: iso(s.windowEndsAt),
});

const Status = z.object({
  connected: z.boolean(),
  connection: State.extend({ instanceUrl: z.string(), loginUrl: z.string() }).nullable(),
  apiUsage: z.object({
    last24Hours: z.number().int().describe('Salesforce API requests crmsync made in the last 24 hours'),
    budgetPercent: z
      .number()
      .describe("crmsync's share of the org's daily allocation (O3), from the settings"),
  }),
});

const ConnectBody = z.union([
  z
    .object({ emulator: z.literal(true) })
    .strict()
    .describe('A fresh org in the built-in Salesforce emulator'),
  z
    .object({
      loginUrl: z.url(),
      clientId: z.string().min(1),
      clientSecret: z.string().min(1),
      username: z.string().min(1).optional(),
      password: z.string().min(1).optional(),
      clientCredentials: z.boolean().optional(),
    })
    .strict()
    .describe('A real org: username-password flow, or client credentials with a My Domain login URL'),
]);

const LIFECYCLE = {
  pause: 'Pause sync (L3): nothing is sent or read; queued work is kept',
  resume: 'Resume sync (L3)',
  disconnect: 'Disconnect the org (L3); links are kept for a reconnect to the same org',
  'start-syncing-now': 'End the configuration window now (L2)',
} as const;

export const connectionRoutes: FastifyPluginAsyncZod<{ deps: ServerDeps }> = async (app, { deps }) => {
  app.get(
    '/connection',
    {
      schema: { tags: ['connection'], summary: 'Connection status and API usage', response: { 200: Status } },
    },
    async (request) => {
      const { workspaceId } = callerOf(request);
      const reader = deps.store.workspace(workspaceId);
      const [connection, settings] = await Promise.all([reader.connection.get(), reader.settings.get()]);
      const budgetPercent = settings.settings.apiBudget.sharePercent;
      if (connection === null)
        return { connected: false, connection: null, apiUsage: { last24Hours: 0, budgetPercent } };
      const state = await deps.engine.lifecycle.state(workspaceId);
      return {
        connected: state.state !== 'disconnected',
        connection: {
          ...stateOut(state),
          instanceUrl: connection.instanceUrl,
          loginUrl: connection.loginUrl,
        },
        apiUsage: { last24Hours: await reader.ledger.sumLast24Hours(connection.orgId), budgetPercent },
      };
    },
  );

  app.post(
    '/connection',
    {
      schema: {
        tags: ['connection'],
        summary:
          'Connect Salesforce (the built-in emulator, or credentials); starts the configuration window (L1)',
        body: ConnectBody,
        response: { 200: State },
      },
    },
    async (request) => {
      const { workspaceId } = callerOf(request);
      const body = request.body;
      await deps.connector.connect(
        workspaceId,
        'emulator' in body
          ? { emulator: true }
          : {
              loginUrl: body.loginUrl,
              clientId: body.clientId,
              clientSecret: body.clientSecret,
              ...(body.username === undefined ? {} : { username: body.username }),
              ...(body.password === undefined ? {} : { password: body.password }),
              ...(body.clientCredentials === undefined ? {} : { clientCredentials: body.clientCredentials }),
            },
      );
      return stateOut(await deps.engine.lifecycle.state(workspaceId));
    },
  );

  for (const [action, summary] of Object.entries(LIFECYCLE) as [keyof typeof LIFECYCLE, string][]) {
    app.post(
      `/connection/${action}`,
      { schema: { tags: ['connection'], summary, response: { 200: State } } },
      async (request) => {
        const { workspaceId } = callerOf(request);
        if ((await deps.store.workspace(workspaceId).connection.get()) === null)
          throw new CrmsyncError('DISCONNECTED', { workspaceId });
        switch (action) {
          case 'pause':
            return stateOut(await deps.engine.lifecycle.pause(workspaceId));
          case 'resume':
            return stateOut(await deps.engine.lifecycle.resume(workspaceId));
          case 'disconnect':
            return stateOut(await deps.engine.disconnect(workspaceId));
          case 'start-syncing-now':
            return stateOut(await deps.engine.lifecycle.startSyncingNow(workspaceId));
        }
      },
    );
  }
};

import { CrmsyncError, type CrmApiUsage } from '@crmsync/core';
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

const ApiUsage = z.object({
  last24Hours: z
    .number()
    .int()
    .describe('Salesforce API requests crmsync made in the last 24 hours (the ledger)'),
  budgetPercent: z.number().describe("crmsync's share of the org's daily allocation (O3), from the settings"),
  reservePercent: z.number().describe("The part of the org's allocation crmsync leaves to others (O3)"),
  orgDailyLimit: z
    .number()
    .int()
    .nullable()
    .describe(
      "The org's daily API allocation (Sforce-Limit-Info or /limits); null when Salesforce did not say",
    ),
  orgUsed: z.number().int().nullable().describe('Requests the whole org used in its current day'),
  budget: z
    .number()
    .int()
    .nullable()
    .describe("crmsync's budget in requests: budgetPercent of orgDailyLimit, rounded down"),
});
type ApiUsageOut = z.infer<typeof ApiUsage>;

const Status = z.object({
  connected: z.boolean(),
  connection: State.extend({ instanceUrl: z.string(), loginUrl: z.string() }).nullable(),
  apiUsage: ApiUsage,
});

/**
 * The org's allocation: the last Sforce-Limit-Info the session saw (no call), else one /limits
 * call when `mayCall`. Null when Salesforce cannot say now (unreachable, signed out, budget
 * spent): the status still answers, with the ledger's count.
 */
async function orgUsage(
  deps: ServerDeps,
  workspaceId: string,
  mayCall: boolean,
): Promise<CrmApiUsage | null> {
  try {
    const crm = await deps.engine.crm(workspaceId);
    return crm.apiUsage() ?? (mayCall ? await crm.dailyApiLimit() : null);
  } catch (err) {
    deps.logger.warn({ workspaceId, error: String(err) }, 'could not read the org API limit');
    return null;
  }
}

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
      const { sharePercent: budgetPercent, reservePercent } = settings.settings.apiBudget;
      const unknownOrg = { orgDailyLimit: null, orgUsed: null, budget: null };
      if (connection === null)
        return {
          connected: false,
          connection: null,
          apiUsage: { last24Hours: 0, budgetPercent, reservePercent, ...unknownOrg },
        };
      const state = await deps.engine.lifecycle.state(workspaceId);
      // L3: a paused workspace sends nothing, so only what Salesforce last said is shown.
      const org =
        state.state === 'disconnected' ? null : await orgUsage(deps, workspaceId, state.state !== 'paused');
      const apiUsage: ApiUsageOut = {
        last24Hours: await reader.ledger.sumLast24Hours(connection.orgId),
        budgetPercent,
        reservePercent,
        ...(org === null
          ? unknownOrg
          : {
              orgDailyLimit: org.max,
              orgUsed: org.used,
              budget: Math.floor((org.max * budgetPercent) / 100),
            }),
      };
      return {
        connected: state.state !== 'disconnected',
        connection: {
          ...stateOut(state),
          instanceUrl: connection.instanceUrl,
          loginUrl: connection.loginUrl,
        },
        apiUsage,
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

import { CrmsyncError } from '@crmsync/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../auth.js';
import type { ServerDeps } from '../deps.js';
import { exchangeCode, LOGIN_HOSTS, type OAuthFlows } from '../oauth-web-flow.js';
import { IsoDate } from '../schemas.js';

/*
 * Connect Salesforce by signing in (OAuth web-server flow with PKCE). `start` needs the workspace
 * key; the callback does not (the browser arrives from Salesforce): the single-use state names the
 * workspace. The tokens are saved encrypted with the connection, as every Salesforce secret is.
 */

export const CALLBACK_PATH = '/connection/oauth/callback';

const StartBody = z
  .object({
    environment: z
      .enum(['production', 'sandbox'])
      .default('production')
      .describe('login.salesforce.com or test.salesforce.com, unless loginUrl is given'),
    loginUrl: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe('A My Domain, or the emulator'),
    clientId: z.string().min(1).describe("The connected app's consumer key"),
    clientSecret: z.string().min(1).optional().describe('When the connected app requires it with PKCE'),
    redirectUri: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe(`The connected app's callback URL (default: this server's ${CALLBACK_PATH})`),
    returnTo: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe(
        'Where the callback sends the browser afterwards, with ?connected=<orgId> or ?error=<message>',
      ),
  })
  .strict();

const State = z.object({
  state: z.enum(['configuring', 'active', 'paused', 'disconnected']),
  orgId: z.string(),
  connectedAt: IsoDate,
  windowEndsAt: IsoDate.nullable(),
});

export const oauthStartRoutes: FastifyPluginAsyncZod<{ flows: OAuthFlows }> = async (app, { flows }) => {
  app.post(
    '/connection/oauth/start',
    {
      schema: {
        tags: ['connection'],
        summary:
          'Start "Connect Salesforce" by signing in (OAuth web-server flow with PKCE): send the browser to authorizeUrl',
        body: StartBody,
        response: {
          200: z.object({
            authorizeUrl: z.string(),
            state: z.string(),
            redirectUri: z.string(),
            expiresAt: IsoDate,
          }),
        },
      },
    },
    async (request) => {
      const { workspaceId } = callerOf(request);
      const b = request.body;
      const redirectUri =
        b.redirectUri ??
        `${request.protocol}://${request.host}${request.url.replace(/\/connection\/oauth\/start.*$/, CALLBACK_PATH)}`;
      const started = await flows.start(workspaceId, {
        loginUrl: b.loginUrl ?? LOGIN_HOSTS[b.environment],
        clientId: b.clientId,
        redirectUri,
        ...(b.clientSecret === undefined ? {} : { clientSecret: b.clientSecret }),
        ...(b.returnTo === undefined ? {} : { returnTo: b.returnTo }),
      });
      return {
        authorizeUrl: started.authorizeUrl,
        state: started.state,
        redirectUri,
        expiresAt: started.expiresAt.toISOString(),
      };
    },
  );
};

export const oauthCallbackRoutes: FastifyPluginAsyncZod<{ deps: ServerDeps; flows: OAuthFlows }> = async (
  app,
  { deps, flows },
) => {
  app.get(
    CALLBACK_PATH,
    {
      schema: {
        tags: ['connection'],
        summary:
          'Where Salesforce sends the browser after sign-in: trades the code for tokens and connects the workspace (no API key: the state names it)',
        security: [],
        querystring: z.object({
          state: z.string().min(1),
          code: z.string().optional(),
          error: z.string().optional(),
          error_description: z.string().optional(),
        }),
        response: { 200: State, 302: z.null().describe('Back to returnTo') },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const flow = await flows.take(q.state);
      if (flow === null)
        throw new CrmsyncError('INVALID_INPUT', {
          problem:
            'the sign-in is unknown, already used or older than 10 minutes; start "Connect Salesforce" again',
        });
      try {
        if (q.code === undefined) {
          const sfCode = q.error ?? 'no_code';
          throw new CrmsyncError(
            'SALESFORCE_AUTH_FAILED',
            { sfCode, sfMessage: q.error_description ?? '' },
            {
              message: `Salesforce did not grant access (${sfCode}${q.error_description === undefined ? '' : `: ${q.error_description}`}). Start "Connect Salesforce" again and choose Allow.`,
            },
          );
        }
        const tokens = await exchangeCode(flow, q.code);
        const connected = await deps.connector.connect(flow.workspaceId, { tokens });
        const state = await deps.engine.lifecycle.state(flow.workspaceId);
        if (flow.returnTo !== null) {
          const back = new URL(flow.returnTo);
          back.searchParams.set('connected', connected.orgId);
          return reply.redirect(back.toString(), 302);
        }
        return {
          state: state.state,
          orgId: state.orgId,
          connectedAt: state.connectedAt.toISOString(),
          windowEndsAt: state.windowEndsAt === null ? null : state.windowEndsAt.toISOString(),
        };
      } catch (err) {
        if (flow.returnTo === null || !(err instanceof CrmsyncError)) throw err;
        const back = new URL(flow.returnTo);
        back.searchParams.set('error', err.message);
        return reply.redirect(back.toString(), 302);
      }
    },
  );
};

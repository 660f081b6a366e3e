import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { requireAdminKey, requireWorkspaceKey } from './auth.js';
import type { ServerDeps } from './deps.js';
import { installErrorHandlers } from './http-errors.js';
import { OAuthFlows } from './oauth-web-flow.js';
import { PushRuns } from './push-runs.js';
import { ErrorResponse } from './schemas.js';
import { activityRoutes } from './routes/activities.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { connectionRoutes } from './routes/connection.js';
import { eventRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { importRoutes } from './routes/csv-import.js';
import { logRoutes } from './routes/log.js';
import { metricsRoutes } from './routes/metrics.js';
import { oauthCallbackRoutes, oauthStartRoutes } from './routes/oauth.js';
import { pushRoutes } from './routes/push.js';
import { recordRoutes } from './routes/records.js';
import { settingsRoutes } from './routes/settings.js';
import { webhookRoutes } from './routes/webhooks.js';
import { workspaceSelfRoutes } from './routes/workspace.js';
import { workspaceRoutes } from './routes/workspaces.js';
import { DEFAULT_WEB_DIR, webAppRoutes } from './web-app.js';

export const API_PREFIX = '/api/v1';

export interface RegisteredRoute {
  method: string;
  url: string;
  /** True for routes kept out of the OpenAPI document on purpose (the docs UI's own assets). */
  hidden: boolean;
}

const registered = new WeakMap<FastifyInstance, RegisteredRoute[]>();

/** Every route the app registered (HEAD twins left out), so a test can hold the docs to them. */
export function routesOf(app: FastifyInstance): readonly RegisteredRoute[] {
  return registered.get(app) ?? [];
}

/**
 * The REST API as a Fastify app, not listening yet (call `listen`, or `inject` in tests). Every
 * route declares its body, query and response with zod; the OpenAPI document generated from
 * them is served at /docs (JSON at /docs/json). Closing the app does not close the store.
 */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: deps.bodyLimit ?? 1024 * 1024,
    return503OnClosing: true,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandlers(app, deps.logger);
  const routes: RegisteredRoute[] = [];
  registered.set(app, routes);
  app.addHook('onRoute', (route) => {
    // Every documented route can fail with the one error shape; say so once, here.
    const schema = route.schema as { hide?: boolean; response?: Record<string, unknown> } | undefined;
    if (schema !== undefined && schema.hide !== true)
      schema.response = { ...schema.response, '4XX': ErrorResponse, '5XX': ErrorResponse };
    for (const method of [route.method].flat()) {
      if (method === 'HEAD') continue;
      routes.push({
        method,
        url: route.url,
        hidden: (route.schema as { hide?: boolean } | undefined)?.hide === true,
      });
    }
  });

  // CSV imports arrive as raw bytes so the importer can refuse a file that is not UTF-8.
  app.addContentTypeParser(
    'text/csv',
    { parseAs: 'buffer', bodyLimit: deps.csvBodyLimit ?? 20 * 1024 * 1024 },
    (_req, body, done) => done(null, body),
  );

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'crmsync REST API',
        version: '1',
        description: 'Feed records in, configure the Salesforce sync, read what happened and why.',
      },
      components: {
        securitySchemes: {
          apiKey: {
            type: 'http',
            scheme: 'bearer',
            description: 'A workspace API key, or the admin key for /admin routes',
          },
        },
      },
      security: [{ apiKey: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  const runs = new PushRuns();
  const flows = new OAuthFlows(deps.store, deps.clock);
  await app.register(healthRoutes, { deps });
  await app.register(async (admin) => {
    admin.addHook('onRequest', requireAdminKey(deps));
    await admin.register(workspaceRoutes, { deps, prefix: `${API_PREFIX}/admin` });
    await admin.register(metricsRoutes, { deps });
  });
  await app.register(
    async (scope) => {
      scope.addHook('onRequest', requireWorkspaceKey(deps));
      await scope.register(workspaceSelfRoutes, { deps });
      await scope.register(apiKeyRoutes, { deps });
      await scope.register(connectionRoutes, { deps });
      await scope.register(oauthStartRoutes, { flows });
      await scope.register(settingsRoutes, { deps });
      await scope.register(recordRoutes, { deps, type: 'person' });
      await scope.register(recordRoutes, { deps, type: 'company' });
      await scope.register(recordRoutes, { deps, type: 'deal' });
      await scope.register(activityRoutes, { deps });
      await scope.register(importRoutes, { deps });
      await scope.register(pushRoutes, { deps, runs });
      await scope.register(logRoutes, { deps });
      await scope.register(eventRoutes, { deps });
      await scope.register(webhookRoutes, { deps });
    },
    { prefix: API_PREFIX },
  );
  await app.register(oauthCallbackRoutes, { deps, flows, prefix: API_PREFIX });
  if (deps.webDir !== null) await app.register(webAppRoutes, { dir: deps.webDir ?? DEFAULT_WEB_DIR });
  app.addHook('onClose', async () => {
    await runs.settle();
  });
  return app;
}

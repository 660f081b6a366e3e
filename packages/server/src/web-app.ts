import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';

/*
 * The web UI (packages/web, built by `npm install` into packages/web/dist) served at /. Its files
 * are served as they are; any other GET outside /api and /docs answers index.html so the UI's own
 * router can show the page (a reload on /settings/salesforce/contacts works). Routes here are
 * hidden from the OpenAPI document: they are not part of the API.
 */

export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url));

// The UI loads only its own files and talks only to this origin; no referrer leaks an OAuth code.
const PAGE_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>crmsync</title></head>
<body><main><h1>The crmsync web UI is not built</h1>
<p>Run <code>npm run build -w @crmsync/web</code> (<code>npm install</code> does it), then reload. The REST API is at <a href="/docs">/docs</a>.</p>
</main></body></html>`;

const isApiPath = (url: string): boolean => {
  const path = url.split('?')[0] ?? '';
  return path === '/api' || path.startsWith('/api/') || path === '/docs' || path.startsWith('/docs/');
};

export const webAppRoutes: FastifyPluginAsync<{ dir: string }> = async (app, { dir }) => {
  const hide = { schema: { hide: true } };
  if (!existsSync(join(dir, 'index.html'))) {
    app.get('/', hide, async (_request, reply) =>
      reply.type('text/html; charset=utf-8').status(503).send(NOT_BUILT),
    );
    return;
  }
  await app.register(fastifyStatic, {
    root: dir,
    wildcard: false,
    setHeaders: (res) => {
      for (const [k, v] of Object.entries(PAGE_HEADERS)) res.setHeader(k, v);
    },
  });
  const page = (reply: FastifyReply) =>
    reply.headers({ ...PAGE_HEADERS, 'cache-control': 'no-cache' }).sendFile('index.html');
  app.get('/*', hide, async (request, reply) =>
    isApiPath(request.url) ? reply.callNotFound() : page(reply),
  );
};

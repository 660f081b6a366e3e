// The node:http front door. Order for a data request: version -> session -> route -> API budget
// -> faults -> handler. Every answer is Salesforce-shaped JSON with its content type; nothing
// unexpected leaks (a catch-all answers UNKNOWN_EXCEPTION without the stack).
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { SalesforceError, type EmuRequest, type EmuResponse, type WritableOrg } from '../contracts.js';
import { lockedResponse } from '../fault-responses.js';
import { requestWrites } from '../faults.js';
import type { EmulatedOrg } from '../org/emulated-org.js';
import { handleTokenRequest, identityDocument, userInfoDocument } from '../oauth.js';
import { apiErrors } from './api-errors.js';
import type { Route, RouteTable } from './router.js';
import type { SessionStore } from './sessions.js';

export const JSON_TYPE = 'application/json;charset=UTF-8';
export const MIN_API_VERSION = 42;
export const MAX_API_VERSION = 67;

export interface OrgDirectory {
  byId(orgId: string): EmulatedOrg | undefined;
  all(): Iterable<EmulatedOrg>;
}

export interface ControlRequest {
  method: string;
  /** Path after /__emulator. */
  path: string;
  query: URLSearchParams;
  body: Buffer;
}

export interface ServerDeps {
  routes: RouteTable;
  sessions: SessionStore;
  orgs: OrgDirectory;
  control: (req: ControlRequest) => Promise<EmuResponse> | EmuResponse;
  maxBodyBytes: number;
  /** Latency added to every data request (--latency-ms), on top of per-org fault latency. */
  latencyMs: number;
  delay: (ms: number) => Promise<void>;
  /** Called after every request that may have changed data (for --data persistence). */
  onDataChanged: () => void;
  log: (line: string) => void;
  /**
   * Asked first for every request (sign-in pages and grants, SOAP, the org browser); an answer
   * ends the request, undefined lets the routes below handle it.
   */
  front?: (req: FrontRequest) => EmuResponse | undefined;
}

/** A request as the front hook sees it: whole path, raw body, the base URL the client used. */
export interface FrontRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  baseUrl: string;
}

class BodyTooLarge extends Error {}

function readBody(req: IncomingMessage, cap: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > cap) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > cap) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, response: EmuResponse, extraHeaders: Record<string, string> = {}): void {
  if (res.destroyed || res.headersSent) return;
  const headers: Record<string, string> = { ...extraHeaders, ...response.headers };
  let payload: Buffer | string | undefined;
  if (response.body === undefined || response.body === null) payload = undefined;
  else if (typeof response.body === 'string' || Buffer.isBuffer(response.body)) payload = response.body;
  else {
    payload = JSON.stringify(response.body);
    headers['Content-Type'] ??= JSON_TYPE;
  }
  if (payload !== undefined) headers['Content-Length'] = String(Buffer.byteLength(payload));
  res.writeHead(response.status, headers);
  res.end(payload);
}

export function errorResponse(err: unknown, log: (line: string) => void): EmuResponse {
  if (err instanceof SalesforceError) return { status: err.status, body: err.toBody() };
  const ref = randomUUID().slice(0, 8);
  // Only the error class and message: bodies and tokens never reach the log.
  log(
    `unexpected error ${ref}: ${err instanceof Error ? `${err.name}: ${err.message}` : 'non-error thrown'}`,
  );
  const unknown = apiErrors.unknown(ref);
  return { status: unknown.status, body: unknown.toBody() };
}

/** Runs a matched route's handler, turning thrown errors into Salesforce answers. */
export async function runHandler(
  route: Route,
  req: EmuRequest,
  log: (line: string) => void,
): Promise<EmuResponse> {
  try {
    return await route.handler(req);
  } catch (err) {
    return errorResponse(err, log);
  }
}

function bearerToken(req: IncomingMessage, query: URLSearchParams): string | undefined {
  const header = req.headers.authorization;
  if (typeof header === 'string') {
    const m = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(header.trim());
    if (m !== null) return m[1];
  }
  return query.get('oauth_token') ?? undefined;
}

const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

export function versionsList(): unknown[] {
  const out: unknown[] = [];
  for (let v = MIN_API_VERSION; v <= MAX_API_VERSION; v++) {
    const season = (v - 42) % 3;
    const year = 18 + Math.floor((v - 42) / 3) + (season === 2 ? 1 : 0);
    out.push({
      label: `${['Spring', 'Summer', 'Winter'][season]} '${year}`,
      url: `/services/data/v${v}.0`,
      version: `${v}.0`,
    });
  }
  return out;
}

export function createEmulatorServer(deps: ServerDeps): Server {
  // Node's default 16 KB header cap would reset the socket before a long query URL reaches the
  // SOQL route, which answers Salesforce's 414 itself; allow larger request lines here.
  const server = createServer({ maxHeaderSize: 256 * 1024 }, (req, res) => {
    handle(req, res, deps).catch((err: unknown) => send(res, errorResponse(err, deps.log)));
  });
  // Longer than Node clients' keep-alive so a reused socket is never closed under a request in
  // flight (seen as ECONNRESET on a POST, which jsforce never retries).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;
}

async function handle(req: IncomingMessage, res: ServerResponse, deps: ServerDeps): Promise<void> {
  const host = req.headers.host ?? '127.0.0.1';
  const baseUrl = `http://${host}`;
  const url = new URL(req.url ?? '/', baseUrl);
  const method = (req.method ?? 'GET').toUpperCase();
  const path = url.pathname;
  let body: Buffer;
  try {
    body = await readBody(req, deps.maxBodyBytes);
  } catch (err) {
    if (err instanceof BodyTooLarge) {
      const e = apiErrors.tooLarge(deps.maxBodyBytes);
      res.setHeader('Connection', 'close');
      send(res, { status: e.status, body: e.toBody() });
      return;
    }
    throw err;
  }

  const early = deps.front?.({ method, path, query: url.searchParams, headers: req.headers, body, baseUrl });
  if (early !== undefined) {
    if (method !== 'GET') deps.onDataChanged();
    send(res, early);
    return;
  }
  if (path.startsWith('/__emulator')) {
    const answer = await deps.control({
      method,
      path: path.slice('/__emulator'.length) || '/',
      query: url.searchParams,
      body,
    });
    if (method !== 'GET') deps.onDataChanged();
    send(res, answer);
    return;
  }
  if (path === '/services/oauth2/token') return handleToken(req, res, deps, body, baseUrl, method);
  if (path === '/services/oauth2/revoke') {
    const form = new URLSearchParams(body.toString('utf8'));
    const token = form.get('token') ?? url.searchParams.get('token') ?? '';
    if (!deps.sessions.revoke(token))
      return send(res, {
        status: 400,
        body: { error: 'unsupported_token_type', error_description: 'this token type is not supported' },
      });
    return send(res, { status: 200 });
  }
  if (path === '/services/oauth2/userinfo' || /^\/id\/[^/]+\/[^/]+\/?$/.test(path)) {
    const token = bearerToken(req, url.searchParams);
    const found = token === undefined ? undefined : deps.sessions.resolve(token, (id) => deps.orgs.byId(id));
    if (found === undefined)
      return send(res, { status: 403, body: 'Bad_OAuth_Token', headers: { 'Content-Type': 'text/plain' } });
    const [, , orgId, userId] = path.split('/');
    const targetOrg = path.startsWith('/id/') ? deps.orgs.byId(orgId ?? '') : found.org;
    const user = targetOrg?.users.find(
      (u) => u.id === (path.startsWith('/id/') ? userId : found.session.userId),
    );
    if (targetOrg === undefined || user === undefined || targetOrg !== found.org)
      return send(res, { status: 404, body: 'Bad_Id', headers: { 'Content-Type': 'text/plain' } });
    const doc = path.startsWith('/id/')
      ? identityDocument(targetOrg, user, baseUrl)
      : userInfoDocument(targetOrg, user, baseUrl);
    return send(res, { status: 200, body: doc });
  }
  if (path === '/services/data' || path === '/services/data/') {
    return send(res, { status: 200, body: versionsList() });
  }
  const data = /^\/services\/data\/v(\d+)\.(\d)(\/.*)?$/.exec(path);
  if (data === null) {
    const e = apiErrors.notFound();
    return send(res, { status: e.status, body: e.toBody() });
  }
  await handleData(req, res, deps, {
    method,
    url,
    body,
    baseUrl,
    version: `${data[1]}.${data[2]}`,
    dataPath: data[3] ?? '/',
  });
}

function handleToken(
  req: IncomingMessage,
  res: ServerResponse,
  deps: ServerDeps,
  body: Buffer,
  baseUrl: string,
  method: string,
): void {
  if (method !== 'POST') {
    const e = apiErrors.methodNotAllowed(method, ['POST']);
    return send(res, { status: e.status, body: e.toBody() });
  }
  const form = new URLSearchParams(body.toString('utf8'));
  const answer = handleTokenRequest(form, req.headers.authorization, baseUrl, {
    sessions: deps.sessions,
    orgs: () => deps.orgs.all(),
    orgById: (id) => deps.orgs.byId(id),
  });
  const clientId = form.get('client_id');
  const org = [...deps.orgs.all()].find((o) => o.spec.clientId === clientId);
  org?.requests.record('POST', '/services/oauth2/token', false);
  send(res, {
    status: answer.status,
    body: answer.body,
    headers: { 'Cache-Control': 'no-cache,must-revalidate,max-age=0,no-store,private' },
  });
}

interface DataCall {
  method: string;
  url: URL;
  body: Buffer;
  baseUrl: string;
  version: string;
  dataPath: string;
}

async function handleData(
  req: IncomingMessage,
  res: ServerResponse,
  deps: ServerDeps,
  call: DataCall,
): Promise<void> {
  const major = Number(call.version.split('.')[0]);
  const fail = (e: SalesforceError, headers: Record<string, string> = {}) =>
    send(res, { status: e.status, body: e.toBody() }, headers);
  if (major < MIN_API_VERSION || major > MAX_API_VERSION || !call.version.endsWith('.0'))
    return fail(apiErrors.notFound());

  const token = bearerToken(req, call.url.searchParams);
  const found = token === undefined ? undefined : deps.sessions.resolve(token, (id) => deps.orgs.byId(id));
  if (found === undefined) return fail(apiErrors.invalidSession());
  const { org, session } = found;
  const limitHeader = () => ({ 'Sforce-Limit-Info': org.api.header() });

  const match = deps.routes.match(call.method, call.dataPath);
  if (match.kind === 'none') return fail(apiErrors.notFound(), limitHeader());
  if (match.kind === 'wrong-method')
    return fail(apiErrors.methodNotAllowed(call.method, match.allowed), limitHeader());
  const { route, params } = match;
  org.requests.record(call.method, route.label, route.counted);

  const fault = org.faults.decide(
    call.method,
    call.url.pathname,
    call.dataPath,
    requestWrites(call.method, call.dataPath, call.body),
  );
  const latency = deps.latencyMs + fault.latencyMs;
  if (latency > 0) await deps.delay(latency);
  if (fault.failure === 'unavailable') return fail(apiErrors.unavailable(), limitHeader());
  if (route.counted) {
    if (org.api.exhausted) return fail(apiErrors.limitExceeded(), limitHeader());
    org.api.count();
  }

  const emuReq: EmuRequest = {
    method: call.method,
    path: call.dataPath,
    params,
    query: call.url.searchParams,
    headers: req.headers,
    body: call.body,
    apiVersion: call.version,
    org: org.store as WritableOrg,
    userId: session.userId,
    baseUrl: call.baseUrl,
  };
  const response =
    fault.failure === 'lock'
      ? lockedResponse(emuReq, route.label)
      : await runHandler(route, emuReq, deps.log);
  if (WRITE_METHODS.has(call.method)) deps.onDataChanged();
  if (fault.dropResponse) {
    // The write has committed; the client must see a dead socket and no byte of the answer.
    req.socket.destroy();
    return;
  }
  send(res, response, limitHeader());
}

// Requests answered before the data API: the sign-in flows on both login hosts (authorize page,
// token grants, revoke), the SOAP API and the org browser. Everything else falls through to the
// core server (data routes, control API). Returns undefined for "not mine".
import type { EmuResponse } from './contracts.js';
import { apiErrors } from './http/api-errors.js';
import type { FrontRequest } from './http/server.js';
import type { SessionStore } from './http/sessions.js';
import { loginHostOf, splitLoginHost, type LoginHost } from './login-hosts.js';
import { clientFrom, handleTokenRequest, type OAuthAnswer } from './oauth.js';
import { jwtBearerGrant, JWT_BEARER_GRANT } from './oauth-jwt.js';
import {
  authorizationCodeGrant,
  showAuthorizePage,
  submitAuthorizePage,
  type AuthorizationCodes,
} from './oauth-web.js';
import type { EmulatedOrg } from './org/emulated-org.js';
import { ORG_BROWSER_PATH, renderOrgBrowser } from './org-browser.js';
import { handleSoap, SOAP_PATH } from './soap/soap-endpoint.js';

export interface FrontDoorDeps {
  sessions: SessionStore;
  orgs: () => Iterable<EmulatedOrg>;
  orgById: (orgId: string) => EmulatedOrg | undefined;
  codes: AuthorizationCodes;
}

const NO_CACHE = { 'Cache-Control': 'no-cache,must-revalidate,max-age=0,no-store,private' };

export function handleFrontDoor(req: FrontRequest, deps: FrontDoorDeps): EmuResponse | undefined {
  if (req.path === ORG_BROWSER_PATH || req.path.startsWith(`${ORG_BROWSER_PATH}/`)) {
    return renderOrgBrowser(req.method, req.path.slice(ORG_BROWSER_PATH.length), req.query, {
      orgs: deps.orgs,
      orgById: deps.orgById,
    });
  }
  const { host, path } = splitLoginHost(req.path);
  const orgsOnHost = () => [...deps.orgs()].filter((o) => loginHostOf(o) === host);
  const flow = { host, orgs: orgsOnHost, sessions: deps.sessions, codes: deps.codes, baseUrl: req.baseUrl };

  if (path === '/services/oauth2/authorize') {
    if (req.method === 'GET') return showAuthorizePage(req.path, req.query, flow);
    if (req.method === 'POST')
      return submitAuthorizePage(req.path, new URLSearchParams(req.body.toString('utf8')), flow);
    return methodNotAllowed(req.method, ['GET', 'POST']);
  }
  if (path === '/services/oauth2/token') {
    if (req.method !== 'POST') return methodNotAllowed(req.method, ['POST']);
    return token(req, host, orgsOnHost, deps);
  }
  if (path === '/services/oauth2/revoke') {
    const form = new URLSearchParams(req.body.toString('utf8'));
    const value = form.get('token') ?? req.query.get('token') ?? '';
    if (!deps.sessions.revoke(value))
      return {
        status: 400,
        body: { error: 'unsupported_token_type', error_description: 'this token type is not supported' },
      };
    return { status: 200 };
  }
  if (SOAP_PATH.test(path))
    return handleSoap(req.method, path, req.body, {
      host,
      sessions: deps.sessions,
      orgs: orgsOnHost,
      orgById: deps.orgById,
      baseUrl: req.baseUrl,
    });
  if (host === 'sandbox') {
    // Only the sign-in endpoints live on the sandbox login URL; data goes to the instance URL.
    const e = apiErrors.notFound();
    return { status: e.status, body: e.toBody() };
  }
  return undefined;
}

function methodNotAllowed(method: string, allowed: string[]): EmuResponse {
  const e = apiErrors.methodNotAllowed(method, allowed);
  return { status: e.status, body: e.toBody() };
}

function token(
  req: FrontRequest,
  host: LoginHost,
  orgsOnHost: () => EmulatedOrg[],
  deps: FrontDoorDeps,
): EmuResponse {
  const form = new URLSearchParams(req.body.toString('utf8'));
  const authorization =
    typeof req.headers['authorization'] === 'string' ? req.headers['authorization'] : undefined;
  const grant = form.get('grant_type');
  let answer: OAuthAnswer;
  if (grant === 'authorization_code') {
    answer = authorizationCodeGrant(form, clientFrom(form, authorization), {
      host,
      orgs: orgsOnHost,
      sessions: deps.sessions,
      codes: deps.codes,
      baseUrl: req.baseUrl,
    });
  } else if (grant === JWT_BEARER_GRANT) {
    answer = jwtBearerGrant(form, { host, orgs: orgsOnHost, sessions: deps.sessions, baseUrl: req.baseUrl });
  } else {
    answer = handleTokenRequest(form, authorization, req.baseUrl, {
      sessions: deps.sessions,
      orgs: orgsOnHost,
      orgById: deps.orgById,
    });
  }
  const clientId = clientFrom(form, authorization).id;
  orgsOnHost()
    .find((o) => o.spec.clientId === clientId)
    ?.requests.record('POST', '/services/oauth2/token', false);
  return { status: answer.status, body: answer.body, headers: NO_CACHE };
}

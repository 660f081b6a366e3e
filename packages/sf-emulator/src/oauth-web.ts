// The OAuth 2.0 web-server flow with PKCE (reference §6): `GET /services/oauth2/authorize` shows a
// login-and-consent page, its POST checks the person's credentials and redirects to the
// connected app's callback with a single-use code, and the `authorization_code` grant trades the
// code (plus the PKCE verifier, client and redirect URI) for tokens with a refresh token.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { EmuResponse } from './contracts.js';
import type { SessionStore } from './http/sessions.js';
import type { LoginHost } from './login-hosts.js';
import { tokenAnswer, type OAuthAnswer } from './oauth.js';
import type { EmulatedOrg, OrgUser } from './org/emulated-org.js';
import { html, HTML_HEADERS, page, type SafeHtml } from './ui/html.js';

/** Salesforce authorization codes live 15 minutes [recall]; measured on the org's clock. */
export const CODE_TTL_MS = 15 * 60_000;

interface PendingCode {
  orgId: string;
  userId: string;
  clientId: string;
  redirectUri: string;
  /** PKCE S256 challenge, or null when the client sent none. */
  challenge: string | null;
  issuedAtMs: number;
}

/** Issued authorization codes. A code is removed on its first use, successful or not. */
export class AuthorizationCodes {
  private readonly codes = new Map<string, PendingCode>();

  issue(org: EmulatedOrg, code: Omit<PendingCode, 'orgId' | 'issuedAtMs'>): string {
    const value = `aPrx${randomBytes(48).toString('base64url').replace(/[-_]/g, 'Q')}`;
    this.codes.set(value, { ...code, orgId: org.orgId, issuedAtMs: org.clock.nowMs() });
    return value;
  }

  take(code: string): PendingCode | undefined {
    const found = this.codes.get(code);
    this.codes.delete(code);
    return found;
  }
}

export interface WebFlowDeps {
  host: LoginHost;
  /** The orgs that sign in on this login host. */
  orgs: () => EmulatedOrg[];
  sessions: SessionStore;
  codes: AuthorizationCodes;
  /** The emulator's base URL (instance URL in token answers). */
  baseUrl: string;
}

const oauthError = (error: string, description: string, status = 400): OAuthAnswer => ({
  status,
  body: { error, error_description: description },
});

const LOOPBACK = /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?(\/|$)/i;

/**
 * A connected app's callback URLs. An org configured with none accepts any loopback URL, so a
 * local app works without setup; once callback URLs are configured only those match exactly.
 */
export function redirectAllowed(org: EmulatedOrg, redirectUri: string): boolean {
  const configured = org.spec.redirectUris ?? [];
  if (configured.length === 0) return LOOPBACK.test(redirectUri);
  return configured.includes(redirectUri);
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

// ---- the authorize page ------------------------------------------------------------------------

interface AuthorizeParams {
  clientId: string;
  redirectUri: string;
  state: string | null;
  challenge: string | null;
  challengeMethod: string | null;
  scope: string | null;
}

function htmlAnswer(status: number, body: string, headers: Record<string, string> = {}): EmuResponse {
  return { status, body, headers: { ...HTML_HEADERS, ...headers } };
}

/** An error the browser cannot be redirected for (unknown client, untrusted callback): a page. */
function errorPage(status: number, error: string, description: string): EmuResponse {
  return htmlAnswer(
    status,
    page(
      'Sign-in error',
      html`<h1>Sign-in error</h1>
        <p role="alert">error=${error}&amp;error_description=${description}</p>
        <p>
          Check the connected app's client id and callback URL in the emulator (<code
            >POST /__emulator/orgs/{orgId}/connected-app</code
          >).
        </p>`,
    ),
  );
}

function redirectTo(redirectUri: string, params: Record<string, string | null>): EmuResponse {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== null) url.searchParams.set(k, v);
  return { status: 302, headers: { Location: url.toString(), 'Cache-Control': 'no-store' } };
}

function readParams(source: URLSearchParams): AuthorizeParams | { missing: string } {
  const clientId = source.get('client_id');
  if (clientId === null || clientId === '') return { missing: 'client_id' };
  const redirectUri = source.get('redirect_uri');
  if (redirectUri === null || redirectUri === '') return { missing: 'redirect_uri' };
  return {
    clientId,
    redirectUri,
    state: source.get('state'),
    challenge: source.get('code_challenge'),
    challengeMethod: source.get('code_challenge_method'),
    scope: source.get('scope'),
  };
}

/** Validates the client and callback; answers an error page or redirect, or the org to sign in to. */
function checkRequest(
  source: URLSearchParams,
  deps: WebFlowDeps,
): { params: AuthorizeParams; org: EmulatedOrg } | EmuResponse {
  const params = readParams(source);
  if ('missing' in params) {
    return params.missing === 'client_id'
      ? errorPage(400, 'invalid_client_id', 'client identifier invalid')
      : errorPage(400, 'redirect_uri_mismatch', 'redirect_uri must match configuration');
  }
  const org = deps.orgs().find((o) => o.spec.clientId === params.clientId);
  if (org === undefined) return errorPage(400, 'invalid_client_id', 'client identifier invalid');
  if (!redirectAllowed(org, params.redirectUri))
    return errorPage(400, 'redirect_uri_mismatch', 'redirect_uri must match configuration');
  if (source.get('response_type') !== 'code') {
    return redirectTo(params.redirectUri, {
      error: 'unsupported_response_type',
      error_description: 'response type not supported',
      state: params.state,
    });
  }
  if (params.challenge !== null && params.challengeMethod !== null && params.challengeMethod !== 'S256') {
    return redirectTo(params.redirectUri, {
      error: 'invalid_request',
      error_description: 'code_challenge_method must be S256',
      state: params.state,
    });
  }
  return { params, org };
}

function loginForm(
  path: string,
  org: EmulatedOrg,
  params: AuthorizeParams,
  username: string,
  problem: string | null,
): string {
  const hidden = (name: string, value: string | null): SafeHtml | null =>
    value === null ? null : html`<input type="hidden" name="${name}" value="${value}" />`;
  return page(
    `Log in to ${org.spec.name}`,
    html`<h1>Log in to ${org.spec.name}</h1>
      <p>
        An application wants to access this Salesforce org (client id <code>${params.clientId}</code>) and
        will be sent back to <code>${params.redirectUri}</code>.
      </p>
      <form class="login" method="post" action="${path}">
        ${problem === null ? null : html`<p role="alert" id="login-error">${problem}</p>`}
        ${hidden('response_type', 'code')}${hidden('client_id', params.clientId)}${hidden('redirect_uri', params.redirectUri)}${hidden('state', params.state)}${hidden('code_challenge', params.challenge)}${hidden('code_challenge_method', params.challengeMethod)}${hidden('scope', params.scope)}
        <label for="username">Username</label>
        <input
          type="text"
          id="username"
          name="username"
          autocomplete="username"
          required
          value="${username}"
          ${problem === null ? null : html` aria-describedby="login-error"`}
        />
        <label for="password">Password</label>
        <input type="password" id="password" name="password" autocomplete="current-password" required />
        <p>Allow access to your data (scope: <code>${params.scope ?? 'api refresh_token'}</code>)?</p>
        <div class="actions">
          <button type="submit" name="action" value="allow">Allow</button>
          <button type="submit" name="action" value="deny" formnovalidate>Deny</button>
        </div>
      </form>`,
  );
}

export function showAuthorizePage(path: string, query: URLSearchParams, deps: WebFlowDeps): EmuResponse {
  const checked = checkRequest(query, deps);
  if (!('org' in checked)) return checked;
  return htmlAnswer(200, loginForm(path, checked.org, checked.params, '', null));
}

export function submitAuthorizePage(path: string, form: URLSearchParams, deps: WebFlowDeps): EmuResponse {
  const checked = checkRequest(form, deps);
  if (!('org' in checked)) return checked;
  const { org, params } = checked;
  if (form.get('action') === 'deny') {
    return redirectTo(params.redirectUri, {
      error: 'access_denied',
      error_description: 'end-user denied authorization',
      state: params.state,
    });
  }
  const username = form.get('username') ?? '';
  const user = findUser(org, username, form.get('password') ?? '');
  if (user === undefined) {
    const problem =
      "Please check your username and password. If you still can't log in, contact your Salesforce administrator.";
    return htmlAnswer(200, loginForm(path, org, params, username, problem));
  }
  const code = deps.codes.issue(org, {
    userId: user.id,
    clientId: params.clientId,
    redirectUri: params.redirectUri,
    challenge: params.challenge,
  });
  return redirectTo(params.redirectUri, { code, state: params.state });
}

function findUser(org: EmulatedOrg, username: string, password: string): OrgUser | undefined {
  const user = org.users.find((u) => u.username.toLowerCase() === username.toLowerCase());
  if (user === undefined || !user.isActive || !sameText(org.passwordFor(user), password)) return undefined;
  return user;
}

// ---- the authorization_code grant --------------------------------------------------------------

export function authorizationCodeGrant(
  form: URLSearchParams,
  client: { id: string | null; secret: string | null },
  deps: WebFlowDeps,
): OAuthAnswer {
  if (client.id === null) return oauthError('invalid_client_id', 'client identifier invalid');
  const org = deps.orgs().find((o) => o.spec.clientId === client.id);
  if (org === undefined) return oauthError('invalid_client_id', 'client identifier invalid');
  if (client.secret !== null && client.secret !== org.spec.clientSecret)
    return oauthError('invalid_client', 'invalid client credentials');
  const pending = deps.codes.take(form.get('code') ?? '');
  if (pending === undefined || pending.orgId !== org.orgId || pending.clientId !== client.id)
    return oauthError('invalid_grant', 'invalid authorization code');
  if (org.clock.nowMs() - pending.issuedAtMs > CODE_TTL_MS)
    return oauthError('invalid_grant', 'expired authorization code');
  if (form.get('redirect_uri') !== pending.redirectUri)
    return oauthError('redirect_uri_mismatch', 'redirect_uri must match configuration');
  if (pending.challenge === null) {
    // Without PKCE the client proves itself with its secret.
    if (client.secret === null) return oauthError('invalid_client', 'invalid client credentials');
  } else {
    const verifier = form.get('code_verifier');
    if (verifier === null || !sameText(s256(verifier), pending.challenge))
      return oauthError('invalid_grant', 'invalid code verifier');
  }
  const user = org.users.find((u) => u.id === pending.userId);
  if (user === undefined || !user.isActive) return oauthError('invalid_grant', 'inactive user');
  const refresh = deps.sessions.issueRefreshToken(org, user.id, org.spec.clientId);
  return tokenAnswer(
    org,
    user,
    { sessions: deps.sessions },
    deps.baseUrl,
    org.spec.clientId,
    org.spec.clientSecret,
    refresh,
    'api refresh_token',
  );
}

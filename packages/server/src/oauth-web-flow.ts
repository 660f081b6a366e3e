import { createHash, randomBytes } from 'node:crypto';
import { CrmsyncError, type Clock, type Store } from '@crmsync/core';
import { z } from 'zod';
import type { ConnectRequest } from './deps.js';

/*
 * "Connect Salesforce" through the OAuth 2.0 web-server flow with PKCE (S256). `start` keeps the
 * state and the code verifier in the database (sealed with the store's key, under the state's
 * hash) and returns the authorize URL on the login host (production login.salesforce.com, sandbox
 * test.salesforce.com, or a My Domain / the emulator); the browser signs in there and comes back
 * to the callback with a code, which `finish` trades, with the verifier, for tokens. A pending
 * flow lives 10 minutes and is single use; the callback may reach any server process. The state
 * starts with the workspace id (base64url), since the callback carries no API key.
 */

export const LOGIN_HOSTS = {
  production: 'https://login.salesforce.com',
  sandbox: 'https://test.salesforce.com',
} as const;

const PENDING_TTL_MS = 10 * 60_000;

const Pending = z.object({
  workspaceId: z.string(),
  loginUrl: z.string(),
  clientId: z.string(),
  clientSecret: z.string().nullable(),
  redirectUri: z.string(),
  returnTo: z.string().nullable(),
  verifier: z.string(),
});
type Pending = z.infer<typeof Pending>;

export interface OAuthStart {
  loginUrl: string;
  clientId: string;
  clientSecret?: string;
  redirectUri: string;
  returnTo?: string;
}

export type OAuthTokens = Extract<ConnectRequest, { tokens: unknown }>['tokens'];

const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');
/** Only the state's hash is stored: a database reader cannot replay a callback with it. */
const stateHash = (state: string) => createHash('sha256').update(state).digest('hex');

export class OAuthFlows {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  /** Keeps a new flow and returns where to send the browser. */
  async start(
    workspaceId: string,
    o: OAuthStart,
  ): Promise<{ authorizeUrl: string; state: string; expiresAt: Date }> {
    const state = `${Buffer.from(workspaceId).toString('base64url')}.${randomBytes(24).toString('base64url')}`;
    const verifier = randomBytes(48).toString('base64url');
    const loginUrl = o.loginUrl.replace(/\/+$/, '');
    const expiresAt = new Date(this.clock.now().getTime() + PENDING_TTL_MS);
    const pending: Pending = {
      workspaceId,
      loginUrl,
      clientId: o.clientId,
      clientSecret: o.clientSecret ?? null,
      redirectUri: o.redirectUri,
      returnTo: o.returnTo ?? null,
      verifier,
    };
    await this.store.transaction(workspaceId, (tx) =>
      tx.oauthFlows.put(stateHash(state), pending, expiresAt),
    );
    const url = new URL(`${loginUrl}/services/oauth2/authorize`);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: o.clientId,
      redirect_uri: o.redirectUri,
      state,
      code_challenge: s256(verifier),
      code_challenge_method: 'S256',
      scope: 'api refresh_token',
    }).toString();
    return { authorizeUrl: url.toString(), state, expiresAt };
  }

  /** Takes the flow of `state` (single use); null when unknown, forged, used or expired. */
  async take(state: string): Promise<Pending | null> {
    const dot = state.indexOf('.');
    if (dot <= 0) return null;
    const workspaceId = Buffer.from(state.slice(0, dot), 'base64url').toString('utf8');
    if ((await this.store.workspaces.get(workspaceId)) === null) return null;
    const found = await this.store.transaction(workspaceId, (tx) => tx.oauthFlows.take(stateHash(state)));
    const parsed = found === null ? null : Pending.safeParse(found);
    return parsed?.success === true && parsed.data.workspaceId === workspaceId ? parsed.data : null;
  }
}

/** Trades the code and verifier for tokens at the login host's token endpoint. */
export async function exchangeCode(flow: Pending, code: string): Promise<OAuthTokens> {
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    client_id: flow.clientId,
    redirect_uri: flow.redirectUri,
    code_verifier: flow.verifier,
  });
  if (flow.clientSecret !== null) form.set('client_secret', flow.clientSecret);
  let res: Response;
  try {
    res = await fetch(`${flow.loginUrl}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form,
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new CrmsyncError(
      'SALESFORCE_UNAVAILABLE',
      { problem: (err as Error).message },
      {
        message: `Could not reach ${flow.loginUrl} to finish the sign-in. Check the login URL and try again.`,
      },
    );
  }
  const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  const accessToken = body.access_token;
  const instanceUrl = body.instance_url;
  if (!res.ok || typeof accessToken !== 'string' || typeof instanceUrl !== 'string') {
    const sfCode = typeof body.error === 'string' ? body.error : `HTTP ${res.status}`;
    const sfMessage = typeof body.error_description === 'string' ? body.error_description : '';
    throw new CrmsyncError(
      'SALESFORCE_AUTH_FAILED',
      { sfCode, sfMessage },
      {
        message: `Salesforce did not accept the sign-in (${sfCode}${sfMessage === '' ? '' : `: ${sfMessage}`}). Start "Connect Salesforce" again; check the connected app's client id, secret and callback URL.`,
      },
    );
  }
  return {
    loginUrl: flow.loginUrl,
    instanceUrl,
    accessToken,
    clientId: flow.clientId,
    ...(typeof body.refresh_token === 'string' ? { refreshToken: body.refresh_token } : {}),
    ...(flow.clientSecret === null ? {} : { clientSecret: flow.clientSecret }),
  };
}

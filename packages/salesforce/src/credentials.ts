import { z } from 'zod';

/*
 * The token material of one connected org, handed in and out as one value: the store encrypts it
 * whole, the adapter hands back a new value when Salesforce issues a new access token. Nothing in
 * this package logs it; `redactCredentials` is what a log line may show.
 */

const HttpUrl = z.url({ protocol: /^https?$/ }).transform((u) => u.replace(/\/+$/, ''));
const Secret = z.string().min(1);

const Session = {
  /** The org's instance URL (`https://acme.my.salesforce.com`); discovered at sign-in when absent. */
  instanceUrl: HttpUrl.optional(),
  /** The current access token, if one was issued already. */
  accessToken: Secret.optional(),
};

export const SalesforceCredentials = z.discriminatedUnion('flow', [
  /** A token issued elsewhere (web-server flow, the emulator); refreshed with the refresh token when one is given. */
  z
    .object({
      flow: z.literal('token'),
      instanceUrl: HttpUrl,
      accessToken: Secret,
      refreshToken: Secret.optional(),
      clientId: Secret.optional(),
      clientSecret: Secret.optional(),
      /** Token endpoint host for refreshes (default https://login.salesforce.com). */
      loginUrl: HttpUrl.optional(),
    })
    .refine((c) => c.refreshToken === undefined || c.clientId !== undefined, {
      message: 'a refresh token needs the client id (and secret) it was issued to',
      path: ['clientId'],
    }),
  /** OAuth username-password flow: signs in again whenever the session expires. */
  z.object({
    flow: z.literal('password'),
    loginUrl: HttpUrl,
    clientId: Secret,
    clientSecret: Secret,
    username: Secret,
    /** Password with the security token appended when the org requires one. */
    password: Secret,
    ...Session,
  }),
  /** OAuth client-credentials flow (must use the org's My Domain as loginUrl). No refresh token: re-runs the grant. */
  z.object({
    flow: z.literal('client_credentials'),
    loginUrl: HttpUrl,
    clientId: Secret,
    clientSecret: Secret,
    ...Session,
  }),
]);
export type SalesforceCredentials = z.infer<typeof SalesforceCredentials>;
export type SalesforceCredentialsInput = z.input<typeof SalesforceCredentials>;

const SECRET_KEYS = new Set(['accessToken', 'refreshToken', 'clientSecret', 'password']);

/** The credentials with every secret replaced, for logs and errors. */
export function redactCredentials(credentials: SalesforceCredentials): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(credentials)) {
    if (typeof value !== 'string') continue;
    out[key] = SECRET_KEYS.has(key) ? '[redacted]' : value;
  }
  return out;
}

/** A URL as it may be shown: query parameters that carry tokens are blanked. */
export function redactUrl(url: string): string {
  return url.replace(
    /([?&](?:oauth_token|access_token|refresh_token|token|client_secret|password)=)[^&#]*/gi,
    '$1[redacted]',
  );
}

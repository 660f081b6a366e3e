// The OAuth 2.0 JWT bearer grant (reference §6): an RS256 assertion signed with the connected
// app's private key. The signature is checked against the certificate (or public key) configured
// for the org; `iss` must be the client id, `sub` an active username, `aud` the org's login URL
// and `exp` in the future on the org's clock. No refresh token is issued.
import { createPublicKey, verify, X509Certificate, type KeyObject } from 'node:crypto';
import type { SessionStore } from './http/sessions.js';
import { loginUrlFor, SALESFORCE_LOGIN_HOSTS, type LoginHost } from './login-hosts.js';
import { tokenAnswer, type OAuthAnswer } from './oauth.js';
import type { EmulatedOrg } from './org/emulated-org.js';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export interface JwtGrantDeps {
  host: LoginHost;
  orgs: () => EmulatedOrg[];
  sessions: SessionStore;
  baseUrl: string;
}

// Error wording [recall]: Salesforce answers every assertion problem with invalid_grant.
const invalid = (description: string): OAuthAnswer => ({
  status: 400,
  body: { error: 'invalid_grant', error_description: description },
});

/** A PEM certificate or public key, as configured through the org option or control API. */
export function publicKeyFrom(pem: string): KeyObject {
  if (pem.includes('BEGIN CERTIFICATE')) return new X509Certificate(pem).publicKey;
  return createPublicKey(pem);
}

/** Throws when the text is neither a PEM certificate nor a PEM public key (checked when configured). */
export function assertUsableCertificate(pem: string): void {
  const key = publicKeyFrom(pem);
  if (key.asymmetricKeyType !== 'rsa')
    throw new Error(
      `the JWT certificate must hold an RSA key, not ${key.asymmetricKeyType ?? 'an unknown key type'}`,
    );
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function audienceOk(aud: unknown, allowed: string[]): boolean {
  const values = Array.isArray(aud) ? aud : [aud];
  const trim = (s: string) => s.replace(/\/+$/, '').toLowerCase();
  return values.some((v) => typeof v === 'string' && allowed.some((a) => trim(a) === trim(v)));
}

export function jwtBearerGrant(form: URLSearchParams, deps: JwtGrantDeps): OAuthAnswer {
  const assertion = form.get('assertion') ?? '';
  const parts = assertion.split('.');
  if (parts.length !== 3) return invalid('invalid assertion');
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = decodeJson(headerPart);
  const claims = decodeJson(payloadPart);
  if (header === undefined || claims === undefined || header['alg'] !== 'RS256')
    return invalid('invalid assertion');

  const org = deps.orgs().find((o) => o.spec.clientId === claims['iss']);
  if (org === undefined)
    return {
      status: 400,
      body: { error: 'invalid_client_id', error_description: 'client identifier invalid' },
    };
  const certificate = org.spec.jwtCertificate;
  if (certificate === undefined || certificate === null) return invalid('invalid assertion');
  let key: KeyObject;
  try {
    key = publicKeyFrom(certificate);
  } catch {
    return invalid('invalid assertion');
  }
  const signed = verify(
    'RSA-SHA256',
    Buffer.from(`${headerPart}.${payloadPart}`),
    key,
    Buffer.from(signaturePart, 'base64url'),
  );
  if (!signed) return invalid('invalid assertion');

  if (!audienceOk(claims['aud'], [loginUrlFor(deps.baseUrl, deps.host), SALESFORCE_LOGIN_HOSTS[deps.host]]))
    return invalid('audience is invalid');
  const exp = claims['exp'];
  if (typeof exp !== 'number' || exp * 1000 <= org.clock.nowMs())
    return invalid('expired authorization code');
  const sub = typeof claims['sub'] === 'string' ? claims['sub'].toLowerCase() : '';
  const user = org.users.find((u) => u.username.toLowerCase() === sub);
  if (user === undefined || !user.isActive) return invalid("user hasn't approved this consumer");
  return tokenAnswer(
    org,
    user,
    { sessions: deps.sessions },
    deps.baseUrl,
    org.spec.clientId,
    org.spec.clientSecret,
    undefined,
    'api',
  );
}

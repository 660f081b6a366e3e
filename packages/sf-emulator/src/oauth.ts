// OAuth 2.0 token endpoint (password, refresh_token, client_credentials), revoke, userinfo and
// the identity URL, with Salesforce's response fields and error bodies (reference §6).
import { createHmac } from 'node:crypto';
import type { EmulatedOrg, OrgUser } from './org/emulated-org.js';
import { formatDateTime } from './org/sf-format.js';
import type { SessionStore } from './http/sessions.js';

export interface OAuthDeps {
  sessions: SessionStore;
  orgs: () => Iterable<EmulatedOrg>;
  orgById: (orgId: string) => EmulatedOrg | undefined;
}

export interface OAuthAnswer {
  status: number;
  body: unknown;
}

const oauthError = (error: string, description: string, status = 400): OAuthAnswer => ({
  status,
  body: { error, error_description: description },
});

/** The client id and secret from the form or a Basic Authorization header. */
export function clientFrom(
  params: URLSearchParams,
  authorization: string | undefined,
): { id: string | null; secret: string | null } {
  if (authorization?.startsWith('Basic ')) {
    const [id, secret] = Buffer.from(authorization.slice(6), 'base64').toString('utf8').split(':');
    return { id: id ?? null, secret: secret ?? null };
  }
  return { id: params.get('client_id'), secret: params.get('client_secret') };
}

/** A successful token answer with a fresh session (the web-server and JWT grants use it too). */
export function tokenAnswer(
  org: EmulatedOrg,
  user: OrgUser,
  deps: Pick<OAuthDeps, 'sessions'>,
  baseUrl: string,
  clientId: string,
  clientSecret: string,
  refreshToken: string | undefined,
  scope: string | undefined,
): OAuthAnswer {
  const session = deps.sessions.issue(org, user.id, clientId);
  const id = `${baseUrl}/id/${org.orgId}/${user.id}`;
  const issuedAt = String(session.issuedAtMs);
  const body: Record<string, string> = {
    access_token: session.token,
    ...(refreshToken === undefined ? {} : { refresh_token: refreshToken }),
    signature: createHmac('sha256', clientSecret)
      .update(id + issuedAt)
      .digest('base64'),
    ...(scope === undefined ? {} : { scope }),
    instance_url: baseUrl,
    id,
    token_type: 'Bearer',
    issued_at: issuedAt,
  };
  return { status: 200, body };
}

export function handleTokenRequest(
  form: URLSearchParams,
  authorization: string | undefined,
  baseUrl: string,
  deps: OAuthDeps,
): OAuthAnswer {
  const grant = form.get('grant_type');
  const client = clientFrom(form, authorization);
  if (grant === null) return oauthError('invalid_request', 'grant type not supported');
  if (!['password', 'refresh_token', 'client_credentials'].includes(grant))
    return oauthError('unsupported_grant_type', 'grant type not supported');
  if (client.id === null) return oauthError('invalid_client_id', 'client identifier invalid');
  const org = [...deps.orgs()].find((o) => o.spec.clientId === client.id);
  if (org === undefined) return oauthError('invalid_client_id', 'client identifier invalid');
  const secretOk = client.secret === org.spec.clientSecret;

  if (grant === 'password') {
    if (!secretOk) return oauthError('invalid_client', 'invalid client credentials');
    const username = form.get('username') ?? '';
    const password = form.get('password') ?? '';
    const user = org.users.find((u) => u.username.toLowerCase() === username.toLowerCase());
    if (user === undefined || !user.isActive || org.passwordFor(user) !== password)
      return oauthError('invalid_grant', 'authentication failure');
    const refresh = org.spec.refreshTokenOnPasswordGrant
      ? deps.sessions.issueRefreshToken(org, user.id, org.spec.clientId)
      : undefined;
    return tokenAnswer(
      org,
      user,
      deps,
      baseUrl,
      org.spec.clientId,
      org.spec.clientSecret,
      refresh,
      refresh === undefined ? undefined : 'api refresh_token',
    );
  }
  if (grant === 'client_credentials') {
    if (!secretOk) return oauthError('invalid_client', 'invalid client credentials');
    return tokenAnswer(
      org,
      org.integrationUser,
      deps,
      baseUrl,
      org.spec.clientId,
      org.spec.clientSecret,
      undefined,
      'api',
    );
  }
  // refresh_token: the secret is optional, but a wrong one is refused.
  if (client.secret !== null && !secretOk) return oauthError('invalid_client', 'invalid client credentials');
  const grantInfo = deps.sessions.refreshGrant(form.get('refresh_token') ?? '');
  if (grantInfo === undefined || grantInfo.orgId !== org.orgId)
    return oauthError('invalid_grant', 'expired access/refresh token');
  const user = org.users.find((u) => u.id === grantInfo.userId);
  if (user === undefined || !user.isActive) return oauthError('invalid_grant', 'inactive user');
  return tokenAnswer(
    org,
    user,
    deps,
    baseUrl,
    org.spec.clientId,
    org.spec.clientSecret,
    undefined,
    'api refresh_token',
  );
}

/** `GET /id/{orgId}/{userId}`: the identity document jsforce's `identity()` reads. */
export function identityDocument(
  org: EmulatedOrg,
  user: OrgUser,
  baseUrl: string,
  version = '62.0',
): Record<string, unknown> {
  const data = `${baseUrl}/services/data/v{version}`;
  const record = org.store.getById(user.id);
  return {
    id: `${baseUrl}/id/${org.orgId}/${user.id}`,
    asserted_user: true,
    user_id: user.id,
    organization_id: org.orgId,
    username: user.username,
    nick_name: user.username.split('@')[0],
    display_name: `${user.firstName} ${user.lastName}`.trim(),
    email: user.email,
    email_verified: true,
    first_name: user.firstName,
    last_name: user.lastName,
    timezone: 'GMT',
    photos: { picture: `${baseUrl}/profilephoto/005/F`, thumbnail: `${baseUrl}/profilephoto/005/T` },
    addr_street: null,
    addr_city: null,
    addr_state: null,
    addr_country: null,
    addr_zip: null,
    mobile_phone: null,
    mobile_phone_verified: false,
    is_lightning_login_user: false,
    status: { created_date: null, body: null },
    urls: {
      enterprise: `${baseUrl}/services/Soap/c/{version}/${org.orgId}`,
      metadata: `${baseUrl}/services/Soap/m/{version}/${org.orgId}`,
      partner: `${baseUrl}/services/Soap/u/{version}/${org.orgId}`,
      rest: `${data}/`,
      sobjects: `${data}/sobjects/`,
      search: `${data}/search/`,
      query: `${data}/query/`,
      recent: `${data}/recent/`,
      tooling_soap: `${baseUrl}/services/Soap/T/{version}/${org.orgId}`,
      tooling_rest: `${data}/tooling/`,
      profile: `${baseUrl}/${user.id}`,
      feeds: `${data}/chatter/feeds`,
      groups: `${data}/chatter/groups`,
      users: `${data}/chatter/users`,
      feed_items: `${data}/chatter/feed-items`,
      custom_domain: baseUrl,
    },
    active: user.isActive,
    user_type: 'STANDARD',
    language: 'en_US',
    locale: 'en_US',
    utcOffset: 0,
    last_modified_date:
      typeof record?.['LastModifiedDate'] === 'string'
        ? record['LastModifiedDate']
        : formatDateTime(org.clock.now()),
    is_app_installed: true,
    version,
  };
}

/** `GET /services/oauth2/userinfo`: the OpenID Connect view of the same identity. */
export function userInfoDocument(org: EmulatedOrg, user: OrgUser, baseUrl: string): Record<string, unknown> {
  const identity = identityDocument(org, user, baseUrl);
  return {
    sub: identity['id'],
    user_id: user.id,
    organization_id: org.orgId,
    preferred_username: user.username,
    nickname: identity['nick_name'],
    name: identity['display_name'],
    email: user.email,
    email_verified: true,
    given_name: user.firstName,
    family_name: user.lastName,
    zoneinfo: 'GMT',
    photos: identity['photos'],
    profile: `${baseUrl}/${user.id}`,
    picture: `${baseUrl}/profilephoto/005/F`,
    address: {},
    is_salesforce_integration_user: user.role === 'integration',
    urls: identity['urls'],
    active: user.isActive,
    user_type: 'STANDARD',
    language: 'en_US',
    locale: 'en_US',
    utcOffset: 0,
    updated_at: identity['last_modified_date'],
    is_app_installed: true,
  };
}

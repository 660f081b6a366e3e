// Sign-in flows of the complete emulator: the web-server flow with PKCE driven through the login
// form by a real HTTP client, the JWT bearer grant, token revocation, and separate login URLs for
// production and sandbox orgs. jsforce does the token work, as a client app would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPair, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import jsforce from 'jsforce';
import { API_VERSION, emulatorFor, rejection } from './helpers.js';
import type { OrgHandle, RunningEmulator } from '../src/index.js';

const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** A client app's callback endpoint on port 0: records every query string it receives. */
async function callbackServer(t: {
  after: (fn: () => Promise<void>) => void;
}): Promise<{ url: string; hits: URLSearchParams[] }> {
  const hits: URLSearchParams[] = [];
  const server = createServer((req, res) => {
    hits.push(new URL(req.url ?? '/', 'http://127.0.0.1').searchParams);
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('signed in');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth/callback`, hits };
}

const decode = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The login form as a browser sees it: its action and every named input's value. */
function parseForm(page: string): { action: string; fields: URLSearchParams } {
  const form = /<form\b[^>]*\baction="([^"]*)"[^>]*>([\s\S]*?)<\/form>/.exec(page);
  assert.ok(form, 'the authorize page has a form');
  const fields = new URLSearchParams();
  for (const input of form[2]!.matchAll(/<input\b[^>]*>/g)) {
    const name = /\bname="([^"]*)"/.exec(input[0])?.[1];
    const value = /\bvalue="([^"]*)"/.exec(input[0])?.[1] ?? '';
    if (name !== undefined) fields.set(decode(name), decode(value));
  }
  return { action: decode(form[1]!), fields };
}

/** GET authorize -> parse the form -> POST the person's credentials -> follow the redirect to the callback. */
async function signInThroughForm(
  emulator: RunningEmulator,
  authorizeUrl: string,
  username: string,
  password: string,
  action = 'allow',
): Promise<Response> {
  const pageRes = await fetch(authorizeUrl);
  assert.equal(pageRes.status, 200);
  assert.match(pageRes.headers.get('content-type') ?? '', /^text\/html/);
  const { action: formAction, fields } = parseForm(await pageRes.text());
  fields.set('username', username);
  fields.set('password', password);
  fields.set('action', action);
  return fetch(new URL(formAction, emulator.url), {
    method: 'POST',
    body: fields,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  });
}

function webApp(
  emulator: RunningEmulator,
  org: OrgHandle,
  redirectUri: string,
  loginUrl = org.loginUrl,
): jsforce.OAuth2 {
  return new jsforce.OAuth2({ loginUrl, clientId: org.clientId, redirectUri, useVerifier: true });
}

function signJwt(claims: Record<string, unknown>, key: KeyObject): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}`;
  return `${unsigned}.${sign('RSA-SHA256', Buffer.from(unsigned), key).toString('base64url')}`;
}

test('OAuth web-server flow, JWT bearer, revoke and login hosts', async (t) => {
  // Keys are made up front and off the event loop: a long synchronous key generation between
  // requests would stall the client's keep-alive sockets past the server's idle timeout.
  const rsa = () => promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  const [jwtKeys, appKeys, otherKeys] = await Promise.all([rsa(), rsa(), rsa()]);
  const emulator = await emulatorFor(t);
  const callback = await callbackServer(t);

  await t.test(
    'the web-server flow with PKCE signs a person in through the login form and jsforce exchanges the code for tokens with a refresh token',
    async () => {
      const org = emulator.createOrg();
      const app = webApp(emulator, org, callback.url);
      const authorizeUrl = app.getAuthorizationUrl({ state: 'st&te 1' });
      const page = await (await fetch(authorizeUrl)).text();
      assert.match(page, /<html lang="en">/);
      assert.match(page, /<label for="username">Username<\/label>/);
      assert.match(page, /<label for="password">Password<\/label>/);
      assert.match(page, /<button type="submit" name="action" value="allow">Allow<\/button>/);

      const landed = await signInThroughForm(emulator, authorizeUrl, org.username, org.password);
      assert.equal(landed.status, 200);
      assert.equal(await landed.text(), 'signed in');
      const hit = callback.hits.at(-1)!;
      assert.equal(hit.get('state'), 'st&te 1', 'state comes back unchanged');
      const code = hit.get('code');
      assert.ok(code !== null && code.length > 20);

      const conn = new jsforce.Connection({ oauth2: app, version: API_VERSION });
      const userInfo = await conn.authorize(code);
      assert.equal(userInfo.organizationId, org.orgId);
      assert.equal(userInfo.id, org.integrationUserId);
      assert.ok(conn.refreshToken, 'the web-server flow answers a refresh token');
      assert.match(conn.accessToken ?? '', new RegExp(`^${org.orgId.slice(0, 15)}!`));
      const created = await conn.sobject('Account').create({ Name: 'Signed in Co' });
      assert.equal(created.success, true);

      // A refresh token from the flow gets a new session.
      const refreshed = await app.refreshToken(conn.refreshToken!);
      assert.match(refreshed.access_token, new RegExp(`^${org.orgId.slice(0, 15)}!`));

      // Codes are single-use.
      const again = await rejection(() =>
        new jsforce.Connection({ oauth2: app, version: API_VERSION }).authorize(code),
      );
      assert.equal(again.name, 'invalid_grant');
      assert.match(again.message, /invalid authorization code/);
    },
  );

  await t.test('a code exchanged with the wrong PKCE verifier is refused with invalid_grant', async () => {
    const org = emulator.createOrg();
    const app = webApp(emulator, org, callback.url);
    await signInThroughForm(emulator, app.getAuthorizationUrl({ state: 'x' }), org.username, org.password);
    const code = callback.hits.at(-1)!.get('code')!;
    const impostor = webApp(emulator, org, callback.url);
    assert.notEqual(impostor.codeVerifier, app.codeVerifier);
    const err = await rejection(() =>
      new jsforce.Connection({ oauth2: impostor, version: API_VERSION }).authorize(code),
    );
    assert.equal(err.name, 'invalid_grant');
    assert.match(err.message, /invalid code verifier/);
  });

  await t.test(
    'a sales user signs in as themselves; a wrong password re-shows the form with an alert; Deny redirects with access_denied',
    async () => {
      const org = emulator.createOrg();
      const app = webApp(emulator, org, callback.url);
      const url = app.getAuthorizationUrl({ state: 's' });
      const wrong = await signInThroughForm(emulator, url, org.username, 'not-the-password');
      assert.equal(wrong.status, 200);
      const page = await wrong.text();
      assert.match(page, /role="alert"[^>]*>Please check your username and password/);
      assert.match(
        page,
        new RegExp(`value="${org.username.replace(/\./g, '\\.')}"`),
        'the username stays filled in',
      );

      const denied = await signInThroughForm(emulator, url, org.username, org.password, 'deny');
      assert.equal(denied.status, 200);
      assert.equal(callback.hits.at(-1)!.get('error'), 'access_denied');
      assert.equal(callback.hits.at(-1)!.get('code'), null);

      const sally = org.salesUsers[0]!;
      await signInThroughForm(emulator, url, sally.username, sally.password);
      const conn = new jsforce.Connection({ oauth2: app, version: API_VERSION });
      const userInfo = await conn.authorize(callback.hits.at(-1)!.get('code')!);
      assert.equal(userInfo.id, sally.id);
    },
  );

  await t.test(
    'an unknown client or a callback URL the app did not register gets an error page, not a redirect; the token exchange checks redirect_uri',
    async () => {
      const org = emulator.createOrg({ redirectUris: [callback.url] });
      const unknown = await fetch(
        `${emulator.url}/services/oauth2/authorize?response_type=code&client_id=nope&redirect_uri=${encodeURIComponent(callback.url)}`,
        { redirect: 'manual' },
      );
      assert.equal(unknown.status, 400);
      assert.match(await unknown.text(), /error=invalid_client_id/);
      const elsewhere = `${callback.url.replace('/oauth/callback', '/other')}`;
      const mismatch = await fetch(webApp(emulator, org, elsewhere).getAuthorizationUrl({}), {
        redirect: 'manual',
      });
      assert.equal(mismatch.status, 400);
      assert.match(await mismatch.text(), /error=redirect_uri_mismatch/);

      const app = webApp(emulator, org, callback.url);
      await signInThroughForm(emulator, app.getAuthorizationUrl({}), org.username, org.password);
      const code = callback.hits.at(-1)!.get('code')!;
      const form = new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        client_id: org.clientId,
        redirect_uri: elsewhere,
        code_verifier: app.codeVerifier!,
      });
      const res = await fetch(`${emulator.url}/services/oauth2/token`, { method: 'POST', body: form });
      assert.equal(res.status, 400);
      assert.deepEqual(await res.json(), {
        error: 'redirect_uri_mismatch',
        error_description: 'redirect_uri must match configuration',
      });
    },
  );

  await t.test('a code expires after 15 minutes on the org clock', async () => {
    const org = emulator.createOrg();
    const app = webApp(emulator, org, callback.url);
    await signInThroughForm(emulator, app.getAuthorizationUrl({}), org.username, org.password);
    emulator.control.setClock(org.orgId, { advanceMs: 15 * 60_000 + 1000 });
    const err = await rejection(() =>
      new jsforce.Connection({ oauth2: app, version: API_VERSION }).authorize(
        callback.hits.at(-1)!.get('code')!,
      ),
    );
    assert.equal(err.name, 'invalid_grant');
    assert.match(err.message, /expired authorization code/);
  });

  await t.test(
    'a JWT signed with the configured key signs in as its subject, with no refresh token',
    async () => {
      const keys = jwtKeys;
      const org = emulator.createOrg({
        jwtCertificate: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      });
      const sally = org.salesUsers[0]!;
      const assertion = signJwt(
        {
          iss: org.clientId,
          sub: sally.username,
          aud: org.loginUrl,
          exp: Math.floor(Date.now() / 1000) + 180,
        },
        keys.privateKey,
      );
      const conn = new jsforce.Connection({
        oauth2: { loginUrl: org.loginUrl, clientId: org.clientId },
        version: API_VERSION,
      });
      const userInfo = await conn.authorize({ grant_type: JWT_GRANT, assertion });
      assert.equal(userInfo.id, sally.id);
      assert.equal(conn.refreshToken ?? undefined, undefined);
      const result = await conn.query<{ Id: string }>('SELECT Id FROM Account');
      assert.equal(result.totalSize, 0);

      // The real login host is accepted as the audience too, so client code written for Salesforce works unchanged.
      const real = signJwt(
        {
          iss: org.clientId,
          sub: sally.username,
          aud: 'https://login.salesforce.com',
          exp: Math.floor(Date.now() / 1000) + 180,
        },
        keys.privateKey,
      );
      await new jsforce.Connection({
        oauth2: { loginUrl: org.loginUrl, clientId: org.clientId },
        version: API_VERSION,
      }).authorize({ grant_type: JWT_GRANT, assertion: real });
    },
  );

  await t.test(
    'forged JWTs are refused: another key, a wrong audience, an expired exp, an unknown subject; and a certificate set through the control API takes effect',
    async () => {
      const keys = appKeys;
      const other = otherKeys;
      const org = emulator.createOrg();
      const base = {
        iss: org.clientId,
        sub: org.username,
        aud: org.loginUrl,
        exp: Math.floor(Date.now() / 1000) + 180,
      };
      const grant = async (assertion: string) => {
        const res = await fetch(`${org.loginUrl}/services/oauth2/token`, {
          method: 'POST',
          body: new URLSearchParams({ grant_type: JWT_GRANT, assertion }),
        });
        return { status: res.status, body: (await res.json()) as Record<string, string> };
      };
      assert.deepEqual(
        await grant(signJwt(base, keys.privateKey)),
        { status: 400, body: { error: 'invalid_grant', error_description: 'invalid assertion' } },
        'no certificate configured yet',
      );

      const set = await fetch(`${emulator.url}/__emulator/orgs/${org.orgId}/connected-app`, {
        method: 'POST',
        body: JSON.stringify({ jwtCertificate: keys.publicKey.export({ type: 'spki', format: 'pem' }) }),
      });
      assert.equal(set.status, 200);
      assert.equal((await grant(signJwt(base, keys.privateKey))).status, 200);

      assert.deepEqual((await grant(signJwt(base, other.privateKey))).body, {
        error: 'invalid_grant',
        error_description: 'invalid assertion',
      });
      assert.deepEqual(
        (await grant(signJwt({ ...base, aud: 'https://test.salesforce.com' }, keys.privateKey))).body,
        { error: 'invalid_grant', error_description: 'audience is invalid' },
      );
      assert.deepEqual((await grant(signJwt({ ...base, sub: 'nobody@example.com' }, keys.privateKey))).body, {
        error: 'invalid_grant',
        error_description: "user hasn't approved this consumer",
      });
      assert.deepEqual((await grant(signJwt({ ...base, iss: 'someone-else' }, keys.privateKey))).body, {
        error: 'invalid_client_id',
        error_description: 'client identifier invalid',
      });
      const tampered = signJwt(base, keys.privateKey).split('.');
      tampered[1] = Buffer.from(JSON.stringify({ ...base, sub: org.salesUsers[0]!.username })).toString(
        'base64url',
      );
      assert.equal((await grant(tampered.join('.'))).body['error_description'], 'invalid assertion');

      // exp is judged on the org's clock: an hour later the same assertion has expired.
      const assertion = signJwt(base, keys.privateKey);
      emulator.control.setClock(org.orgId, { advanceMs: 3_600_000 });
      assert.deepEqual((await grant(assertion)).body, {
        error: 'invalid_grant',
        error_description: 'expired authorization code',
      });
    },
  );

  await t.test(
    'revoking an access token ends the session (401) and revoking a refresh token ends refreshes (invalid_grant)',
    async () => {
      const org = emulator.createOrg();
      const app = webApp(emulator, org, callback.url);
      await signInThroughForm(emulator, app.getAuthorizationUrl({}), org.username, org.password);
      const conn = new jsforce.Connection({ oauth2: app, version: API_VERSION });
      await conn.authorize(callback.hits.at(-1)!.get('code')!);
      const accessToken = conn.accessToken!;
      const refreshToken = conn.refreshToken!;

      await app.revokeToken(accessToken);
      const res = await fetch(`${emulator.url}/services/data/v${API_VERSION}/limits`, {
        headers: { Authorization: `Bearer ${accessToken}` },
      });
      assert.equal(res.status, 401);
      assert.deepEqual(await res.json(), [
        { message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' },
      ]);

      // The refresh token still works until it is revoked itself.
      await app.refreshToken(refreshToken);
      await app.revokeToken(refreshToken);
      const err = await rejection(() => app.refreshToken(refreshToken));
      assert.equal(err.name, 'invalid_grant');
      const unknown = await fetch(`${emulator.url}/services/oauth2/revoke`, {
        method: 'POST',
        body: new URLSearchParams({ token: 'never-issued' }),
      });
      assert.equal(unknown.status, 400);
    },
  );

  await t.test(
    'a sandbox org signs in only on the sandbox login URL and a production org only on the production one',
    async () => {
      const sandbox = emulator.createOrg({ sandbox: true, name: 'Staging' });
      const production = emulator.createOrg();
      assert.equal(sandbox.loginUrl, `${emulator.url}/sandbox`);
      assert.equal(production.loginUrl, emulator.url);
      assert.equal(sandbox.instanceUrl, emulator.url);

      const login = (org: OrgHandle, loginUrl: string) =>
        new jsforce.Connection({
          oauth2: { loginUrl, clientId: org.clientId, clientSecret: org.clientSecret },
          version: API_VERSION,
        }).login(org.username, org.password);
      const info = await login(sandbox, sandbox.loginUrl);
      assert.equal(info.organizationId, sandbox.orgId);
      assert.match(
        (await rejection(() => login(sandbox, emulator.url))).message,
        /client identifier invalid/,
      );
      assert.match(
        (await rejection(() => login(production, `${emulator.url}/sandbox`))).message,
        /client identifier invalid/,
      );
      await login(production, production.loginUrl);

      // The sandbox login URL serves the sign-in page for its own orgs only.
      const sandboxApp = webApp(emulator, sandbox, callback.url);
      const landed = await signInThroughForm(
        emulator,
        sandboxApp.getAuthorizationUrl({ state: 'sb' }),
        sandbox.username,
        sandbox.password,
      );
      assert.equal(landed.status, 200);
      const conn = new jsforce.Connection({ oauth2: sandboxApp, version: API_VERSION });
      assert.equal((await conn.authorize(callback.hits.at(-1)!.get('code')!)).organizationId, sandbox.orgId);
      const wrongHost = await fetch(
        webApp(emulator, sandbox, callback.url, emulator.url).getAuthorizationUrl({}),
      );
      assert.equal(wrongHost.status, 400);

      // SOAP login follows the same rule.
      const soap = new jsforce.Connection({ loginUrl: sandbox.loginUrl, version: API_VERSION });
      assert.equal((await soap.login(sandbox.username, sandbox.password)).organizationId, sandbox.orgId);
      const soapWrong = new jsforce.Connection({ loginUrl: emulator.url, version: API_VERSION });
      assert.match(
        (await rejection(() => soapWrong.login(sandbox.username, sandbox.password))).message,
        /INVALID_LOGIN/,
      );
    },
  );
});

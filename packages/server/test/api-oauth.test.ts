import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { externalIdSchema } from '../../engine/test/harness.js';
import { control, json, startApi, startEmulatorProcess, type EmulatorProcess } from './harness.js';

/*
 * "Connect Salesforce" through the OAuth web-server flow with PKCE, over real HTTP: the API starts
 * the flow, a real HTTP client follows the emulator's login form like a browser, and the
 * emulator's redirect lands on the API's callback, which trades the code and saves the tokens.
 */

let emu: EmulatorProcess;
before(async () => {
  emu = await startEmulatorProcess();
});
after(() => emu.close());

interface Org {
  orgId: string;
  loginUrl: string;
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
}

/** Signs in on the emulator's authorize page as a person would: GET the form, POST it back; returns the redirect. */
async function signIn(
  authorizeUrl: string,
  username: string,
  password: string,
  action = 'allow',
): Promise<string> {
  const page = await fetch(authorizeUrl);
  assert.equal(page.status, 200);
  const html = await page.text();
  const formAction = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  assert.ok(formAction !== undefined, 'the login page has a form');
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g))
    form.set(m[1]!, m[2]!.replace(/&amp;/g, '&'));
  form.set('username', username);
  form.set('password', password);
  form.set('action', action);
  const posted = await fetch(new URL(formAction, authorizeUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
    redirect: 'manual',
  });
  assert.equal(posted.status, 302, await posted.text());
  return posted.headers.get('location')!;
}

test('connect Salesforce by signing in with PKCE: the callback trades the code and stores the tokens encrypted', async (t) => {
  const api = await startApi(t, emu);
  const base = await api.app.listen({ port: 0, host: '127.0.0.1' });
  const key = await api.workspace('acme');
  const org = await control<Org>(emu, 'POST', '/orgs', { schema: externalIdSchema() });

  const started = await fetch(`${base}/api/v1/connection/oauth/start`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ loginUrl: org.loginUrl, clientId: org.clientId }),
  });
  assert.equal(started.status, 200);
  const { authorizeUrl, redirectUri, state } = (await started.json()) as Record<string, string>;
  assert.equal(redirectUri, `${base}/api/v1/connection/oauth/callback`);
  const url = new URL(authorizeUrl!);
  assert.equal(url.origin + url.pathname, `${org.loginUrl}/services/oauth2/authorize`);
  assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(url.searchParams.get('state'), state);
  assert.equal(url.searchParams.get('code_verifier'), null, 'the verifier stays on the server');

  const callback = await signIn(authorizeUrl!, org.username, org.password);
  assert.ok(callback.startsWith(redirectUri!), callback);
  const done = await fetch(callback);
  assert.equal(done.status, 200);
  const connected = (await done.json()) as Record<string, unknown>;
  assert.equal(connected.orgId, org.orgId);
  assert.equal(connected.state, 'configuring');

  const status = json(await api.call('GET', '/api/v1/connection', { key }));
  assert.equal(status.connected, true);
  assert.equal(status.connection.orgId, org.orgId);
  const stored = await api.store.workspace('acme').connection.get();
  assert.equal(stored?.credentials.flow, 'token');
  assert.ok(stored?.credentials.refreshToken, 'a refresh token is kept');
  const atRest = await api.atRest();
  assert.ok(!atRest.includes(stored!.credentials.accessToken!), 'the access token is not stored in clear');
  assert.ok(!atRest.includes(stored!.credentials.refreshToken!), 'the refresh token is not stored in clear');

  // Saving asked Salesforce who signed in, with the new access token.
  assert.match(stored!.integrationUserId ?? '', /^005/);

  // The state is single use.
  const replay = await fetch(callback);
  assert.equal(replay.status, 400);
  assert.match(((await replay.json()) as { error: { message: string } }).error.message, /already used/);
});

test('the pending sign-in is kept in the database, sealed: the callback may reach another server process; it expires after 10 minutes', async (t) => {
  const api = await startApi(t, emu);
  const base = await api.app.listen({ port: 0, host: '127.0.0.1' });
  const other = await api.twin();
  const otherBase = await other.listen({ port: 0, host: '127.0.0.1' });
  const key = await api.workspace('acme');
  const org = await control<Org>(emu, 'POST', '/orgs', { schema: externalIdSchema() });
  const start = async () => {
    const res = await fetch(`${base}/api/v1/connection/oauth/start`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        loginUrl: org.loginUrl,
        clientId: org.clientId,
        clientSecret: org.clientSecret,
        redirectUri: `${otherBase}/api/v1/connection/oauth/callback`,
      }),
    });
    assert.equal(res.status, 200);
    return (await res.json()) as Record<string, string>;
  };

  const stale = await start();
  const atRest = await api.atRest();
  assert.ok(!atRest.includes(org.clientSecret), 'the pending flow is sealed at rest');
  assert.ok(!atRest.includes(stale.state!), "only the state's hash is stored");
  const late = await signIn(stale.authorizeUrl!, org.username, org.password);
  api.clock.advance(10 * 60_000 + 1);
  const expired = await fetch(late);
  assert.equal(expired.status, 400);
  assert.match(
    ((await expired.json()) as { error: { message: string } }).error.message,
    /older than 10 minutes/,
  );

  const { authorizeUrl } = await start();
  const callback = await signIn(authorizeUrl!, org.username, org.password);
  assert.ok(callback.startsWith(otherBase), callback);
  const done = await fetch(callback);
  assert.equal(done.status, 200, await done.clone().text());
  assert.equal(((await done.json()) as Record<string, unknown>).orgId, org.orgId);
  assert.equal((await api.store.workspace('acme').connection.get())?.orgId, org.orgId);
});

test('the sandbox login host, a denied sign-in sent back to returnTo, and an unknown state', async (t) => {
  const api = await startApi(t, emu);
  const base = await api.app.listen({ port: 0, host: '127.0.0.1' });
  const key = await api.workspace('acme');
  const start = (body: unknown) => api.call('POST', '/api/v1/connection/oauth/start', { key, body });

  const sandbox = json(
    await start({ environment: 'sandbox', clientId: 'CONSUMER_KEY', redirectUri: 'https://crm.example/cb' }),
  );
  assert.ok(sandbox.authorizeUrl.startsWith('https://test.salesforce.com/services/oauth2/authorize?'));
  const production = json(await start({ clientId: 'CONSUMER_KEY', redirectUri: 'https://crm.example/cb' }));
  assert.ok(production.authorizeUrl.startsWith('https://login.salesforce.com/services/oauth2/authorize?'));
  const bad = await start({ environment: 'staging', clientId: 'x' });
  assert.equal(bad.statusCode, 400);
  assert.equal(json(bad).error.details.problems[0].field, 'body.environment');

  const org = await control<Org>(emu, 'POST', '/orgs', { schema: externalIdSchema(), sandbox: true });
  assert.match(org.loginUrl, /\/sandbox$/);
  const started = await fetch(`${base}/api/v1/connection/oauth/start`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      loginUrl: org.loginUrl,
      clientId: org.clientId,
      returnTo: 'http://127.0.0.1:9/settings',
    }),
  });
  const { authorizeUrl } = (await started.json()) as Record<string, string>;
  const callback = await signIn(authorizeUrl!, org.username, org.password, 'deny');
  const denied = await fetch(callback, { redirect: 'manual' });
  assert.equal(denied.status, 302);
  const back = new URL(denied.headers.get('location')!);
  assert.equal(back.origin + back.pathname, 'http://127.0.0.1:9/settings');
  assert.match(back.searchParams.get('error')!, /did not grant access \(access_denied/);
  assert.equal(await api.store.workspace('acme').connection.get(), null, 'nothing saved');

  const unknown = await fetch(`${base}/api/v1/connection/oauth/callback?state=forged&code=x`);
  assert.equal(unknown.status, 400);
  const body = (await unknown.json()) as { error: { code: string; message: string } };
  assert.equal(body.error.code, 'INVALID_INPUT');
  assert.match(body.error.message, /start "Connect Salesforce" again/);
});

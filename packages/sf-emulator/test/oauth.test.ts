import { test } from 'node:test';
import assert from 'node:assert/strict';
import jsforce from 'jsforce';
import { API_VERSION, emulatorFor, rejection } from './helpers.js';

test('OAuth conformance', async (t) => {
  const emulator = await emulatorFor(t);

  await t.test(
    'password grant logs jsforce in with an opaque token, a string issued_at and an id URL ending in org/user',
    async () => {
      const org = emulator.createOrg();
      const form = new URLSearchParams({
        grant_type: 'password',
        client_id: org.clientId,
        client_secret: org.clientSecret,
        username: org.username,
        password: org.password,
      });
      const res = await fetch(`${emulator.url}/services/oauth2/token`, {
        method: 'POST',
        body: form,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json;charset=UTF-8$/);
      const body = (await res.json()) as Record<string, string>;
      assert.match(body['access_token']!, new RegExp(`^${org.orgId.slice(0, 15)}!AQ[A-Za-z0-9]+$`));
      assert.equal(body['access_token']!.split('.').length, 1, 'never JWT-shaped');
      assert.match(body['issued_at']!, /^\d{13}$/);
      assert.equal(body['token_type'], 'Bearer');
      assert.equal(body['instance_url'], emulator.url);
      assert.equal(body['id'], `${emulator.url}/id/${org.orgId}/${org.integrationUserId}`);
      assert.equal(typeof body['signature'], 'string');
      assert.equal(
        body['refresh_token'],
        undefined,
        'real Salesforce gives no refresh token on the password grant',
      );

      const conn = new jsforce.Connection({
        oauth2: { loginUrl: emulator.url, clientId: org.clientId, clientSecret: org.clientSecret },
        version: API_VERSION,
      });
      const userInfo = await conn.login(org.username, org.password);
      assert.equal(userInfo.organizationId, org.orgId);
      assert.equal(userInfo.id, org.integrationUserId);
      const identity = await conn.identity();
      assert.equal(identity.username, org.username);
    },
  );

  await t.test('wrong password, client id and secret answer Salesforce error bodies', async () => {
    const org = emulator.createOrg();
    const post = async (fields: Record<string, string>) => {
      const res = await fetch(`${emulator.url}/services/oauth2/token`, {
        method: 'POST',
        body: new URLSearchParams(fields),
      });
      return { status: res.status, body: (await res.json()) as Record<string, string> };
    };
    const base = {
      grant_type: 'password',
      client_id: org.clientId,
      client_secret: org.clientSecret,
      username: org.username,
    };
    assert.deepEqual(await post({ ...base, password: 'wrong' }), {
      status: 400,
      body: { error: 'invalid_grant', error_description: 'authentication failure' },
    });
    assert.deepEqual(await post({ ...base, password: org.password, client_id: 'nope' }), {
      status: 400,
      body: { error: 'invalid_client_id', error_description: 'client identifier invalid' },
    });
    assert.deepEqual(await post({ ...base, password: org.password, client_secret: 'nope' }), {
      status: 400,
      body: { error: 'invalid_client', error_description: 'invalid client credentials' },
    });
    assert.deepEqual(await post({ ...base, grant_type: 'authorization_codez' }), {
      status: 400,
      body: { error: 'unsupported_grant_type', error_description: 'grant type not supported' },
    });
    const conn = new jsforce.Connection({
      oauth2: { loginUrl: emulator.url, clientId: org.clientId, clientSecret: org.clientSecret },
      version: API_VERSION,
    });
    const err = await rejection(() => conn.login(org.username, 'wrong'));
    assert.match(err.message, /authentication failure/);
  });

  await t.test('client_credentials authorizes as the integration user, with no refresh token', async () => {
    const org = emulator.createOrg();
    const conn = new jsforce.Connection({
      oauth2: { loginUrl: emulator.url, clientId: org.clientId, clientSecret: org.clientSecret },
      version: API_VERSION,
    });
    const userInfo = await conn.authorize({ grant_type: 'client_credentials' });
    assert.equal(userInfo.id, org.integrationUserId);
    assert.equal(conn.refreshToken ?? undefined, undefined);
    const created = await conn.sobject('Account').create({ Name: 'Acme' });
    assert.equal(created.success, true);
    const read = await conn.sobject('Account').retrieve([created.id!]);
    assert.equal(read[0]?.['CreatedById'], org.integrationUserId);
  });

  await t.test(
    'a session expires after the TTL on the org clock and jsforce re-logs in, emitting refresh',
    async () => {
      const org = emulator.createOrg({ sessionTtlSeconds: 600 });
      const conn = new jsforce.Connection({
        oauth2: { loginUrl: emulator.url, clientId: org.clientId, clientSecret: org.clientSecret },
        version: API_VERSION,
      });
      await conn.login(org.username, org.password);
      const firstToken = conn.accessToken;
      await conn.sobject('Contact').create({ LastName: 'Before' });
      emulator.control.setClock(org.orgId, { advanceMs: 601_000 });

      const expired = await fetch(`${emulator.url}/services/data/v${API_VERSION}/limits`, {
        headers: { Authorization: `Bearer ${firstToken}` },
      });
      assert.equal(expired.status, 401);
      assert.deepEqual(await expired.json(), [
        { message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' },
      ]);

      let refreshed = 0;
      conn.on('refresh', () => refreshed++);
      const rows = await conn.query('SELECT Id FROM Contact');
      assert.equal(rows.totalSize, 1);
      assert.equal(refreshed, 1);
      assert.notEqual(conn.accessToken, firstToken);
    },
  );

  await t.test(
    'refresh_token grant: a token on password login only when the org asks, then jsforce refreshes with it',
    async () => {
      const org = emulator.createOrg({ refreshTokenOnPasswordGrant: true, sessionTtlSeconds: 60 });
      const login = new jsforce.Connection({
        oauth2: { loginUrl: emulator.url, clientId: org.clientId, clientSecret: org.clientSecret },
        version: API_VERSION,
      });
      await login.authorize({ grant_type: 'password', username: org.username, password: org.password });
      assert.ok(login.refreshToken, 'a refresh token was issued');
      const conn = new jsforce.Connection({
        oauth2: { loginUrl: emulator.url, clientId: org.clientId, clientSecret: org.clientSecret },
        instanceUrl: emulator.url,
        accessToken: login.accessToken!,
        refreshToken: login.refreshToken!,
        version: API_VERSION,
      });
      emulator.control.setClock(org.orgId, { advanceMs: 120_000 });
      const tokens: string[] = [];
      conn.on('refresh', (token: string) => tokens.push(token));
      const limits = await conn.limits();
      assert.equal(typeof limits.DailyApiRequests?.Max, 'number');
      assert.equal(tokens.length, 1);
      assert.equal(conn.accessToken, tokens[0]);

      const bad = await fetch(`${emulator.url}/services/oauth2/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: 'bogus',
          client_id: org.clientId,
        }),
      });
      assert.deepEqual(await bad.json(), {
        error: 'invalid_grant',
        error_description: 'expired access/refresh token',
      });
    },
  );

  await t.test(
    'userinfo and the identity URL describe the logged-in user; other orgs cannot read them',
    async () => {
      const org = emulator.createOrg();
      const other = emulator.createOrg();
      const info = await fetch(`${emulator.url}/services/oauth2/userinfo`, {
        headers: { Authorization: `Bearer ${org.accessToken}` },
      });
      const body = (await info.json()) as Record<string, unknown>;
      assert.equal(body['user_id'], org.integrationUserId);
      assert.equal(body['organization_id'], org.orgId);
      const identity = await fetch(
        `${emulator.url}/id/${org.orgId}/${org.integrationUserId}?format=json&oauth_token=${org.accessToken}`,
      );
      assert.equal(((await identity.json()) as Record<string, unknown>)['username'], org.username);
      const foreign = await fetch(`${emulator.url}/id/${org.orgId}/${org.integrationUserId}`, {
        headers: { Authorization: `Bearer ${other.accessToken}` },
      });
      assert.equal(foreign.status, 404);
    },
  );
});

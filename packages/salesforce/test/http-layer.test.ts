import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CrmsyncError, type CrmRequestEvent, type CrmResponseEvent } from '@crmsync/core';
import { connectSalesforce, SalesforceRequestError, type SalesforceCredentials } from '../src/index.js';
import { captureLogger, connected, emulator, emulatorTotal, instantClock } from './helpers.js';

/*
 * O3 counting at the HTTP layer, session refresh, and secrets kept out of logs and errors: all
 * against the emulator over HTTP, with jsforce's own retry loop left in place.
 */

test('O3: every request, jsforce retries after an injected 503 included, is reported and equals the emulator counter', async (t) => {
  const responses: CrmResponseEvent[] = [];
  let c: Awaited<ReturnType<typeof connected>>;
  c = await connected(t, {
    adapter: {
      // The first query attempt meets a 503; the fault is lifted as jsforce announces its retry.
      onRequest: (e) => {
        if (e.attempt === 2) c.emu.control.clearFaults(c.orgId);
      },
      onResponse: (e) => responses.push(e),
    },
  });
  await c.sf.describe('Contact');
  await c.sf.create('Contact', [{ LastName: 'Counted' }]);
  c.emu.control.addFault(c.orgId, {
    method: 'GET',
    pathPrefix: '/query',
    failureRate: 1,
    failureKind: 'unavailable',
  });
  const rows = await c.sf.query("SELECT Id FROM Contact WHERE LastName = 'Counted'");
  assert.equal(rows.length, 1);
  await c.sf.findPeopleByEmail(['a@example.com']);

  const queryAttempts = c.requests.filter((r) => r.method === 'GET' && r.url.includes('/query?q='));
  assert.deepEqual(
    queryAttempts.map((r) => r.attempt),
    [1, 2],
  );
  assert.equal(c.requests.length, 5);
  assert.equal(c.requests.length, emulatorTotal(c));
  assert.equal(
    c.emu.control.requests(c.orgId).byEndpoint['POST /composite'],
    1,
    'a composite call is one request',
  );
  // One answer per request (the retried query answers once, on its second attempt), with the org's usage.
  assert.deepEqual(
    responses.map((r) => [r.method, r.status, r.attempt]),
    [
      ['GET', 200, 1],
      ['POST', 200, 1],
      ['GET', 200, 2],
      ['POST', 200, 1],
    ],
  );
  assert.deepEqual(c.sf.apiUsage(), responses.at(-1)?.apiUsage);
  assert.deepEqual(c.sf.apiUsage(), c.emu.control.describeOrg(c.orgId).apiUsage);
});

test('O3: a GET that keeps failing is reported once per attempt until jsforce gives up, and the error is retryable', async (t) => {
  const c = await connected(t, { adapter: { maxRetries: 2 } });
  c.emu.control.addFault(c.orgId, {
    method: 'GET',
    pathPrefix: '/query',
    failureRate: 1,
    failureKind: 'unavailable',
  });
  await assert.rejects(c.sf.query('SELECT Id FROM Contact'), (err: unknown) => {
    assert.ok(err instanceof SalesforceRequestError);
    assert.equal(err.classification.retryable, true);
    assert.equal(err.code, 'SALESFORCE_UNAVAILABLE');
    return true;
  });
  assert.deepEqual(
    c.requests.map((r) => r.attempt),
    [1, 2, 3],
  );
  assert.equal(emulatorTotal(c), 3);
});

test('O3: a hook that throws vetoes the request before it is sent, and its error reaches the caller unchanged', async (t) => {
  let allow = true;
  const c = await connected(t, {
    adapter: {
      onRequest: () => {
        if (!allow) throw new CrmsyncError('API_BUDGET_EXHAUSTED', { resumesAt: '2026-03-02T00:00:00Z' });
      },
    },
  });
  await c.sf.describe('Account');
  const before = emulatorTotal(c);
  allow = false;
  await assert.rejects(
    c.sf.query('SELECT Id FROM Account'),
    (err: unknown) => err instanceof CrmsyncError && err.code === 'API_BUDGET_EXHAUSTED',
  );
  await assert.rejects(
    c.sf.create('Account', [{ Name: 'Vetoed' }]),
    (err: unknown) => err instanceof CrmsyncError && err.code === 'API_BUDGET_EXHAUSTED',
  );
  assert.equal(emulatorTotal(c), before, 'nothing reached Salesforce');
  allow = true;
  assert.deepEqual(await c.sf.query("SELECT Id FROM Account WHERE Name = 'Vetoed'"), []);
});

test('O3: a veto on a jsforce retry stops the retry loop with the budget error', async (t) => {
  const c = await connected(t, {
    adapter: {
      onRequest: (e) => {
        if (e.attempt > 1) throw new CrmsyncError('API_BUDGET_EXHAUSTED');
      },
    },
  });
  c.emu.control.addFault(c.orgId, {
    method: 'GET',
    pathPrefix: '/query',
    failureRate: 1,
    failureKind: 'unavailable',
  });
  await assert.rejects(
    c.sf.query('SELECT Id FROM Contact'),
    (err: unknown) => err instanceof CrmsyncError && err.code === 'API_BUDGET_EXHAUSTED',
  );
  assert.equal(emulatorTotal(c), 1);
});

test('the password flow signs in, refreshes the session after the emulator expires it, and hands out the new token', async (t) => {
  const emu = await emulator(t);
  const login = emu.credentials;
  const handedOut: SalesforceCredentials[] = [];
  const requests: CrmRequestEvent[] = [];
  const sf = await connectSalesforce({
    credentials: {
      flow: 'password',
      loginUrl: login.loginUrl,
      clientId: login.clientId,
      clientSecret: login.clientSecret,
      username: login.username,
      password: login.password,
    },
    clock: instantClock(),
    retryBaseDelayMs: 0,
    onRequest: (e) => requests.push(e),
    onCredentials: (cr) => handedOut.push(cr),
  });
  assert.equal(handedOut.length, 1, 'the sign-in token is handed out');
  const firstToken = sf.credentials().accessToken;
  assert.equal((await sf.identity()).orgId, login.orgId);
  await sf.create('Contact', [{ LastName: 'Before Expiry' }]);

  emu.control.expireSessions(login.orgId);
  const rows = await sf.query("SELECT Id FROM Contact WHERE LastName = 'Before Expiry'");
  assert.equal(rows.length, 1);
  assert.equal(handedOut.length, 2, 'the refreshed token is handed out');
  assert.notEqual(sf.credentials().accessToken, firstToken);
  assert.equal(handedOut[1]?.accessToken, sf.credentials().accessToken);
  // token, create, query (401), token again, query again: each one reported.
  assert.deepEqual(
    requests.map((r) => `${r.method} ${new URL(r.url).pathname.replace(/^\/services\/data\/v62\.0/, '')}`),
    [
      'POST /services/oauth2/token',
      'POST /composite/sobjects',
      'GET /query',
      'POST /services/oauth2/token',
      'GET /query',
    ],
  );
});

test('a pre-issued token with a refresh token is refreshed through the refresh_token grant', async (t) => {
  const emu = await emulator(t, { refreshTokenOnPasswordGrant: true });
  const login = emu.credentials;
  const grant = await fetch(`${login.loginUrl}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'password',
      client_id: login.clientId,
      client_secret: login.clientSecret,
      username: login.username,
      password: login.password,
    }),
  });
  const token = (await grant.json()) as { access_token: string; refresh_token: string; instance_url: string };
  assert.ok(token.refresh_token);
  const handedOut: SalesforceCredentials[] = [];
  const sf = await connectSalesforce({
    credentials: {
      flow: 'token',
      instanceUrl: token.instance_url,
      accessToken: token.access_token,
      refreshToken: token.refresh_token,
      clientId: login.clientId,
      clientSecret: login.clientSecret,
      loginUrl: login.loginUrl,
    },
    clock: instantClock(),
    retryBaseDelayMs: 0,
    onCredentials: (cr) => handedOut.push(cr),
  });
  emu.control.expireSessions(login.orgId);
  assert.deepEqual(await sf.query('SELECT Id FROM Contact'), []);
  assert.equal(handedOut.length, 1);
  const refreshed = handedOut[0]!;
  assert.equal(refreshed.flow, 'token');
  assert.notEqual(refreshed.accessToken, token.access_token);
  assert.equal(refreshed.flow === 'token' ? refreshed.refreshToken : undefined, token.refresh_token);
});

test('the client_credentials flow signs in and signs in again when the session expires', async (t) => {
  const emu = await emulator(t);
  const login = emu.credentials;
  const handedOut: SalesforceCredentials[] = [];
  const sf = await connectSalesforce({
    credentials: {
      flow: 'client_credentials',
      loginUrl: login.loginUrl,
      clientId: login.clientId,
      clientSecret: login.clientSecret,
    },
    clock: instantClock(),
    retryBaseDelayMs: 0,
    onCredentials: (cr) => handedOut.push(cr),
  });
  assert.equal((await sf.identity()).orgId, login.orgId);
  emu.control.expireSessions(login.orgId);
  assert.deepEqual(await sf.query('SELECT Id FROM Contact'), []);
  assert.equal(handedOut.length, 2);
  assert.notEqual(handedOut[0]?.accessToken, handedOut[1]?.accessToken);
});

test('a token that has expired with no way to refresh fails as SALESFORCE_SESSION_EXPIRED', async (t) => {
  const emu = await emulator(t);
  const sf = await connectSalesforce({
    credentials: {
      flow: 'token',
      instanceUrl: emu.credentials.instanceUrl,
      accessToken: 'not-a-valid-token',
    },
    clock: instantClock(),
    retryBaseDelayMs: 0,
  });
  await assert.rejects(
    sf.query('SELECT Id FROM Contact'),
    (err: unknown) => err instanceof CrmsyncError && err.code === 'SALESFORCE_SESSION_EXPIRED',
  );
});

test('incomplete credentials are refused as INVALID_INPUT without echoing the secrets', async () => {
  await assert.rejects(
    connectSalesforce({
      credentials: {
        flow: 'token',
        instanceUrl: 'http://127.0.0.1:9',
        accessToken: 'CANARY-at',
        refreshToken: 'CANARY-rt',
      },
      clock: instantClock(),
    }),
    (err: unknown) =>
      err instanceof CrmsyncError &&
      err.code === 'INVALID_INPUT' &&
      /clientId/.test(err.message) &&
      !/CANARY/.test(JSON.stringify(err.details) + err.message),
  );
});

test('dailyApiLimit reads the org allocation from /limits', async (t) => {
  const c = await connected(t, { emulator: { dailyApiLimit: 5_000 } });
  await c.sf.describe('Lead');
  const limit = await c.sf.dailyApiLimit();
  const usage = c.emu.control.describeOrg(c.orgId).apiUsage as { used: number; max: number };
  assert.equal(limit.max, 5_000);
  assert.equal(limit.used, usage.used);
});

test('the canary token, password and client secret never appear in logs, events or errors', async (t) => {
  const canary = 'CANARY00D-token-7f3a9c';
  const emu = await emulator(t);
  const org = emu.control.createOrg({
    accessToken: canary,
    password: 'CANARY-password-51b2',
    clientSecret: 'CANARY-secret-e81d',
    sessionTtlSeconds: 3600,
  });
  const logger = captureLogger();
  const seen: string[] = [];
  const record = (v: unknown) => seen.push(JSON.stringify(v));
  const errors: unknown[] = [];
  const attempt = async (p: Promise<unknown>) => {
    try {
      record(await p);
    } catch (err) {
      errors.push(err);
    }
  };

  const sf = await connectSalesforce({
    credentials: { flow: 'token', instanceUrl: org.instanceUrl, accessToken: canary },
    clock: instantClock(),
    retryBaseDelayMs: 0,
    maxRetries: 1,
    logger,
    onRequest: record,
    onResponse: record,
  });
  await attempt(sf.describe('Contact'));
  await attempt(sf.create('Contact', [{ LastName: 'Canary' }, { FirstName: 'missing last name' }]));
  emu.control.addFault(org.orgId, {
    method: 'POST',
    pathPrefix: '/composite/sobjects',
    dropWriteResponses: 1,
  });
  await attempt(sf.create('Contact', [{ LastName: 'Dropped' }]));
  emu.control.addFault(org.orgId, {
    method: 'GET',
    pathPrefix: '/query',
    failureRate: 1,
    failureKind: 'unavailable',
  });
  await attempt(sf.query('SELECT Id FROM Contact'));
  emu.control.clearFaults(org.orgId);
  await attempt(sf.describe('NoSuchObject__c'));
  await attempt(sf.query('SELECT Nope FROM Contact'));

  // A password-flow connection whose session expires, and one with a wrong password.
  const pw = await connectSalesforce({
    credentials: {
      flow: 'password',
      loginUrl: org.loginUrl,
      clientId: org.clientId,
      clientSecret: 'CANARY-secret-e81d',
      username: org.username,
      password: 'CANARY-password-51b2',
    },
    clock: instantClock(),
    retryBaseDelayMs: 0,
    logger,
    onRequest: record,
    onCredentials: () => {},
  });
  emu.control.expireSessions(org.orgId);
  await attempt(pw.query('SELECT Id FROM Contact'));
  await attempt(
    connectSalesforce({
      credentials: {
        flow: 'password',
        loginUrl: org.loginUrl,
        clientId: org.clientId,
        clientSecret: 'CANARY-secret-e81d',
        username: org.username,
        password: 'CANARY-password-wrong',
      },
      clock: instantClock(),
      logger,
    }),
  );

  assert.ok(errors.length >= 4, `expected failures to inspect, got ${errors.length}`);
  const errorText = errors.map((e) => {
    const props = e instanceof Error ? Object.getOwnPropertyNames(e) : [];
    return `${String(e)} ${JSON.stringify(e, props)} ${e instanceof Error ? (e.stack ?? '') : ''}`;
  });
  const everything = [...logger.lines, ...seen, ...errorText].join('\n');
  assert.ok(logger.lines.length > 10, 'the logger saw the traffic');
  for (const secret of [
    canary,
    'CANARY-password',
    'CANARY-secret',
    pw.credentials().accessToken ?? 'x'.repeat(40),
  ]) {
    assert.equal(everything.includes(secret), false, `${secret} leaked`);
  }
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ADMIN_KEY, startApi, startEmulatorProcess, type EmulatorProcess } from './harness.js';

/*
 * Over real HTTP (the app listening on 127.0.0.1, port 0): connect the built-in emulator, the
 * lifecycle, manual push, push all with progress, pull, retry, the sync log and its CSV, events
 * and metrics, checked against what the emulator holds.
 */

let emu: EmulatorProcess;
before(async () => {
  emu = await startEmulatorProcess();
});
after(() => emu.close());

async function http(
  base: string,
  method: string,
  path: string,
  key: string | null,
  body?: unknown,
  raw?: string,
) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(key === null ? {} : { authorization: `Bearer ${key}` }),
      ...(body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(raw !== undefined ? { body: raw } : body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // CSV and Prometheus text stay text.
  }
  return { status: res.status, body: parsed, text, type: res.headers.get('content-type') ?? '' };
}

test('the API over HTTP: connect, lifecycle, push, push all, pull, retry, log, events and metrics', async (t) => {
  const api = await startApi(t, emu);
  const base = await api.app.listen({ port: 0, host: '127.0.0.1' });
  const key = await api.workspace('acme', { stages: { people: ['Cold', 'Hot'], companies: [], deals: [] } });
  const call = (method: string, path: string, body?: unknown) =>
    http(base, method, `/api/v1${path}`, key, body);

  assert.equal((await http(base, 'GET', '/api/v1/connection', null)).status, 401);
  assert.equal((await http(base, 'POST', '/api/v1/people', key, undefined, '{"lastName":')).status, 400);

  const before = await call('GET', '/connection');
  assert.deepEqual([before.status, before.body.connected], [200, false]);
  assert.equal((await call('POST', '/push', { people: ['nobody'] })).status, 404);

  assert.equal(
    (
      await call('PUT', '/settings', {
        version: 2,
        lifecycle: { configurationWindowHours: 0 },
        contacts: { pushContacts: false },
      })
    ).status,
    200,
  );
  const connected = await call('POST', '/connection', { emulator: true });
  assert.equal(connected.status, 200, JSON.stringify(connected.body));
  assert.equal(connected.body.state, 'active');
  const orgId: string = connected.body.orgId;

  const status = await call('GET', '/connection');
  assert.equal(status.body.connected, true);
  assert.equal(status.body.connection.orgId, orgId);
  assert.ok(status.body.apiUsage.last24Hours > 0, 'connecting made counted API calls');
  assert.equal(status.body.apiUsage.budgetPercent, 20);

  for (let i = 0; i < 4; i++) {
    const res = await call('POST', '/people', {
      id: `p${i}`,
      lastName: `Person ${i}`,
      email: `p${i}@example.com`,
      emailStatus: 'verified',
      stage: 'Hot',
    });
    assert.equal(res.status, 201);
  }

  // L3: a pause stops manual pushes too; resume lets them through.
  assert.equal((await call('POST', '/connection/pause')).body.state, 'paused');
  const paused = await call('POST', '/push', { people: ['p0'] });
  assert.equal(paused.status, 409);
  assert.equal(paused.body.error.code, 'PAUSED');
  assert.equal((await call('POST', '/push-all')).body.error.code, 'PAUSED');
  assert.equal((await call('POST', '/connection/resume')).body.state, 'active');
  assert.equal((await call('POST', '/connection/start-syncing-now')).body.windowEndsAt, null);

  const pushed = await call('POST', '/push', { people: ['p0', 'p1'] });
  assert.equal(pushed.status, 200, JSON.stringify(pushed.body));
  assert.deepEqual(
    pushed.body.results.map((r: any) => [r.id, r.outcome.status, r.outcome.action, r.outcome.sfObject]),
    [
      ['p0', 'done', 'create', 'Contact'],
      ['p1', 'done', 'create', 'Contact'],
    ],
  );
  const sfId = pushed.body.results[0].outcome.sfId;
  const contact = await fetch(`${emu.url}/__emulator/orgs/${orgId}/writes?ids=${sfId}`).then(
    (r) => r.json() as Promise<any>,
  );
  assert.equal(contact.records[sfId].objectName, 'Contact');

  // Push all (C9): the two people not yet in Salesforce, with progress readable by GET.
  const started = await call('POST', '/push-all');
  assert.equal(started.status, 202);
  let run = started.body;
  for (let i = 0; i < 10_000 && run.status === 'running'; i++) {
    await new Promise((ok) => setImmediate(ok));
    run = (await call('GET', `/push-all/${started.body.runId}`)).body;
  }
  assert.equal(run.status, 'done', JSON.stringify(run));
  assert.equal(run.progress.total, 2);
  assert.equal(run.progress.created, 2);
  assert.ok(run.result.byReason.length > 0);
  assert.equal((await call('GET', '/push-all/push-all-unknown')).status, 404);
  const preview = await call('POST', '/push-all/preview');
  assert.equal(preview.body.total, 0, 'nothing is left unlinked');

  const pulled = await call('POST', '/pull', {});
  assert.equal(pulled.status, 200, JSON.stringify(pulled.body));
  assert.equal(pulled.body.status, 'done');
  assert.equal(pulled.body.orgId, orgId);
  assert.equal((await call('POST', '/retry', { all: true })).body.retried, 0);
  assert.equal((await call('POST', '/retry', { sfObject: 'Contact' })).status, 200);
  assert.equal((await call('POST', '/retry', {})).status, 400);

  // The sync log, with why, filtered by record, outcome, rule and run.
  const forP0 = await call('GET', '/log?recordType=person&recordId=p0');
  assert.ok(forP0.body.items.length >= 2);
  const create = forP0.body.items.find((e: any) => e.outcome === 'create');
  assert.match(create.why, /pushed by hand \(M1\)/);
  assert.ok(create.rules.includes('M1'));
  const m1 = await call('GET', '/log?rule=M1&outcome=create');
  assert.deepEqual(m1.body.items.map((e: any) => e.recordId).sort(), ['p0', 'p1']);
  const ofRun = await call('GET', `/log?runId=${started.body.runId}&outcome=create`);
  assert.deepEqual(ofRun.body.items.map((e: any) => e.recordId).sort(), ['p2', 'p3']);
  const page1 = await call('GET', '/log?limit=2');
  const page2 = await call('GET', `/log?limit=2&cursor=${page1.body.nextCursor}`);
  assert.ok(page2.body.items[0].id < page1.body.items[1].id, 'pages go newest first without overlap');
  assert.equal((await call('GET', '/log?recordId=p0')).status, 400);

  const csv = await http(base, 'GET', '/api/v1/log.csv?outcome=create', key);
  assert.equal(csv.status, 200);
  assert.match(csv.type, /text\/csv/);
  const lines = csv.text.trim().split('\r\n');
  assert.equal(
    lines[0],
    'id,at,recordType,recordId,outcome,rules,why,sfObject,sfId,errorCode,errorMessage,runId',
  );
  assert.equal(lines.length, 5);

  const events = await call('GET', '/events?after=0&limit=1000');
  assert.equal(events.status, 200);
  assert.ok(events.body.items.length > 0, 'pushes and the connection raise events');
  const rest = await call('GET', `/events?after=${events.body.next}`);
  assert.deepEqual(rest.body.items, []);
  assert.equal(rest.body.next, events.body.next);

  const metrics = await http(base, 'GET', '/metrics', ADMIN_KEY);
  assert.equal(metrics.status, 200);
  assert.match(metrics.type, /text\/plain/);
  assert.match(metrics.text, /^crmsync_pushes_24h\{workspace="acme"\} 4$/m);
  assert.match(metrics.text, /^crmsync_failures_24h\{workspace="acme"\} 0$/m);
  const calls = Number(/^crmsync_api_calls_24h\{workspace="acme"\} (\d+)$/m.exec(metrics.text)?.[1]);
  assert.ok(calls > status.body.apiUsage.last24Hours);

  // L3: disconnect keeps the records but stops traffic.
  assert.equal((await call('POST', '/connection/disconnect')).body.state, 'disconnected');
  assert.equal((await call('POST', '/push', { people: ['p0'] })).body.error.code, 'DISCONNECTED');
  assert.equal((await call('GET', '/connection')).body.connected, false);
});

test('connecting with credentials Salesforce refuses answers with the reason and saves nothing', async (t) => {
  const api = await startApi(t, emu);
  const base = await api.app.listen({ port: 0, host: '127.0.0.1' });
  const key = await api.workspace('acme');
  const org = await fetch(`${emu.url}/__emulator/orgs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  }).then((r) => r.json() as Promise<any>);
  const res = await http(base, 'POST', '/api/v1/connection', key, {
    loginUrl: org.loginUrl,
    clientId: org.clientId,
    clientSecret: org.clientSecret,
    username: org.username,
    password: 'wrong',
  });
  assert.equal(res.status, 502);
  assert.equal(res.body.error.code, 'SALESFORCE_AUTH_FAILED');
  assert.match(res.body.error.message, /Could not sign in/);
  assert.equal((await http(base, 'GET', '/api/v1/connection', key)).body.connected, false);
  const missing = await http(base, 'POST', '/api/v1/connection', key, {
    loginUrl: 'not a url',
    clientId: 'x',
    clientSecret: 'y',
  });
  assert.equal(missing.status, 400);
  assert.equal(missing.body.error.details.problems[0].field.startsWith('body'), true);
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CrmsyncError, type CrmAdapter } from '@crmsync/core';
import { CrmSessions } from '../src/crm-session.js';
import { manualPush } from '../src/push/manual-push.js';
import { pushAll, type PushAllProgress } from '../src/push/push-all.js';
import { runPushBatch } from '../src/push/worker.js';
import {
  connectedWorkspace,
  drain,
  ingestAll,
  linkOf,
  logOf,
  person,
  startEmulatorProcess,
  type EmulatorProcess,
  type Harness,
} from './harness.js';

/*
 * M1 manual push, C9 push all (collections and Bulk API 2.0, resumed after a crash), the lifecycle
 * gate of the worker (L1-L3) and the events it publishes (O5).
 */

let emu: EmulatorProcess;
before(async () => {
  emu = await startEmulatorProcess();
});
after(() => emu.close());

type Row = Record<string, unknown> & { Id: string };
const count = async (h: Harness, where: string) =>
  (await h.soql<Row>(`SELECT Id FROM Contact WHERE ${where}`)).length;
const setState = (
  h: Harness,
  state: 'configuring' | 'active' | 'paused' | 'disconnected',
  windowEndsAt?: Date | null,
) =>
  h.store.transaction(h.workspaceId, (tx) =>
    tx.connection.updateState(state, windowEndsAt === undefined ? {} : { windowEndsAt }),
  );

test('M1: a manual push sends a person although push contacts is off (C2), while the worker does not; the result is per record', async (t) => {
  const h = await connectedWorkspace(t, emu, { settings: { contacts: { pushContacts: false } } });
  await ingestAll(h, 'person', [
    person('p1', { email: 'm1@acme.test' }),
    person('p2', { email: 'm1-auto@acme.test' }),
  ]);
  await drain(h);
  assert.equal(await count(h, "Email = 'm1@acme.test'"), 0);
  const results = await manualPush(h.deps, h.sessions, h.workspaceId, { people: ['p1', 'missing'] });
  assert.deepEqual(
    results.map((r) => [r.id, r.outcome.status === 'done' ? r.outcome.action : r.outcome.status]),
    [
      ['p1', 'create'],
      ['missing', 'missing'],
    ],
  );
  assert.equal(await count(h, "Email = 'm1@acme.test'"), 1);
  assert.equal(await count(h, "Email = 'm1-auto@acme.test'"), 0);
  assert.ok((await logOf(h, 'person', 'p1')).some((e) => e.action === 'create' && e.rules.includes('M1')));
});

test('M1, C10: a link marked deleted in Salesforce stops automatic pushes but a manual push re-creates the Contact', async (t) => {
  const h = await connectedWorkspace(t, emu, { settings: { contacts: { pushContacts: true } } });
  await ingestAll(h, 'person', [person('p1', { email: 'gone@acme.test', title: 'v1' })]);
  await drain(h);
  const old = (await linkOf(h, 'person', 'p1'))!;
  await h.control('DELETE', `/records/Contact/${old.sfId}`);
  await h.store.transaction(h.workspaceId, (tx) =>
    tx.links.markState({ localType: 'person', localId: 'p1', orgId: h.org.orgId }, 'deleted_in_salesforce'),
  );
  await ingestAll(h, 'person', [person('p1', { email: 'gone@acme.test', title: 'v2' })]);
  await drain(h);
  assert.equal(await count(h, "Email = 'gone@acme.test'"), 0, 'the automatic push does not re-create it');
  const [r] = await manualPush(h.deps, h.sessions, h.workspaceId, { people: ['p1'] });
  assert.equal(r?.outcome.status === 'done' && r.outcome.action, 'create');
  const rows = await h.soql<Row>("SELECT Id, Title FROM Contact WHERE Email = 'gone@acme.test'");
  assert.deepEqual(
    rows.map((x) => x.Title),
    ['v2'],
  );
  assert.notEqual(rows[0]!.Id, old.sfId);
});

test('L3, M1: a pause stops the worker and manual pushes with nothing lost; resume sends what was queued', async (t) => {
  const h = await connectedWorkspace(t, emu, { settings: { contacts: { pushContacts: true } } });
  await ingestAll(h, 'person', [person('p1', { email: 'pause@acme.test' })]);
  await setState(h, 'paused');
  const report = await runPushBatch(h.deps, h.sessions, h.workspaceId);
  assert.equal(report.gated?.allowed === false && report.gated.code, 'PAUSED');
  await assert.rejects(
    manualPush(h.deps, h.sessions, h.workspaceId, { people: ['p1'] }),
    (e: unknown) => e instanceof CrmsyncError && e.code === 'PAUSED',
  );
  assert.equal((await h.requests()).total, 0, 'no traffic at all while paused');
  assert.equal((await h.queue.counts(h.workspaceId)).total.pending, 1);
  await setState(h, 'active');
  await drain(h);
  assert.equal(await count(h, "Email = 'pause@acme.test'"), 1);
});

test('L1, L2: during the configuration window the worker leaves jobs pending while a manual push works; when the window ends they are sent', async (t) => {
  const h = await connectedWorkspace(t, emu, {
    settings: { contacts: { pushContacts: true } },
    state: 'configuring',
  });
  await setState(h, 'configuring', new Date(h.clock.now().getTime() + 6 * 3_600_000));
  await ingestAll(h, 'person', [
    person('p1', { email: 'window@acme.test' }),
    person('p2', { email: 'window-manual@acme.test' }),
  ]);
  const report = await runPushBatch(h.deps, h.sessions, h.workspaceId);
  assert.equal(report.gated?.allowed === false && report.gated.code, 'CONFIGURATION_WINDOW');
  assert.equal(report.claimed, 0);
  await manualPush(h.deps, h.sessions, h.workspaceId, { people: ['p2'] });
  assert.equal(await count(h, "Email = 'window-manual@acme.test'"), 1);
  assert.equal(await count(h, "Email = 'window@acme.test'"), 0);
  await h.clock.advance(6 * 3_600_000 + 1);
  await drain(h);
  assert.equal(await count(h, "Email = 'window@acme.test'"), 1);
});

test('M1, O3: a manual push obeys the API budget: with the org at its reserve nothing is sent', async (t) => {
  const h = await connectedWorkspace(t, emu, { settings: {}, dailyApiLimit: 1000 });
  await ingestAll(h, 'person', [person('p1', { email: 'budget-m1@acme.test' })]);
  await h.control('POST', '/api-usage', { used: 960 });
  await assert.rejects(
    manualPush(h.deps, h.sessions, h.workspaceId, { people: ['p1'] }).then((rs) => {
      if (rs.every((r) => r.outcome.status === 'budget')) throw new CrmsyncError('API_BUDGET_EXHAUSTED');
      return rs;
    }),
    (e: unknown) => e instanceof CrmsyncError && e.code === 'API_BUDGET_EXHAUSTED',
  );
  assert.equal(await count(h, "Email = 'budget-m1@acme.test'"), 0);
});

test('C9: push all sends every unlinked person (ignoring C2/C3), links matches, reports progress and counts by reason under one run id', async (t) => {
  const h = await connectedWorkspace(t, emu, {
    settings: { contacts: { pushContacts: false, pushMode: 'stages', stages: ['Hot'] } },
    seed: { Contact: [{ LastName: 'Known', Email: 'known@acme.test' }] },
  });
  await ingestAll(h, 'person', [
    ...Array.from({ length: 4 }, (_, i) => person(`p${i}`, { email: `all${i}@acme.test`, stage: 'Cold' })),
    person('k', { email: 'known@acme.test' }),
  ]);
  const progress: PushAllProgress[] = [];
  const result = await pushAll(h.deps, h.sessions, h.workspaceId, { onProgress: (p) => progress.push(p) });
  assert.equal(result.bulk, false);
  assert.deepEqual(
    {
      total: result.total,
      created: result.created,
      linked: result.linked,
      skipped: result.skipped,
      failed: result.failed,
    },
    { total: 5, created: 4, linked: 1, skipped: 0, failed: 0 },
  );
  assert.equal(progress.at(-1)?.done, 5);
  assert.equal(await count(h, "Email LIKE 'all%'"), 4);
  assert.equal(await count(h, "Email = 'known@acme.test'"), 1);
  assert.ok(result.byReason.some((c) => c.action === 'create' && c.rules.includes('C9') && c.count === 4));
  // Run again: everything is linked, nothing is sent.
  const again = await pushAll(h.deps, h.sessions, h.workspaceId);
  assert.equal(again.total, 0);
});

/** An adapter whose Bulk ingest "crashes" after the upload, before any poll (the process died). */
function crashingAfterUpload(crm: CrmAdapter): CrmAdapter {
  const bulk = new Proxy(crm.bulk, {
    get(target, prop, receiver) {
      if (prop !== 'runIngest') return Reflect.get(target, prop, receiver);
      return async (run: Parameters<CrmAdapter['bulk']['runIngest']>[0]) => {
        const job = await target.createIngestJob(run.object, run.operation, run.externalIdField);
        await run.onJobCreated(job);
        await target.uploadAndClose(job.id, run.rows);
        throw new Error('simulated crash during the Bulk poll');
      };
    },
  });
  return new Proxy(crm, {
    get: (target, prop, receiver) => (prop === 'bulk' ? bulk : Reflect.get(target, prop, receiver)),
  });
}

test('C9, X4: above the threshold push all uses Bulk API 2.0; a crash during the poll resumes the same job: every person once, nothing uploaded twice', async (t) => {
  const h = await connectedWorkspace(t, emu, { settings: {}, options: { bulkThreshold: 2_000 } });
  const n = 2_100;
  await ingestAll(
    h,
    'person',
    Array.from({ length: n }, (_, i) =>
      person(`p${String(i).padStart(5, '0')}`, { email: `bulk${i}@acme.test` }),
    ),
  );
  const crashing = new CrmSessions({
    ...h.deps,
    connectCrm: async (o) => crashingAfterUpload(await h.deps.connectCrm(o)),
  });
  await assert.rejects(pushAll(h.deps, crashing, h.workspaceId, { pageSize: 1_000 }), /simulated crash/);
  assert.equal(
    (await h.store.workspace(h.workspaceId).bulkJobs.list({ orgId: h.org.orgId })).length,
    1,
    'the job id was persisted before the upload',
  );
  const result = await pushAll(h.deps, h.sessions, h.workspaceId, { pageSize: 1_000 });
  assert.equal(result.created, n);
  const totals = (await h.writes()).totals;
  assert.equal(totals.Contact?.create, n, 'each person created exactly once');
  const requests = await h.requests();
  const uploads = Object.entries(requests.byEndpoint)
    .filter(([k]) => k.startsWith('PUT ') && k.includes('batches'))
    .reduce((s, [, v]) => s + v, 0);
  assert.equal(uploads, 1, `one upload in all: ${JSON.stringify(requests.byEndpoint)}`);
  assert.equal((await h.soql<Row>("SELECT Id FROM Contact WHERE Email LIKE 'bulk%'")).length, n);
  const sample = await linkOf(h, 'person', 'p00042');
  assert.ok(sample !== null && sample.sfObject === 'Contact');
});

test('O5: a push publishes link and create events in order, read with an after cursor', async (t) => {
  const h = await connectedWorkspace(t, emu, { settings: { contacts: { pushContacts: true } } });
  await ingestAll(h, 'person', [person('p1', { email: 'events@acme.test' })]);
  await drain(h);
  const events = await h.store.workspace(h.workspaceId).events.listAfter(0);
  const link = events.find((e) => e.type === 'link.created');
  const sfId = (await linkOf(h, 'person', 'p1'))!.sfId;
  assert.deepEqual(link?.data, { localType: 'person', localId: 'p1', sfObject: 'Contact', sfId });
  assert.ok(events.some((e) => e.type === 'record.created_in_salesforce' && e.data.sfId === sfId));
  assert.deepEqual(await h.store.workspace(h.workspaceId).events.listAfter(events.at(-1)!.id), []);
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  control,
  json,
  startApi,
  startEmulatorProcess,
  type Api,
  type EmulatorProcess,
  type OrgSummary,
} from './harness.js';

/*
 * DELETE /api/v1/{emails|notes|tasks|calls|meetings|meeting-summaries}/:id: the spec has no
 * deletion sync for activities, so a delete removes the local record only. Its Salesforce record
 * stays (read back with SOQL), its link is marked deleted locally, a push job still queued for it
 * sends nothing (the emulator's write counter), and another workspace's id is a 404.
 */

let emu: EmulatorProcess;
before(async () => {
  emu = await startEmulatorProcess();
});
after(() => emu.close());

const PATHS = ['emails', 'notes', 'tasks', 'calls', 'meetings', 'meeting-summaries'];
const SETTINGS = { contacts: { pushContacts: true }, activities: { tasks: { pushTasks: true } } };

async function soql(org: OrgSummary, query: string): Promise<Record<string, unknown>[]> {
  const res = await fetch(`${org.instanceUrl}/services/data/v62.0/query?q=${encodeURIComponent(query)}`, {
    headers: { authorization: `Bearer ${org.accessToken}` },
  });
  assert.equal(res.status, 200, `SOQL ${query}`);
  return ((await res.json()) as { records: Record<string, unknown>[] }).records;
}

/** Every write the emulator org has taken, summed over objects and operations. */
async function writes(org: OrgSummary): Promise<number> {
  const { totals } = await control<{ totals: Record<string, Record<string, number>> }>(
    emu,
    'GET',
    `/orgs/${org.orgId}/writes`,
  );
  return Object.values(totals).reduce((n, ops) => n + Object.values(ops).reduce((x, y) => x + y, 0), 0);
}

/** A connected workspace with person p1 pushed as a Contact, so a task on p1 can be logged (E8). */
async function withContact(api: Api): Promise<{ key: string; org: OrgSummary }> {
  const key = await api.workspace('acme');
  const org = await api.connect(key, { settings: SETTINGS });
  const person = await api.call('POST', '/api/v1/people', {
    key,
    body: {
      id: 'p1',
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'ada@customer.test',
      emailStatus: 'verified',
    },
  });
  assert.equal(person.statusCode, 201, person.body);
  await api.engine.runUntilIdle('acme');
  assert.equal((await soql(org, "SELECT Id FROM Contact WHERE Email = 'ada@customer.test'")).length, 1);
  return { key, org };
}

test('E12: deleting a logged task deletes it in crmsync only: GET is a 404, its Task stays in Salesforce, its link is marked deleted locally, and the log says why', async (t) => {
  const api = await startApi(t, emu);
  const { key, org } = await withContact(api);
  const created = await api.call('POST', '/api/v1/tasks', {
    key,
    body: { id: 't1', personId: 'p1', title: 'Send quote' },
  });
  assert.equal(created.statusCode, 201, created.body);
  assert.equal(json(created).queued, true);
  await api.engine.runUntilIdle('acme');
  const [task] = await soql(org, "SELECT Id, Subject FROM Task WHERE Subject = 'Task: Send quote'");
  assert.ok(task !== undefined, 'the task was logged');
  const before = await writes(org);

  const deleted = await api.call('DELETE', '/api/v1/tasks/t1', { key });
  assert.equal(deleted.statusCode, 204, deleted.body);
  assert.equal(deleted.body, '');
  assert.equal((await api.call('GET', '/api/v1/tasks/t1', { key })).statusCode, 404);
  const again = await api.call('DELETE', '/api/v1/tasks/t1', { key });
  assert.equal(again.statusCode, 404, 'a deleted task is gone');
  assert.equal(json(again).error.code, 'NOT_FOUND');
  const listed = json(await api.call('GET', '/api/v1/tasks?includeDeleted=true', { key })).items;
  assert.notEqual(listed[0].deletedAt, null, 'kept as a soft delete');

  await api.engine.runUntilIdle('acme');
  const kept = await soql(org, `SELECT Id, Subject FROM Task WHERE Id = '${task.Id as string}'`);
  assert.deepEqual(
    kept.map((r) => [r.Id, r.Subject]),
    [[task.Id, 'Task: Send quote']],
    'the Salesforce Task still exists',
  );
  assert.equal(await writes(org), before, 'nothing was written to Salesforce');
  const link = await api.store.workspace('acme').links.get('task', 't1', org.orgId);
  assert.equal(link?.sfId, task.Id);
  assert.equal(link?.state, 'deleted_locally');

  const log = json(await api.call('GET', '/api/v1/log?recordType=task&recordId=t1', { key })).items;
  const entries = log.filter((e: { outcome: string }) => e.outcome === 'delete_local');
  assert.equal(entries.length, 1, JSON.stringify(log));
  assert.match(entries[0].why, /deleted in crmsync/);
  assert.match(entries[0].why, new RegExp(`Salesforce Task ${task.Id as string} is kept`));
  const events = json(await api.call('GET', '/api/v1/events', { key })).items as { type: string }[];
  assert.ok(
    events.some((e) => e.type === 'task.deleted'),
    JSON.stringify(events.map((e) => e.type)),
  );
});

test('E8: a task deleted while its push job is queued is never sent: the job completes and the write counter does not move', async (t) => {
  const api = await startApi(t, emu);
  const { key, org } = await withContact(api);
  const before = await writes(org);
  const created = await api.call('POST', '/api/v1/tasks', {
    key,
    body: { id: 't2', personId: 'p1', title: 'Never sent' },
  });
  assert.equal(json(created).queued, true, created.body);
  assert.equal((await api.call('DELETE', '/api/v1/tasks/t2', { key })).statusCode, 204);
  const waiting = async () => {
    const row = (await api.queue.counts('acme')).byQueue.find((q) => q.queue === 'push-activity');
    return row === undefined ? 0 : row.pending + row.retrying + row.leased + row.failed;
  };
  assert.equal(await waiting(), 1, 'the push job is still queued');

  await api.engine.runUntilIdle('acme');
  assert.equal(await waiting(), 0, 'the job completed');
  assert.equal(await writes(org), before, 'nothing was written to Salesforce');
  assert.deepEqual(await soql(org, "SELECT Id FROM Task WHERE Subject = 'Task: Never sent'"), []);
  assert.equal(await api.store.workspace('acme').links.get('task', 't2', org.orgId), null);
  const log = json(await api.call('GET', '/api/v1/log?recordType=task&recordId=t2', { key })).items as {
    outcome: string;
    why: string;
  }[];
  const deletion = log.find((e) => e.outcome === 'delete_local');
  assert.match(deletion?.why ?? '', /never logged in Salesforce/);
  assert.ok(
    !log.some((e) => e.outcome === 'create' || e.outcome === 'fail'),
    JSON.stringify(log.map((e) => e.outcome)),
  );
});

test("every activity kind is deleted by id; another workspace's id (identical ids and external ids in both) is a 404 and stays", async (t) => {
  const api = await startApi(t, null);
  const acme = await api.workspace('acme');
  const globex = await api.workspace('globex');
  const bodies: Record<string, Record<string, unknown>> = {
    emails: {
      messageId: '<m1@acme.example>',
      direction: 'outgoing',
      from: 'rep@acme.example',
      to: ['ada@example.com'],
      sentAt: '2026-01-02T10:00:00.000Z',
    },
    notes: { title: 'Call back', createdAt: '2026-01-02T09:00:00Z' },
    tasks: { title: 'Send quote' },
    calls: { direction: 'outbound', durationSeconds: 60, calledAt: '2026-01-02T09:00:00Z' },
    meetings: { start: '2026-01-02T09:00:00Z', end: '2026-01-02T10:00:00Z', title: 'Kick-off' },
  };
  for (const key of [acme, globex]) {
    for (const [path, body] of Object.entries(bodies)) {
      const res = await api.call('PUT', `/api/v1/${path}/by-external-id/host-${path}`, { key, body });
      assert.equal(res.statusCode, 201, `${path}: ${res.body}`);
      // And one under the same fixed id in both workspaces.
      const same = await api.call('POST', `/api/v1/${path}`, { key, body: { ...body, id: `same-${path}` } });
      assert.equal(same.statusCode, 201, `${path}: ${same.body}`);
    }
    const summary = await api.call('POST', '/api/v1/meeting-summaries', {
      key,
      body: { id: 'same-meeting-summaries', meetingId: 'same-meetings', text: 'Went well' },
    });
    assert.equal(summary.statusCode, 201, summary.body);
  }
  const onlyAtGlobex = await api.call('POST', '/api/v1/notes', {
    key: globex,
    body: { id: 'n-globex', title: 'Theirs', createdAt: '2026-01-02T09:00:00Z' },
  });
  assert.equal(onlyAtGlobex.statusCode, 201);

  const foreign = await api.call('DELETE', '/api/v1/notes/n-globex', { key: acme });
  assert.equal(foreign.statusCode, 404, foreign.body);
  assert.equal(json(foreign).error.code, 'NOT_FOUND');
  assert.equal((await api.call('GET', '/api/v1/notes/n-globex', { key: globex })).statusCode, 200);

  for (const path of PATHS) {
    assert.equal((await api.call('DELETE', `/api/v1/${path}/unknown`, { key: acme })).statusCode, 404, path);
    const res = await api.call('DELETE', `/api/v1/${path}/same-${path}`, { key: acme });
    assert.equal(res.statusCode, 204, `${path}: ${res.body}`);
    assert.equal(
      (await api.call('GET', `/api/v1/${path}/same-${path}`, { key: acme })).statusCode,
      404,
      path,
    );
    assert.equal(
      (await api.call('GET', `/api/v1/${path}/same-${path}`, { key: globex })).statusCode,
      200,
      `${path}: globex's record with the same id stays`,
    );
    assert.equal((await api.call('DELETE', `/api/v1/${path}/same-${path}`, { key: null })).statusCode, 401);
  }
  // By external id: acme's is deleted, globex's with the same external id stays listed.
  const acmeNote = json(await api.call('GET', '/api/v1/notes?externalId=host-notes', { key: acme })).items[0];
  assert.equal((await api.call('DELETE', `/api/v1/notes/${acmeNote.id}`, { key: acme })).statusCode, 204);
  assert.deepEqual(
    json(await api.call('GET', '/api/v1/notes?externalId=host-notes', { key: acme })).items,
    [],
  );
  assert.equal(
    json(await api.call('GET', '/api/v1/notes?externalId=host-notes', { key: globex })).items.length,
    1,
  );

  const docs = json(await api.call('GET', '/docs/json'));
  for (const path of PATHS)
    assert.ok(docs.paths[`/api/v1/${path}/{id}`]?.delete, `DELETE /${path}/{id} is documented`);
});

test('the engine ingest deletes in bulk: each delete has its own result, a missing id or an unknown record fails alone', async (t) => {
  const api = await startApi(t, null);
  await api.workspace('acme');
  const results = await api.engine.ingestActivities('acme', [
    {
      type: 'note',
      op: 'upsert',
      data: { id: 'n1', title: 'Kept then deleted', createdAt: '2026-01-02T09:00:00Z' },
    },
    { type: 'note', op: 'delete', id: 'n1' },
    { type: 'note', op: 'delete', id: '' },
    { type: 'call', op: 'delete', id: 'ghost' },
  ]);
  assert.deepEqual(
    results.map((r) => (r.ok ? r.change : r.code)),
    ['created', 'deleted', 'INVALID_INPUT', 'NOT_FOUND'],
  );
  const ghost = results[3]!;
  assert.ok(!ghost.ok);
  assert.match(ghost.message, /^Call ghost \(row 4\) was not deleted/);
  assert.equal(
    (await api.store.workspace('acme').records.get('note', 'n1'))?.deletedAt instanceof Date,
    true,
  );
});

test('E6: a later copy of a message whose first copy was deleted before it was logged carries the message; it is no duplicate', async (t) => {
  const api = await startApi(t, null);
  await api.workspace('acme');
  const email = (id: string) => ({
    type: 'email' as const,
    op: 'upsert' as const,
    data: {
      id,
      messageId: '<m1@acme.example>',
      direction: 'outgoing',
      from: 'rep@acme.example',
      to: ['ada@example.com'],
      sentAt: '2026-01-02T10:00:00.000Z',
    },
  });
  const [first] = await api.engine.ingestActivities('acme', [email('e1')]);
  assert.ok(first?.ok && first.duplicateOf === null);
  const [copy] = await api.engine.ingestActivities('acme', [email('e2')]);
  assert.ok(copy?.ok && copy.duplicateOf === 'e1', 'a copy while the first is there is a duplicate');
  const [deleted] = await api.engine.ingestActivities('acme', [{ type: 'email', op: 'delete', id: 'e1' }]);
  assert.ok(deleted?.ok && deleted.change === 'deleted');
  const [later] = await api.engine.ingestActivities('acme', [email('e3')]);
  assert.ok(later?.ok);
  assert.equal(later.duplicateOf, null, JSON.stringify(later));
  const [again] = await api.engine.ingestActivities('acme', [email('e4')]);
  assert.ok(again?.ok);
  assert.equal(again.duplicateOf, 'e3', 'the carrier is now e3');
});

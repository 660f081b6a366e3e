import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { json, startApi, startEmulatorProcess, type EmulatorProcess } from './harness.js';

/* Settings: read, write with every problem listed, dry-run preview (O2), history, export and import. */

let emu: EmulatorProcess;
before(async () => {
  emu = await startEmulatorProcess();
});
after(() => emu.close());

test('invalid settings are refused whole with every problem and its path, and nothing is saved', async (t) => {
  const api = await startApi(t, null);
  const key = await api.workspace('acme', { stages: { people: ['Cold', 'Hot'], companies: [], deals: [] } });
  const res = await api.call('PUT', '/api/v1/settings', {
    key,
    body: {
      version: 2,
      contacts: { pushContacts: true, pushMode: 'stages', stages: ['Warm'] },
      apiBudget: { sharePercent: 500 },
      colour: 'blue',
    },
  });
  assert.equal(res.statusCode, 422);
  const { error } = json(res);
  assert.equal(error.code, 'SETTINGS_INVALID');
  const paths = error.details.problems.map((p: { path: string }) => p.path);
  assert.deepEqual([...paths].sort(), ['apiBudget.sharePercent', 'colour', 'contacts.stages']);
  for (const p of error.details.problems) assert.ok(p.message.length > 10, p.message);
  assert.equal(json(await api.call('GET', '/api/v1/settings', { key })).version, 0);

  const notObject = await api.call('PUT', '/api/v1/settings', {
    key,
    payload: '[1,2]',
    contentType: 'application/json',
  });
  assert.equal(notObject.statusCode, 400);
});

test('saved settings are read back, kept in history with who and when, exported and imported', async (t) => {
  const api = await startApi(t, null);
  const key = await api.workspace('acme', { stages: { people: ['Cold', 'Hot'], companies: [], deals: [] } });
  const first = await api.call('PUT', '/api/v1/settings', {
    key,
    body: { version: 2, contacts: { pushContacts: true, pushMode: 'stages', stages: ['Hot'] } },
  });
  assert.equal(first.statusCode, 200, first.body);
  assert.equal(json(first).version, 1);
  const second = await api.call('PUT', '/api/v1/settings', {
    key,
    body: { version: 2, contacts: { pushContacts: false } },
  });
  assert.equal(json(second).version, 2);

  const read = json(await api.call('GET', '/api/v1/settings', { key }));
  assert.equal(read.version, 2);
  assert.equal(read.updatedBy, 'tests of acme');
  assert.equal(read.settings.contacts.pushContacts, false);

  const history = json(await api.call('GET', '/api/v1/settings/history?limit=10', { key })).items;
  assert.deepEqual(
    history.map((h: { version: number }) => h.version),
    [2, 1],
  );
  assert.equal(history[1].before, null);
  assert.equal(history[0].before.contacts.pushContacts, true);
  assert.equal(history[0].by, 'tests of acme');

  const exported = json(await api.call('GET', '/api/v1/settings/export', { key }));
  assert.equal(exported.format, 'crmsync-settings');
  const otherKey = await api.workspace('other', {
    stages: { people: ['Cold', 'Hot'], companies: [], deals: [] },
  });
  const imported = await api.call('POST', '/api/v1/settings/import', { key: otherKey, body: exported });
  assert.equal(imported.statusCode, 200, imported.body);
  assert.deepEqual(
    json(await api.call('GET', '/api/v1/settings', { key: otherKey })).settings,
    exported.settings,
  );
  // An export naming stages this workspace lacks is refused whole.
  const bare = await api.workspace('bare');
  const hotExport = {
    ...exported,
    settings: {
      ...exported.settings,
      contacts: { ...exported.settings.contacts, pushContacts: true, pushMode: 'stages', stages: ['Hot'] },
    },
  };
  const refused = await api.call('POST', '/api/v1/settings/import', { key: bare, body: hotExport });
  assert.equal(refused.statusCode, 422);
  assert.equal(json(await api.call('GET', '/api/v1/settings', { key: bare })).version, 0);
});

test('the settings preview counts what would change and saves nothing', async (t) => {
  const api = await startApi(t, emu);
  const key = await api.workspace('acme', { stages: { people: ['Cold', 'Hot'], companies: [], deals: [] } });
  await api.connect(key);
  for (const [id, stage] of [
    ['p1', 'Hot'],
    ['p2', 'Cold'],
    ['p3', 'Hot'],
  ] as const) {
    await api.call('POST', '/api/v1/people', {
      key,
      body: { id, lastName: id, email: `${id}@example.com`, emailStatus: 'verified', stage },
    });
  }
  const before = json(await api.call('GET', '/api/v1/settings', { key })).version;
  const res = await api.call('POST', '/api/v1/settings/preview', {
    key,
    body: {
      version: 2,
      lifecycle: { configurationWindowHours: 0 },
      contacts: { pushContacts: true, pushMode: 'stages', stages: ['Hot'] },
    },
  });
  assert.equal(res.statusCode, 200, res.body);
  const preview = json(res);
  assert.equal(preview.before.person.created, 0);
  assert.equal(preview.after.person.created, 2);
  const changed = Object.fromEntries(
    preview.changed.map((c: { id: string; after: string }) => [c.id, c.after]),
  );
  assert.deepEqual(changed, { p1: 'create', p2: changed.p2, p3: 'create' });
  assert.match(changed.p2, /^skip:/, 'the Cold person is skipped for another reason (C3, not C2)');
  assert.equal(json(await api.call('GET', '/api/v1/settings', { key })).version, before);
  const invalid = await api.call('POST', '/api/v1/settings/preview', {
    key,
    body: { version: 2, contacts: { pushMode: 'sometimes' } },
  });
  assert.equal(invalid.statusCode, 422);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { json, startApi } from './harness.js';

/* Deals and activities: create, replace, upsert by external id, delete (deals), get, list with filters and cursor; two workspaces. */

const STAGES = { people: ['Cold'], companies: [], deals: ['Prospecting', 'Won'] };

test('deals are created, read, replaced, upserted by external id, listed by stage a page at a time and deleted', async (t) => {
  const api = await startApi(t, null);
  const key = await api.workspace('acme', { stages: STAGES });
  const created = await api.call('POST', '/api/v1/deals', {
    key,
    body: { id: 'd1', name: 'Acme renewal', stage: 'Prospecting', amount: 1200 },
  });
  assert.equal(created.statusCode, 201, created.body);
  assert.equal(json(created).record.type, 'deal');
  assert.equal(json(created).change, 'created');
  assert.equal(
    (await api.call('POST', '/api/v1/deals', { key, body: { id: 'd1', name: 'x', stage: 'Won' } }))
      .statusCode,
    409,
  );

  const replaced = await api.call('PUT', '/api/v1/deals/d1', {
    key,
    body: { name: 'Acme renewal', stage: 'Won', amount: 1500 },
  });
  assert.equal(replaced.statusCode, 200, replaced.body);
  assert.equal(json(replaced).record.version, 2);
  assert.equal(json(replaced).record.data.amount, 1500);

  const upserted = await api.call('PUT', '/api/v1/deals/by-external-id/host-d2', {
    key,
    body: { name: 'Globex', stage: 'Prospecting' },
  });
  assert.equal(upserted.statusCode, 201, upserted.body);
  const again = await api.call('PUT', '/api/v1/deals/by-external-id/host-d2', {
    key,
    body: { name: 'Globex', stage: 'Won' },
  });
  assert.equal(again.statusCode, 200);
  assert.equal(json(again).record.id, json(upserted).record.id);

  const page1 = json(await api.call('GET', '/api/v1/deals?limit=1', { key }));
  assert.equal(page1.items.length, 1);
  assert.notEqual(page1.nextCursor, null);
  const page2 = json(
    await api.call('GET', `/api/v1/deals?limit=1&cursor=${encodeURIComponent(page1.nextCursor)}`, { key }),
  );
  assert.equal(page2.items.length, 1);
  assert.notEqual(page2.items[0].id, page1.items[0].id);
  const won = json(await api.call('GET', '/api/v1/deals?stage=Won', { key })).items;
  assert.equal(won.length, 2);
  assert.equal(
    (await api.call('POST', '/api/v1/companies', { key, body: { id: 'c1', name: 'Acme' } })).statusCode,
    201,
  );
  const ofAcme = await api.call('PUT', '/api/v1/deals/by-external-id/host-d3', {
    key,
    body: { name: 'Acme upsell', stage: 'Won', companyId: 'c1' },
  });
  assert.equal(ofAcme.statusCode, 201, ofAcme.body);
  assert.deepEqual(
    json(await api.call('GET', '/api/v1/deals?companyId=c1', { key })).items.map(
      (d: { externalId: string }) => d.externalId,
    ),
    ['host-d3'],
  );

  const bad = await api.call('POST', '/api/v1/deals', {
    key,
    body: { name: 'Initech', stage: 'Won', colour: 'red' },
  });
  assert.equal(bad.statusCode, 400);
  assert.match(json(bad).error.message, /unknown field "colour"/);

  const deleted = await api.call('DELETE', '/api/v1/deals/d1', { key });
  assert.equal(deleted.statusCode, 200);
  assert.notEqual(json(deleted).deletedAt, null);
  assert.equal((await api.call('GET', '/api/v1/deals/d1', { key })).statusCode, 404);
});

test('activities are created, replaced, upserted by external id and listed by person; a bad email names the field', async (t) => {
  const api = await startApi(t, null);
  const key = await api.workspace('acme', { stages: STAGES });
  assert.equal(
    (await api.call('POST', '/api/v1/people', { key, body: { id: 'p1', lastName: 'Lovelace' } })).statusCode,
    201,
  );

  const note = await api.call('POST', '/api/v1/notes', {
    key,
    body: {
      id: 'n1',
      personId: 'p1',
      title: 'Call back',
      body: 'Tuesday',
      createdAt: '2026-01-02T09:00:00Z',
    },
  });
  assert.equal(note.statusCode, 201, note.body);
  assert.equal(json(note).record.type, 'note');
  const other = await api.call('POST', '/api/v1/notes', {
    key,
    body: { title: 'Unrelated', createdAt: '2026-01-02T09:00:00Z' },
  });
  assert.equal(other.statusCode, 201, other.body);
  const replaced = await api.call('PUT', '/api/v1/notes/n1', {
    key,
    body: { personId: 'p1', title: 'Call back', body: 'Wednesday', createdAt: '2026-01-02T09:00:00Z' },
  });
  assert.equal(replaced.statusCode, 200);
  assert.equal(json(replaced).record.data.body, 'Wednesday');
  const byPerson = json(await api.call('GET', '/api/v1/notes?personId=p1', { key })).items;
  assert.deepEqual(
    byPerson.map((n: { id: string }) => n.id),
    ['n1'],
  );

  const email = {
    messageId: '<m1@acme.example>',
    direction: 'outgoing',
    from: 'rep@acme.example',
    to: ['ada@example.com'],
    subject: 'Hello',
    sentAt: '2026-01-02T10:00:00.000Z',
  };
  const up = await api.call('PUT', '/api/v1/emails/by-external-id/host-e1', { key, body: email });
  assert.equal(up.statusCode, 201, up.body);
  const up2 = await api.call('PUT', '/api/v1/emails/by-external-id/host-e1', {
    key,
    body: { ...email, subject: 'Hello again' },
  });
  assert.equal(up2.statusCode, 200);
  assert.equal(json(up2).record.id, json(up).record.id);

  const noRecipient = await api.call('POST', '/api/v1/emails', {
    key,
    body: { ...email, messageId: '<m2@x>', to: [] },
  });
  assert.equal(noRecipient.statusCode, 400);
  assert.equal(json(noRecipient).error.code, 'INVALID_INPUT');
  assert.match(json(noRecipient).error.message, /to: an email needs at least one recipient/);
  assert.equal(json(await api.call('GET', '/api/v1/emails', { key })).items.length, 1, 'nothing written');
});

test('two workspaces with identical deal and activity ids and external ids never see each other', async (t) => {
  const api = await startApi(t, null);
  const keys = {
    acme: await api.workspace('acme', { stages: STAGES }),
    beta: await api.workspace('beta', { stages: STAGES }),
  };
  for (const [ws, key] of Object.entries(keys)) {
    assert.equal(
      (
        await api.call('PUT', '/api/v1/deals/by-external-id/same', {
          key,
          body: { name: `Deal of ${ws}`, stage: 'Won' },
        })
      ).statusCode,
      201,
    );
    assert.equal(
      (await api.call('POST', '/api/v1/tasks', { key, body: { id: 't1', title: `Task of ${ws}` } }))
        .statusCode,
      201,
    );
  }
  const acmeDeal = json(await api.call('GET', '/api/v1/deals?externalId=same', { key: keys.acme })).items[0];
  assert.equal(acmeDeal.data.name, 'Deal of acme');
  for (const [method, url] of [
    ['GET', `/api/v1/deals/${acmeDeal.id}`],
    ['DELETE', `/api/v1/deals/${acmeDeal.id}`],
  ] as const) {
    const res = await api.call(method, url, { key: keys.beta });
    assert.equal(res.statusCode, 404);
    assert.equal(json(res).error.code, 'NOT_FOUND');
  }
  assert.equal(
    json(await api.call('GET', '/api/v1/tasks/t1', { key: keys.beta })).data.title,
    'Task of beta',
  );
  assert.equal(
    json(await api.call('GET', '/api/v1/tasks/t1', { key: keys.acme })).data.title,
    'Task of acme',
  );
  assert.equal(
    (await api.store.workspace('acme').records.get('deal', acmeDeal.id))?.deletedAt,
    null,
    'not deleted by beta',
  );
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { json, startApi } from './harness.js';

/* People and companies: create, replace, upsert by external id, delete, get, list; CSV import; two workspaces. */

test('people are created, read, replaced, upserted by external id and deleted', async (t) => {
  const api = await startApi(t, null);
  const key = await api.workspace('acme');
  const created = await api.call('POST', '/api/v1/people', {
    key,
    body: {
      id: 'p1',
      lastName: 'Lovelace',
      firstName: 'Ada',
      email: 'ada@example.com',
      emailStatus: 'verified',
    },
  });
  assert.equal(created.statusCode, 201);
  assert.equal(json(created).record.version, 1);
  assert.equal(json(created).change, 'created');
  assert.equal(json(created).eligibility.code, 'push_contacts_off');

  const dup = await api.call('POST', '/api/v1/people', { key, body: { id: 'p1', lastName: 'Again' } });
  assert.equal(dup.statusCode, 409);
  assert.equal(json(dup).error.code, 'CONFLICT');

  const got = await api.call('GET', '/api/v1/people/p1', { key });
  assert.equal(json(got).data.email, 'ada@example.com');

  const replaced = await api.call('PUT', '/api/v1/people/p1', {
    key,
    body: { lastName: 'Byron', email: 'ada@example.com', emailStatus: 'verified' },
  });
  assert.equal(replaced.statusCode, 200);
  assert.equal(json(replaced).record.data.lastName, 'Byron');
  assert.equal(json(replaced).record.version, 2);

  const first = await api.call('PUT', '/api/v1/people/by-external-id/host-7', {
    key,
    body: { lastName: 'Hopper' },
  });
  assert.equal(first.statusCode, 201);
  const id = json(first).record.id;
  const second = await api.call('PUT', '/api/v1/people/by-external-id/host-7', {
    key,
    body: { lastName: 'Hopper', title: 'Rear Admiral' },
  });
  assert.equal(second.statusCode, 200);
  assert.equal(json(second).record.id, id);
  assert.equal(json(second).record.data.title, 'Rear Admiral');

  const deleted = await api.call('DELETE', '/api/v1/people/p1', { key });
  assert.equal(deleted.statusCode, 200);
  assert.notEqual(json(deleted).deletedAt, null);
  assert.equal((await api.call('GET', '/api/v1/people/p1', { key })).statusCode, 404);
  assert.equal((await api.call('DELETE', '/api/v1/people/p1', { key })).statusCode, 404);
  assert.equal(
    (await api.call('PUT', '/api/v1/people/unknown', { key, body: { lastName: 'X' } })).statusCode,
    404,
  );
});

test('a write refused by the core schema names the field, and a taken external id is a conflict', async (t) => {
  const api = await startApi(t, null);
  const key = await api.workspace('acme');
  const empty = await api.call('POST', '/api/v1/companies', { key, body: { name: '' } });
  assert.equal(empty.statusCode, 400);
  assert.match(JSON.stringify(json(empty).error.details.problems), /name/);
  assert.equal(
    (await api.call('POST', '/api/v1/companies', { key, body: { id: 'c1', name: 'Acme', externalId: 'E1' } }))
      .statusCode,
    201,
  );
  const taken = await api.call('POST', '/api/v1/companies', {
    key,
    body: { id: 'c2', name: 'Other', externalId: 'E1' },
  });
  assert.equal(taken.statusCode, 409);
  assert.equal(json(taken).error.code, 'CONFLICT');
  assert.match(json(taken).error.message, /externalId/);
  assert.equal((await api.call('GET', '/api/v1/companies/c2', { key })).statusCode, 404);
});

test('lists page with a cursor and filter by stage, email, external id and deletion', async (t) => {
  const api = await startApi(t, null);
  const key = await api.workspace('acme');
  for (let i = 0; i < 5; i++) {
    const res = await api.call('POST', '/api/v1/people', {
      key,
      body: {
        id: `p${i}`,
        lastName: `L${i}`,
        email: `p${i}@example.com`,
        stage: i % 2 === 0 ? 'Cold' : 'Hot',
        externalId: `x${i}`,
      },
    });
    assert.equal(res.statusCode, 201);
  }
  await api.call('DELETE', '/api/v1/people/p4', { key });
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: { id: string }[]; nextCursor: string | null } = json(
      await api.call(
        'GET',
        `/api/v1/people?limit=2${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`,
        { key },
      ),
    );
    assert.ok(page.items.length <= 2);
    ids.push(...page.items.map((r: { id: string }) => r.id));
    cursor = page.nextCursor;
  } while (cursor !== null);
  assert.deepEqual(ids, ['p0', 'p1', 'p2', 'p3']);
  const withDeleted = json(await api.call('GET', '/api/v1/people?includeDeleted=true', { key }));
  assert.equal(withDeleted.items.length, 5);
  const hot = json(await api.call('GET', '/api/v1/people?stage=Hot', { key }));
  assert.deepEqual(
    hot.items.map((r: { id: string }) => r.id),
    ['p1', 'p3'],
  );
  const byEmail = json(await api.call('GET', '/api/v1/people?email=P2@EXAMPLE.COM', { key }));
  assert.deepEqual(
    byEmail.items.map((r: { id: string }) => r.id),
    ['p2'],
  );
  const byExt = json(await api.call('GET', '/api/v1/people?externalId=x3', { key }));
  assert.deepEqual(
    byExt.items.map((r: { id: string }) => r.id),
    ['p3'],
  );
  const bad = await api.call('GET', '/api/v1/people?limit=0', { key });
  assert.equal(bad.statusCode, 400);
  assert.equal(json(bad).error.details.problems[0].field, 'querystring.limit');
});

test('two workspaces with identical emails and external ids never see each other', async (t) => {
  const api = await startApi(t, null);
  const keyA = await api.workspace('team-a');
  const keyB = await api.workspace('team-b');
  const same = { lastName: 'Turing', email: 'alan@example.com', externalId: 'host-1' };
  const a = json(await api.call('POST', '/api/v1/people', { key: keyA, body: { id: 'pa', ...same } }));
  const b = await api.call('POST', '/api/v1/people', { key: keyB, body: { id: 'pb', ...same } });
  assert.equal(b.statusCode, 201, 'the same external id is free in another workspace');
  assert.equal(a.record.id, 'pa');

  // B cannot read, replace, delete, push or retry A's record, nor find it by email or external id.
  assert.equal((await api.call('GET', '/api/v1/people/pa', { key: keyB })).statusCode, 404);
  assert.equal((await api.call('PUT', '/api/v1/people/pa', { key: keyB, body: same })).statusCode, 404);
  assert.equal((await api.call('DELETE', '/api/v1/people/pa', { key: keyB })).statusCode, 404);
  const push = await api.call('POST', '/api/v1/push', { key: keyB, body: { people: ['pa'] } });
  assert.equal(push.statusCode, 404);
  assert.deepEqual(json(push).error.details.ids, ['pa']);
  assert.equal(
    (await api.call('POST', '/api/v1/retry', { key: keyB, body: { record: { type: 'person', id: 'pa' } } }))
      .statusCode,
    404,
  );
  assert.deepEqual(
    json(await api.call('GET', '/api/v1/people?email=alan@example.com', { key: keyB })).items.map(
      (r: { id: string }) => r.id,
    ),
    ['pb'],
  );
  assert.deepEqual(
    json(await api.call('GET', '/api/v1/people?externalId=host-1', { key: keyB })).items.map(
      (r: { id: string }) => r.id,
    ),
    ['pb'],
  );
  // Upsert by the shared external id touches only the caller's record.
  const up = json(
    await api.call('PUT', '/api/v1/people/by-external-id/host-1', {
      key: keyB,
      body: { lastName: 'Changed by B' },
    }),
  );
  assert.equal(up.record.id, 'pb');
  assert.equal(json(await api.call('GET', '/api/v1/people/pa', { key: keyA })).data.lastName, 'Turing');
});

test('a CSV import reports every row, and a file in the wrong encoding imports nothing', async (t) => {
  const api = await startApi(t, null);
  const key = await api.workspace('acme');
  const csv = [
    'first name,last name,email,company',
    'Ada,Lovelace,ada@example.com,Analytical',
    'Grace,,grace@example.com,Navy',
    'Alan,Turing,not-an-email,Bletchley',
    'Ada,Lovelace,ada@example.com,Analytical',
  ].join('\n');
  const res = await api.call('POST', '/api/v1/people/import?fileName=people.csv', {
    key,
    payload: csv,
    contentType: 'text/csv',
  });
  assert.equal(res.statusCode, 200, res.body);
  const body = json(res);
  assert.equal(body.rows, 4);
  assert.deepEqual(
    body.results.map((r: { row: number; status: string }) => [r.row, r.status]),
    [
      [2, 'imported'],
      [3, 'skipped'],
      [4, 'imported'],
      [5, 'imported'],
    ],
  );
  assert.match(body.results[1].messages[0].message, /last name/);
  assert.match(body.results[2].messages[0].message, /not a valid address/);
  assert.match(body.results[3].messages[0].message, /repeats row 2/);
  assert.equal(body.results[0].type, 'person');
  assert.equal((await api.store.workspace('acme').records.list({ type: 'person' })).items.length, 2);

  const latin1 = Buffer.from('last name,email\nM\xfcller,m@example.com\n', 'latin1');
  const bad = await api.call('POST', '/api/v1/people/import?fileName=latin1.csv', {
    key,
    payload: latin1,
    contentType: 'text/csv',
  });
  assert.equal(bad.statusCode, 400);
  assert.equal(json(bad).error.code, 'INVALID_INPUT');
  assert.match(json(bad).error.message, /not UTF-8.*nothing was imported/);
  assert.equal((await api.store.workspace('acme').records.list({ type: 'person' })).items.length, 2);

  const noColumn = await api.call('POST', '/api/v1/companies/import', {
    key,
    payload: 'website\nx.example\n',
    contentType: 'text/csv',
  });
  assert.equal(noColumn.statusCode, 400);
  assert.match(json(noColumn).error.message, /no name column/);
});

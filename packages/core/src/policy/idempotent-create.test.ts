import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CRMSYNC_ID_FIELD, planCreate, reconcileCreate } from './idempotent-create.js';

const fields = { LastName: 'Lovelace', FirstName: 'Ada', Email: 'Ada@Example.com' };

test('X4: with the external-id field a create is an upsert keyed by the local id; without it an intent is recorded', () => {
  const withField = planCreate({ object: 'Contact', localId: 'p-1', fields, hasExternalIdField: true });
  const without = planCreate({ object: 'Contact', localId: 'p-1', fields, hasExternalIdField: false });
  assert.equal(withField.mode, 'upsert');
  assert.equal(without.mode, 'create_with_intent');
  if (withField.mode === 'upsert') {
    assert.equal(withField.externalIdField, CRMSYNC_ID_FIELD);
    assert.equal(withField.fields[CRMSYNC_ID_FIELD], 'p-1');
  }
  if (without.mode === 'create_with_intent') {
    assert.equal(without.fields[CRMSYNC_ID_FIELD], undefined);
    assert.deepEqual(without.matchKeys, { Email: 'Ada@Example.com', LastName: 'Lovelace', FirstName: 'Ada' });
  }
});

test('X4: reconcile adopts the record created since the intent and sends again only when none landed', () => {
  const startedAt = new Date('2026-11-28T10:00:00.000Z');
  const { matchKeys } = planCreate({
    object: 'Contact',
    localId: 'p-1',
    fields,
    hasExternalIdField: false,
  }) as {
    matchKeys: Record<string, string>;
  };
  const landed = {
    Id: '003000000000001AAA',
    CreatedDate: '2026-11-28T10:00:01.000Z',
    Email: 'ada@example.com',
    LastName: 'LOVELACE',
    FirstName: 'ada',
  };
  const before = { ...landed, Id: '003000000000002AAA', CreatedDate: '2026-11-28T09:00:00.000Z' };
  const other = { ...landed, Id: '003000000000003AAA', Email: 'grace@example.com' };

  const found = reconcileCreate({
    object: 'Contact',
    startedAt,
    matchKeys,
    created: [before, other, landed],
    alreadyLinked: new Set(),
  });
  assert.deepEqual([found.outcome, found.outcome === 'found' && found.sfId], ['found', landed.Id]);

  const none = reconcileCreate({
    object: 'Contact',
    startedAt,
    matchKeys,
    created: [before, other],
    alreadyLinked: new Set(),
  });
  assert.equal(none.outcome, 'not_found');

  const linkedElsewhere = reconcileCreate({
    object: 'Contact',
    startedAt,
    matchKeys,
    created: [landed],
    alreadyLinked: new Set([landed.Id]),
  });
  assert.equal(linkedElsewhere.outcome, 'not_found');

  const twin = { ...landed, Id: '003000000000004AAA', CreatedDate: '2026-11-28T10:00:02.000Z' };
  const two = reconcileCreate({
    object: 'Contact',
    startedAt,
    matchKeys,
    created: [twin, landed],
    alreadyLinked: new Set(),
  });
  assert.equal(two.outcome, 'ambiguous');
  if (two.outcome === 'ambiguous') {
    assert.equal(two.chosen, landed.Id);
    assert.deepEqual(two.sfIds, [landed.Id, twin.Id]);
  }
});

test('X4: a record with no usable keys is never adopted by reconcile', () => {
  const r = reconcileCreate({
    object: 'Task',
    startedAt: new Date(0),
    matchKeys: {},
    created: [{ Id: '00T000000000001AAA', CreatedDate: '2026-11-28T10:00:00.000Z', Subject: 'x' }],
    alreadyLinked: new Set(),
  });
  assert.equal(r.outcome, 'not_found');
});

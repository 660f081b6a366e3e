import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveOwner, type OwnerContext } from './owner.js';

const JANE_SF = '005000000000001AAA';
const JANE_OLD = '005000000000002AAA';
const DEFAULT = '005000000000009AAA';
const INTEGRATION = '005000000000007AAA';

const context = (over: Partial<OwnerContext> = {}): OwnerContext => ({
  workspaceUsers: [
    { id: 'u-jane', name: 'Jane', email: 'Jane.Doe@Acme.com' },
    { id: 'u-max', name: 'Max', email: 'max@acme.com' },
  ],
  salesforceUsers: [
    { Id: JANE_SF, Email: 'jane.doe@acme.COM', IsActive: true },
    { Id: '005000000000003AAA', Email: 'max@acme.com', IsActive: false },
  ],
  integrationUserId: INTEGRATION,
  ...over,
});

test('X7: a local owner maps to the active Salesforce User with the same email, whatever its case', () => {
  const r = resolveOwner('u-jane', context(), DEFAULT);
  assert.equal(r.source, 'matched');
  assert.equal(r.ownerId, JANE_SF);
  assert.equal(r.note.code, 'owner_matched');
});

test('X7: without a matching User the default owner is used, and the note says why; without a default, the integration user', () => {
  const withDefault = resolveOwner('u-max', context(), DEFAULT);
  const without = resolveOwner('u-max', context(), null);
  assert.deepEqual([withDefault.source, withDefault.ownerId], ['default', DEFAULT]);
  assert.deepEqual([without.source, without.ownerId], ['integration_user', INTEGRATION]);
  assert.match(withDefault.note.message, /inactive/);
  assert.match(without.note.message, /no default owner is set/);
});

test('X7: an inactive User is not an owner; once active it is', () => {
  const inactive = resolveOwner('u-max', context(), DEFAULT);
  const active = resolveOwner(
    'u-max',
    context({ salesforceUsers: [{ Id: '005000000000003AAA', Email: 'MAX@acme.com', IsActive: true }] }),
    DEFAULT,
  );
  assert.equal(inactive.ownerId, DEFAULT);
  assert.equal(active.ownerId, '005000000000003AAA');
});

test('X7: no local owner, or an owner who is not a workspace user, falls back with a sentence naming the cause', () => {
  const none = resolveOwner(null, context(), DEFAULT);
  const stranger = resolveOwner('u-gone', context(), DEFAULT);
  assert.equal(none.ownerId, DEFAULT);
  assert.match(none.note.message, /no owner in crmsync/);
  assert.match(stranger.note.message, /u-gone is not a user of this workspace/);
});

test('X7: two active Users with one email: the lowest id, the same on every run', () => {
  const users = [
    { Id: JANE_SF, Email: 'jane.doe@acme.com', IsActive: true },
    { Id: JANE_OLD, Email: 'jane.doe@acme.com', IsActive: true },
  ];
  assert.equal(resolveOwner('u-jane', context({ salesforceUsers: users }), null).ownerId, JANE_SF);
  assert.equal(
    resolveOwner('u-jane', context({ salesforceUsers: [...users].reverse() }), null).ownerId,
    JANE_SF,
  );
});

test('X7: no default owner and no integration user known: no owner id, so Salesforce assigns the caller', () => {
  const r = resolveOwner('u-max', context({ integrationUserId: null }), null);
  assert.equal(r.ownerId, null);
  assert.equal(r.note.code, 'owner_fallback');
});

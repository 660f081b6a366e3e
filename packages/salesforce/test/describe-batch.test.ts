import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CrmsyncError } from '@crmsync/core';
import { connected } from './helpers.js';

/*
 * O3: describes asked in the same tick share one `/composite` call; each is still cached on the
 * adapter, and an object the org lacks fails on its own with a message naming it.
 */

test('O3: three describes asked together cost one API call, and none is asked again', async (t) => {
  const c = await connected(t);
  c.emu.control.resetRequests(c.orgId);
  const [contact, lead, account] = await Promise.all(
    ['Contact', 'Lead', 'Account'].map((o) => c.sf.describe(o)),
  );
  assert.deepEqual([contact?.name, lead?.name, account?.name], ['Contact', 'Lead', 'Account']);
  assert.ok(contact!.fields.some((f) => f.name === 'Email'));
  assert.deepEqual(c.emu.control.requests(c.orgId).byEndpoint, { 'POST /composite': 1 });
  await c.sf.describe('Lead');
  assert.equal(await c.sf.hasExternalIdField('Account'), false);
  assert.equal(c.emu.control.requests(c.orgId).total, 1, 'cached');
});

test('O3: in a batch of describes an unknown object fails alone, naming the object; the others answer', async (t) => {
  const c = await connected(t);
  const [ok, missing] = await Promise.allSettled([c.sf.describe('Contact'), c.sf.describe('Nope__c')]);
  assert.equal(ok.status === 'fulfilled' && ok.value.name, 'Contact');
  assert.ok(missing.status === 'rejected');
  assert.ok(missing.reason instanceof CrmsyncError);
  assert.equal(missing.reason.code, 'SALESFORCE_INVALID_FIELD');
  assert.match(missing.reason.message + JSON.stringify(missing.reason.details), /Nope__c/);
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Settings } from '@crmsync/core';
import { dryRunSettingsChange } from '../src/dry-run.js';
import { applyLocalDeletes } from '../src/pull/local-deletes.js';
import { startEmulatorProcess, type EmulatorProcess } from './harness.js';
import { pullWorld, type PullWorld } from './pull-harness.js';

/*
 * A4: an Account is deleted in Salesforce only when nothing else would go with it. Activities
 * count as children (Tasks and Events on the Account, or on its Contacts), counted in the same
 * composite call as its Contacts and Opportunities; the dry run shows the same count.
 */

let emu: EmulatorProcess;
before(async () => {
  emu = await startEmulatorProcess();
});
after(() => emu.close());

const deletionSync = { accounts: { deletionSync: true }, contacts: { deletionSync: true } };

async function deleteLocally(w: PullWorld, type: 'person' | 'company', id: string): Promise<void> {
  await w.store.transaction(w.workspaceId, (tx) => tx.records.delete(type, id).then(() => undefined));
}

test('A4: an Account with no Contact or Opportunity left but with activities is not deleted; the skip counts the activities, in the log and in the dry run', async (t) => {
  const w = await pullWorld(t, emu, { settings: deletionSync });
  const acc = await w.createAsPerson('Account', { Name: 'Busy Co' });
  const con = await w.createAsPerson('Contact', { LastName: 'Leaving', AccountId: acc });
  await w.createAsPerson('Task', { Subject: 'Call', WhatId: acc });
  await w.createAsPerson('Event', {
    Subject: 'Other',
    WhatId: acc,
    StartDateTime: '2027-01-05T10:00:00.000Z',
    EndDateTime: '2027-01-05T11:00:00.000Z',
  });
  // The Contact's own Task goes with the Contact, which is deleted in the same call: not counted.
  await w.createAsPerson('Task', { Subject: 'Send Letter', WhoId: con });
  await w.pull();
  const company = (await w.linked(acc))!;
  const person = (await w.linked(con))!;

  await deleteLocally(w, 'company', company.localId);
  await deleteLocally(w, 'person', person.localId);
  await w.control('DELETE', '/requests');
  const first = await applyLocalDeletes(w.pullDeps, w.workspaceId, [
    { type: 'company', id: company.localId },
    { type: 'person', id: person.localId },
  ]);
  const results = first.status === 'done' ? first.results : [];
  const companyResult = results.find((r) => r.type === 'company');
  assert.equal(companyResult?.outcome === 'skipped' ? companyResult.code : null, 'account_has_children');
  assert.match(companyResult?.reason ?? '', /2 child records \(Contacts, Opportunities or activities\)/);
  assert.equal(results.find((r) => r.type === 'person')?.outcome, 'deleted_in_salesforce');
  assert.equal(
    (await w.requests()).byEndpoint['POST /composite'],
    1,
    'the four counts (Contacts, Opportunities, Tasks, Events) travel in one composite call',
  );
  assert.deepEqual(
    (await w.soql<{ Id: string }>('SELECT Id FROM Account')).map((r) => r.Id),
    [acc],
    'the Account stays',
  );
  const [logged] = (
    await w.store
      .workspace(w.workspaceId)
      .log.list({ record: { type: 'company', id: company.localId }, rule: 'A4' })
  ).items;
  assert.equal(logged?.action, 'skip');
  assert.match(logged?.reason ?? '', /2 child records/);

  // The dry run decides the pending delete the same way and shows the count.
  const settings = Settings.parse({
    version: 2,
    lifecycle: { configurationWindowHours: 0 },
    ...deletionSync,
  });
  const dry = await dryRunSettingsChange(w.deps, w.sessions, w.workspaceId, settings);
  assert.deepEqual(dry.after.company.skippedByReason, { account_has_children: 1 });
  assert.equal(dry.after.company.accountChildren, 2);

  // Once the activities are gone, the Account goes.
  for (const object of ['Task', 'Event'] as const) {
    for (const row of await w.soql<{ Id: string }>(`SELECT Id FROM ${object} WHERE WhatId = '${acc}'`))
      await w.deleteAsPerson(row.Id);
  }
  const again = await dryRunSettingsChange(w.deps, w.sessions, w.workspaceId, settings);
  assert.equal(again.after.company.deleted, 1, 'the dry run now says the Account would be deleted');
  assert.equal(again.after.company.accountChildren, 0);
  const second = await applyLocalDeletes(w.pullDeps, w.workspaceId, [
    { type: 'company', id: company.localId },
  ]);
  assert.equal(second.status === 'done' ? second.results[0]?.outcome : null, 'deleted_in_salesforce');
  assert.deepEqual(await w.soql('SELECT Id FROM Account'), []);
});

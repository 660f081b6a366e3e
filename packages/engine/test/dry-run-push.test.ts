import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Settings } from '@crmsync/core';
import { dryRunPushAll, dryRunSettingsChange, readOnlyCrm } from '../src/dry-run.js';
import { jobKey, PUSH_QUEUE } from '../src/push/jobs.js';
import { pushAll } from '../src/push/push-all.js';
import {
  company,
  connectedWorkspace,
  drain,
  ingestAll,
  person,
  startEmulatorProcess,
  type EmulatorProcess,
  type Harness,
} from './harness.js';

/*
 * O2: the dry run goes through the same planner over a read-only adapter. Its counts equal the
 * real run that follows, and the emulator's write counter does not move while it runs.
 */

let emu: EmulatorProcess;
before(async () => {
  emu = await startEmulatorProcess();
});
after(() => emu.close());

const writeTotal = async (h: Harness) =>
  Object.values((await h.writes()).totals).reduce(
    (s, ops) => s + Object.values(ops).reduce((a, b) => a + b, 0),
    0,
  );

test('O2, C9: a push-all dry run writes nothing to Salesforce and its counts equal the real push all that follows', async (t) => {
  const h = await connectedWorkspace(t, emu, {
    settings: { contacts: { pushContacts: false } },
    seed: {
      Contact: [
        { LastName: 'Known', Email: 'known@acme.test' },
        { LastName: 'Twin A', Email: 'twin@acme.test' },
        { LastName: 'Twin B', Email: 'twin@acme.test' },
      ],
    },
  });
  await ingestAll(h, 'company', [company('co1', { name: 'Dry Co' })]);
  await ingestAll(h, 'person', [
    ...Array.from({ length: 4 }, (_, i) =>
      person(`p${i}`, { email: `dry${i}@acme.test`, companyId: i < 2 ? 'co1' : null }),
    ),
    person('k', { email: 'known@acme.test' }),
    person('tw', { email: 'twin@acme.test' }),
  ]);
  const writesBefore = await writeTotal(h);
  const dry = await dryRunPushAll(h.deps, h.sessions, h.workspaceId);
  assert.equal(await writeTotal(h), writesBefore, 'the dry run wrote nothing to Salesforce');
  assert.equal(
    (await h.store.workspace(h.workspaceId).links.getMany('person', ['p0', 'k'], h.org.orgId)).length,
    0,
    'nor any link',
  );
  assert.deepEqual(
    { created: dry.created, linked: dry.linked, skipped: dry.skipped, ambiguous: dry.ambiguous },
    { created: 4, linked: 2, skipped: 0, ambiguous: 1 },
  );

  const real = await pushAll(h.deps, h.sessions, h.workspaceId);
  assert.deepEqual(
    { created: real.created, linked: real.linked, skipped: real.skipped, failed: real.failed },
    { created: dry.created, linked: dry.linked, skipped: dry.skipped, failed: 0 },
  );
  assert.equal((await h.soql("SELECT Id FROM Contact WHERE Email LIKE 'dry%'")).length, 4);
  assert.ok((await writeTotal(h)) > writesBefore, 'the real run did write');
});

test('O2: a settings change dry run gives old and new decisions over every record as if touched now, writes nothing, and the run that follows matches', async (t) => {
  const h = await connectedWorkspace(t, emu, {
    settings: { contacts: { pushContacts: false }, accounts: { pushAccounts: true } },
  });
  await ingestAll(h, 'company', [company('co1', { name: 'Change Co' })]);
  await drain(h);
  await ingestAll(h, 'person', [
    person('p1', { email: 'chg1@acme.test', stage: 'Hot' }),
    person('p2', { email: 'chg2@acme.test', stage: 'Cold' }),
    person('p3', { email: 'chg3@acme.test', stage: 'Hot', companyId: 'co1' }),
  ]);
  const next = Settings.parse({
    version: 2,
    lifecycle: { configurationWindowHours: 0 },
    contacts: { pushContacts: true, pushMode: 'stages', stages: ['Hot'] },
  });
  const writesBefore = await writeTotal(h);
  const dry = await dryRunSettingsChange(h.deps, h.sessions, h.workspaceId, next);
  assert.equal(await writeTotal(h), writesBefore);
  assert.deepEqual(dry.before.person.skippedByReason, { push_contacts_off: 3 });
  assert.equal(dry.after.person.created, 2);
  assert.deepEqual(dry.after.person.skippedByReason, { stage_not_selected: 1 });
  assert.equal(
    dry.before.company.updated + dry.after.company.updated,
    2,
    'the linked company is an update either way',
  );
  assert.deepEqual(dry.changed.map((c) => [c.id, c.before, c.after]).sort(), [
    ['p1', 'skip:push_contacts_off', 'create'],
    ['p2', 'skip:push_contacts_off', 'skip:stage_not_selected'],
    ['p3', 'skip:push_contacts_off', 'create'],
  ]);

  // The real run: save the settings, touch every person, push.
  await h.store.transaction(h.workspaceId, async (tx) => {
    await tx.settings.put(next, 'test');
    await tx.jobs.enqueue(
      ['p1', 'p2', 'p3'].map((id) => ({ queue: PUSH_QUEUE.person, key: jobKey('person', id) })),
    );
  });
  const reports = await drain(h);
  const outcomes = reports.flatMap((r) => [...r.outcomes.values()]);
  const created = outcomes.filter((o) => o.status === 'done' && o.action === 'create').length;
  const skipped = outcomes.filter((o) => o.status === 'done' && o.action === 'skip').length;
  assert.deepEqual([created, skipped], [dry.after.person.created, dry.after.person.skipped]);
  assert.equal((await h.soql("SELECT Id FROM Contact WHERE Email LIKE 'chg%'")).length, 2);
});

test('O2: the read-only adapter refuses every write before anything is sent', async (t) => {
  const h = await connectedWorkspace(t, emu, {});
  const crm = readOnlyCrm(await h.sessions.getCrm(h.workspaceId));
  const before = (await h.requests()).total;
  assert.throws(() => crm.create('Contact', [{ LastName: 'Nope' }]), /dry runs never write/);
  assert.throws(() => crm.bulk.createIngestJob('Contact', 'insert'), /dry runs never write/);
  assert.equal((await h.requests()).total, before);
  assert.ok((await crm.describe('Contact')).fields.length > 0, 'reads pass through');
});

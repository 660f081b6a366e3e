import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Link } from '../model/link.js';
import { checkEligibility, type ChangeKind, type EligibilityInput } from './eligibility.js';
import { company, link, ORG, OTHER_ORG, person, settings, sfId } from './push-test-fixtures.js';

type S = ReturnType<typeof settings>;

const checkPerson = (
  s: S,
  opts: {
    link?: Link | null;
    change?: ChangeKind;
    stage?: string | null;
    previousStage?: string | null;
    previous?: boolean;
  } = {},
) => {
  const record = person({ stage: opts.stage ?? null });
  const input: EligibilityInput = {
    kind: 'person',
    record,
    previous:
      opts.previousStage !== undefined
        ? { ...record, stage: opts.previousStage }
        : opts.previous === true
          ? record
          : null,
    link: opts.link ?? null,
    change: opts.change ?? 'updated',
    settings: s,
    orgId: ORG,
  };
  return checkEligibility(input);
};

const checkCompany = (s: S, opts: { link?: Link | null; change?: ChangeKind; stage?: string | null } = {}) =>
  checkEligibility({
    kind: 'company',
    record: company({ stage: opts.stage ?? null }),
    previous: null,
    link: opts.link ?? null,
    change: opts.change ?? 'created',
    settings: s,
    orgId: ORG,
  });

const ON = settings({ contacts: { pushContacts: true } });
const OFF = settings({ contacts: { pushContacts: false } });
const STAGES = settings({
  contacts: { pushContacts: true, pushMode: 'stages', stages: ['Qualified', 'Meeting booked'] },
});
const companyLink = link({ localType: 'company', localId: 'c1', sfObject: 'Account', sfId: sfId('001', 1) });

test('C1: a linked person is eligible even with push contacts off; the same person unlinked is not', () => {
  const linked = checkPerson(OFF, { link: link() });
  const unlinked = checkPerson(OFF);
  assert.deepEqual([linked.eligible, linked.code, linked.rules], [true, 'linked', ['C1']]);
  assert.deepEqual([unlinked.eligible, unlinked.code], [false, 'push_contacts_off']);
});

test('C1: a linked person outside the selected stages is still eligible; unlinked it is not', () => {
  assert.equal(checkPerson(STAGES, { link: link(), stage: 'Cold' }).eligible, true);
  assert.equal(checkPerson(STAGES, { stage: 'Cold' }).eligible, false);
});

test('C2: a net-new person is eligible with push contacts on and not with it off', () => {
  for (const change of ['created', 'updated'] as const) {
    const on = checkPerson(ON, { change });
    const off = checkPerson(OFF, { change });
    assert.deepEqual([on.eligible, on.code], [true, 'net_new'], change);
    assert.equal(off.eligible, false);
    assert.deepEqual(off.rules, ['C2']);
    assert.match(off.reason, /"Push contacts" is off/);
  }
});

test('C2: turning push contacts on is not retroactive: a save that changes nothing stays ineligible, a real change is eligible', () => {
  const untouched = checkPerson(ON, { previous: true });
  const changed = checkPerson(ON, { previousStage: 'Cold', stage: 'Warm' });
  assert.deepEqual([untouched.eligible, untouched.code], [false, 'unchanged']);
  assert.equal(changed.eligible, true);
});

test('C3: in stages mode a person at a selected stage is eligible and one at another stage is not', () => {
  const selected = checkPerson(STAGES, { stage: 'Qualified', change: 'created' });
  const other = checkPerson(STAGES, { stage: 'Cold', change: 'created' });
  assert.deepEqual([selected.eligible, selected.code], [true, 'in_selected_stage']);
  assert.deepEqual([other.eligible, other.code, other.rules[0]], [false, 'stage_not_selected', 'C3']);
  assert.match(other.reason, /"Qualified", "Meeting booked"/);
});

test('C3: push mode all ignores the stage; stages mode does not', () => {
  assert.equal(checkPerson(ON, { stage: 'Cold' }).eligible, true);
  assert.equal(checkPerson(STAGES, { stage: 'Cold' }).eligible, false);
});

test('C3: a person moving into a selected stage becomes eligible, and the reason says it moved', () => {
  const moved = checkPerson(STAGES, { previousStage: 'Cold', stage: 'Meeting booked' });
  const before = checkPerson(STAGES, { previousStage: 'Lost', stage: 'Cold' });
  assert.deepEqual([moved.eligible, moved.code], [true, 'moved_into_selected_stage']);
  assert.match(moved.reason, /moved into the selected stage "Meeting booked"/);
  assert.equal(before.eligible, false);
});

test('C3: a net-new person moving out of the selected stages is no longer eligible', () => {
  const out = checkPerson(STAGES, { previousStage: 'Qualified', stage: 'Lost' });
  const stay = checkPerson(STAGES, { previousStage: 'Qualified', stage: 'Meeting booked' });
  assert.equal(out.eligible, false);
  assert.match(out.reason, /moved out of the selected stages/);
  assert.equal(stay.eligible, true);
});

test('C3: stages compare without case, surrounding spaces or Unicode form differences; no stage is never selected', () => {
  const s = settings({ contacts: { pushContacts: true, pushMode: 'stages', stages: ['Qualifié'] } });
  assert.equal(checkPerson(s, { stage: '  QUALIFIÉ ' }).eligible, true);
  assert.equal(checkPerson(s, { stage: 'Qualifie\u0301' }).eligible, true, 'decomposed é');
  assert.equal(checkPerson(s, { stage: 'Qualifie' }).eligible, false);
  const none = checkPerson(s, { stage: null });
  assert.equal(none.eligible, false);
  assert.match(none.reason, /has no stage/);
  assert.equal(checkPerson(s, { stage: '' }).eligible, false);
});

test('C3: a 100,000-character stage is simply not selected', () => {
  const r = checkPerson(STAGES, { stage: 'x'.repeat(100_000) });
  assert.equal(r.eligible, false);
  assert.equal(r.code, 'stage_not_selected');
});

test('A1: a net-new company is eligible with push accounts on (the default) and not with it off', () => {
  const on = checkCompany(settings());
  const off = checkCompany(settings({ accounts: { pushAccounts: false } }));
  assert.deepEqual([on.eligible, on.code], [true, 'net_new']);
  assert.deepEqual([off.eligible, off.code, off.rules], [false, 'push_accounts_off', ['A1']]);
});

test('A2: in stages mode only companies at a selected stage are eligible', () => {
  const s = settings({ accounts: { pushMode: 'stages', stages: ['Customer'] } });
  assert.equal(checkCompany(s, { stage: 'customer' }).eligible, true);
  const other = checkCompany(s, { stage: 'Prospect' });
  assert.deepEqual([other.eligible, other.rules[0]], [false, 'A2']);
  assert.equal(checkCompany(settings(), { stage: 'Prospect' }).eligible, true);
});

test('A6: a linked company is eligible with push accounts off; unlinked it is not', () => {
  const off = settings({ accounts: { pushAccounts: false } });
  const linked = checkCompany(off, { link: companyLink, change: 'updated' });
  assert.deepEqual([linked.eligible, linked.rules], [true, ['A6']]);
  assert.equal(checkCompany(off, { change: 'updated' }).eligible, false);
});

test('C10: a local delete of a linked person travels with deletion sync on; off, it does not and the link is marked deleted locally', () => {
  const on = checkPerson(settings({ contacts: { deletionSync: true } }), { link: link(), change: 'deleted' });
  const off = checkPerson(settings({ contacts: { deletionSync: false } }), {
    link: link(),
    change: 'deleted',
  });
  assert.deepEqual(on.eligible && [on.effect, on.code, on.rules], ['delete', 'delete_travels', ['C10']]);
  assert.equal(off.eligible, false);
  assert.deepEqual(!off.eligible && [off.code, off.markLink], ['deletion_sync_off', 'deleted_locally']);
});

test('C10: deleting a person that was never linked sends nothing, even with deletion sync on', () => {
  const s = settings({ contacts: { deletionSync: true } });
  const unlinked = checkPerson(s, { change: 'deleted' });
  const alreadyGone = checkPerson(s, { change: 'deleted', link: link({ state: 'deleted_in_salesforce' }) });
  assert.deepEqual([unlinked.eligible, unlinked.code], [false, 'not_in_salesforce']);
  assert.deepEqual([alreadyGone.eligible, alreadyGone.code], [false, 'not_in_salesforce']);
  assert.equal(checkPerson(s, { change: 'deleted', link: link() }).eligible, true);
});

test('C10: a link marked deleted in Salesforce stops pushes of changes; an active link does not', () => {
  const gone = checkPerson(ON, { link: link({ state: 'deleted_in_salesforce' }) });
  assert.deepEqual([gone.eligible, gone.code, gone.rules], [false, 'link_deleted_in_salesforce', ['C10']]);
  assert.match(gone.reason, /push it by hand/);
  assert.equal(checkPerson(ON, { link: link() }).eligible, true);
});

test('C11: a link marked merged stops pushes, and names the survivor', () => {
  const merged = checkPerson(ON, { link: link({ state: 'merged', mergedInto: sfId('003', 2) }) });
  assert.deepEqual([merged.eligible, merged.code, merged.rules], [false, 'link_merged', ['C11']]);
  assert.match(merged.reason, new RegExp(sfId('003', 2)));
});

test('A4: a local delete of a linked company travels only with account deletion sync on', () => {
  const on = checkCompany(settings({ accounts: { deletionSync: true } }), {
    link: companyLink,
    change: 'deleted',
  });
  const off = checkCompany(settings({ accounts: { deletionSync: false } }), {
    link: companyLink,
    change: 'deleted',
  });
  assert.deepEqual(on.eligible && [on.effect, on.rules], ['delete', ['A4']]);
  assert.deepEqual(!off.eligible && [off.code, off.rules, off.markLink], [
    'deletion_sync_off',
    ['A4'],
    'deleted_locally',
  ]);
});

test('C1: a link of another org (after a switch of org) counts as no link', () => {
  const old = checkPerson(OFF, { link: link({ orgId: OTHER_ORG }) });
  const current = checkPerson(OFF, { link: link() });
  assert.deepEqual([old.eligible, old.code], [false, 'push_contacts_off']);
  assert.equal(current.eligible, true);
  const deleted = checkPerson(settings({ contacts: { deletionSync: true } }), {
    link: link({ orgId: OTHER_ORG }),
    change: 'deleted',
  });
  assert.deepEqual([deleted.eligible, deleted.code], [false, 'not_in_salesforce']);
});

test('C1: a record restored after its link was marked deleted locally is pushed to its record again', () => {
  const r = checkPerson(OFF, { link: link({ state: 'deleted_locally' }) });
  assert.deepEqual([r.eligible, r.code], [true, 'linked']);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkStageMapping } from './deal-stage-mapping.js';
import { decideDealPush, type DealAction, type DealDecision, type DealPushInput } from './decide-deal.js';
import {
  ACCOUNT_ID,
  accountLink,
  company,
  CONTACT_ID,
  contactLink,
  deal,
  LEAD_ID,
  leadLink,
  link,
  OPPORTUNITY,
  OPPORTUNITY_ID,
  opportunityLink,
  ORG,
  OTHER_ORG,
  OWNERS,
  person,
  settingsWith,
  sfId,
} from './activity-test-fixtures.js';

const MAPPING = { Negotiation: 'Negotiation/Review', Won: 'Closed Won', Discovery: 'Qualification' };
const sync = (dealSync: string, extra: Record<string, unknown> = {}) =>
  settingsWith({ deals: { dealSync, stageMapping: MAPPING, ...extra } });
const PUSH = sync('push');
const BIDI = sync('bidirectional');

const STAMP = '2026-11-01T10:00:00.000+0000';
const LATER = '2026-11-02T08:00:00.000+0000';
/** What crmsync last wrote to the Opportunity. */
const SNAPSHOT = {
  Name: 'Acme renewal',
  Amount: 12000,
  CloseDate: '2026-12-31',
  StageName: 'Negotiation/Review',
  AccountId: ACCOUNT_ID,
};
const synced = () => opportunityLink({ snapshot: SNAPSHOT, systemModstamp: STAMP });
const current = (SystemModstamp: string, fields: Record<string, unknown> = SNAPSHOT) => ({
  SystemModstamp,
  fields,
});

function decide(over: Partial<DealPushInput> = {}): DealDecision {
  return decideDealPush({
    deal: deal(),
    link: null,
    settings: PUSH,
    orgId: ORG,
    company: { record: company(), link: accountLink() },
    people: [{ record: person(), link: contactLink() }],
    describe: OPPORTUNITY,
    current: null,
    trigger: 'change',
    ...over,
  });
}

function expect<A extends DealAction>(d: DealDecision, action: A): Extract<DealDecision, { action: A }> {
  assert.equal(d.action, action, `expected ${action}, got ${d.action}: ${d.reason}`);
  return d as Extract<DealDecision, { action: A }>;
}

// --- D1-D4: which way deals travel ----------------------------------------------------------

test('D2: deal sync off pushes nothing; the same deal under push is created', () => {
  const off = expect(decide({ settings: sync('off') }), 'skip');
  assert.equal(off.code, 'deal_sync_off');
  assert.deepEqual(off.rules, ['D2']);
  assert.match(off.reason, /deal sync is off/);
  expect(decide({ settings: PUSH }), 'create');
});

test('D2: deal sync off also stops updates of linked deals; push updates them', () => {
  const linked = { link: synced(), deal: deal({ amount: 15000 }) };
  assert.equal(expect(decide({ ...linked, settings: sync('off') }), 'skip').code, 'deal_sync_off');
  assert.deepEqual(expect(decide({ ...linked, settings: PUSH }), 'update').fields, { Amount: 15000 });
});

test('D3: deal sync "pull" never pushes a local deal; bidirectional creates it', () => {
  const pull = expect(decide({ settings: sync('pull') }), 'skip');
  assert.equal(pull.code, 'deal_sync_pull_only');
  assert.deepEqual(pull.rules, ['D3']);
  const bidi = expect(decide({ settings: BIDI }), 'create');
  assert.ok(bidi.rules.includes('D1'));
});

test('D4: push mode creates a net-new deal as an Opportunity with Name, StageName, CloseDate, Amount and Account', () => {
  const d = expect(decide({ settings: PUSH }), 'create');
  assert.deepEqual(d.fields, {
    Name: 'Acme renewal',
    Amount: 12000,
    CloseDate: '2026-12-31',
    StageName: 'Negotiation/Review',
    AccountId: ACCOUNT_ID,
  });
  assert.deepEqual(d.account, { via: 'linked', accountId: ACCOUNT_ID });
  assert.ok(d.rules.includes('D4') && d.rules.includes('D6'));
  assert.equal(expect(decide({ settings: sync('pull') }), 'skip').code, 'deal_sync_pull_only');
});

test('D4: push mode updates a linked deal Salesforce changed (no source-of-truth check); bidirectional pulls instead', () => {
  const input = {
    link: synced(),
    deal: deal({ amount: 15000 }),
    current: current(LATER, { ...SNAPSHOT, Amount: 13000 }),
  };
  const push = expect(decide({ ...input, settings: PUSH }), 'update');
  assert.deepEqual(push.fields, { Amount: 15000 });
  expect(decide({ ...input, settings: BIDI }), 'pull_instead');
});

// --- D1: Salesforce is the source of truth for synced deals ---------------------------------

test('D1: a deal changed on both sides -> Salesforce wins and the local change is logged as overwritten; with push only the local change is sent', () => {
  const input = {
    link: synced(),
    deal: deal({ amount: 15000, stage: 'Won' }),
    current: current(LATER, { ...SNAPSHOT, Amount: 13000, StageName: 'Qualification' }),
  };
  const d = expect(decide({ ...input, settings: BIDI }), 'pull_instead');
  assert.equal(d.sfId, OPPORTUNITY_ID);
  assert.equal(d.systemModstamp, LATER);
  assert.deepEqual(d.fields, {
    name: 'Acme renewal',
    amount: 13000,
    closeDate: '2026-12-31',
    stage: 'Discovery',
  });
  assert.deepEqual(d.overwritten, [
    { field: 'amount', local: 15000, salesforce: 13000 },
    { field: 'stage', local: 'Won', salesforce: 'Discovery' },
  ]);
  assert.ok(d.notes.some((n) => n.code === 'local_change_overwritten' && n.rule === 'D1'));
  assert.match(d.reason, /source of truth/);
  assert.match(d.reason, /amount, stage are overwritten/);
  const push = expect(decide({ ...input, settings: PUSH }), 'update');
  assert.deepEqual(push.fields, { Amount: 15000, StageName: 'Closed Won' });
});

test('D1: an unchanged SystemModstamp lets the local change through as an update', () => {
  const d = expect(
    decide({ settings: BIDI, link: synced(), deal: deal({ amount: 15000 }), current: current(STAMP) }),
    'update',
  );
  assert.deepEqual(d.fields, { Amount: 15000 });
  assert.match(d.reason, /SystemModstamp is unchanged/);
  assert.deepEqual(d.account, { via: 'unchanged', accountId: ACCOUNT_ID });
});

test('D1: a linked deal whose SystemModstamp was not read waits under bidirectional sync; push mode sends it', () => {
  const input = { link: synced(), deal: deal({ amount: 15000 }), current: null };
  assert.equal(expect(decide({ ...input, settings: BIDI }), 'skip').code, 'salesforce_state_unknown');
  expect(decide({ ...input, settings: PUSH }), 'update');
});

test('D1: a link with no recorded SystemModstamp cannot prove it is current, so Salesforce wins', () => {
  const d = expect(
    decide({ settings: BIDI, link: opportunityLink({ snapshot: SNAPSHOT }), current: current(STAMP) }),
    'pull_instead',
  );
  assert.deepEqual(d.overwritten, []);
  assert.match(d.reason, /no record of its last sync/);
});

// --- D6: stages, required fields, Account, contact roles ------------------------------------

test('D6: an unmapped stage is refused with the allowed values and the mapping to fix; mapped, the same deal is created', () => {
  const unmapped = expect(decide({ settings: settingsWith({ deals: { dealSync: 'push' } }) }), 'skip');
  assert.equal(unmapped.code, 'stage_not_mapped');
  assert.deepEqual(unmapped.allowedValues, [
    'Prospecting',
    'Qualification',
    'Negotiation/Review',
    'Closed Won',
    'Closed Lost',
  ]);
  assert.match(unmapped.reason, /Deal d1/);
  assert.match(unmapped.reason, /"Negotiation"/);
  assert.match(unmapped.reason, /deals\.stageMapping/);
  assert.match(unmapped.reason, /"Closed Won"/);
  assert.equal(expect(decide({ settings: PUSH }), 'create').fields.StageName, 'Negotiation/Review');
});

test('D6: a mapping onto a value the org does not have is refused naming the mapping; a valid one is sent in the org spelling', () => {
  const bad = expect(
    decide({ settings: sync('push', { stageMapping: { Negotiation: 'Negotiating' } }) }),
    'skip',
  );
  assert.equal(bad.code, 'stage_mapping_invalid');
  assert.match(bad.reason, /deals\.stageMapping\["Negotiation"\]/);
  const good = expect(
    decide({ settings: sync('push', { stageMapping: { negotiation: 'negotiation/review' } }) }),
    'create',
  );
  assert.equal(good.fields.StageName, 'Negotiation/Review');
});

test('D6: stages match but for case, spaces and Unicode form (é composed or not)', () => {
  const composed = 'N\u00e9gociation';
  const decomposed = 'Ne\u0301gociation';
  const s = sync('push', { stageMapping: { [composed]: 'Qualification' } });
  assert.equal(
    expect(decide({ settings: s, deal: deal({ stage: ` ${decomposed.toUpperCase()} ` }) }), 'create').fields
      .StageName,
    'Qualification',
  );
  assert.equal(
    expect(
      decide({ settings: sync('push', { stageMapping: {} }), deal: deal({ stage: decomposed }) }),
      'skip',
    ).code,
    'stage_not_mapped',
  );
});

test('D6: a linked deal moving out of the mapped stages is refused, and moving back in is pushed', () => {
  const out = expect(decide({ link: synced(), deal: deal({ stage: 'On hold' }) }), 'skip');
  assert.equal(out.code, 'stage_not_mapped');
  const back = expect(decide({ link: synced(), deal: deal({ stage: 'Won' }) }), 'update');
  assert.deepEqual(back.fields, { StageName: 'Closed Won' });
});

test('D6: CloseDate is required: a deal without one is refused naming closeDate; with one it is created', () => {
  const missing = expect(decide({ deal: deal({ closeDate: null }) }), 'skip');
  assert.equal(missing.code, 'required_field_missing');
  assert.match(missing.reason, /Deal d1.*closeDate/);
  expect(decide({ deal: deal({ closeDate: '2027-01-15' }) }), 'create');
});

test('D6: Name and CloseDate are sent even when the admin removed their mappings; a blank name is refused', () => {
  const s = sync('push', {});
  const noMaps = settingsWith({
    deals: { dealSync: 'push', stageMapping: MAPPING },
    fieldMappings: { Opportunity: [] },
  });
  const d = expect(decide({ settings: noMaps }), 'create');
  assert.deepEqual(
    [d.fields.Name, d.fields.CloseDate, d.fields.Amount],
    ['Acme renewal', '2026-12-31', undefined],
  );
  const blank = expect(decide({ settings: noMaps, deal: deal({ name: '   ' }) }), 'skip');
  assert.equal(blank.code, 'required_field_missing');
  assert.match(blank.reason, /name is blank/);
  expect(decide({ settings: s, deal: deal({ name: 'Named' }) }), 'create');
});

test('D6: a 100,000-character name is cut to the 120 characters of Opportunity.Name, not refused', () => {
  const d = expect(decide({ deal: deal({ name: 'x'.repeat(100_000) }) }), 'create');
  assert.equal(d.fields.Name, 'x'.repeat(120));
  assert.ok(d.notes.some((n) => n.rule === 'X6' && /cut to 120/.test(n.message)));
});

test('D6: the Account comes from the company: linked -> AccountId; not in Salesforce -> pushed first; no company -> none', () => {
  const linked = expect(decide(), 'create');
  assert.equal(linked.fields.AccountId, ACCOUNT_ID);
  const pending = expect(decide({ company: { record: company(), link: null } }), 'create');
  assert.deepEqual(pending.account, { via: 'push_company_first', companyId: 'c1' });
  assert.equal(pending.fields.AccountId, undefined);
  assert.ok(pending.notes.some((n) => n.code === 'account_pending' && /pushed first/.test(n.message)));
  assert.ok(pending.rules.includes('C7'));
  const none = expect(decide({ company: null, deal: deal({ companyId: null }) }), 'create');
  assert.deepEqual(none.account, { via: 'none' });
});

test('D6: a company whose Account was deleted in Salesforce gives no Account, and the note says how to re-create it', () => {
  const deleted = link({
    localType: 'company',
    localId: 'c1',
    sfObject: 'Account',
    sfId: ACCOUNT_ID,
    state: 'deleted_in_salesforce',
  });
  const d = expect(decide({ company: { record: company(), link: deleted } }), 'create');
  assert.deepEqual(d.account, { via: 'none' });
  assert.ok(d.notes.some((n) => /deleted in Salesforce/.test(n.message)));
});

test('D6: deal people that are Contacts become contact roles; Leads and people not in Salesforce are skipped with a reason', () => {
  const people = [
    { record: person({ id: 'p1' }), link: contactLink({ localId: 'p1' }) },
    { record: person({ id: 'p2' }), link: leadLink({ localId: 'p2' }) },
    { record: person({ id: 'p3' }), link: null },
  ];
  const d = expect(decide({ people, deal: deal({ personIds: ['p1', 'p2', 'p3'] }) }), 'create');
  assert.deepEqual(d.contactRoles.add, [{ personId: 'p1', contactId: CONTACT_ID }]);
  assert.deepEqual(
    d.contactRoles.skipped.map((s) => [s.personId, s.code]),
    [
      ['p2', 'person_is_lead'],
      ['p3', 'person_not_in_salesforce'],
    ],
  );
  assert.match(d.contactRoles.skipped[0]!.reason, new RegExp(`Lead ${LEAD_ID}.*only Contacts`));
  // The Lead converted to a Contact: it now gets a role.
  const converted = [
    { record: person({ id: 'p2' }), link: contactLink({ localId: 'p2', sfId: sfId('003', 2) }) },
  ];
  const after = expect(decide({ people: converted }), 'create');
  assert.deepEqual(after.contactRoles.add, [{ personId: 'p2', contactId: sfId('003', 2) }]);
});

test('D6: a contact role already on the Opportunity is not added again', () => {
  const d = expect(
    decide({ link: synced(), current: current(STAMP), existingContactRoles: [CONTACT_ID] }),
    'update',
  );
  assert.deepEqual(d.contactRoles.add, []);
  const fresh = expect(decide({ link: synced(), current: current(STAMP) }), 'update');
  assert.deepEqual(fresh.contactRoles.add, [{ personId: 'p1', contactId: CONTACT_ID }]);
});

test('D6: a deal naming a person of another workspace is refused naming personIds; the same person in the workspace is fine', () => {
  const foreign = expect(
    decide({ people: [{ record: person({ workspaceId: 'w2' }), link: contactLink() }] }),
    'skip',
  );
  assert.equal(foreign.code, 'other_workspace');
  assert.match(foreign.reason, /Deal d1.*personIds.*p1/);
  expect(decide(), 'create');
});

test('D6: an invalid deal is refused naming the field', () => {
  const bad = { ...deal(), stage: '' };
  const d = expect(decide({ deal: bad }), 'skip');
  assert.equal(d.code, 'invalid_input');
  assert.match(d.reason, /Deal d1 was not sent: stage/);
});

test('D6: an update sends only what changed since crmsync last wrote, and a new Account when the company moved', () => {
  const moved = link({ localType: 'company', localId: 'c1', sfObject: 'Account', sfId: sfId('001', 2) });
  const d = expect(decide({ link: synced(), company: { record: company(), link: moved } }), 'update');
  assert.deepEqual(d.fields, { AccountId: sfId('001', 2) });
  const same = expect(decide({ link: synced() }), 'update');
  assert.deepEqual(same.fields, {});
});

test('D4: a link of another org is ignored and the deal is created in the connected org', () => {
  const d = expect(decide({ link: opportunityLink({ orgId: OTHER_ORG }) }), 'create');
  assert.ok(d.notes.some((n) => n.code === 'old_org_link_ignored'));
});

test('D4: an Opportunity deleted in Salesforce is not re-created by a change, only by a manual push', () => {
  const gone = opportunityLink({ state: 'deleted_in_salesforce' });
  assert.equal(expect(decide({ link: gone }), 'skip').code, 'link_deleted_in_salesforce');
  const manual = expect(decide({ link: gone, trigger: 'manual' }), 'create');
  assert.ok(manual.rules.includes('M1'));
});

test('D4: the owner is resolved on create (X7) when the owner context is given', () => {
  const d = expect(decide({ owners: OWNERS, deal: deal({ ownerId: 'u-jane' }) }), 'create');
  assert.equal(d.fields.OwnerId, OWNERS.salesforceUsers[0]!.Id);
  assert.equal(expect(decide(), 'create').fields.OwnerId, undefined);
});

test('D4: a describe not loaded makes the deal wait', () => {
  assert.equal(expect(decide({ describe: null }), 'skip').code, 'describe_missing');
});

test('D6: the stage mapping is checked on save against the org picklist', () => {
  assert.deepEqual(checkStageMapping(MAPPING, OPPORTUNITY), []);
  const problems = checkStageMapping({ Won: 'Closed-Won' }, OPPORTUNITY);
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.path, 'deals.stageMapping.Won');
  assert.match(problems[0]!.message, /"Closed Won"/);
});

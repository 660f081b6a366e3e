import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideDealPush } from './decide-deal.js';
import {
  dealsToOverwrite,
  isDealHidden,
  PulledOpportunity,
  resolveDealPull,
  type DealPullAction,
  type ResolveDealPullInput,
} from './resolve-deal-pull.js';
import {
  ACCOUNT_ID,
  accountLink,
  deal,
  OPPORTUNITY,
  OPPORTUNITY_ID,
  opportunityLink,
  ORG,
  OTHER_ORG,
  settingsWith,
  sfId,
} from './activity-test-fixtures.js';

const MAPPING = { Negotiation: 'Negotiation/Review', Won: 'Closed Won' };
const sync = (dealSync: string, extra: Record<string, unknown> = {}) =>
  settingsWith({ deals: { dealSync, stageMapping: MAPPING, ...extra } });

const STAMP = '2026-11-01T10:00:00.000+0000';
const LATER = '2026-11-02T08:00:00.000+0000';

const row = (over: Record<string, unknown> = {}): PulledOpportunity =>
  PulledOpportunity.parse({
    Id: OPPORTUNITY_ID,
    SystemModstamp: LATER,
    Name: 'Acme renewal',
    Amount: 13000,
    CloseDate: '2027-01-31',
    StageName: 'Closed Won',
    AccountId: ACCOUNT_ID,
    ...over,
  });

function pull(over: Partial<ResolveDealPullInput> = {}): DealPullAction[] {
  return resolveDealPull({
    settings: sync('pull'),
    orgId: ORG,
    rows: [row()],
    links: [accountLink()],
    ...over,
  });
}

function only<A extends DealPullAction['action']>(
  actions: DealPullAction[],
  action: A,
): Extract<DealPullAction, { action: A }> {
  assert.equal(actions.length, 1);
  const a = actions[0]!;
  assert.equal(a.action, action, `expected ${action}, got ${a.action}: ${a.reason}`);
  return a as Extract<DealPullAction, { action: A }>;
}

test('D3: deal sync "pull" creates a local deal from a new Opportunity, origin salesforce, stage read back through the mapping', () => {
  const a = only(pull(), 'create_local');
  assert.deepEqual(a.fields, { name: 'Acme renewal', amount: 13000, closeDate: '2027-01-31', stage: 'Won' });
  assert.equal(a.origin, 'salesforce');
  assert.deepEqual(a.company, { via: 'account', companyId: 'c1' });
  assert.equal(a.systemModstamp, LATER);
  assert.deepEqual(a.rules, ['D3']);
  assert.equal(only(pull({ settings: sync('push') }), 'ignore').rules[0], 'D4');
});

test('D1: bidirectional sync updates a linked deal from its changed Opportunity; push-only ignores it', () => {
  const links = [accountLink(), opportunityLink({ systemModstamp: STAMP })];
  const a = only(pull({ settings: sync('bidirectional'), links }), 'update_local');
  assert.equal(a.localId, 'd1');
  assert.equal(a.fields.amount, 13000);
  assert.ok(a.rules.includes('D1'));
  assert.match(a.reason, /source of truth/);
  const push = only(pull({ settings: sync('push'), links }), 'ignore');
  assert.match(push.reason, /not pulled/);
});

test('D2: deal sync off pulls nothing and keeps what was pulled: even a deletion leaves the local deal alone', () => {
  const links = [opportunityLink({ systemModstamp: STAMP })];
  const off = pull({
    settings: sync('off'),
    links,
    rows: [row(), row({ Id: sfId('006', 2), IsDeleted: true })],
  });
  assert.deepEqual(
    off.map((a) => [a.action, a.rules]),
    [
      ['ignore', ['D2']],
      ['ignore', ['D2']],
    ],
  );
  assert.match(off[0]!.reason, /already pulled stay/);
  const on = pull({ settings: sync('pull'), links, deletedIds: [OPPORTUNITY_ID], rows: [] });
  assert.equal(only(on, 'mark_link').state, 'deleted_in_salesforce');
});

test('D5: with "hide deals" on a pulled deal is created hidden; off it is visible; either way it is created', () => {
  const hidden = only(pull({ settings: sync('pull', { hideDeals: true }) }), 'create_local');
  assert.equal(hidden.hidden, true);
  assert.ok(hidden.rules.includes('D5'));
  assert.match(hidden.reason, /still updated and pushed/);
  const shown = only(pull({ settings: sync('pull', { hideDeals: false }) }), 'create_local');
  assert.equal(shown.hidden, false);
});

test('D5: only deals that came from Salesforce are hidden, and hidden deals are still updated and still pushed', () => {
  const on = sync('bidirectional', { hideDeals: true });
  const off = sync('bidirectional', { hideDeals: false });
  assert.equal(isDealHidden({ origin: 'salesforce' }, on), true);
  assert.equal(isDealHidden({ origin: 'salesforce' }, off), false);
  assert.equal(isDealHidden({ origin: 'local' }, on), false);
  const links = [accountLink(), opportunityLink({ systemModstamp: STAMP })];
  assert.equal(only(pull({ settings: on, links }), 'update_local').localId, 'd1');
  const pulled = deal({ origin: 'salesforce', stage: 'Won' });
  const push = decideDealPush({
    deal: pulled,
    link: opportunityLink({ systemModstamp: STAMP, snapshot: { StageName: 'Negotiation/Review' } }),
    settings: on,
    orgId: ORG,
    company: null,
    people: [],
    describe: OPPORTUNITY,
    current: { SystemModstamp: STAMP, fields: {} },
    trigger: 'change',
  });
  assert.equal(push.action, 'update');
});

test('P2: a pulled Opportunity with the SystemModstamp of crmsync own write is not pulled back; a later one is', () => {
  const own = [accountLink(), opportunityLink({ systemModstamp: LATER })];
  const echo = only(pull({ links: own }), 'ignore');
  assert.deepEqual(echo.rules, ['P2']);
  const other = [accountLink(), opportunityLink({ systemModstamp: STAMP })];
  only(pull({ links: other }), 'update_local');
});

test('D1: turning bidirectional sync on overwrites every linked deal once; saving it again or another mode does not', () => {
  const links = [
    opportunityLink({ systemModstamp: LATER }),
    opportunityLink({ localId: 'd2', sfId: sfId('006', 2) }),
    opportunityLink({ localId: 'd3', sfId: sfId('006', 3), state: 'deleted_in_salesforce' }),
    opportunityLink({ localId: 'd4', sfId: sfId('006', 4), orgId: OTHER_ORG }),
    accountLink(),
  ];
  const on = dealsToOverwrite({ before: sync('push'), after: sync('bidirectional'), orgId: ORG, links });
  assert.equal(on.overwrite, true);
  if (on.overwrite) assert.deepEqual(on.sfIds, [OPPORTUNITY_ID, sfId('006', 2)]);
  assert.match(on.reason, /2 linked deals are overwritten/);
  assert.equal(
    dealsToOverwrite({ before: sync('bidirectional'), after: sync('bidirectional'), orgId: ORG, links })
      .overwrite,
    false,
  );
  assert.equal(
    dealsToOverwrite({ before: sync('off'), after: sync('pull'), orgId: ORG, links }).overwrite,
    false,
  );
  // The overwrite pull applies Salesforce's values even to crmsync's own last write.
  const forced = only(pull({ settings: sync('bidirectional'), links, overwrite: true }), 'update_local');
  assert.match(forced.reason, /overwritten from Salesforce once/);
  assert.equal(only(pull({ settings: sync('bidirectional'), links }), 'ignore').rules[0], 'P2');
});

test('D3: a StageName no mapping names is kept as the local stage; an Opportunity without Account gives no company', () => {
  const a = only(pull({ rows: [row({ StageName: 'Closed Lost', AccountId: null })] }), 'create_local');
  assert.equal(a.fields.stage, 'Closed Lost');
  assert.deepEqual(a.company, { via: 'none' });
  const unlinked = only(pull({ rows: [row({ AccountId: sfId('001', 9) })], links: [] }), 'create_local');
  assert.deepEqual(unlinked.company, { via: 'account_not_linked', accountSfId: sfId('001', 9) });
});

test('D3: a deleted Opportunity marks the link, and one never linked is ignored', () => {
  const links = [opportunityLink()];
  const rows = [row({ IsDeleted: true }), row({ Id: sfId('006', 5), IsDeleted: true })];
  const actions = pull({ links, rows, deletedIds: [OPPORTUNITY_ID] });
  assert.deepEqual(
    actions.map((a) => a.action),
    ['mark_link', 'ignore'],
  );
});

test('D3: a row whose link is marked deleted is not pulled, and a link of another org counts as no link', () => {
  const gone = [opportunityLink({ state: 'deleted_in_salesforce' })];
  const a = only(pull({ links: gone }), 'ignore');
  assert.match(a.reason, /marked deleted in Salesforce/);
  const old = [opportunityLink({ orgId: OTHER_ORG })];
  only(pull({ links: old }), 'create_local');
});

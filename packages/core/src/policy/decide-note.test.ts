import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Meeting, MeetingSummary, Note } from '../model/activities.js';
import type { ActivityAction, ActivityContext, ActivityDecision } from './activity-decision.js';
import { decideActivityPush } from './decide-activity.js';
import {
  ACCOUNT_ID,
  accountLink,
  acme,
  ada,
  CONTACT_ID,
  context,
  deal,
  link,
  linkedAda,
  meeting,
  NOTE,
  note,
  OPPORTUNITY_ID,
  opportunityLink,
  settingsWith,
  sfId,
  summary,
} from './activity-test-fixtures.js';

const NOTES_ON = settingsWith({ activities: { notes: { pushNotes: true } } });
const summaries = (dealSync = 'push', on = true) =>
  settingsWith({ deals: { dealSync }, activities: { meetingSummaries: { pushMeetingSummaries: on } } });

function decideNote(over: Partial<ActivityContext> & { record?: Note } = {}): ActivityDecision {
  return decideActivityPush({
    ...context({ settings: NOTES_ON, people: linkedAda(), describe: NOTE }),
    kind: 'note',
    record: note(),
    ...over,
  });
}

const linkedDeal = () => ({ record: deal(), link: opportunityLink() });

function decideSummary(
  over: Partial<ActivityContext> & { record?: MeetingSummary; meeting?: Meeting | null } = {},
): ActivityDecision {
  return decideActivityPush({
    ...context({ settings: summaries(), describe: NOTE, deal: linkedDeal() }),
    kind: 'meeting_summary',
    record: summary(),
    meeting: meeting({ dealId: 'd1' }),
    ...over,
  });
}

function expect<A extends ActivityAction>(
  d: ActivityDecision,
  action: A,
): Extract<ActivityDecision, { action: A }> {
  assert.equal(d.action, action, `expected ${action}, got ${d.action}: ${d.reason}`);
  return d as Extract<ActivityDecision, { action: A }>;
}

// --- E7 notes --------------------------------------------------------------------------------

test('E7: with push notes on a note becomes a Note on its linked person; off it is skipped', () => {
  const d = expect(decideNote(), 'create');
  assert.equal(d.object, 'Note');
  assert.deepEqual(d.fields, { ParentId: CONTACT_ID, Title: 'Call prep', Body: 'Ask about budget' });
  assert.ok(d.rules.includes('E7'));
  const off = expect(decideNote({ settings: settingsWith() }), 'skip');
  assert.equal(off.code, 'push_notes_off');
});

test('E7: without a linked person the note goes on the company, then the deal; with none in Salesforce it is skipped', () => {
  const unlinked = [{ record: ada(), link: null }];
  const onCompany = expect(
    decideNote({
      people: unlinked,
      record: note({ companyId: 'c1', dealId: 'd1' }),
      company: { record: acme(), link: accountLink() },
      deal: linkedDeal(),
    }),
    'create',
  );
  assert.equal(onCompany.fields.ParentId, ACCOUNT_ID);
  const onDeal = expect(
    decideNote({ people: unlinked, record: note({ dealId: 'd1' }), deal: linkedDeal() }),
    'create',
  );
  assert.equal(onDeal.fields.ParentId, OPPORTUNITY_ID);
  const nowhere = expect(decideNote({ people: unlinked }), 'skip');
  assert.equal(nowhere.code, 'no_linked_record');
  assert.match(nowhere.reason, /Note n1 .*needs a parent/);
});

test('E7: an untitled note takes the first line of its body as Title, cut to 80; a 100,000-character body is cut to 32,000', () => {
  const d = expect(
    decideNote({
      record: note({ title: '  ', body: `\n  ${'t'.repeat(200)}\nsecond line${'b'.repeat(100_000 - 220)}` }),
    }),
    'create',
  );
  assert.equal(d.fields.Title, 't'.repeat(80));
  assert.equal((d.fields.Body as string).length, 32_000);
  assert.equal(d.notes.filter((n) => n.code === 'text_truncated').length, 2);
});

test('E12: a linked note updates its Note without moving its ParentId; a Note of another org is created anew', () => {
  const noteLink = link({
    localType: 'note',
    localId: 'n1',
    sfObject: 'Note',
    sfId: sfId('002', 1),
    snapshot: { ParentId: CONTACT_ID, Title: 'Call prep', Body: 'old' },
  });
  const d = expect(decideNote({ link: noteLink, record: note({ personId: 'p1' }) }), 'update');
  assert.deepEqual(d.fields, { Body: 'Ask about budget' });
  const old = link({
    localType: 'note',
    localId: 'n1',
    sfObject: 'Note',
    sfId: sfId('002', 1),
    orgId: '00D000000000002AAA',
  });
  expect(decideNote({ link: old }), 'create');
});

// --- E11 meeting summaries -------------------------------------------------------------------

test("E11: with push meeting summaries on a summary becomes a Note on the meeting's deal's Opportunity; off it is skipped", () => {
  const d = expect(decideSummary(), 'create');
  assert.deepEqual(d.fields, {
    ParentId: OPPORTUNITY_ID,
    Title: 'Meeting summary: Demo',
    Body: 'Agreed on a pilot',
  });
  assert.ok(d.rules.includes('E11'));
  const off = expect(decideSummary({ settings: summaries('push', false) }), 'skip');
  assert.equal(off.code, 'push_meeting_summaries_off');
});

test('E11: a summary without a linked deal is skipped with a reason; linked, it is pushed', () => {
  const unlinked = expect(decideSummary({ deal: { record: deal(), link: null } }), 'skip');
  assert.equal(unlinked.code, 'deal_not_linked');
  assert.match(unlinked.reason, /deal d1 is not linked to an Opportunity/);
  expect(decideSummary(), 'create');
});

test('E11: a summary of a meeting with no deal is skipped naming the meeting', () => {
  const d = expect(decideSummary({ meeting: meeting({ dealId: null }), deal: null }), 'skip');
  assert.equal(d.code, 'meeting_has_no_deal');
  assert.match(d.reason, /meeting mt1 has no deal/);
});

test('E11: any deal sync but off lets a summary onto a linked deal; off it is skipped', () => {
  for (const mode of ['push', 'pull', 'bidirectional'])
    expect(decideSummary({ settings: summaries(mode) }), 'create');
  const off = expect(decideSummary({ settings: summaries('off') }), 'skip');
  assert.equal(off.code, 'deal_not_linked');
  assert.ok(off.rules.includes('D2'));
});

test('E11: a summary given the wrong meeting, or a meeting of another workspace, is refused', () => {
  assert.equal(
    expect(decideSummary({ meeting: meeting({ id: 'mt9', dealId: 'd1' }) }), 'skip').code,
    'invalid_input',
  );
  assert.equal(
    expect(decideSummary({ meeting: meeting({ workspaceId: 'w2', dealId: 'd1' }) }), 'skip').code,
    'other_workspace',
  );
  assert.equal(expect(decideSummary({ record: { ...summary(), text: '' } }), 'skip').code, 'invalid_input');
});

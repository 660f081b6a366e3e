import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Meeting } from '../model/activities.js';
import type { ActivityAction, ActivityContext, ActivityDecision } from './activity-decision.js';
import { decideActivityPush } from './decide-activity.js';
import {
  accountLink,
  acme,
  contactCandidate,
  CONTACT_ID,
  context,
  EVENT,
  leadLink,
  ada,
  link,
  linkedAda,
  meeting,
  settingsWith,
  sfId,
} from './activity-test-fixtures.js';

const meetings = (over: Record<string, unknown> = {}) =>
  settingsWith({ activities: { meetings: { pushMeetings: true, ...over } } });
const ON = meetings();
const ALL = meetings({ pushAllCalendarEvents: true });

function decide(over: Partial<ActivityContext> & { record?: Meeting } = {}): ActivityDecision {
  return decideActivityPush({
    ...context({ settings: ON, people: linkedAda(), describe: EVENT }),
    kind: 'meeting',
    record: meeting(),
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

test('E10: with push meetings on a meeting scheduled through the app becomes an Event with its attendee related; off it is skipped', () => {
  const d = expect(decide(), 'create');
  assert.equal(d.object, 'Event');
  assert.deepEqual(d.fields, {
    Subject: 'Demo',
    Description: 'Product demo',
    StartDateTime: '2026-11-30T10:00:00.000Z',
    EndDateTime: '2026-11-30T10:30:00.000Z',
    WhoId: CONTACT_ID,
  });
  assert.deepEqual(d.relations, [
    { via: 'existing', object: 'Contact', id: CONTACT_ID, email: 'ada@acme.com', personId: 'p1' },
  ]);
  assert.ok(d.rules.includes('E10'));
  assert.equal(expect(decide({ settings: settingsWith() }), 'skip').code, 'push_meetings_off');
});

test('E10: a meeting with no attendee in Salesforce is skipped; with "push all calendar events" the attendees are created as C4 says', () => {
  const people = [{ record: ada(), link: null }];
  const record = meeting({ attendees: ['jane@team.io', 'ada@acme.com', 'Bob <bob@beta.com>'] });
  const off = expect(decide({ people, record }), 'skip');
  assert.equal(off.code, 'no_attendee_in_salesforce');
  assert.match(off.reason, /ada@acme\.com, bob@beta\.com/);
  const on = expect(decide({ people, record, settings: ALL }), 'create');
  assert.deepEqual(on.relations, [
    { via: 'create', object: 'Contact', email: 'ada@acme.com', personId: 'p1' },
    { via: 'create', object: 'Contact', email: 'bob@beta.com', personId: null },
  ]);
  assert.equal(on.fields.WhoId, undefined);
  assert.ok(on.rules.includes('C4'));
  assert.ok(on.notes.some((n) => n.code === 'who_to_create' && n.rule === 'E10'));
});

test('E10: a calendar event not scheduled through the app is skipped unless "push all calendar events" is on', () => {
  const record = meeting({ scheduledThroughApp: false });
  assert.equal(expect(decide({ record }), 'skip').code, 'not_scheduled_through_app');
  expect(decide({ record, settings: ALL }), 'create');
});

test('E10: attendees found and missing: without "push all" the missing are noted, not created; mailbox-domain addresses are never created', () => {
  const workspace = { id: 'w1', mailboxDomains: ['team.io', 'outlook.com'] };
  const record = meeting({
    attendees: ['jane@team.io', 'ada@acme.com', 'carl@beta.com', 'partner@OUTLOOK.com'],
  });
  const some = expect(decide({ workspace, record }), 'create');
  assert.deepEqual(
    some.relations.map((r) => r.via),
    ['existing'],
  );
  assert.ok(
    some.notes.some(
      (n) =>
        n.code === 'attendee_not_in_salesforce' && /carl@beta\.com, partner@OUTLOOK\.com/.test(n.message),
    ),
  );
  const all = expect(decide({ workspace, record, settings: ALL }), 'create');
  assert.deepEqual(
    all.relations.map((r) => [r.via, r.email]),
    [
      ['existing', 'ada@acme.com'],
      ['create', 'carl@beta.com'],
    ],
  );
  assert.ok(all.notes.some((n) => /partner@OUTLOOK\.com.*never created/.test(n.message)));
});

test('E10: an attendee found by the X1 lookup is related; a Lead WhoId leaves the Event without WhatId', () => {
  const candidates = [contactCandidate(7, 'bob@beta.com')];
  const d = expect(
    decide({ people: [], candidates, record: meeting({ attendees: ['bob@beta.com'] }) }),
    'create',
  );
  assert.equal(d.fields.WhoId, sfId('003', 7));
  const base = { record: meeting({ companyId: 'c1' }), company: { record: acme(), link: accountLink() } };
  const lead = expect(decide({ ...base, people: [{ record: ada(), link: leadLink() }] }), 'create');
  assert.equal(lead.fields.WhatId, undefined);
  assert.equal(expect(decide(base), 'create').fields.WhatId, accountLink().sfId);
});

test('E10: a meeting that ends before it starts is refused naming the record and the end field', () => {
  const bad = { ...meeting(), end: '2026-11-30T09:00:00Z' } as Meeting;
  const d = expect(decide({ record: bad }), 'skip');
  assert.equal(d.code, 'invalid_input');
  assert.match(d.reason, /Meeting mt1 was not sent: end a meeting cannot end before it starts/);
  expect(decide({ record: { ...meeting(), end: meeting().start } }), 'create');
});

test('E12: a linked meeting updates its Event; relations are listed for the engine to add the missing ones', () => {
  const eventLink = link({
    localType: 'meeting',
    localId: 'mt1',
    sfObject: 'Event',
    sfId: sfId('00U', 1),
    snapshot: {
      Subject: 'Demo',
      Description: 'Product demo',
      StartDateTime: '2026-11-30T10:00:00.000Z',
      EndDateTime: '2026-11-30T10:30:00.000Z',
      WhoId: CONTACT_ID,
    },
  });
  const d = expect(decide({ link: eventLink, record: meeting({ end: '2026-11-30T11:00:00Z' }) }), 'update');
  assert.deepEqual(d.fields, { EndDateTime: '2026-11-30T11:00:00.000Z' });
  assert.equal(d.relations.length, 1);
  const created = expect(decide({ hasExternalIdField: false }), 'create');
  assert.equal(created.plan.mode, 'create_with_intent');
});

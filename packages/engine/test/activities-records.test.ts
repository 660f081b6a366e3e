import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Deal } from '@crmsync/core';
import { ingestActivities } from '../src/push/activities/ingest.js';
import {
  activityLog,
  activityWorkspace,
  email,
  ingestActs,
  SENT_AT,
  tasksWithSubject,
  type Row,
} from './activities-harness.js';
import {
  drain,
  ingestAll,
  person,
  startEmulatorProcess,
  type EmulatorProcess,
  type Harness,
} from './harness.js';

/*
 * Notes, tasks, calls, meetings and meeting summaries end to end (E5, E7-E11), bad input refused
 * with the record and field named, and X4 for activities on an org without Crmsync_Id__c.
 */

let emu: EmulatorProcess;
before(async () => {
  emu = await startEmulatorProcess();
});
after(() => emu.close());

async function contactOf(h: Harness, id: string, address: string): Promise<string> {
  await ingestAll(h, 'person', [person(id, { email: address, firstName: 'Ada', lastName: 'Lovelace' })]);
  await drain(h);
  const [row] = await h.soql<Row>(`SELECT Id FROM Contact WHERE Email = '${address}'`);
  return row!.Id;
}

test("E7: with push notes on a note becomes a Note on its person's Contact; off, nothing is sent", async (t) => {
  for (const pushNotes of [true, false]) {
    const h = await activityWorkspace(t, emu, {
      settings: { contacts: { pushContacts: true }, activities: { notes: { pushNotes } } },
    });
    const contactId = await contactOf(h, 'p1', 'ada@customer.test');
    await ingestActs(h, 'note', [
      { id: 'n1', personId: 'p1', title: 'Call prep', body: 'Ask about budget', createdAt: SENT_AT },
    ]);
    await drain(h);
    const notes = await h.soql<Row>(`SELECT Id, ParentId, Title, Body FROM Note`);
    if (pushNotes) {
      assert.deepEqual(
        notes.map((n) => [n.ParentId, n.Title, n.Body]),
        [[contactId, 'Call prep', 'Ask about budget']],
      );
    } else {
      assert.equal(notes.length, 0);
      const [entry] = await activityLog(h, 'note', 'n1');
      assert.equal(entry?.action, 'not_eligible');
      assert.deepEqual(entry?.rules, ['E7']);
    }
  }
});

test('E8, E5: a task becomes a Task with the template subject, due date, status and priority; off, nothing is sent', async (t) => {
  for (const pushTasks of [true, false]) {
    const h = await activityWorkspace(t, emu, {
      settings: {
        contacts: { pushContacts: true },
        activities: { tasks: { pushTasks, titleTemplate: 'To do: {{ title }} for {{ person.name }}' } },
      },
    });
    const contactId = await contactOf(h, 'p1', 'ada@customer.test');
    await ingestActs(h, 'task', [
      {
        id: 't1',
        personId: 'p1',
        title: 'Send quote',
        dueDate: '2026-12-01',
        priority: 'high',
        status: 'open',
      },
    ]);
    await drain(h);
    const tasks = await tasksWithSubject(h, 'To do: Send quote for Ada Lovelace');
    if (!pushTasks) {
      assert.equal(tasks.length, 0);
      continue;
    }
    assert.equal(tasks.length, 1);
    assert.equal(tasks[0]!.WhoId, contactId);
    assert.equal(tasks[0]!.ActivityDate, '2026-12-01');
    assert.equal(tasks[0]!.Priority, 'High');
    assert.equal(tasks[0]!.Status, 'Not Started');
    assert.equal(tasks[0]!.TaskSubtype, 'Task');
  }
});

test('E9, E5: a call becomes a completed call Task with duration, call type, disposition and the default subject; off, nothing is sent', async (t) => {
  for (const pushCalls of [true, false]) {
    const h = await activityWorkspace(t, emu, {
      settings: { contacts: { pushContacts: true }, activities: { calls: { pushCalls } } },
    });
    const contactId = await contactOf(h, 'p1', 'ada@customer.test');
    await ingestActs(h, 'call', [
      {
        id: 'c1',
        personId: 'p1',
        direction: 'outbound',
        durationSeconds: 125,
        outcome: 'Connected',
        notes: 'Good call',
        calledAt: SENT_AT,
      },
    ]);
    await drain(h);
    const tasks = await tasksWithSubject(h, 'Call: Connected with Ada Lovelace');
    if (!pushCalls) {
      assert.equal(tasks.length, 0);
      continue;
    }
    assert.equal(tasks.length, 1);
    const [task] = tasks;
    assert.equal(task!.WhoId, contactId);
    assert.equal(task!.TaskSubtype, 'Call');
    assert.equal(task!.Status, 'Completed');
    assert.equal(task!.CallDurationInSeconds, 125);
    assert.equal(task!.CallType, 'Outbound');
    assert.equal(task!.CallDisposition, 'Connected');
    assert.equal(task!.Description, 'Good call');
  }
});

test('E10, E12: a meeting scheduled through the app becomes an Event with its attendees as EventRelations (a re-sync adds new ones); a calendar event needs push all calendar events, which also creates missing attendees', async (t) => {
  for (const pushAllCalendarEvents of [false, true]) {
    const h = await activityWorkspace(t, emu, {
      workspace: { mailboxDomains: ['acme.test'] },
      settings: {
        contacts: { pushContacts: true },
        activities: { meetings: { pushMeetings: true, pushAllCalendarEvents } },
      },
    });
    const ada = await contactOf(h, 'p1', 'ada@customer.test');
    const meeting = (id: string, over: Record<string, unknown>) => ({
      id,
      start: '2026-12-02T15:00:00Z',
      end: '2026-12-02T15:30:00Z',
      attendees: ['rep@acme.test', 'ada@customer.test', 'newcomer@customer.test'],
      ...over,
    });
    await ingestActs(h, 'meeting', [
      meeting('app', { scheduledThroughApp: true, title: 'Demo' }),
      meeting('cal', { scheduledThroughApp: false, title: 'Calendar sync' }),
    ]);
    await drain(h);
    const [demo] = await h.soql<Row>(
      `SELECT Id, WhoId, StartDateTime, EndDateTime FROM Event WHERE Subject = 'Demo'`,
    );
    assert.ok(demo !== undefined);
    assert.equal(demo.WhoId, ada);
    assert.equal(Date.parse(String(demo.EndDateTime)) - Date.parse(String(demo.StartDateTime)), 30 * 60_000);
    const relations = async (eventId: string) =>
      (await h.soql<Row>(`SELECT RelationId FROM EventRelation WHERE EventId = '${eventId}'`))
        .map((r) => r.RelationId)
        .sort();
    const cal = await h.soql<Row>(`SELECT Id FROM Event WHERE Subject = 'Calendar sync'`);
    const newcomer = await h.soql<Row>(`SELECT Id FROM Contact WHERE Email = 'newcomer@customer.test'`);
    assert.equal(
      (await h.soql<Row>(`SELECT Id FROM Contact WHERE Email = 'rep@acme.test'`)).length,
      0,
      'the team is never created',
    );
    if (!pushAllCalendarEvents) {
      assert.equal(cal.length, 0);
      assert.equal(newcomer.length, 0);
      assert.deepEqual(await relations(demo.Id), [ada]);
      const [skip] = await activityLog(h, 'meeting', 'cal');
      assert.equal((skip?.payload as { code: string }).code, 'not_scheduled_through_app');
      // A re-synced meeting with one more attendee: the same Event, the new attendee related once.
      const bob = await contactOf(h, 'p2', 'bob@customer.test');
      const again = meeting('app', { scheduledThroughApp: true, title: 'Demo' });
      await ingestActs(h, 'meeting', [{ ...again, attendees: [...again.attendees, 'bob@customer.test'] }]);
      await drain(h);
      assert.equal((await h.soql<Row>(`SELECT Id FROM Event WHERE Subject = 'Demo'`)).length, 1);
      assert.deepEqual(await relations(demo.Id), [ada, bob].sort());
    } else {
      assert.equal(cal.length, 1);
      assert.equal(newcomer.length, 1, 'the missing attendee is created as C4 says');
      assert.deepEqual(await relations(cal[0]!.Id), [ada, newcomer[0]!.Id].sort());
    }
  }
});

async function linkedDeal(h: Harness, opportunityId: string | null, id = 'd1'): Promise<void> {
  await h.store.transaction(h.workspaceId, async (tx) => {
    await tx.records.upsert(
      'deal',
      Deal.parse({ id, workspaceId: h.workspaceId, name: 'Big deal', stage: 'Prospecting' }),
    );
    if (opportunityId !== null)
      await tx.links.put({
        localType: 'deal',
        localId: id,
        orgId: h.org.orgId,
        sfObject: 'Opportunity',
        sfId: opportunityId,
        snapshot: {},
      });
  });
}

test("E11: a meeting summary becomes a Note on the Opportunity of the meeting's linked deal; no deal, an unlinked deal or deal sync off is a skip with its reason", async (t) => {
  const seed = { Opportunity: [{ Name: 'Big deal', StageName: 'Prospecting', CloseDate: '2026-12-31' }] };
  const h = await activityWorkspace(t, emu, {
    seed,
    settings: {
      deals: { dealSync: 'push' },
      activities: { meetingSummaries: { pushMeetingSummaries: true } },
    },
  });
  const [opp] = await h.soql<Row>(`SELECT Id FROM Opportunity`);
  await linkedDeal(h, opp!.Id);
  await linkedDeal(h, null, 'd-unlinked');
  const meetings = [
    { id: 'm1', dealId: 'd1', start: SENT_AT, end: SENT_AT, title: 'Kickoff', scheduledThroughApp: true },
    { id: 'm2', start: SENT_AT, end: SENT_AT, title: 'No deal' },
    { id: 'm3', dealId: 'd-unlinked', start: SENT_AT, end: SENT_AT, title: 'Unlinked deal' },
  ];
  await ingestActs(h, 'meeting', meetings);
  await ingestActs(h, 'meeting_summary', [
    { id: 's1', meetingId: 'm1', text: 'They want a pilot.' },
    { id: 's2', meetingId: 'm2', text: 'Nothing.' },
    { id: 's3', meetingId: 'm3', text: 'Not yet.' },
  ]);
  await drain(h);
  const notes = await h.soql<Row>(`SELECT ParentId, Title, Body FROM Note`);
  assert.deepEqual(notes, [
    { ParentId: opp!.Id, Title: 'Meeting summary: Kickoff', Body: 'They want a pilot.' },
  ]);
  const [s2] = await activityLog(h, 'meeting_summary', 's2');
  assert.equal((s2?.payload as { code: string }).code, 'meeting_has_no_deal');
  const [s3] = await activityLog(h, 'meeting_summary', 's3');
  assert.equal((s3?.payload as { code: string }).code, 'deal_not_linked');

  const off = await activityWorkspace(t, emu, {
    seed,
    settings: {
      deals: { dealSync: 'off' },
      activities: { meetingSummaries: { pushMeetingSummaries: true } },
    },
  });
  const [offOpp] = await off.soql<Row>(`SELECT Id FROM Opportunity`);
  await linkedDeal(off, offOpp!.Id);
  await ingestActs(off, 'meeting', [meetings[0]!]);
  await ingestActs(off, 'meeting_summary', [{ id: 's1', meetingId: 'm1', text: 'They want a pilot.' }]);
  await drain(off);
  assert.equal((await off.soql<Row>(`SELECT Id FROM Note`)).length, 0);
  const [offSkip] = await activityLog(off, 'meeting_summary', 's1');
  assert.equal((offSkip?.payload as { code: string }).code, 'deal_not_linked');
});

test('E6, E9, E10, X6: bad input is refused naming the record and field (no recipient, meeting ending before it starts, negative duration, a person of another workspace); a 100,000-character body is cut to the field', async (t) => {
  const h = await activityWorkspace(t, emu, {
    workspace: { mailboxDomains: ['acme.test'] },
    settings: {
      contacts: { pushContacts: true },
      activities: { emails: { pushEmails: true, kinds: { outgoingSentThroughApp: true } } },
    },
  });
  const other = await activityWorkspace(t, emu, {
    storeOf: h,
    org: h.org,
    workspaceId: `${h.workspaceId}-b`,
  });
  await ingestAll(other, 'person', [person('foreign', { email: 'foreign@else.test' })]);
  await contactOf(h, 'p1', 'buyer@customer.test');

  const results = await ingestActivities(h.deps, h.workspaceId, [
    { type: 'email', op: 'upsert', data: email('no-rcpt', { to: [] }) },
    {
      type: 'meeting',
      op: 'upsert',
      data: { id: 'backwards', start: '2026-12-02T15:00:00Z', end: '2026-12-02T14:00:00Z' },
    },
    {
      type: 'call',
      op: 'upsert',
      data: { id: 'neg', direction: 'inbound', durationSeconds: -5, calledAt: SENT_AT },
    },
    {
      type: 'note',
      op: 'upsert',
      data: { id: 'foreign-note', personId: 'foreign', body: 'x', createdAt: SENT_AT },
    },
    { type: 'email', op: 'upsert', data: email('long', { body: 'x'.repeat(100_000), subject: 'Long one' }) },
  ]);
  const refusal = (i: number) => results[i] as Extract<(typeof results)[number], { ok: false }>;
  assert.equal(refusal(0).ok, false);
  assert.match(refusal(0).message, /Email no-rcpt \(row 1\).*to: an email needs at least one recipient/);
  assert.match(refusal(1).message, /Meeting backwards \(row 2\).*end: a meeting cannot end before it starts/);
  assert.match(refusal(2).message, /Call neg \(row 3\).*durationSeconds: must not be negative/);
  assert.match(
    refusal(3).message,
    /Note foreign-note \(row 4\).*personId: names person foreign, which is not a person of this workspace/,
  );
  assert.equal(results[4]!.ok, true, 'the good row of the file is kept');

  await drain(h);
  const [task] = await tasksWithSubject(h, 'Email: Long one');
  assert.equal(String(task!.Description).length, 32_000);
  const [entry] = await activityLog(h, 'email', 'long');
  assert.ok(entry?.rules.includes('X6'));
  assert.equal(await h.store.workspace(h.workspaceId).records.get('note', 'foreign-note'), null);
});

test('X4, E12: on an org without Crmsync_Id__c, Tasks, Events and Notes are created with a recorded intent, and a re-sync updates them', async (t) => {
  const h = await activityWorkspace(t, emu, {
    externalId: false,
    workspace: { mailboxDomains: ['acme.test'] },
    settings: {
      contacts: { pushContacts: true },
      activities: {
        emails: { pushEmails: true, kinds: { outgoingSentThroughApp: true } },
        notes: { pushNotes: true },
        meetings: { pushMeetings: true },
      },
    },
  });
  await contactOf(h, 'p1', 'buyer@customer.test');
  const rows = {
    email: [email('e1', { subject: 'No field' })],
    note: [{ id: 'n1', personId: 'p1', title: 'No field note', body: 'b', createdAt: SENT_AT }],
    meeting: [
      {
        id: 'm1',
        scheduledThroughApp: true,
        title: 'No field meeting',
        start: SENT_AT,
        end: SENT_AT,
        attendees: ['buyer@customer.test'],
      },
    ],
  } as const;
  for (const [type, list] of Object.entries(rows)) await ingestActs(h, type as 'email', list as never);
  await drain(h);
  const [entry] = await activityLog(h, 'email', 'e1');
  assert.equal(entry?.action, 'create');
  assert.ok(entry?.rules.includes('X4'));
  assert.deepEqual(
    await h.store.workspace(h.workspaceId).intents.list(h.org.orgId),
    [],
    'intents are cleared after the create',
  );

  await ingestActs(h, 'email', [email('e1', { subject: 'No field', body: 'second body' })]);
  await ingestActs(h, 'note', [{ ...rows.note[0], body: 'second note body' }]);
  await ingestActs(h, 'meeting', [
    { ...rows.meeting[0], title: 'No field meeting', end: '2026-11-20T11:00:00Z' },
  ]);
  await drain(h);
  const tasks = await tasksWithSubject(h, 'Email: No field');
  assert.equal(tasks.length, 1);
  assert.equal(tasks[0]!.Description, 'second body');
  const notes = await h.soql<Row>(`SELECT Body FROM Note`);
  assert.deepEqual(notes, [{ Body: 'second note body' }]);
  assert.equal((await h.soql<Row>(`SELECT Id FROM Event`)).length, 1);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Call } from '../model/activities.js';
import type { ActivityAction, ActivityDecision, ActivityContext } from './activity-decision.js';
import { decideActivityPush } from './decide-activity.js';
import {
  ACCOUNT_ID,
  accountLink,
  acme,
  ada,
  call,
  CONTACT_ID,
  context,
  deal,
  LEAD_ID,
  leadLink,
  link,
  linkedAda,
  OPPORTUNITY_ID,
  opportunityLink,
  settingsWith,
  sfId,
  task,
} from './activity-test-fixtures.js';
import type { Task } from '../model/activities.js';

const TASKS_ON = settingsWith({ activities: { tasks: { pushTasks: true } } });
const CALLS_ON = settingsWith({ activities: { calls: { pushCalls: true } } });

function decideTask(over: Partial<ActivityContext> & { record?: Task } = {}): ActivityDecision {
  return decideActivityPush({
    ...context({ settings: TASKS_ON, people: linkedAda() }),
    kind: 'task',
    record: task(),
    ...over,
  });
}
function decideCall(over: Partial<ActivityContext> & { record?: Call } = {}): ActivityDecision {
  return decideActivityPush({
    ...context({ settings: CALLS_ON, people: linkedAda() }),
    kind: 'call',
    record: call(),
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

// --- E8 tasks --------------------------------------------------------------------------------

test('E8: with push tasks on a task becomes a Task with the E5 subject, due date, status and priority; off it is skipped', () => {
  const d = expect(decideTask(), 'create');
  assert.deepEqual(d.fields, {
    Subject: 'Task: Send deck',
    ActivityDate: '2026-12-01',
    Status: 'Not Started',
    Priority: 'High',
    TaskSubtype: 'Task',
    WhoId: CONTACT_ID,
  });
  assert.ok(d.rules.includes('E8') && d.rules.includes('E5'));
  const off = expect(decideTask({ settings: settingsWith() }), 'skip');
  assert.equal(off.code, 'push_tasks_off');
});

test('E8: a completed task without a due date is sent Completed and without ActivityDate', () => {
  const d = expect(
    decideTask({ record: task({ status: 'completed', dueDate: null, priority: 'low' }) }),
    'create',
  );
  assert.deepEqual(
    [d.fields.Status, d.fields.Priority, 'ActivityDate' in d.fields],
    ['Completed', 'Low', false],
  );
});

test('E8: the task template is the admin one, with person, company and deal variables', () => {
  const s = settingsWith({
    activities: {
      tasks: {
        pushTasks: true,
        titleTemplate: '{{ title | upcase }} for {{ company.name }} ({{ deal.name }})',
      },
    },
  });
  const d = expect(
    decideTask({
      settings: s,
      record: task({ companyId: 'c1', dealId: 'd1' }),
      company: { record: acme(), link: accountLink() },
      deal: { record: deal(), link: opportunityLink() },
    }),
    'create',
  );
  assert.equal(d.fields.Subject, 'SEND DECK for Acme (Acme renewal)');
  assert.equal(d.fields.WhatId, OPPORTUNITY_ID);
});

test('E8: a task about nothing in Salesforce is skipped saying what to push first; the same task on a linked company is pushed', () => {
  const unlinked = [{ record: ada(), link: null }];
  const d = expect(decideTask({ people: unlinked }), 'skip');
  assert.equal(d.code, 'no_linked_record');
  assert.match(d.reason, /person p1 is not in Salesforce/);
  const onCompany = expect(
    decideTask({
      people: unlinked,
      record: task({ companyId: 'c1' }),
      company: { record: acme(), link: accountLink() },
    }),
    'create',
  );
  assert.deepEqual([onCompany.fields.WhoId, onCompany.fields.WhatId], [undefined, ACCOUNT_ID]);
});

test('E8: a task on a Lead gets no WhatId even when its company is in Salesforce', () => {
  const base = { record: task({ companyId: 'c1' }), company: { record: acme(), link: accountLink() } };
  const lead = expect(decideTask({ ...base, people: [{ record: ada(), link: leadLink() }] }), 'create');
  assert.deepEqual([lead.fields.WhoId, lead.fields.WhatId], [LEAD_ID, undefined]);
  const contact = expect(decideTask(base), 'create');
  assert.equal(contact.fields.WhatId, ACCOUNT_ID);
});

test('E12: a linked task updates its Task with what changed, clearing a removed due date; unlinked it is created', () => {
  const snapshot = {
    Subject: 'Task: Send deck',
    ActivityDate: '2026-12-01',
    Status: 'Not Started',
    Priority: 'High',
    TaskSubtype: 'Task',
    WhoId: CONTACT_ID,
  };
  const taskLink = link({
    localType: 'task',
    localId: 't1',
    sfObject: 'Task',
    sfId: sfId('00T', 3),
    snapshot,
  });
  const d = expect(
    decideTask({ link: taskLink, record: task({ status: 'completed', dueDate: null }) }),
    'update',
  );
  assert.equal(d.sfId, sfId('00T', 3));
  assert.deepEqual(d.fields, { ActivityDate: null, Status: 'Completed' });
  const wrong = link({ localType: 'task', localId: 't1', sfObject: 'Event', sfId: sfId('00U', 3) });
  assert.equal(expect(decideTask({ link: wrong }), 'skip').code, 'unsupported_link');
  expect(decideTask(), 'create');
});

// --- E9 calls --------------------------------------------------------------------------------

test('E9: with push calls on a call becomes a completed call Task with duration, type, disposition and the E5 subject; off it is skipped', () => {
  const d = expect(decideCall(), 'create');
  assert.deepEqual(d.fields, {
    Subject: 'Call: Connected with Ada Lovelace',
    Description: 'Talked pricing',
    ActivityDate: '2026-11-28',
    Status: 'Completed',
    TaskSubtype: 'Call',
    CallDurationInSeconds: 125,
    CallType: 'Outbound',
    CallDisposition: 'Connected',
    WhoId: CONTACT_ID,
  });
  assert.ok(d.rules.includes('E9'));
  assert.equal(expect(decideCall({ settings: settingsWith() }), 'skip').code, 'push_calls_off');
});

test('E9: an inbound call is Inbound; the call template can use duration in minutes', () => {
  const s = settingsWith({
    activities: {
      calls: { pushCalls: true, titleTemplate: '{{ direction }} call, {{ durationMinutes }} min' },
    },
  });
  const d = expect(
    decideCall({ settings: s, record: call({ direction: 'inbound', durationSeconds: 600 }) }),
    'create',
  );
  assert.deepEqual([d.fields.CallType, d.fields.Subject], ['Inbound', 'inbound call, 10 min']);
});

test('E9: a negative call duration is refused naming the record and field; zero is fine', () => {
  const bad = { ...call(), durationSeconds: -5 } as Call;
  const d = expect(decideCall({ record: bad }), 'skip');
  assert.equal(d.code, 'invalid_input');
  assert.match(d.reason, /Call k1 was not sent: durationSeconds must not be negative/);
  assert.equal(
    expect(decideCall({ record: call({ durationSeconds: 0 }) }), 'create').fields.CallDurationInSeconds,
    0,
  );
});

test('E9: an extra mapping onto a restricted picklist refuses a value the org lacks (X6) and sends one it has', () => {
  const mapped = (outcome: string) =>
    decideCall({
      settings: settingsWith({
        activities: { calls: { pushCalls: true } },
        fieldMappings: { Task: [{ local: 'outcome', salesforce: 'Outcome__c' }] },
      }),
      record: call({ outcome }),
    });
  const refused = expect(mapped('Busy'), 'skip');
  assert.equal(refused.code, 'field_rejected');
  assert.match(refused.reason, /Outcome__c/);
  assert.equal(expect(mapped('Voicemail'), 'create').fields.Outcome__c, 'Voicemail');
});

test('E9: a call naming a deal of another workspace is refused naming dealId', () => {
  const foreign = { record: deal({ workspaceId: 'w2' }), link: opportunityLink() };
  const d = expect(decideCall({ record: call({ dealId: 'd1' }), deal: foreign }), 'skip');
  assert.equal(d.code, 'other_workspace');
  assert.match(d.reason, /Call k1 .*dealId names deal d1/);
  expect(
    decideCall({ record: call({ dealId: 'd1' }), deal: { record: deal(), link: opportunityLink() } }),
    'create',
  );
});

test('E9: a 100,000-character outcome note is cut to Description, and the disposition to 255', () => {
  const d = expect(
    decideCall({ record: call({ notes: 'n'.repeat(100_000), outcome: 'o'.repeat(255) }) }),
    'create',
  );
  assert.equal((d.fields.Description as string).length, 32_000);
  assert.equal((d.fields.CallDisposition as string).length, 255);
});

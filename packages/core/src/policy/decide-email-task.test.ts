import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ActivityAction, ActivityDecision } from './activity-decision.js';
import { decideActivityPush } from './decide-activity.js';
import { emailDedupeKey, threadContext, type EmailActivityInput } from './decide-email-task.js';
import type { Email } from '../model/activities.js';
import {
  ACCOUNT_ID,
  accountLink,
  acme,
  ada,
  contactCandidate,
  CONTACT_ID,
  contactLink,
  context,
  deal,
  email,
  leadCandidate,
  LEAD_ID,
  leadLink,
  linkedAda,
  OPPORTUNITY_ID,
  opportunityLink,
  OWNERS,
  settingsWith,
  sfId,
  link,
} from './activity-test-fixtures.js';

const ALL_KINDS = {
  internal: true,
  outgoingSentThroughApp: true,
  outgoingNotSentThroughApp: true,
  incomingReplyToApp: true,
  incomingOther: true,
};
const emails = (over: Record<string, unknown> = {}) =>
  settingsWith({ activities: { emails: { pushEmails: true, kinds: ALL_KINDS, ...over } } });
const ON = emails();
const NO_THREAD = { threadHasAppSentEmail: false };

function decide(over: Partial<EmailActivityInput> = {}): ActivityDecision {
  return decideActivityPush({
    ...context({ settings: ON, people: linkedAda() }),
    kind: 'email',
    record: email(),
    thread: NO_THREAD,
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

// --- E6: one completed Task per email --------------------------------------------------------

test('E6: an outgoing email becomes one completed email Task on its To recipient; with email push off nothing is sent', () => {
  const d = expect(decide(), 'create');
  assert.equal(d.object, 'Task');
  assert.deepEqual(d.fields, {
    Subject: 'Email: Pricing',
    Description: 'Hello Ada',
    ActivityDate: '2026-11-28',
    Status: 'Completed',
    TaskSubtype: 'Email',
    WhoId: CONTACT_ID,
  });
  assert.deepEqual(d.who, {
    via: 'existing',
    object: 'Contact',
    id: CONTACT_ID,
    email: 'ada@acme.com',
    personId: 'p1',
  });
  assert.ok(d.rules.includes('E6') && d.rules.includes('E1') && d.rules.includes('E12'));
  const off = expect(decide({ settings: settingsWith() }), 'skip');
  assert.equal(off.code, 'push_emails_off');
});

test('E6: WhoId is the first To recipient that is in Salesforce, looked up when no linked person has the address', () => {
  const record = email({ to: ['nobody@else.com', 'Bob <BOB@Beta.COM>', 'carl@beta.com'] });
  const candidates = [contactCandidate(5, 'carl@beta.com'), contactCandidate(4, 'bob@beta.com')];
  const d = expect(decide({ record, people: [], candidates }), 'create');
  assert.equal(d.fields.WhoId, sfId('003', 4));
  assert.ok(d.notes.some((n) => n.code === 'who_found' && /2nd To recipient/.test(n.message)));
  const none = expect(decide({ record, people: [], candidates: [] }), 'skip');
  assert.equal(none.code, 'external_party_not_in_salesforce');
});

test('E6: an incoming email is logged on its sender, not on the team recipient', () => {
  const record = email({
    direction: 'incoming',
    sentThroughApp: false,
    from: 'Ada <ADA@ACME.COM>',
    to: ['jane@team.io'],
  });
  const d = expect(decide({ record }), 'create');
  assert.equal(d.fields.WhoId, CONTACT_ID);
  const outgoingToTeam = email({ direction: 'outgoing', from: 'ada@acme.com', to: ['jane@team.io'] });
  assert.equal(expect(decide({ record: outgoingToTeam }), 'skip').code, 'no_external_party');
});

test("E6: WhatId is the deal's Opportunity, else the company's Account, where known", () => {
  const withDeal = expect(
    decide({
      record: email({ dealId: 'd1', companyId: 'c1' }),
      deal: { record: deal(), link: opportunityLink() },
      company: { record: acme(), link: accountLink() },
    }),
    'create',
  );
  assert.equal(withDeal.fields.WhatId, OPPORTUNITY_ID);
  const withCompany = expect(
    decide({ record: email({ companyId: 'c1' }), company: { record: acme(), link: accountLink() } }),
    'create',
  );
  assert.equal(withCompany.fields.WhatId, ACCOUNT_ID);
  const unlinked = expect(
    decide({ record: email({ companyId: 'c1' }), company: { record: acme(), link: null } }),
    'create',
  );
  assert.equal(unlinked.fields.WhatId, undefined);
});

test('E6: a Lead as WhoId gets no WhatId; the same email on a Contact gets one', () => {
  const base = { record: email({ companyId: 'c1' }), company: { record: acme(), link: accountLink() } };
  const lead = expect(decide({ ...base, people: [{ record: ada(), link: leadLink() }] }), 'create');
  assert.equal(lead.fields.WhoId, LEAD_ID);
  assert.equal(lead.fields.WhatId, undefined);
  assert.ok(lead.notes.some((n) => n.code === 'what_omitted_for_lead' && n.rule === 'E6'));
  const contact = expect(decide({ ...base, people: linkedAda() }), 'create');
  assert.equal(contact.fields.WhatId, ACCOUNT_ID);
  // The same through the X1 lookup instead of a local link.
  const looked = expect(
    decide({ ...base, people: [], candidates: [leadCandidate(1, 'ada@acme.com')] }),
    'create',
  );
  assert.deepEqual([looked.fields.WhoId, looked.fields.WhatId], [LEAD_ID, undefined]);
});

test('E6: a 100,000-character body is cut to the 32,000 characters of Description, not refused; a short one is whole', () => {
  const d = expect(decide({ record: email({ body: 'b'.repeat(100_000) }) }), 'create');
  assert.equal((d.fields.Description as string).length, 32_000);
  assert.ok(d.notes.some((n) => n.code === 'text_truncated' && n.rule === 'X6'));
  assert.equal(expect(decide(), 'create').fields.Description, 'Hello Ada');
});

test('E6: the same message seen twice has one dedupe key; another message has another', () => {
  const sent = email({ id: 'e1', messageId: '<CAF1x+abc@Mail.Team.IO>' });
  const synced = email({ id: 'e2', messageId: 'CAF1x+abc@mail.team.io', sentThroughApp: false });
  assert.equal(emailDedupeKey(sent), emailDedupeKey(synced));
  assert.equal(emailDedupeKey(sent), 'CAF1x+abc@mail.team.io');
  assert.notEqual(emailDedupeKey(sent), emailDedupeKey(email({ messageId: '<CAF1x+ABC@mail.team.io>' })));
  assert.notEqual(emailDedupeKey(sent), emailDedupeKey(email({ messageId: '<other@mail.team.io>' })));
});

test('E6: the subject is rendered by the E5 template and cut to 255; an invalid template is refused with E5', () => {
  const template = emails({ titleTemplate: '{{ direction }} to {{ person.name }}: {{ subject }}' });
  const d = expect(decide({ settings: template, record: email({ subject: 's'.repeat(1000) }) }), 'create');
  const subject = d.fields.Subject as string;
  assert.equal(subject.length, 255);
  assert.ok(subject.startsWith('outgoing to Ada Lovelace: sss'));
  const bad = expect(decide({ settings: emails({ titleTemplate: '{{ secret }}' }) }), 'skip');
  assert.equal(bad.code, 'template_invalid');
  assert.ok(bad.rules.includes('E5'));
});

// --- E1, E2, E4 through the existing functions ------------------------------------------------

test('E1: a reply matched to its thread by In-Reply-To is an incoming reply to the app; the kind selected pushes it, unselected skips it', () => {
  const sentKey = emailDedupeKey(email({ messageId: '<m1@mail.team.io>' }));
  const index = { threadIds: new Set<string>(), messageKeys: new Set([sentKey]) };
  const reply = email({
    id: 'e9',
    messageId: '<r1@acme.com>',
    direction: 'incoming',
    sentThroughApp: false,
    from: 'ada@acme.com',
    to: ['jane@team.io'],
    threadId: 'gmail-thread-77',
    inReplyTo: '<m1@MAIL.TEAM.IO>',
  });
  const thread = threadContext(reply, index);
  assert.deepEqual(thread, { threadHasAppSentEmail: true });
  const only = (kind: string) => emails({ kinds: { [kind]: true } });
  expect(decide({ record: reply, thread, settings: only('incomingReplyToApp') }), 'create');
  const skipped = expect(decide({ record: reply, thread, settings: only('incomingOther') }), 'skip');
  assert.equal(skipped.code, 'email_kind_not_selected');
  // Unmatched thread: the same reply is "incoming from any other source".
  const other = threadContext(reply, { threadIds: new Set(), messageKeys: new Set() });
  expect(decide({ record: reply, thread: other, settings: only('incomingOther') }), 'create');
  // Matched by thread id alone.
  assert.deepEqual(
    threadContext(
      { threadId: 't-1', inReplyTo: null },
      { threadIds: new Set(['t-1']), messageKeys: new Set() },
    ),
    {
      threadHasAppSentEmail: true,
    },
  );
});

test('E2: internal mail between two mailbox domains is pushed without a WhoId when "internal" is selected, and skipped when not', () => {
  const workspace = { id: 'w1', mailboxDomains: ['team.io', 'team-eu.io'] };
  const record = email({ from: 'jane@team.io', to: ['max@eu.team-eu.io'] });
  const d = expect(decide({ record, workspace, settings: emails({ kinds: { internal: true } }) }), 'create');
  assert.equal(d.fields.WhoId, undefined);
  assert.equal(d.who, null);
  assert.ok(d.rules.includes('E2'));
  const off = expect(
    decide({ record, workspace, settings: emails({ kinds: { outgoingSentThroughApp: true } }) }),
    'skip',
  );
  assert.equal(off.code, 'email_kind_not_selected');
});

test('E2: a free-mail sender is never internal, even when a mailbox uses the free-mail domain', () => {
  const workspace = { id: 'w1', mailboxDomains: ['gmail.com'] };
  const record = email({ from: 'jane@gmail.com', to: ['ada@acme.com'] });
  const internalOnly = emails({ kinds: { internal: true } });
  assert.equal(
    expect(decide({ record, workspace, settings: internalOnly }), 'skip').code,
    'email_kind_not_selected',
  );
  expect(
    decide({ record, workspace, settings: emails({ kinds: { outgoingSentThroughApp: true } }) }),
    'create',
  );
});

test('E4: mail from ymail.org with "Confidential" in the subject is dropped naming the rule; other domains with that subject are kept', () => {
  const rule = {
    name: 'Confidential from ymail',
    from: { domains: ['ymail.org'], subjectKeywords: ['Confidential'] },
  };
  const s = emails({ exclusionRules: [rule] });
  const incoming = (from: string) =>
    email({
      direction: 'incoming',
      sentThroughApp: false,
      from,
      to: ['jane@team.io'],
      subject: 'RE: confidential terms',
    });
  const people = [
    { record: ada({ email: 'ada@mail.ymail.org' }), link: contactLink() },
    { record: ada({ id: 'p2', email: 'ada@acme.com' }), link: contactLink({ localId: 'p2' }) },
  ];
  const dropped = expect(decide({ settings: s, people, record: incoming('ada@mail.ymail.org') }), 'skip');
  assert.equal(dropped.code, 'excluded_by_rule');
  assert.match(dropped.reason, /Confidential from ymail/);
  expect(decide({ settings: s, people, record: incoming('ada@acme.com') }), 'create');
  expect(decide({ settings: emails(), people, record: incoming('ada@mail.ymail.org') }), 'create');
});

// --- E3: the external party must exist, or be created ---------------------------------------

test('E3: without "push emails without match" an email whose party is not in Salesforce is skipped; with it the party is created as a Contact', () => {
  const people = [{ record: ada(), link: null }];
  const off = expect(decide({ people }), 'skip');
  assert.equal(off.code, 'external_party_not_in_salesforce');
  assert.match(off.reason, /ada@acme\.com/);
  const on = expect(decide({ people, settings: emails({ pushEmailsWithoutMatch: true }) }), 'create');
  assert.deepEqual(on.who, { via: 'create', object: 'Contact', email: 'ada@acme.com', personId: 'p1' });
  assert.equal(on.fields.WhoId, undefined);
  assert.ok(on.rules.includes('E3') && on.rules.includes('C4'));
  assert.ok(on.notes.some((n) => n.code === 'who_to_create'));
});

test('E3: "create as" Lead creates the missing party as a Lead, and the Task then gets no WhatId', () => {
  const s = settingsWith({
    contacts: { createAs: 'lead' },
    activities: { emails: { pushEmails: true, kinds: ALL_KINDS, pushEmailsWithoutMatch: true } },
  });
  const base = {
    people: [],
    record: email({ companyId: 'c1' }),
    company: { record: acme(), link: accountLink() },
  };
  const d = expect(decide({ ...base, settings: s }), 'create');
  assert.deepEqual(d.who, { via: 'create', object: 'Lead', email: 'ada@acme.com', personId: null });
  assert.equal(d.fields.WhatId, undefined);
  const contact = expect(decide({ ...base, settings: emails({ pushEmailsWithoutMatch: true }) }), 'create');
  assert.equal(contact.fields.WhatId, ACCOUNT_ID);
});

test('E3: an address on a mailbox domain is never created, even a free-mail one; another address is', () => {
  const workspace = { id: 'w1', mailboxDomains: ['team.io', 'gmail.com'] };
  const s = emails({ pushEmailsWithoutMatch: true });
  const toGmail = email({ to: ['Partner@GMAIL.com'] });
  const never = expect(decide({ workspace, settings: s, people: [], record: toGmail }), 'skip');
  assert.equal(never.code, 'no_external_party');
  assert.match(never.reason, /never created/);
  const other = expect(
    decide({
      workspace,
      settings: s,
      people: [],
      record: email({ to: ['partner@gmail.com', 'ops@acme.com'] }),
    }),
    'create',
  );
  assert.deepEqual(other.who, { via: 'create', object: 'Contact', email: 'ops@acme.com', personId: null });
});

test('E3: a mixed-case, unicode-domain address finds its linked person; a guessed email on a linked person still names it', () => {
  const people = [{ record: ada({ email: 'Zoë@Müller.DE', emailStatus: 'guessed' }), link: contactLink() }];
  const d = expect(decide({ people, record: email({ to: ['zoë@xn--mller-kva.de'] }) }), 'create');
  assert.equal(d.fields.WhoId, CONTACT_ID);
  const off = expect(
    decide({
      people: [{ record: people[0]!.record, link: null }],
      record: email({ to: ['zoë@xn--mller-kva.de'] }),
    }),
    'skip',
  );
  assert.equal(off.code, 'external_party_not_in_salesforce');
});

// --- E12 and bad input -----------------------------------------------------------------------

test('E12: a linked email updates its Task with only what changed and never its TaskSubtype; unlinked it is created once by upsert', () => {
  const taskLink = link({
    localType: 'email',
    localId: 'e1',
    sfObject: 'Task',
    sfId: sfId('00T', 1),
    snapshot: {
      Subject: 'Email: Pricing',
      Description: 'Hello Ada',
      ActivityDate: '2026-11-28',
      Status: 'Completed',
      TaskSubtype: 'Email',
      WhoId: CONTACT_ID,
    },
  });
  const d = expect(decide({ link: taskLink, record: email({ body: 'Hello Ada, again' }) }), 'update');
  assert.equal(d.sfId, sfId('00T', 1));
  assert.deepEqual(d.fields, { Description: 'Hello Ada, again' });
  assert.ok(d.rules.includes('E12'));
  const created = expect(decide(), 'create');
  assert.equal(created.plan.mode, 'upsert');
  assert.equal(created.plan.fields.Crmsync_Id__c, 'e1');
  const intent = expect(decide({ hasExternalIdField: false }), 'create');
  assert.equal(intent.plan.mode, 'create_with_intent');
  if (intent.plan.mode === 'create_with_intent')
    assert.deepEqual(intent.plan.matchKeys, { Subject: 'Email: Pricing' });
});

test('E12: an email whose Task was deleted in Salesforce is not created again', () => {
  const gone = link({
    localType: 'email',
    localId: 'e1',
    sfObject: 'Task',
    sfId: sfId('00T', 1),
    state: 'deleted_in_salesforce',
  });
  assert.equal(expect(decide({ link: gone }), 'skip').code, 'link_deleted_in_salesforce');
});

test('E6: an email with no recipients is refused naming the record and the field', () => {
  const bad = { ...email(), to: [], cc: [], bcc: [] } as Email;
  const d = expect(decide({ record: bad }), 'skip');
  assert.equal(d.code, 'invalid_input');
  assert.match(d.reason, /Email e1 was not sent: to an email needs at least one recipient/);
});

test('E6: an email naming a person of another workspace is refused naming personId', () => {
  const record = email({ personId: 'p1' });
  const foreign = expect(
    decide({ record, people: [{ record: ada({ workspaceId: 'w2' }), link: contactLink() }] }),
    'skip',
  );
  assert.equal(foreign.code, 'other_workspace');
  assert.match(foreign.reason, /Email e1 .*personId names person p1/);
  const missing = expect(decide({ record, people: [] }), 'skip');
  assert.equal(missing.code, 'other_workspace');
  expect(decide({ record }), 'create');
});

test('E6: the owner is resolved on create when the owner context is given (X7)', () => {
  const d = expect(decide({ owners: OWNERS, record: email({ ownerId: 'u-jane' }) }), 'create');
  assert.equal(d.fields.OwnerId, OWNERS.salesforceUsers[0]!.Id);
});

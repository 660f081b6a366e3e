import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  activityLog,
  activityWorkspace,
  email,
  ingestActs,
  tasksWithSubject,
  type Row,
} from './activities-harness.js';
import {
  company,
  drain,
  ingestAll,
  person,
  startEmulatorProcess,
  type EmulatorProcess,
  type Harness,
} from './harness.js';

/*
 * Emails end to end (E1-E6, E12): ingest -> worker -> the emulator in its own process, each rule
 * with its setting on and off, outcomes read back over SOQL.
 */

let emu: EmulatorProcess;
before(async () => {
  emu = await startEmulatorProcess();
});
after(() => emu.close());

const ALL_KINDS = {
  internal: true,
  outgoingSentThroughApp: true,
  outgoingNotSentThroughApp: true,
  incomingReplyToApp: true,
  incomingOther: true,
};

/** A workspace whose buyers are Contacts already (pushed through the people path). */
async function withBuyers(h: Harness, addresses: readonly string[]): Promise<void> {
  await ingestAll(
    h,
    'person',
    addresses.map((a, i) => person(`buyer-${i}`, { email: a })),
  );
  await drain(h);
}

test('E4: mail from ymail.org with subject "Confidential" is excluded; the same subject from another domain is kept; without the rule both are kept', async (t) => {
  const rule = {
    name: 'ymail confidential',
    from: { domains: ['ymail.org'], addresses: [], subjectKeywords: ['Confidential'] },
    to: { domains: [], addresses: [], subjectKeywords: [] },
    join: 'and' as const,
  };
  const run = async (rules: (typeof rule)[]) => {
    const h = await activityWorkspace(t, emu, {
      workspace: { mailboxDomains: ['acme.test'] },
      settings: {
        contacts: { pushContacts: true },
        activities: { emails: { pushEmails: true, kinds: ALL_KINDS, exclusionRules: rules } },
      },
    });
    await withBuyers(h, ['ann@ymail.org', 'bob@other.test']);
    await ingestActs(h, 'email', [
      email('m1', {
        direction: 'incoming',
        sentThroughApp: false,
        from: 'ann@ymail.org',
        to: ['rep@acme.test'],
        subject: 'Confidential offer',
      }),
      email('m2', {
        direction: 'incoming',
        sentThroughApp: false,
        from: 'bob@other.test',
        to: ['rep@acme.test'],
        subject: 'Confidential offer',
      }),
      email('m3', {
        direction: 'incoming',
        sentThroughApp: false,
        from: 'ann@ymail.org',
        to: ['rep@acme.test'],
        subject: 'Lunch?',
      }),
    ]);
    await drain(h);
    return h;
  };

  const withRule = await run([rule]);
  const tasks = await tasksWithSubject(withRule, 'Email: Confidential offer');
  const [bob] = await withRule.soql<Row>(`SELECT Id FROM Contact WHERE Email = 'bob@other.test'`);
  assert.deepEqual(
    tasks.map((r) => r.WhoId),
    [bob!.Id],
    'only the mail from other.test is logged',
  );
  assert.equal(
    (await tasksWithSubject(withRule, 'Email: Lunch?')).length,
    1,
    'ymail.org without the keyword is kept',
  );
  const [skip] = await activityLog(withRule, 'email', 'm1');
  assert.equal(skip?.action, 'skip');
  assert.ok(skip.rules.includes('E4'));
  assert.match(skip.reason, /ymail confidential/);

  const without = await run([]);
  assert.equal((await tasksWithSubject(without, 'Email: Confidential offer')).length, 2);
});

test('E2: mail between two mailbox domains is internal (pushed only with the internal kind, with no WhoId); a free-mail sender is never internal', async (t) => {
  const setup = async (internal: boolean) => {
    const h = await activityWorkspace(t, emu, {
      workspace: { mailboxDomains: ['acme.test', 'acme-labs.test', 'gmail.com'] },
      settings: {
        contacts: { pushContacts: true },
        activities: {
          emails: { pushEmails: true, kinds: { ...ALL_KINDS, internal, outgoingNotSentThroughApp: false } },
        },
      },
    });
    await ingestActs(h, 'email', [
      email('int', {
        sentThroughApp: false,
        from: 'ann@acme.test',
        to: ['bo@acme-labs.test'],
        subject: 'Internal sync',
      }),
      email('free', {
        sentThroughApp: false,
        from: 'ann.private@gmail.com',
        to: ['bo@acme.test'],
        subject: 'From gmail',
      }),
    ]);
    await drain(h);
    return h;
  };
  const on = await setup(true);
  const [task] = await tasksWithSubject(on, 'Email: Internal sync');
  assert.ok(task !== undefined, 'the internal email is logged');
  assert.equal(task.WhoId, null, 'an internal email has no external party');
  const [free] = await activityLog(on, 'email', 'free');
  assert.equal(free?.action, 'skip');
  assert.equal(
    (free?.payload as { code: string }).code,
    'email_kind_not_selected',
    'gmail.com is never internal, so it is outgoing not sent through the app',
  );
  assert.match(free!.reason, /free-mail|gmail/i);

  const off = await setup(false);
  assert.equal((await tasksWithSubject(off, 'Email: Internal sync')).length, 0);
  const [skip] = await activityLog(off, 'email', 'int');
  assert.equal((skip?.payload as { code: string }).code, 'email_kind_not_selected');
  assert.ok(skip!.rules.includes('E2') || skip!.rules.includes('E1'));
});

test('E1: an incoming reply is matched to its app-sent thread (by thread id or In-Reply-To); with only "replies to the app" selected other incoming mail is not pushed', async (t) => {
  const h = await activityWorkspace(t, emu, {
    workspace: { mailboxDomains: ['acme.test'] },
    settings: {
      contacts: { pushContacts: true },
      activities: {
        emails: {
          pushEmails: true,
          kinds: {
            internal: false,
            outgoingSentThroughApp: false,
            outgoingNotSentThroughApp: false,
            incomingReplyToApp: true,
            incomingOther: false,
          },
        },
      },
    },
  });
  await withBuyers(h, ['buyer@customer.test']);
  await ingestActs(h, 'email', [
    email('sent', { threadId: 'th-1', subject: 'Proposal' }),
    email('reply-thread', {
      direction: 'incoming',
      sentThroughApp: false,
      from: 'buyer@customer.test',
      to: ['rep@acme.test'],
      threadId: 'th-1',
      subject: 'Re: Proposal',
    }),
    email('reply-header', {
      direction: 'incoming',
      sentThroughApp: false,
      from: 'buyer@customer.test',
      to: ['rep@acme.test'],
      threadId: 'own-thread',
      inReplyTo: '<sent@MAIL.ACME.TEST>',
      subject: 'Re: Proposal (2)',
    }),
    email('cold', {
      direction: 'incoming',
      sentThroughApp: false,
      from: 'buyer@customer.test',
      to: ['rep@acme.test'],
      threadId: 'th-2',
      subject: 'Unrelated',
    }),
  ]);
  await drain(h);
  assert.equal((await tasksWithSubject(h, 'Email: Proposal')).length, 0, 'outgoing kinds are not selected');
  assert.equal((await tasksWithSubject(h, 'Email: Re: Proposal')).length, 1);
  assert.equal((await tasksWithSubject(h, 'Email: Re: Proposal (2)')).length, 1);
  assert.equal((await tasksWithSubject(h, 'Email: Unrelated')).length, 0);
  const [cold] = await activityLog(h, 'email', 'cold');
  assert.equal((cold?.payload as { code: string }).code, 'email_kind_not_selected');
});

test('E6, E12: the same message seen twice (sent through the app, then synced from the mailbox) is one Task; a re-import updates it', async (t) => {
  const h = await activityWorkspace(t, emu, {
    workspace: { mailboxDomains: ['acme.test'] },
    settings: {
      contacts: { pushContacts: true },
      activities: { emails: { pushEmails: true, kinds: ALL_KINDS } },
    },
  });
  await withBuyers(h, ['buyer@customer.test']);
  await ingestActs(h, 'email', [email('app-1', { messageId: '<Same-1@Mail.Acme.Test>', subject: 'Hello' })]);
  await drain(h);
  await ingestActs(h, 'email', [
    email('mailbox-1', { messageId: 'Same-1@mail.acme.test', sentThroughApp: false, subject: 'Hello' }),
  ]);
  await drain(h);
  const tasks = await tasksWithSubject(h, 'Email: Hello');
  assert.equal(tasks.length, 1);
  const [dup] = await activityLog(h, 'email', 'mailbox-1');
  assert.equal(dup?.action, 'duplicate');
  assert.deepEqual(dup?.rules, ['E6', 'E12']);

  await ingestActs(h, 'email', [
    email('app-1', { messageId: '<Same-1@Mail.Acme.Test>', subject: 'Hello', body: 'Edited body' }),
  ]);
  await drain(h);
  const again = await tasksWithSubject(h, 'Email: Hello');
  assert.equal(again.length, 1);
  assert.equal(again[0]!.Description, 'Edited body');
  assert.equal(
    (await h.writes([again[0]!.Id])).records[again[0]!.Id]?.update,
    1,
    'the re-import updated the one Task',
  );
});

test('E6: a Lead as WhoId gets no WhatId; a Contact of the same company gets the Account as WhatId', async (t) => {
  const run = async (createAs: 'lead' | 'contact') => {
    const h = await activityWorkspace(t, emu, {
      workspace: { mailboxDomains: ['acme.test'] },
      settings: {
        contacts: { pushContacts: true, createAs },
        activities: { emails: { pushEmails: true, kinds: ALL_KINDS } },
      },
    });
    await ingestAll(h, 'company', [company('co1')]);
    await drain(h);
    await ingestAll(h, 'person', [person('p1', { email: 'lee@customer.test', companyId: 'co1' })]);
    await drain(h);
    await ingestActs(h, 'email', [
      email('e1', { to: ['lee@customer.test'], companyId: 'co1', subject: 'Who and what' }),
    ]);
    await drain(h);
    const [task] = await tasksWithSubject(h, 'Email: Who and what');
    return { h, task: task! };
  };
  const lead = await run('lead');
  const [leadRow] = await lead.h.soql<Row>(`SELECT Id FROM Lead WHERE Email = 'lee@customer.test'`);
  assert.equal(lead.task.WhoId, leadRow!.Id);
  assert.equal(lead.task.WhatId, null);
  const [entry] = await activityLog(lead.h, 'email', 'e1');
  assert.ok(entry?.rules.includes('E6'));

  const contact = await run('contact');
  const [account] = await contact.h.soql<Row>(`SELECT Id FROM Account`);
  const [contactRow] = await contact.h.soql<Row>(`SELECT Id FROM Contact WHERE Email = 'lee@customer.test'`);
  assert.equal(contact.task.WhoId, contactRow!.Id);
  assert.equal(contact.task.WhatId, account!.Id);
  assert.equal(contact.task.TaskSubtype, 'Email');
  assert.equal(contact.task.Status, 'Completed');
});

test('E3: without "push emails without match" mail to someone not in Salesforce is skipped; with it the person is created (C4) and the Task logged on it; mailbox-domain addresses are never created', async (t) => {
  const run = async (withoutMatch: boolean) => {
    const h = await activityWorkspace(t, emu, {
      workspace: { mailboxDomains: ['acme.test', 'acme-labs.test'] },
      settings: {
        contacts: { createAs: 'lead' },
        activities: { emails: { pushEmails: true, pushEmailsWithoutMatch: withoutMatch, kinds: ALL_KINDS } },
      },
    });
    await ingestActs(h, 'email', [
      email('new', { to: ['newbie@prospect.test'], subject: 'First touch' }),
      email('team', {
        sentThroughApp: false,
        from: 'rep@acme.test',
        to: ['x@acme-labs.test'],
        cc: ['y@prospect.test'],
        subject: 'Team only',
      }),
    ]);
    await drain(h);
    return h;
  };
  const off = await run(false);
  assert.equal((await tasksWithSubject(off, 'Email: First touch')).length, 0);
  const [skip] = await activityLog(off, 'email', 'new');
  assert.equal((skip?.payload as { code: string }).code, 'external_party_not_in_salesforce');
  assert.ok(skip!.rules.includes('E3'));

  const on = await run(true);
  const [lead] = await on.soql<Row>(`SELECT Id FROM Lead WHERE Email = 'newbie@prospect.test'`);
  assert.ok(lead !== undefined, 'created as a Lead, as C4 says');
  const [task] = await tasksWithSubject(on, 'Email: First touch');
  assert.equal(task?.WhoId, lead.Id);
  assert.equal((await on.soql<Row>(`SELECT Id FROM Lead WHERE Email = 'x@acme-labs.test'`)).length, 0);
  assert.equal((await on.soql<Row>(`SELECT Id FROM Contact WHERE Email = 'x@acme-labs.test'`)).length, 0);
});

test('E1, E6: when the mailbox copy of a message arrives before the app-sent one, the message is classified as sent through the app and logged once', async (t) => {
  const h = await activityWorkspace(t, emu, {
    workspace: { mailboxDomains: ['acme.test'] },
    settings: {
      contacts: { pushContacts: true },
      activities: { emails: { pushEmails: true, kinds: { outgoingSentThroughApp: true } } },
    },
  });
  await withBuyers(h, ['buyer@customer.test']);
  await ingestActs(h, 'email', [
    email('mailbox-first', { messageId: '<late-1@mail.acme.test>', sentThroughApp: false, subject: 'Late' }),
  ]);
  await drain(h);
  assert.equal(
    (await tasksWithSubject(h, 'Email: Late')).length,
    0,
    'outgoing not sent through the app is not selected',
  );
  await ingestActs(h, 'email', [
    email('app-later', { messageId: '<late-1@mail.acme.test>', sentThroughApp: true, subject: 'Late' }),
  ]);
  await drain(h);
  assert.equal((await tasksWithSubject(h, 'Email: Late')).length, 1);
  const [dup] = await activityLog(h, 'email', 'app-later');
  assert.equal(dup?.action, 'duplicate');
});

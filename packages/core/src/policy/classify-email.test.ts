import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Email } from '../model/activities.js';
import { parseSettings, type Settings } from '../settings/index.js';
import type { EmailKind } from '../settings/schema.js';
import {
  classifyEmail,
  decideEmailPush,
  EMAIL_KIND_ORDER,
  externalParty,
  type ClassifiableEmail,
  type MailboxWorkspace,
} from './classify-email.js';

const acme: MailboxWorkspace = {
  mailboxDomains: ['acme.com'],
  users: [{ id: 'u1', name: 'Bob', email: 'bob@acme.com' }],
};
const noThread = { threadHasAppSentEmail: false };
const appThread = { threadHasAppSentEmail: true };

function mail(over: Partial<ClassifiableEmail> = {}): ClassifiableEmail {
  return {
    direction: 'outgoing',
    sentThroughApp: false,
    from: 'bob@acme.com',
    to: ['jane@client.com'],
    subject: 'Hello',
    ...over,
  };
}

function settings(emails: Record<string, unknown>): Settings {
  const r = parseSettings({ version: 2, activities: { emails } });
  assert.ok(r.ok, JSON.stringify(r));
  return r.settings;
}
const allKinds = Object.fromEntries(EMAIL_KIND_ORDER.map((k) => [k, true])) as Record<EmailKind, boolean>;
const only = (kind: EmailKind) => ({
  ...Object.fromEntries(EMAIL_KIND_ORDER.map((k) => [k, false])),
  [kind]: true,
});

test('E1: every email gets exactly one kind, in the spec order', () => {
  const cases: [string, ClassifiableEmail, boolean, EmailKind][] = [
    [
      'internal beats sent-through-app',
      mail({ to: ['amy@acme.com'], sentThroughApp: true }),
      true,
      'internal',
    ],
    ['outgoing through the app', mail({ sentThroughApp: true }), false, 'outgoingSentThroughApp'],
    ['outgoing synced from a mailbox', mail({ sentThroughApp: false }), false, 'outgoingNotSentThroughApp'],
    [
      'incoming in a thread with an app-sent email',
      mail({ direction: 'incoming', from: 'jane@client.com', to: ['bob@acme.com'] }),
      true,
      'incomingReplyToApp',
    ],
    [
      'incoming from elsewhere',
      mail({ direction: 'incoming', from: 'jane@client.com', to: ['bob@acme.com'] }),
      false,
      'incomingOther',
    ],
    ['outgoing ignores the thread flag', mail({ sentThroughApp: false }), true, 'outgoingNotSentThroughApp'],
  ];
  for (const [title, email, thread, kind] of cases) {
    const c = classifyEmail(email, acme, { threadHasAppSentEmail: thread });
    assert.equal(c.kind, kind, title);
    assert.equal(c.rule, kind === 'internal' ? 'E2' : 'E1', title);
    assert.ok(c.reason.length > 0);
  }
});

test('E1: an incoming reply is a reply to the app only when its thread holds an app-sent email', () => {
  const reply = mail({ direction: 'incoming', from: 'jane@client.com', to: ['bob@acme.com'] });
  assert.equal(classifyEmail(reply, acme, appThread).kind, 'incomingReplyToApp');
  assert.equal(classifyEmail(reply, acme, noThread).kind, 'incomingOther');
});

test('E2: internal when the sender and every To recipient are on mailbox domains, subdomains included', () => {
  const cases: [string, ClassifiableEmail, MailboxWorkspace, boolean][] = [
    ['same domain', mail({ to: ['amy@acme.com'] }), acme, true],
    [
      'mixed case and display names',
      mail({ from: 'Bob <BOB@ACME.COM>', to: ['"Amy" <Amy@Acme.Com>'] }),
      acme,
      true,
    ],
    [
      'sender on a subdomain of a mailbox domain',
      mail({ from: 'bob@eu.acme.com', to: ['amy@acme.com'] }),
      acme,
      true,
    ],
    [
      'a look-alike domain is not a subdomain',
      mail({ from: 'bob@notacme.com', to: ['amy@acme.com'] }),
      acme,
      false,
    ],
    ['one To recipient outside', mail({ to: ['amy@acme.com', 'jane@client.com'] }), acme, false],
    [
      'CC outside does not matter',
      { ...mail({ to: ['amy@acme.com'] }), cc: ['jane@client.com'] } as ClassifiableEmail,
      acme,
      true,
    ],
    [
      'two mailbox domains',
      mail({ from: 'bob@acme.com', to: ['li@acme.io'] }),
      { mailboxDomains: ['acme.com', 'acme.io'] },
      true,
    ],
    [
      'a mailbox on gmail.com never makes gmail internal',
      mail({ from: 'bob@gmail.com', to: ['amy@gmail.com'] }),
      { mailboxDomains: ['gmail.com'] },
      false,
    ],
    [
      'gmail mailbox plus company domain: gmail sender still external',
      mail({ from: 'bob@gmail.com', to: ['amy@acme.com'] }),
      { mailboxDomains: ['gmail.com', 'acme.com'] },
      false,
    ],
    ['empty To list (BCC only) is not internal', mail({ to: [] }), acme, false],
    ['no mailbox domains at all', mail({ to: ['amy@acme.com'] }), { mailboxDomains: [] }, false],
    [
      'unicode mailbox domain, Punycode sender',
      mail({ from: 'jan@xn--mller-kva.de', to: ['eva@post.müller.de'] }),
      { mailboxDomains: ['Müller.de'] },
      true,
    ],
    ['a malformed recipient is not on a mailbox domain', mail({ to: ['amy-at-acme.com'] }), acme, false],
  ];
  for (const [title, email, ws, internal] of cases) {
    assert.equal(classifyEmail(email, ws, noThread).kind === 'internal', internal, title);
  }
});

test('E2: the same email is internal or external depending on the mailbox domains', () => {
  const email = mail({ from: 'bob@acme.com', to: ['li@acme.io'] });
  const withBoth = classifyEmail(email, { mailboxDomains: ['acme.com', 'acme.io'] }, noThread);
  const withOne = classifyEmail(email, { mailboxDomains: ['acme.com'] }, noThread);
  assert.equal(withBoth.kind, 'internal');
  assert.equal(withBoth.rule, 'E2');
  assert.equal(withOne.kind, 'outgoingNotSentThroughApp');
  assert.match(withOne.reason, /li@acme\.io is not on a mailbox domain/);
});

test('E2: the reason says why a free-mail address is never internal', () => {
  const c = classifyEmail(
    mail({ from: 'bob@gmail.com', to: ['amy@gmail.com'] }),
    { mailboxDomains: ['gmail.com', 'acme.com'] },
    noThread,
  );
  assert.match(c.reason, /gmail\.com is a free-mail domain/);
});

test('E1: with pushEmails off nothing is pushed; on with the kind selected it is', () => {
  const email = mail({ sentThroughApp: true });
  const off = decideEmailPush(email, settings({ pushEmails: false, kinds: allKinds }), acme, noThread);
  const on = decideEmailPush(email, settings({ pushEmails: true, kinds: allKinds }), acme, noThread);
  assert.deepEqual([off.action, off.rule], ['skip', 'E1']);
  assert.ok(off.action === 'skip' && off.code === 'push_emails_off');
  assert.deepEqual([on.action, on.kind], ['push', 'outgoingSentThroughApp']);
});

test('E1: an email is pushed only when its own kind is selected', () => {
  const emails: [ClassifiableEmail, typeof noThread, EmailKind][] = [
    [mail({ to: ['amy@acme.com'] }), noThread, 'internal'],
    [mail({ sentThroughApp: true }), noThread, 'outgoingSentThroughApp'],
    [mail(), noThread, 'outgoingNotSentThroughApp'],
    [
      mail({ direction: 'incoming', from: 'jane@client.com', to: ['bob@acme.com'] }),
      appThread,
      'incomingReplyToApp',
    ],
    [
      mail({ direction: 'incoming', from: 'jane@client.com', to: ['bob@acme.com'] }),
      noThread,
      'incomingOther',
    ],
  ];
  for (const [email, ctx, kind] of emails) {
    for (const selected of EMAIL_KIND_ORDER) {
      const d = decideEmailPush(email, settings({ pushEmails: true, kinds: only(selected) }), acme, ctx);
      assert.equal(d.kind, kind);
      assert.equal(d.action, selected === kind ? 'push' : 'skip', `${kind} with only ${selected} selected`);
      if (d.action === 'skip') {
        assert.equal(d.code, 'email_kind_not_selected');
        assert.match(d.reason, /not selected/);
      }
    }
  }
});

test('E2: an internal email follows the internal kind setting, not the outgoing ones', () => {
  const email = mail({ to: ['amy@acme.com'], sentThroughApp: true });
  const outgoingOnly = decideEmailPush(
    email,
    settings({ pushEmails: true, kinds: { ...allKinds, internal: false } }),
    acme,
    noThread,
  );
  const internalToo = decideEmailPush(email, settings({ pushEmails: true, kinds: allKinds }), acme, noThread);
  assert.equal(outgoingOnly.action, 'skip');
  assert.equal(internalToo.action, 'push');
  assert.equal(internalToo.kind, 'internal');
});

test('E4: a matching exclusion rule skips an email that E1 would push, and the log names the rule', () => {
  const email = mail({
    direction: 'incoming',
    from: 'ann@ymail.org',
    to: ['bob@acme.com'],
    subject: 'Confidential numbers',
  });
  const rules = [
    { name: 'Confidential from ymail', from: { domains: ['ymail.org'], subjectKeywords: ['Confidential'] } },
  ];
  const without = decideEmailPush(email, settings({ pushEmails: true, kinds: allKinds }), acme, noThread);
  const withRule = decideEmailPush(
    email,
    settings({ pushEmails: true, kinds: allKinds, exclusionRules: rules }),
    acme,
    noThread,
  );
  assert.equal(without.action, 'push');
  assert.equal(withRule.action, 'skip');
  assert.ok(withRule.action === 'skip' && withRule.rule === 'E4');
  assert.equal(withRule.ruleName, 'Confidential from ymail');
  assert.equal(withRule.ruleIndex, 0);
  assert.match(withRule.reason, /"Confidential from ymail"/);
});

test('E4: E1 is reported first: an excluded email of an unselected kind is logged as not selected', () => {
  const email = mail({ from: 'bob@acme.com', to: ['ann@ymail.org'], subject: 'x' });
  const rules = [{ name: 'to ymail', to: { domains: ['ymail.org'] } }];
  const unselected = decideEmailPush(
    email,
    settings({
      pushEmails: true,
      kinds: { ...allKinds, outgoingNotSentThroughApp: false },
      exclusionRules: rules,
    }),
    acme,
    noThread,
  );
  const selected = decideEmailPush(
    email,
    settings({ pushEmails: true, kinds: allKinds, exclusionRules: rules }),
    acme,
    noThread,
  );
  assert.equal(unselected.rule, 'E1');
  assert.equal(selected.rule, 'E4');
});

test('E4: the rules see To but never CC, through decideEmailPush too', () => {
  const rules = [{ name: 'lawyers', to: { domains: ['lawfirm.com'] } }];
  const s = settings({ pushEmails: true, kinds: allKinds, exclusionRules: rules });
  const ccOnly = Email.parse({
    id: 'e1',
    workspaceId: 'w1',
    messageId: '<m1@acme.com>',
    direction: 'outgoing',
    from: 'bob@acme.com',
    to: ['jane@client.com'],
    cc: ['legal@lawfirm.com'],
    subject: 'Contract',
    sentAt: '2026-11-28T10:00:00Z',
  });
  const toToo = Email.parse({ ...ccOnly, to: ['jane@client.com', 'legal@lawfirm.com'] });
  assert.equal(decideEmailPush(ccOnly, s, acme, noThread).action, 'push');
  assert.equal(decideEmailPush(toToo, s, acme, noThread).action, 'skip');
});

test('E1: a 100,000-character subject is classified and pushed like any other', () => {
  const d = decideEmailPush(
    mail({ subject: 'x'.repeat(100_000) }),
    settings({ pushEmails: true, kinds: allKinds }),
    acme,
    noThread,
  );
  assert.equal(d.action, 'push');
});

test('E3: externalParty lists the To recipients of outgoing mail and the sender of incoming mail, never mailbox addresses', () => {
  const out = mail({
    to: ['amy@acme.com', 'Jane <Jane@Client.com>', 'jane@client.com', 'li@eu.acme.com', 'max@other.io'],
  });
  assert.deepEqual(externalParty(out, acme), ['Jane@Client.com', 'max@other.io']);
  const incoming = mail({
    direction: 'incoming',
    from: '"Jane" <jane@client.com>',
    to: ['bob@acme.com', 'x@partner.io'],
  });
  assert.deepEqual(externalParty(incoming, acme), ['jane@client.com']);
  const internalSender = mail({ direction: 'incoming', from: 'amy@acme.com', to: ['bob@acme.com'] });
  assert.deepEqual(externalParty(internalSender, acme), []);
  assert.deepEqual(externalParty(mail({ to: [] }), acme), []);
});

test("E3: with a mailbox on gmail.com, customers on gmail.com are external but the team's own addresses are not", () => {
  const ws: MailboxWorkspace = {
    mailboxDomains: ['gmail.com'],
    users: [{ id: 'u1', name: 'Bob', email: 'Bob.Sales@gmail.com' }],
  };
  const email = mail({ from: 'bob.sales@gmail.com', to: ['customer@gmail.com', 'BOB.SALES@gmail.com'] });
  assert.deepEqual(externalParty(email, ws), ['customer@gmail.com']);
  assert.deepEqual(externalParty(email, { mailboxDomains: ['gmail.com'] }), [
    'customer@gmail.com',
    'BOB.SALES@gmail.com',
  ]);
});

import { Email } from '../model/activities.js';
import {
  ActivityTrail,
  bareAddress,
  checkRecord,
  checkWorkspace,
  activityLink,
  contextVariables,
  createAsObject,
  createOrUpdate,
  dayOf,
  decided,
  describeOf,
  extraMappedFields,
  findInSalesforce,
  fitText,
  onMailboxDomain,
  personOf,
  settleWhat,
  subjectLength,
  writeActivityOwner,
  type ActivityContext,
  type ActivityDecision,
  type WhoSettlement,
} from './activity-decision.js';
import { decideEmailPush, externalParty, type EmailContext } from './classify-email.js';
import type { SalesforceFields } from './decision.js';
import { emailKey } from './match.js';
import { renderTitle } from './templates.js';

/*
 * E6 (with E1-E5): an email becomes one completed Task. E1/E2/E4 are `decideEmailPush`'s; this
 * file adds who and what the Task is about (E3, E6), its subject (E5) and body, and E12.
 */

export interface EmailActivityInput extends ActivityContext {
  kind: 'email';
  record: Email;
  /** E1: what the engine knows of the email's thread; see `threadContext`. */
  thread: EmailContext;
}

/**
 * E6: the key that makes the same message one Task however often it is seen (sent through the
 * app, later synced from the mailbox, re-imported). The Message-ID without its angle brackets,
 * with its domain part lower-cased: RFC 5322 compares the left part exactly, and mail systems
 * are known to change the case of the right part only.
 */
export function emailDedupeKey(email: Pick<Email, 'messageId'>): string {
  return normalizeMessageId(email.messageId);
}

function normalizeMessageId(raw: string): string {
  const id = raw.trim().replace(/^<+/, '').replace(/>+$/, '').trim();
  const at = id.lastIndexOf('@');
  return at < 0 ? id : `${id.slice(0, at)}@${id.slice(at + 1).toLowerCase()}`;
}

/** The message ids an `In-Reply-To` or `References` header names (`<a@x> <b@y>` or a bare id). */
function messageIdsIn(header: string): string[] {
  const bracketed = [...header.matchAll(/<([^<>]+)>/g)].map((m) => m[1] ?? '');
  const ids = bracketed.length > 0 ? bracketed : [header];
  return ids.map(normalizeMessageId).filter((id) => id !== '');
}

/** What the engine knows of emails sent through the app in this workspace. */
export interface AppSentIndex {
  /** Thread ids holding an email sent through the app. */
  threadIds: ReadonlySet<string>;
  /** `emailDedupeKey`s of emails sent through the app. */
  messageKeys: ReadonlySet<string>;
}

/**
 * E1: the thread facts `classifyEmail` needs. A reply belongs to an app-sent thread when its
 * thread id holds an app-sent email, or when it answers (`inReplyTo`) an app-sent message; the
 * second catches mailboxes that give a reply a thread id of their own.
 */
export function threadContext(
  email: Pick<Email, 'threadId' | 'inReplyTo'>,
  sent: AppSentIndex,
): EmailContext {
  const byThread = email.threadId !== null && sent.threadIds.has(email.threadId);
  const byReply =
    email.inReplyTo !== null && messageIdsIn(email.inReplyTo).some((id) => sent.messageKeys.has(id));
  return { threadHasAppSentEmail: byThread || byReply };
}

/** Which side the WhoId comes from, for sentences. */
const SIDE = { outgoing: 'To recipient', incoming: 'sender' } as const;

/**
 * E3 + E6: the WhoId. The first To recipient (outgoing) or the sender (incoming) that is in
 * Salesforce. None: without `pushEmailsWithoutMatch` the email is not pushed; with it the first
 * such party is created as C4 says, unless it is on a mailbox domain.
 */
function settleWho(input: EmailActivityInput, kind: string, trail: ActivityTrail): WhoSettlement | null {
  const email = input.record;
  const parties = externalParty(email, input.workspace);
  if (kind === 'internal') {
    trail.add('E2', 'no_who', 'It is internal, so it has no external party and the Task gets no WhoId.');
    return null;
  }
  const side = SIDE[email.direction];
  for (const [i, address] of parties.entries()) {
    const found = findInSalesforce(address, input, email.id, trail, 'E6');
    if (found === null) continue;
    const position = parties.length > 1 ? ` (the ${i === 0 ? 'first' : `${ordinal(i + 1)}`} ${side})` : '';
    trail.add(
      'E6',
      'who_found',
      `WhoId is ${found.object} ${found.id}, the ${side} ${address}${position}, which is in Salesforce.`,
      [found.id],
    );
    return found;
  }
  const label = trail.label;
  if (parties.length === 0) {
    trail.stop(
      'no_external_party',
      ['E3'],
      `${label} was not pushed: its ${email.direction === 'outgoing' ? 'To recipients are' : 'sender is'} on the team's mailbox domains or the team's own addresses, so there is nobody outside the team to log it on.`,
    );
  }
  const list = parties.join(', ');
  if (!input.settings.activities.emails.pushEmailsWithoutMatch) {
    trail.stop(
      'external_party_not_in_salesforce',
      ['E3'],
      `${label} was not pushed: its ${side}${parties.length > 1 ? 's' : ''} (${list}) ${parties.length > 1 ? 'are' : 'is'} not in Salesforce, and "Push emails even if the sender or recipient doesn't exist" is off.`,
    );
  }
  const creatable = parties.filter((a) => !onMailboxDomain(a, input.workspace));
  const target = creatable[0];
  if (target === undefined) {
    trail.stop(
      'no_external_party',
      ['E3'],
      `${label} was not pushed: its ${side} (${list}) is not in Salesforce and is on a mailbox domain, and addresses on mailbox domains are never created.`,
    );
  }
  const object = createAsObject(input.settings);
  const key = emailKey(target);
  const local = input.people.find((p) => emailKey(p.record.email) === key);
  trail.rule('C4');
  trail.add(
    'E3',
    'who_to_create',
    `No ${side} is in Salesforce (${list}); "Push emails even if the sender or recipient doesn't exist" is on, so ${target} is created as a ${object} ("create as", C4) and the Task is logged on it.`,
  );
  return { via: 'create', object, email: bareAddress(target), personId: local?.record.id ?? null };
}

function ordinal(n: number): string {
  const rest = n % 100;
  if (rest >= 11 && rest <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}

/** E1-E6, E12: one email -> one completed Task (`TaskSubtype` Email), or why not. */
export function decideEmailActivity(input: EmailActivityInput): ActivityDecision {
  const email = input.record;
  const trail: ActivityTrail = new ActivityTrail('email', `Email ${email.id}`);
  return decided(() => {
    checkRecord(Email, email, trail, 'E6');
    checkWorkspace(email, input, trail, 'E6');

    const verdict = decideEmailPush(email, input.settings, input.workspace, input.thread);
    if (verdict.action === 'skip') return trail.skip(verdict.code, [verdict.rule], verdict.reason);
    trail.rule('E1');

    const link = activityLink(input, 'Task', trail);
    const describe = describeOf(input, 'Task', trail);
    const who = settleWho(input, verdict.kind, trail);
    const what = settleWhat(who, input, trail);

    const title = renderTitle(
      'email',
      input.settings.activities.emails.titleTemplate,
      {
        subject: email.subject,
        direction: email.direction,
        from: bareAddress(email.from),
        to: email.to.map(bareAddress).join(', '),
        sentAt: email.sentAt,
        ...contextVariables(personOf(who, input), input, email.ownerId),
      },
      subjectLength(describe),
    );
    if (!title.ok)
      trail.stop(
        'template_invalid',
        ['E5'],
        `${trail.label} was not pushed: ${title.problem} Fix the email title template.`,
      );
    trail.rule('E5');
    if (title.truncated)
      trail.add(
        'E5',
        'text_truncated',
        `The subject was cut to ${title.title.length} characters, the length of Task.Subject.`,
      );

    const fields: SalesforceFields = {
      Subject: title.title,
      Description: fitText(email.body, 'Description', describe, trail, 'body'),
      ActivityDate: dayOf(email.sentAt),
      Status: 'Completed',
      TaskSubtype: 'Email',
    };
    if (who?.via === 'existing') fields.WhoId = who.id;
    if (what !== null) fields.WhatId = what;
    Object.assign(
      fields,
      extraMappedFields(
        input,
        'Task',
        { subject: email.subject, body: email.body },
        fields,
        link === null ? 'create' : 'update',
        link?.snapshot ?? null,
        trail,
      ),
    );
    if (link === null) writeActivityOwner(email.ownerId, input, fields, trail);

    return createOrUpdate({
      ctx: input,
      trail,
      kind: 'email',
      object: 'Task',
      localId: email.id,
      link,
      fields,
      who,
      reason: `${verdict.reason} It is logged as one completed Task (E6).`,
    });
  });
}

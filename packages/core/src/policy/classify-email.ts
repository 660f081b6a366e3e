import type { Email } from '../model/activities.js';
import type { Workspace } from '../model/workspace.js';
import type { EmailKind, Settings } from '../settings/schema.js';
import { domainOfEmail, isFreeMail, isSameOrSubdomain, normalizeAddress } from './domains.js';
import { matchExclusionRules } from './exclusion.js';

/** The fields of an email the E1/E2/E4 rules read: never the body, never CC/BCC for a decision. */
export type ClassifiableEmail = Pick<Email, 'direction' | 'sentThroughApp' | 'from' | 'to' | 'subject'>;

/** What the rules need of the workspace. */
export type MailboxWorkspace = Pick<Workspace, 'mailboxDomains'> & Partial<Pick<Workspace, 'users'>>;

/** Facts the engine looks up before it asks; the rules never look anything up themselves. */
export interface EmailContext {
  /** True when the email's thread (`threadId` or `inReplyTo`) holds an email sent through the app. */
  threadHasAppSentEmail: boolean;
}

/** The E1 kinds in the spec's order of classification: the first that fits is the kind. */
export const EMAIL_KIND_ORDER = [
  'internal',
  'outgoingSentThroughApp',
  'outgoingNotSentThroughApp',
  'incomingReplyToApp',
  'incomingOther',
] as const satisfies readonly EmailKind[];

/** Labels as the settings page shows them, for log sentences. */
export const EMAIL_KIND_LABELS: Record<EmailKind, string> = {
  internal: 'internal',
  outgoingSentThroughApp: 'outgoing, sent through the app',
  outgoingNotSentThroughApp: 'outgoing, not sent through the app',
  incomingReplyToApp: 'incoming reply to an email sent through the app',
  incomingOther: 'incoming from any other source',
};

export interface EmailClassification {
  kind: EmailKind;
  /** E2 decided it is internal; every other kind is E1's. */
  rule: 'E1' | 'E2';
  reason: string;
}

/**
 * E1/E2: the one kind of an email. Internal comes first (an internal email sent through the app
 * is still internal), then direction and whether the app sent it or its thread.
 */
export function classifyEmail(
  email: ClassifiableEmail,
  workspace: MailboxWorkspace,
  ctx: EmailContext,
): EmailClassification {
  const internal = internalVerdict(email, workspace);
  if (internal.internal) return { kind: 'internal', rule: 'E2', reason: internal.reason };

  const kind = nonInternalKind(email, ctx);
  const why: Record<Exclude<EmailKind, 'internal'>, string> = {
    outgoingSentThroughApp: 'It is outgoing and was sent through the app.',
    outgoingNotSentThroughApp: 'It is outgoing and was not sent through the app (synced from a mailbox).',
    incomingReplyToApp: 'It is incoming and its thread holds an email sent through the app.',
    incomingOther: 'It is incoming and its thread holds no email sent through the app.',
  };
  return { kind, rule: 'E1', reason: `${internal.reason} ${why[kind]}` };
}

function nonInternalKind(email: ClassifiableEmail, ctx: EmailContext): Exclude<EmailKind, 'internal'> {
  switch (email.direction) {
    case 'outgoing':
      return email.sentThroughApp ? 'outgoingSentThroughApp' : 'outgoingNotSentThroughApp';
    case 'incoming':
      return ctx.threadHasAppSentEmail ? 'incomingReplyToApp' : 'incomingOther';
  }
}

/**
 * E2: internal when the sender and every To recipient are on a mailbox domain (or a subdomain
 * of one). Free-mail domains never count, even when a mailbox uses one: two gmail.com addresses
 * say nothing about working together. CC/BCC play no part. An email with no To recipient is not
 * internal: nothing shows that it stays inside the team, and calling it internal could hide a
 * BCC'd customer email from a team that pushes only external mail.
 */
function internalVerdict(
  email: ClassifiableEmail,
  workspace: MailboxWorkspace,
): { internal: boolean; reason: string } {
  if (teamDomains(workspace).length === 0) {
    return { internal: false, reason: 'It is not internal: the workspace has no mailbox domain.' };
  }
  if (!onTeamDomain(email.from, workspace)) {
    return {
      internal: false,
      reason: `It is not internal: the sender ${email.from.trim()} is not on a mailbox domain${freeMailNote(email.from)}.`,
    };
  }
  if (email.to.length === 0) {
    return {
      internal: false,
      reason: 'It is not internal: it has no To recipient (CC and BCC do not count).',
    };
  }
  const outsider = email.to.find((to) => !onTeamDomain(to, workspace));
  if (outsider !== undefined) {
    return {
      internal: false,
      reason: `It is not internal: the To recipient ${outsider.trim()} is not on a mailbox domain${freeMailNote(outsider)}.`,
    };
  }
  return {
    internal: true,
    reason: `It is internal: the sender and every To recipient are on the mailbox domains (${teamDomains(workspace).join(', ')}).`,
  };
}

/** The mailbox domains that can make an email internal: free-mail ones never do. */
function teamDomains(workspace: MailboxWorkspace): string[] {
  return workspace.mailboxDomains.filter((d) => !isFreeMail(d));
}

function onTeamDomain(address: string, workspace: MailboxWorkspace): boolean {
  const domain = domainOfEmail(address);
  if (domain === null || isFreeMail(domain)) return false;
  return teamDomains(workspace).some((d) => isSameOrSubdomain(domain, d));
}

function freeMailNote(address: string): string {
  const domain = domainOfEmail(address);
  return domain !== null && isFreeMail(domain) ? ` (${domain} is a free-mail domain, never internal)` : '';
}

/**
 * E3, E6: the addresses the engine looks up in Salesforce for this email, in the order it should
 * prefer them: the To recipients of an outgoing email, the sender of an incoming one. Addresses
 * on a mailbox domain are left out (E3 never creates them), and so are the team's own user
 * addresses, which matters when a mailbox is on a free-mail domain. Each address is returned
 * as written, without a display name, once.
 */
export function externalParty(email: ClassifiableEmail, workspace: MailboxWorkspace): string[] {
  const own = new Set(
    (workspace.users ?? []).map((u) => normalizeAddress(u.email)).filter((a) => a !== null),
  );
  const candidates = email.direction === 'outgoing' ? email.to : [email.from];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const raw of candidates) {
    const normal = normalizeAddress(raw);
    if (normal === null || seen.has(normal) || own.has(normal) || onTeamDomain(raw, workspace)) continue;
    seen.add(normal);
    out.push(bareAddress(raw));
  }
  return out;
}

function bareAddress(address: string): string {
  const angle = /<([^<>]*)>\s*$/.exec(address);
  return (angle?.[1] ?? address).trim();
}

/** Stable skip codes, so a dry run can count skips by reason (O2). */
export type EmailSkipCode = 'push_emails_off' | 'email_kind_not_selected' | 'excluded_by_rule';

export type EmailPushDecision =
  | { action: 'push'; rule: 'E1'; kind: EmailKind; reason: string }
  | {
      action: 'skip';
      rule: 'E1';
      code: 'push_emails_off' | 'email_kind_not_selected';
      kind: EmailKind;
      reason: string;
    }
  | {
      action: 'skip';
      rule: 'E4';
      code: 'excluded_by_rule';
      kind: EmailKind;
      reason: string;
      ruleName: string;
      ruleIndex: number;
    };

/**
 * E1 + E4: whether an email is pushed. E1 is applied before E4 on purpose: when email push is
 * off or the kind is not selected, that setting is what the admin must change, and naming an
 * exclusion rule instead would send them to the wrong screen. So an E4 skip in the log always
 * means "this rule, and nothing else, stopped the push". The kind is in every decision so the
 * log and the dry run can count by kind. E3 (is the external party in Salesforce?) comes after
 * this, in the engine, once the lookup is done.
 */
export function decideEmailPush(
  email: ClassifiableEmail,
  settings: Pick<Settings, 'activities'>,
  workspace: MailboxWorkspace,
  ctx: EmailContext,
): EmailPushDecision {
  const emails = settings.activities.emails;
  const classification = classifyEmail(email, workspace, ctx);
  const { kind } = classification;
  const label = EMAIL_KIND_LABELS[kind];

  if (!emails.pushEmails) {
    return {
      action: 'skip',
      rule: 'E1',
      code: 'push_emails_off',
      kind,
      reason: 'Not pushed: email push is off (turn on "Push emails" to log emails in Salesforce).',
    };
  }
  if (!emails.kinds[kind]) {
    return {
      action: 'skip',
      rule: 'E1',
      code: 'email_kind_not_selected',
      kind,
      reason: `Not pushed: the email kind "${label}" is not selected. ${classification.reason}`,
    };
  }
  const excluded = matchExclusionRules(email, emails.exclusionRules);
  if (excluded !== null) {
    return {
      action: 'skip',
      rule: 'E4',
      code: 'excluded_by_rule',
      kind,
      reason: excluded.reason,
      ruleName: excluded.ruleName,
      ruleIndex: excluded.ruleIndex,
    };
  }
  return {
    action: 'push',
    rule: 'E1',
    kind,
    reason: `Pushed: the email kind "${label}" is selected. ${classification.reason}`,
  };
}

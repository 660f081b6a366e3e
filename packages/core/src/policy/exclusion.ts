import type { Email } from '../model/activities.js';
import type { ExclusionRule, ExclusionSide } from '../settings/schema.js';
import { isSameOrSubdomain, normalizeAddress, normalizeHost } from './domains.js';

/** What E4 looks at: never CC or BCC. */
export type ExcludableEmail = Pick<Email, 'from' | 'to' | 'subject'>;

/** E4: the first rule that drops the email, with an admin-readable sentence of why. */
export interface ExclusionMatch {
  rule: 'E4';
  ruleName: string;
  /** Position of the rule in `activities.emails.exclusionRules` (0-based). */
  ruleIndex: number;
  reason: string;
}

/**
 * E4: the first exclusion rule the email matches, or null when none does. Rules are tried in
 * their saved order so the log always names the same rule for the same email.
 *
 * Within a side, values of one kind are alternatives and every kind given must match; the To
 * side matches when one To recipient satisfies its domains and addresses. Subject keywords
 * test the subject whichever side holds them. Sides join with the rule's AND/OR; an empty side
 * is ignored, and a rule whose sides are both empty matches nothing (settings refuse it on save).
 */
export function matchExclusionRules(
  email: ExcludableEmail,
  rules: readonly ExclusionRule[],
): ExclusionMatch | null {
  for (const [ruleIndex, rule] of rules.entries()) {
    const because = matchRule(email, rule);
    if (because !== null) {
      return {
        rule: 'E4',
        ruleName: rule.name,
        ruleIndex,
        reason: `Dropped by exclusion rule "${rule.name}" (rule ${ruleIndex + 1}): ${because.join(rule.join === 'and' ? ' and ' : '; ')}.`,
      };
    }
  }
  return null;
}

/** The sentences that explain the match, or null when the rule does not match. */
function matchRule(email: ExcludableEmail, rule: ExclusionRule): string[] | null {
  const sides: (() => string[] | null)[] = [];
  if (!isEmptySide(rule.from)) sides.push(() => matchFromSide(email, rule.from));
  if (!isEmptySide(rule.to)) sides.push(() => matchToSide(email, rule.to));
  if (sides.length === 0) return null;

  switch (rule.join) {
    case 'and': {
      const all: string[] = [];
      for (const side of sides) {
        const because = side();
        if (because === null) return null;
        all.push(...because);
      }
      return all;
    }
    case 'or': {
      for (const side of sides) {
        const because = side();
        if (because !== null) return because;
      }
      return null;
    }
  }
}

function isEmptySide(side: ExclusionSide): boolean {
  return side.domains.length + side.addresses.length + side.subjectKeywords.length === 0;
}

function matchFromSide(email: ExcludableEmail, side: ExclusionSide): string[] | null {
  const because: string[] = [];
  const sender = normalizeAddress(email.from);
  if (side.domains.length > 0) {
    const domain = sender === null ? undefined : matchingDomain(sender, side.domains);
    if (domain === undefined) return null;
    because.push(`the sender ${email.from.trim()} is on ${domain}`);
  }
  if (side.addresses.length > 0) {
    if (sender === null || !side.addresses.some((a) => normalizeAddress(a) === sender)) return null;
    because.push(`the sender is ${email.from.trim()}`);
  }
  return withSubject(email, side, because);
}

function matchToSide(email: ExcludableEmail, side: ExclusionSide): string[] | null {
  const because: string[] = [];
  if (side.domains.length > 0 || side.addresses.length > 0) {
    // One recipient must satisfy every recipient kind given: "any To recipient matches".
    const hit = email.to.find((raw) => {
      const to = normalizeAddress(raw);
      if (to === null) return false;
      if (side.domains.length > 0 && matchingDomain(to, side.domains) === undefined) return false;
      if (side.addresses.length > 0 && !side.addresses.some((a) => normalizeAddress(a) === to)) return false;
      return true;
    });
    if (hit === undefined) return null;
    const to = normalizeAddress(hit) ?? hit;
    const domain = side.domains.length > 0 ? matchingDomain(to, side.domains) : undefined;
    because.push(
      domain === undefined
        ? `the To recipient is ${hit.trim()}`
        : `the To recipient ${hit.trim()} is on ${domain}`,
    );
  }
  return withSubject(email, side, because);
}

function withSubject(email: ExcludableEmail, side: ExclusionSide, because: string[]): string[] | null {
  if (side.subjectKeywords.length === 0) return because;
  const keyword = matchingKeyword(email.subject, side.subjectKeywords);
  if (keyword === undefined) return null;
  because.push(`the subject contains "${keyword}"`);
  return because;
}

/** The rule domain (as the admin wrote it) that a normalised address is on, subdomains included. */
function matchingDomain(address: string, domains: readonly string[]): string | undefined {
  const domain = address.slice(address.lastIndexOf('@') + 1);
  return domains.find((d) => {
    const parent = normalizeHost(d);
    return parent !== null && isSameOrSubdomain(domain, parent);
  });
}

/**
 * Case-insensitive substring test. NFKC first so a keyword typed with ordinary letters also
 * finds its full-width or composed forms in a subject; a keyword that is blank after trimming
 * would match nearly every subject, so it matches none.
 */
function matchingKeyword(subject: string, keywords: readonly string[]): string | undefined {
  const haystack = fold(subject);
  return keywords.find((k) => {
    const needle = fold(k);
    return needle.trim() !== '' && haystack.includes(needle);
  });
}

function fold(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

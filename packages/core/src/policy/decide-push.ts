import type { Company } from '../model/company.js';
import type { Link } from '../model/link.js';
import type { Person } from '../model/person.js';
import type { Settings } from '../settings/schema.js';
import {
  decisionNote,
  uniqueRules,
  type AccountSettlement,
  type DecisionNote,
  type PushDecision,
  type PushObject,
  type RuleId,
  type SalesforceFields,
  type SkipCode,
} from './decision.js';
import { checkEligibility, isOldOrgLink, linkInOrg, netNewGate } from './eligibility.js';
import { cutToLength, mapFields, type FieldIssue, type ObjectDescribe } from './map-fields.js';
import {
  describeTieBreak,
  matchAccount,
  matchPerson,
  type AccountCandidate,
  type PersonCandidate,
} from './match.js';
import { resolveOwner, type OwnerContext } from './owner.js';

/*
 * The send-time decision for people and companies: made by the push worker just before sending,
 * on the record, its link and the settings in force then, with the Salesforce match candidates
 * already looked up for the batch. Pure: the engine performs what it returns.
 */

/**
 * `change`: an automatic push after a change (push settings apply). `manual` (M1): an admin
 * pushed it by hand. `push_all` (C9): "Push all contacts"; for a company it behaves as `change`,
 * because push-all is about people and their companies reach Salesforce through C7.
 */
export type PushTrigger = 'change' | 'manual' | 'push_all';

export interface MatchCandidates {
  /** X1: Contacts and Leads with the person's email (converted Leads included). */
  people: readonly PersonCandidate[];
  /** X2: Accounts by the company's domain and by its name. */
  accounts: readonly AccountCandidate[];
}

interface CommonInput {
  settings: Settings;
  trigger: PushTrigger;
  /** The org crmsync is connected to now; links of another org are never written through. */
  orgId: string;
  matchCandidates: MatchCandidates;
  owners: OwnerContext;
  /** The org's describes; a decision that needs a missing one is skipped. */
  describes: Partial<Record<PushObject, ObjectDescribe>>;
  /**
   * Current Salesforce values of the linked record, for `fill_if_empty` (null = not read). A
   * record found by matching (X1/X2) has not been read, so its `fill_if_empty` fields are left
   * out of the first update, with a note.
   */
  current: Record<string, unknown> | null;
  /** Set when the record was deleted locally: the decision is whether the delete travels (C10, A4). */
  deleted?: boolean;
}

export interface PersonPushInput extends CommonInput {
  kind: 'person';
  record: Person;
  link: Link | null;
  /** The person's company and its link, or null when it has none. */
  company: { record: Company; link: Link | null } | null;
}

export interface CompanyPushInput extends CommonInput {
  kind: 'company';
  record: Company;
  link: Link | null;
  /**
   * A4: children of the company's Account (Contacts, Opportunities, activities) that are not
   * being deleted with it. Needed only for a delete; unknown means the delete waits.
   */
  accountChildrenRemaining?: number;
}

export type DecidePushInput = PersonPushInput | CompanyPushInput;

/** Collects the rules and notes a decision picks up on its way. */
class Trail {
  readonly rules: RuleId[] = [];
  readonly notes: DecisionNote[] = [];
  rule(...ids: RuleId[]): void {
    this.rules.push(...ids);
  }
  add(n: DecisionNote): void {
    this.notes.push(n);
    this.rules.push(n.rule);
  }
  /** A note that explains the decision without being one of the rules that made it. */
  notice(n: DecisionNote): void {
    this.notes.push(n);
  }
  skip(
    code: SkipCode,
    rules: readonly RuleId[],
    reason: string,
    markLink: Link['state'] | null = null,
  ): PushDecision {
    return {
      action: 'skip',
      code,
      markLink,
      rules: uniqueRules([...rules, ...this.rules]),
      reason,
      notes: this.notes,
    };
  }
  explained(reason: string): { rules: RuleId[]; reason: string; notes: DecisionNote[] } {
    return { rules: uniqueRules(this.rules), reason, notes: this.notes };
  }
}

/** A local delete, a link that stops pushes, or the record itself failed its checks: the decision is final. */
class Final {
  constructor(readonly decision: PushDecision) {}
}

/**
 * Decides what to send for one person or company: `create`, `update`, `link_existing` (X1/X2
 * then update), `delete` (C10/A4) or `skip`, with the exact fields, the rule ids and a sentence.
 * Never throws for a record's own data: a value Salesforce would refuse is a `skip` with the
 * field issues in its notes.
 */
export function decidePush(input: DecidePushInput): PushDecision {
  const trail = new Trail();
  if (isOldOrgLink(input.link, input.orgId)) {
    trail.notice(
      decisionNote(
        'C1',
        'old_org_link_ignored',
        `The link to ${input.link!.sfObject} ${input.link!.sfId} belongs to org ${input.link!.orgId}, not the connected org ${input.orgId}; old links are never used to write, so the record is treated as not linked.`,
        [input.link!.sfId],
      ),
    );
  }
  try {
    if (input.deleted === true) return decideDelete(input, trail);
    const link = usableLink(input, trail);
    return input.kind === 'person' ? decidePerson(input, link, trail) : decideCompany(input, link, trail);
  } catch (e) {
    if (e instanceof Final) return e.decision;
    throw e;
  }
}

function decideDelete(input: DecidePushInput, trail: Trail): PushDecision {
  const base = {
    record: input.record,
    previous: null,
    link: input.link,
    change: 'deleted',
    settings: input.settings,
    orgId: input.orgId,
  } as const;
  const e = checkEligibility(
    input.kind === 'person'
      ? { ...base, kind: 'person', record: input.record }
      : { ...base, kind: 'company', record: input.record },
  );
  if (!e.eligible) return trail.skip(e.code, e.rules, e.reason, e.markLink);
  const link = linkInOrg(input.link, input.orgId)!;
  if (input.kind === 'company') {
    if (input.accountChildrenRemaining === undefined) {
      return trail.skip(
        'account_children_unknown',
        ['A4'],
        `Account ${link.sfId} is not deleted yet: its Contacts, Opportunities and activities must be counted first, because deleting an Account deletes them too.`,
      );
    }
    if (input.accountChildrenRemaining > 0) {
      const n = input.accountChildrenRemaining;
      return trail.skip(
        'account_has_children',
        ['A4'],
        `Account ${link.sfId} is not deleted: it still has ${n} ${n === 1 ? 'child record' : 'child records'} (Contacts, Opportunities or activities) that crmsync is not deleting, and Salesforce would delete ${n === 1 ? 'it' : 'them'} with the Account.`,
      );
    }
  }
  trail.rule(...e.rules);
  return {
    action: 'delete',
    object: link.sfObject as PushObject,
    sfId: link.sfId,
    ...trail.explained(e.reason),
  };
}

const OBJECTS_OF: Record<DecidePushInput['kind'], readonly string[]> = {
  person: ['Contact', 'Lead'],
  company: ['Account'],
};

/**
 * The link to write through, or null for a net-new record. A link marked deleted in Salesforce
 * (C10/A4) or merged (C11/A5) stops the push unless it is manual (M1), which pushes the record
 * as if it had no link: matching (X1/X2) then finds the survivor of a merge, or nothing, and a
 * new record is created.
 */
function usableLink(input: DecidePushInput, trail: Trail): Link | null {
  const link = linkInOrg(input.link, input.orgId);
  if (link === null) return null;
  if (!OBJECTS_OF[input.kind].includes(link.sfObject)) {
    throw new Final(
      trail.skip(
        'unsupported_link',
        [input.kind === 'person' ? 'C1' : 'A6'],
        `The ${input.kind} is linked to a ${link.sfObject} (${link.sfId}), which is not a record a ${input.kind} is pushed to; unlink it and push again.`,
      ),
    );
  }
  const person = input.kind === 'person';
  switch (link.state) {
    case 'active':
      return link;
    case 'deleted_locally':
      trail.add(
        decisionNote(
          person ? 'C1' : 'A6',
          'link_was_deleted_locally',
          `The link to ${link.sfObject} ${link.sfId} was marked deleted locally, but the record is back in crmsync, so it is written to again.`,
          [link.sfId],
        ),
      );
      return link;
    case 'deleted_in_salesforce':
    case 'merged': {
      const deleted = link.state === 'deleted_in_salesforce';
      const rule: RuleId = deleted ? (person ? 'C10' : 'A4') : person ? 'C11' : 'A5';
      const what = deleted
        ? `was deleted in Salesforce`
        : `was merged into ${link.mergedInto ?? 'another record'} in Salesforce`;
      if (input.trigger !== 'manual') {
        throw new Final(
          trail.skip(
            deleted ? 'link_deleted_in_salesforce' : 'link_merged',
            [rule],
            `Its ${link.sfObject} ${link.sfId} ${what}, so changes are not pushed (that would silently re-create it); push it by hand to push it again.`,
          ),
        );
      }
      trail.rule('M1', rule);
      trail.add(
        decisionNote(
          'M1',
          'manual_override',
          `Its ${link.sfObject} ${link.sfId} ${what}; pushed by hand, so it is pushed as a record not yet in Salesforce.`,
          [link.sfId],
        ),
      );
      return null;
    }
  }
}

/** Applies C2/C3 or A1/A2 to a net-new record, or notes why they do not apply (M1, C9). */
function gateNetNew(input: DecidePushInput, trail: Trail): string {
  const person = input.kind === 'person';
  if (input.trigger === 'manual') {
    trail.rule('M1');
    trail.add(
      decisionNote(
        'M1',
        'manual_override',
        `Pushed by hand: the ${person ? 'contact push settings (C2, C3)' : 'account push settings (A1, A2)'} do not apply.`,
      ),
    );
    return 'It was pushed by hand (M1).';
  }
  if (input.trigger === 'push_all' && person) {
    trail.rule('C9');
    trail.add(
      decisionNote(
        'C9',
        'push_all_override',
        '"Push all contacts" pushes every person not yet in Salesforce: "Push contacts" and its stages (C2, C3) do not apply.',
      ),
    );
    return 'It is pushed by "Push all contacts" (C9).';
  }
  const gate = netNewGate(input.kind, input.record.stage, undefined, input.settings);
  if (!gate.pass) throw new Final(trail.skip(gate.code, gate.rules, gate.reason));
  trail.rule(...gate.rules);
  return gate.reason;
}

function describeOf(input: DecidePushInput, object: PushObject, trail: Trail): ObjectDescribe {
  const d = input.describes[object];
  if (d === undefined) {
    throw new Final(
      trail.skip(
        'describe_missing',
        ['X5'],
        `The ${object} describe of the org is not loaded, so the fields cannot be checked; the push waits for it.`,
      ),
    );
  }
  return d;
}

interface MapRequest {
  object: PushObject;
  values: Record<string, unknown>;
  mode: 'create' | 'update';
  /** What crmsync last wrote: the link's snapshot; null for a create or a record just matched. */
  snapshot: Record<string, unknown> | null;
  /** Current Salesforce values for `fill_if_empty`: only the linked record's were read. */
  current: Record<string, unknown> | null;
  dropLocal?: ReadonlySet<string>;
  /** Says why the record is not sent when this object's values are refused (C7: the company's Account). */
  refused?: string;
}

/** X5/X6 through the field map; a refused value makes the whole record a skip, with every issue. */
function mapped(input: DecidePushInput, trail: Trail, req: MapRequest): SalesforceFields {
  const drop = req.dropLocal ?? new Set<string>();
  const mappings = input.settings.fieldMappings[req.object].filter((m) => !drop.has(m.local));
  const describe = describeOf(input, req.object, trail);
  const result = mapFields({
    object: req.object,
    values: req.values,
    mappings,
    describe,
    mode: req.mode,
    snapshot: req.snapshot,
    current: req.current,
  });
  if (!result.ok) {
    result.issues.forEach((i) => trail.add(fieldNote(i)));
    const list = result.issues.map((i) => i.message).join(' ');
    const what = req.refused ?? `The ${req.object} was not sent because Salesforce would refuse a value`;
    throw new Final(trail.skip('field_rejected', ['X6'], `${what}: ${list}`));
  }
  result.notes.forEach((i) => trail.add(fieldNote(i)));
  return { ...result.fields };
}

function fieldNote(issue: FieldIssue): DecisionNote {
  return decisionNote(issue.rule, 'field_note', issue.message);
}

/**
 * C5, A3: the source written when crmsync creates a record. Not a mapped field, so it is checked
 * here; a source the org cannot take is left out with a note rather than failing the record,
 * because the record matters more than its provenance.
 */
function writeSource(
  fields: SalesforceFields,
  describe: ObjectDescribe,
  field: string,
  value: string,
  rule: 'C5' | 'A3',
  trail: Trail,
): void {
  trail.rule(rule);
  if (value === '') return;
  const f = describe.fields.find((x) => x.name.toLowerCase() === field.toLowerCase());
  const skip = (why: string) =>
    trail.add(
      decisionNote(
        rule,
        'source_not_written',
        `The source "${value}" was not written: ${why}; choose another source field or value in the settings.`,
      ),
    );
  if (f === undefined) return skip(`the org's ${describe.name} has no field ${field}`);
  if (!f.createable) return skip(`${describe.name}.${f.name} cannot be set on create`);
  if (f.restrictedPicklist && !f.picklistValues.includes(value)) {
    return skip(
      `${describe.name}.${f.name} is a restricted picklist that allows only ${f.picklistValues.map((v) => `"${v}"`).join(', ')}`,
    );
  }
  fields[f.name] = f.length > 0 ? cutToLength(value, f.length) : value;
}

/** X7 on create: always an owner. On update only a real owner that changed since crmsync's last write, so a reassignment made in Salesforce is not undone by a fallback. */
function writeOwner(
  input: DecidePushInput,
  fields: SalesforceFields,
  mode: 'create' | 'update',
  snapshot: Record<string, unknown> | null,
  trail: Trail,
): void {
  const owner = resolveOwner(input.record.ownerId, input.owners, input.settings.owners.defaultOwnerId);
  if (mode === 'create') {
    trail.add(owner.note);
    if (owner.ownerId !== null) fields.OwnerId = owner.ownerId;
    return;
  }
  if (owner.source === 'matched' && snapshot?.OwnerId !== owner.ownerId) {
    trail.add(owner.note);
    fields.OwnerId = owner.ownerId;
  }
}

// ---------------------------------------------------------------------------------------------
// People

function personValues(p: Person, company: Company | null): Record<string, unknown> {
  return {
    firstName: p.firstName,
    lastName: p.lastName,
    title: p.title,
    email: p.email,
    phone: p.phones.find((x) => x.type !== 'mobile')?.number ?? null,
    mobilePhone: p.phones.find((x) => x.type === 'mobile')?.number ?? null,
    stage: p.stage,
    externalId: p.externalId,
    'company.name': company?.name ?? null,
    'company.website': company?.website ?? null,
    'company.industry': company?.industry ?? null,
    'company.size': company?.size ?? null,
  };
}

function decidePerson(input: PersonPushInput, link: Link | null, trail: Trail): PushDecision {
  const p = input.record;
  const values = personValues(p, input.company?.record ?? null);

  if (link !== null) {
    const object = link.sfObject as 'Contact' | 'Lead';
    trail.rule('C1');
    if (input.trigger === 'manual') trail.rule('M1');
    const dropLocal = withheldEmail(input, true, trail);
    const fields = mapped(input, trail, {
      object,
      values,
      mode: 'update',
      snapshot: link.snapshot,
      current: input.current,
      dropLocal,
    });
    const account = personExtras(input, object, fields, 'update', link.snapshot, trail);
    return {
      action: 'update',
      object,
      sfId: link.sfId,
      fields,
      account,
      ...trail.explained(
        `It is linked to ${object} ${link.sfId}, so the change is pushed there whatever the push settings (C1).`,
      ),
    };
  }

  const why = gateNetNew(input, trail);
  const dropLocal = withheldEmail(input, false, trail);
  const match = matchPerson(p.email, input.matchCandidates.people, input.settings.matching.tieBreak, p.id);
  if (match.found) {
    trail.rule('X1');
    const ids = match.candidateIds;
    if (match.viaConvertedLead !== null) {
      trail.add(
        decisionNote(
          'X1',
          'converted_lead_followed',
          `Lead ${match.viaConvertedLead} with the same email was converted; crmsync follows it to its Contact ${match.id}.`,
          [match.viaConvertedLead, match.id],
        ),
      );
    }
    if (ids.length > 1) {
      trail.add(
        decisionNote(
          'X3',
          'ambiguous_match',
          `${ids.length} ${match.object}s have the email ${p.email} (${ids.join(', ')}); crmsync chose ${match.id}, ${describeTieBreak(input.settings.matching.tieBreak)}.`,
          ids,
        ),
      );
    } else {
      trail.add(
        decisionNote(
          'X1',
          'matched_existing',
          `${match.object} ${match.id} already has the email ${p.email}.`,
          ids,
        ),
      );
    }
    const fields = mapped(input, trail, {
      object: match.object,
      values,
      mode: 'update',
      snapshot: null,
      current: null,
      dropLocal,
    });
    const account = personExtras(input, match.object, fields, 'update', null, trail);
    return {
      action: 'link_existing',
      object: match.object,
      sfId: match.id,
      candidateIds: ids,
      fields,
      account,
      ...trail.explained(
        `${why} ${match.object} ${match.id} has the same email, so crmsync links the person to it and updates it instead of creating a duplicate (X1).`,
      ),
    };
  }

  const object = input.settings.contacts.createAs === 'lead' ? 'Lead' : 'Contact';
  trail.rule('C4');
  const fields = mapped(input, trail, {
    object,
    values,
    mode: 'create',
    snapshot: null,
    current: null,
    dropLocal,
  });
  writeSource(
    fields,
    describeOf(input, object, trail),
    input.settings.contacts.sourceField,
    input.settings.contacts.sourceValue,
    'C5',
    trail,
  );
  const account = personExtras(input, object, fields, 'create', null, trail);
  return {
    action: 'create',
    object,
    fields,
    account,
    ...trail.explained(
      `${why} No Contact or Lead has its email, so it is created as a ${object} ("create as", C4).`,
    ),
  };
}

/**
 * C6: the local fields left out of the mapping. The mapping is removed rather than the value,
 * because a blank value on update would read as "clear it" and blank the email Salesforce has.
 */
function withheldEmail(input: PersonPushInput, linked: boolean, trail: Trail): ReadonlySet<string> {
  const p = input.record;
  if (
    p.emailStatus !== 'guessed' ||
    input.settings.contacts.pushGuessedEmails ||
    p.email === null ||
    p.email.trim() === ''
  )
    return new Set();
  trail.add(
    decisionNote(
      'C6',
      'email_withheld',
      `The email ${p.email} is guessed and "Push guessed emails" is off, so it is not written${linked ? '; the email already in Salesforce is kept' : ''}.`,
    ),
  );
  return new Set(['email']);
}

/** C7 (Contact) or C8 (Lead), then X7: the fields decidePush adds after the mapping. */
function personExtras(
  input: PersonPushInput,
  object: 'Contact' | 'Lead',
  fields: SalesforceFields,
  mode: 'create' | 'update',
  snapshot: Record<string, unknown> | null,
  trail: Trail,
): AccountSettlement | null {
  let account: AccountSettlement | null = null;
  if (object === 'Contact') account = settleAccount(input, fields, mode, snapshot, trail);
  else leadCompany(input, fields, mode, snapshot, trail);
  writeOwner(input, fields, mode, snapshot, trail);
  return account;
}

/**
 * C8: a Lead has no Account; `Company` is required, so it always holds the company name or the
 * placeholder, whether or not the admin mapped `company.name`, and an update never blanks it.
 */
function leadCompany(
  input: PersonPushInput,
  fields: SalesforceFields,
  mode: 'create' | 'update',
  snapshot: Record<string, unknown> | null,
  trail: Trail,
): void {
  trail.rule('C8');
  const placeholder = input.settings.contacts.leadCompanyPlaceholder;
  const key = Object.keys(fields).find((k) => k.toLowerCase() === 'company');
  const mappedToCompany = input.settings.fieldMappings.Lead.some(
    (m) => m.salesforce.toLowerCase() === 'company',
  );
  const blank = (v: unknown) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
  const usePlaceholder = (k: string) => {
    fields[k] = placeholder;
    trail.add(
      decisionNote(
        'C8',
        'lead_company_placeholder',
        `The person has no company name, so the Lead's Company is "${placeholder}" (Salesforce requires one).`,
      ),
    );
  };
  if (key !== undefined) {
    if (blank(fields[key])) usePlaceholder(key);
    return;
  }
  if (mappedToCompany && mode === 'update') return; // mapped, and unchanged since the last write (X5)
  const name = input.company?.record.name.trim() ?? '';
  const desired = name === '' ? placeholder : cutToLength(name, companyLength(input));
  if (mode === 'update' && snapshot?.Company === desired) return;
  if (name === '') usePlaceholder('Company');
  else fields.Company = desired;
}

function companyLength(input: PersonPushInput): number {
  const f = input.describes.Lead?.fields.find((x) => x.name === 'Company');
  return f !== undefined && f.length > 0 ? f.length : 255;
}

/**
 * C7: a person pushed as a Contact settles its company. Linked company -> its Account. Else the
 * matching Accounts (X2): one is linked, several go to the tie-break (X3) with every candidate
 * noted, none -> the Account is created too, even when account push (A1, A2) would not push it.
 */
function settleAccount(
  input: PersonPushInput,
  fields: SalesforceFields,
  mode: 'create' | 'update',
  snapshot: Record<string, unknown> | null,
  trail: Trail,
): AccountSettlement {
  trail.rule('C7');
  const company = input.company;
  if (company === null) {
    if (mode === 'create')
      trail.add(
        decisionNote(
          'C7',
          'no_account',
          'The person has no company, so the Contact is created without an Account.',
        ),
      );
    return { via: 'none' };
  }
  const link = linkInOrg(company.link, input.orgId);
  const linkedAccount =
    link === null || link.sfObject !== 'Account'
      ? null
      : link.state === 'active' || link.state === 'deleted_locally'
        ? link.sfId
        : link.state === 'merged'
          ? link.mergedInto
          : undefined;
  if (linkedAccount === undefined) {
    // C10/A4: the company's Account was deleted in Salesforce; re-creating it is a manual push of the company.
    trail.add(
      decisionNote(
        'A4',
        'no_account',
        `The company's Account ${link!.sfId} was deleted in Salesforce, so the Contact gets no Account; push the company by hand to re-create it.`,
        [link!.sfId],
      ),
    );
    return { via: 'none' };
  }
  if (linkedAccount !== null) {
    if (mode === 'update' && snapshot?.AccountId === linkedAccount)
      return { via: 'unchanged', accountId: linkedAccount };
    fields.AccountId = linkedAccount;
    const merged = link!.state === 'merged' ? ` (its Account ${link!.sfId} was merged into it)` : '';
    trail.add(
      decisionNote(
        'C7',
        'account_linked',
        `The Contact goes under the company's Account ${linkedAccount}${merged}.`,
        [linkedAccount],
      ),
    );
    return { via: 'linked', accountId: linkedAccount };
  }

  const tieBreak = input.settings.matching.tieBreak;
  const match = matchAccount(company.record, input.matchCandidates.accounts, tieBreak);
  if (match.found) {
    fields.AccountId = match.id;
    trail.rule('X2');
    const by = match.by === 'domain' ? 'website domain' : 'name';
    if (match.candidateIds.length > 1) {
      trail.add(
        decisionNote(
          'X3',
          'ambiguous_match',
          `${match.candidateIds.length} Accounts match the company "${company.record.name}" by ${by} (${match.candidateIds.join(', ')}); crmsync chose ${match.id}, ${describeTieBreak(tieBreak)}.`,
          match.candidateIds,
        ),
      );
    } else {
      trail.add(
        decisionNote(
          'C7',
          'account_matched',
          `The company "${company.record.name}" matches Account ${match.id} by ${by}; the Contact goes under it and the company is linked to it.`,
          [match.id],
        ),
      );
    }
    return {
      via: 'matched',
      accountId: match.id,
      companyId: company.record.id,
      candidateIds: match.candidateIds,
    };
  }

  const gate = netNewGate('company', company.record.stage, undefined, input.settings);
  const accountFields = accountCreateFields(
    input,
    company.record,
    trail,
    `The person's company "${company.record.name}" must be created as an Account first (C7), and Salesforce would refuse one of its values, so neither is sent`,
  );
  trail.add(
    decisionNote(
      'C7',
      'account_created',
      `No Account matches the company "${company.record.name}", so it is created too${gate.pass ? '' : ', even though account push would not push it (C7 overrides A1-A3)'}; the Contact goes under it.`,
    ),
  );
  return { via: 'create', companyId: company.record.id, fields: accountFields };
}

// ---------------------------------------------------------------------------------------------
// Companies

function companyValues(c: Company): Record<string, unknown> {
  return {
    name: c.name,
    website: c.website,
    industry: c.industry,
    size: c.size,
    stage: c.stage,
    externalId: c.externalId,
  };
}

/** The whole Account create: mapped fields, the A3 source and the X7 owner of the company. */
function accountCreateFields(
  input: DecidePushInput,
  company: Company,
  trail: Trail,
  refused?: string,
): SalesforceFields {
  const fields = mapped(input, trail, {
    object: 'Account',
    values: companyValues(company),
    mode: 'create',
    snapshot: null,
    current: null,
    ...(refused === undefined ? {} : { refused }),
  });
  writeSource(
    fields,
    describeOf(input, 'Account', trail),
    input.settings.accounts.sourceField,
    input.settings.accounts.sourceValue,
    'A3',
    trail,
  );
  const owner = resolveOwner(company.ownerId, input.owners, input.settings.owners.defaultOwnerId);
  // Under C7 the person's decision carries two owners: say which one this is.
  const about = input.kind === 'person' ? `The new Account for "${company.name}": ` : '';
  trail.add({ ...owner.note, message: `${about}${owner.note.message}` });
  if (owner.ownerId !== null) fields.OwnerId = owner.ownerId;
  return fields;
}

function decideCompany(input: CompanyPushInput, link: Link | null, trail: Trail): PushDecision {
  const c = input.record;
  const values = companyValues(c);
  if (link !== null) {
    trail.rule('A6');
    if (input.trigger === 'manual') trail.rule('M1');
    const fields = mapped(input, trail, {
      object: 'Account',
      values,
      mode: 'update',
      snapshot: link.snapshot,
      current: input.current,
    });
    writeOwner(input, fields, 'update', link.snapshot, trail);
    return {
      action: 'update',
      object: 'Account',
      sfId: link.sfId,
      fields,
      account: null,
      ...trail.explained(
        `It is linked to Account ${link.sfId}, so the change is pushed there whatever the push settings (A6).`,
      ),
    };
  }

  const why = gateNetNew(input, trail);
  const tieBreak = input.settings.matching.tieBreak;
  const match = matchAccount(c, input.matchCandidates.accounts, tieBreak);
  if (match.found) {
    trail.rule('X2');
    const by = match.by === 'domain' ? 'website domain' : 'name';
    if (match.candidateIds.length > 1) {
      trail.add(
        decisionNote(
          'X3',
          'ambiguous_match',
          `${match.candidateIds.length} Accounts match the company by ${by} (${match.candidateIds.join(', ')}); crmsync chose ${match.id}, ${describeTieBreak(tieBreak)}.`,
          match.candidateIds,
        ),
      );
    } else {
      trail.add(
        decisionNote('X2', 'matched_existing', `Account ${match.id} matches the company by ${by}.`, [
          match.id,
        ]),
      );
    }
    const fields = mapped(input, trail, {
      object: 'Account',
      values,
      mode: 'update',
      snapshot: null,
      current: null,
    });
    writeOwner(input, fields, 'update', null, trail);
    return {
      action: 'link_existing',
      object: 'Account',
      sfId: match.id,
      candidateIds: match.candidateIds,
      fields,
      account: null,
      ...trail.explained(
        `${why} Account ${match.id} matches it by ${by}, so crmsync links the company to it and updates it instead of creating a duplicate (X2).`,
      ),
    };
  }

  const fields = accountCreateFields(input, c, trail);
  return {
    action: 'create',
    object: 'Account',
    fields,
    account: null,
    ...trail.explained(`${why} No Account matches its website domain or name, so it is created.`),
  };
}

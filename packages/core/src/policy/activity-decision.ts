import type { z } from 'zod';
import type { Company } from '../model/company.js';
import type { Deal } from '../model/deal.js';
import type { Link } from '../model/link.js';
import type { Person } from '../model/person.js';
import type { Workspace } from '../model/workspace.js';
import type { Settings } from '../settings/schema.js';
import type { NoteCode, RuleId, SalesforceFields } from './decision.js';
import { uniqueRules } from './decision.js';
import { isOldOrgLink, linkInOrg } from './eligibility.js';
import { planCreate, type CreateMode } from './idempotent-create.js';
import { cutToLength, mapFields, type ObjectDescribe } from './map-fields.js';
import { domainOfEmail, isSameOrSubdomain } from './domains.js';
import { describeTieBreak, emailKey, matchPerson, type PersonCandidate } from './match.js';
import { resolveOwner, type OwnerContext } from './owner.js';

/*
 * The shared shape of an activity decision (E6-E12) and the steps every activity takes: the
 * input checked where the engine might have skipped the edge, nothing of another workspace,
 * the activity's own link (E12: create only without one), who and what it is about in
 * Salesforce, texts cut to their fields, the X4 create plan. Pure.
 */

export type ActivityObject = 'Task' | 'Event' | 'Note';
export type ActivityKind = 'email' | 'note' | 'task' | 'call' | 'meeting' | 'meeting_summary';

export type ActivityNoteCode =
  | NoteCode
  | 'who_found' // E6, E10
  | 'who_to_create' // E3, E10
  | 'no_who' // E2: an internal email has nobody outside the team
  | 'what_set' // E6
  | 'what_omitted_for_lead' // E6
  | 'text_truncated' // X6 on Subject, Description, Title, Body
  | 'attendee_not_in_salesforce'; // E10

export interface ActivityNote {
  rule: RuleId;
  code: ActivityNoteCode;
  message: string;
  ids: readonly string[];
}

/** Stable, so a dry run can count skips by reason (O2). */
export type ActivitySkipCode =
  | 'push_emails_off' // E1
  | 'email_kind_not_selected' // E1
  | 'excluded_by_rule' // E4
  | 'external_party_not_in_salesforce' // E3
  | 'no_external_party' // E3
  | 'push_notes_off' // E7
  | 'push_tasks_off' // E8
  | 'push_calls_off' // E9
  | 'push_meetings_off' // E10
  | 'not_scheduled_through_app' // E10
  | 'no_attendee_in_salesforce' // E10
  | 'push_meeting_summaries_off' // E11
  | 'meeting_has_no_deal' // E11
  | 'deal_not_linked' // E11
  | 'no_linked_record' // E7-E9: nothing it is about is in Salesforce
  | 'template_invalid' // E5
  | 'link_deleted_in_salesforce' // E12
  | 'unsupported_link' // E12
  | 'describe_missing'
  | 'field_rejected' // X6
  | 'other_workspace'
  | 'invalid_input';

/**
 * Who an activity is about in Salesforce. `create` (E3, E10): the person is missing and the
 * settings say to create it, as C4's object; the engine creates it (through `decidePush` of a
 * local person with that email) and uses the new id. Never for an address on a mailbox domain.
 */
export type WhoSettlement =
  | {
      via: 'existing';
      object: 'Contact' | 'Lead';
      id: string;
      email: string | null;
      personId: string | null;
    }
  | { via: 'create'; object: 'Contact' | 'Lead'; email: string; personId: string | null };

interface Explained {
  rules: readonly RuleId[];
  reason: string;
  notes: readonly ActivityNote[];
}

export type ActivityDecision =
  | (Explained & {
      action: 'create';
      kind: ActivityKind;
      object: ActivityObject;
      /** Without ids still to be created: see `who` (WhoId) and `relations`. */
      fields: SalesforceFields;
      /** X4 (E12): upsert on Crmsync_Id__c, or create with a recorded intent. */
      plan: CreateMode;
      /** The WhoId (Tasks, Events); a `create` one fills WhoId once created. Null: no WhoId. */
      who: WhoSettlement | null;
      /** E10: every attendee as an EventRelation (the WhoId's one included); [] for Tasks and Notes. */
      relations: readonly WhoSettlement[];
    })
  | (Explained & {
      /** E12: the activity is linked; its record is updated, never duplicated. */
      action: 'update';
      kind: ActivityKind;
      object: ActivityObject;
      sfId: string;
      /** Only what changed since crmsync's last write (the link's snapshot); may be empty. */
      fields: SalesforceFields;
      who: WhoSettlement | null;
      relations: readonly WhoSettlement[];
    })
  | (Explained & { action: 'skip'; kind: ActivityKind; code: ActivitySkipCode });

export type ActivityAction = ActivityDecision['action'];

export interface LinkedRecord<T> {
  record: T;
  link: Link | null;
}

/** What every activity decision is given. */
export interface ActivityContext {
  settings: Settings;
  orgId: string;
  workspace: Pick<Workspace, 'id' | 'mailboxDomains'> & Partial<Pick<Workspace, 'users'>>;
  /** The activity's own link (E12). */
  link: Link | null;
  /** The local people the activity names (its person, email participants, attendees), with their links. */
  people: readonly LinkedRecord<Person>[];
  company: LinkedRecord<Company> | null;
  deal: LinkedRecord<Deal> | null;
  /** X1 lookup (one query per batch) for the addresses of no linked local person; converted Leads included. */
  candidates: readonly PersonCandidate[];
  /** The describe of the object the activity becomes; null when not loaded (the decision waits). */
  describe: ObjectDescribe | null;
  /** X4: the object carries Crmsync_Id__c. */
  hasExternalIdField: boolean;
  /** X7; without it no OwnerId is sent (Salesforce makes the integration user the owner). */
  owners?: OwnerContext;
}

/** Field lengths Salesforce documents, used when the describe gives none. */
const DEFAULT_LENGTHS: Record<string, number> = {
  Subject: 255,
  Description: 32_000,
  Title: 80,
  Body: 32_000,
  CallDisposition: 255,
};

/** Thrown inside a decision to end it with a skip; caught by `decided`. */
class Final {
  constructor(readonly decision: ActivityDecision) {}
}

/** Collects rules and notes on the way to one activity decision. */
export class ActivityTrail {
  readonly rules: RuleId[] = [];
  readonly notes: ActivityNote[] = [];
  constructor(
    readonly kind: ActivityKind,
    readonly label: string,
  ) {}
  rule(...ids: RuleId[]): void {
    this.rules.push(...ids);
  }
  add(rule: RuleId, code: ActivityNoteCode, message: string, ids: readonly string[] = []): void {
    this.notes.push({ rule, code, message, ids });
    this.rules.push(rule);
  }
  skip(code: ActivitySkipCode, rules: readonly RuleId[], reason: string): ActivityDecision {
    return {
      action: 'skip',
      kind: this.kind,
      code,
      rules: uniqueRules([...rules, ...this.rules]),
      reason,
      notes: this.notes,
    };
  }
  /** Ends the decision with a skip from anywhere inside `decided`. */
  stop(code: ActivitySkipCode, rules: readonly RuleId[], reason: string): never {
    throw new Final(this.skip(code, rules, reason));
  }
  explained(reason: string): Explained {
    return { rules: uniqueRules(this.rules), reason, notes: this.notes };
  }
}

/** Runs a decision body, turning `trail.stop(...)` into its skip. */
export function decided(body: () => ActivityDecision): ActivityDecision {
  try {
    return body();
  } catch (e) {
    if (e instanceof Final) return e.decision;
    throw e;
  }
}

/**
 * Bad input refused with a reason naming the record and field. The model schemas hold the
 * rules (an email needs a recipient, a meeting cannot end before it starts, a call duration is
 * not negative); checked again here because a decision must not trust a record built in code.
 */
export function checkRecord(schema: z.ZodType, record: unknown, trail: ActivityTrail, rule: RuleId): void {
  const parsed = schema.safeParse(record);
  if (parsed.success) return;
  const problems = parsed.error.issues.map((i) => `${i.path.map(String).join('.') || 'record'} ${i.message}`);
  trail.stop('invalid_input', [rule], `${trail.label} was not sent: ${problems.join('; ')}.`);
}

/** Refuses an activity that names a person, company or deal of another workspace, or one the engine could not find in this one. */
export function checkWorkspace(
  activity: { workspaceId: string; personId: string | null; companyId: string | null; dealId: string | null },
  ctx: ActivityContext,
  trail: ActivityTrail,
  rule: RuleId,
): void {
  const ws = ctx.workspace.id;
  const refuse = (field: string, what: string): never =>
    trail.stop(
      'other_workspace',
      [rule],
      `${trail.label} was not sent: its ${field} names ${what}, which is not of workspace ${ws}.`,
    );
  if (activity.workspaceId !== ws) refuse('workspaceId', `workspace ${activity.workspaceId}`);
  const foreignPerson = ctx.people.find((p) => p.record.workspaceId !== ws);
  if (foreignPerson !== undefined) {
    const field = foreignPerson.record.id === activity.personId ? 'personId' : 'participants';
    refuse(field, `person ${foreignPerson.record.id}`);
  }
  if (activity.personId !== null && !ctx.people.some((p) => p.record.id === activity.personId))
    refuse('personId', `person ${activity.personId}`);
  if (ctx.company !== null && ctx.company.record.workspaceId !== ws)
    refuse('companyId', `company ${ctx.company.record.id}`);
  if (activity.companyId !== null && ctx.company?.record.id !== activity.companyId)
    refuse('companyId', `company ${activity.companyId}`);
  if (ctx.deal !== null && ctx.deal.record.workspaceId !== ws) refuse('dealId', `deal ${ctx.deal.record.id}`);
  if (activity.dealId !== null && ctx.deal?.record.id !== activity.dealId)
    refuse('dealId', `deal ${activity.dealId}`);
}

/**
 * E12: the record to update, or null to create. A link of another org is never written through;
 * a record deleted in Salesforce is not re-created (that would be a second copy of an activity
 * someone removed on purpose).
 */
export function activityLink(
  ctx: ActivityContext,
  object: ActivityObject,
  trail: ActivityTrail,
): Link | null {
  if (isOldOrgLink(ctx.link, ctx.orgId)) {
    trail.add(
      'E12',
      'old_org_link_ignored',
      `The link to ${ctx.link!.sfObject} ${ctx.link!.sfId} belongs to org ${ctx.link!.orgId}, not the connected org ${ctx.orgId}, so the activity is pushed as new there.`,
      [ctx.link!.sfId],
    );
  }
  const link = linkInOrg(ctx.link, ctx.orgId);
  if (link === null) return null;
  if (link.sfObject !== object)
    trail.stop(
      'unsupported_link',
      ['E12'],
      `${trail.label} is linked to a ${link.sfObject} (${link.sfId}), not a ${object}; unlink it and push again.`,
    );
  if (link.state === 'deleted_in_salesforce' || link.state === 'merged')
    trail.stop(
      'link_deleted_in_salesforce',
      ['E12'],
      `${trail.label} was not pushed: its ${object} ${link.sfId} was deleted in Salesforce, and each activity is pushed at most once, so it is not created again.`,
    );
  return link;
}

export function describeOf(
  ctx: ActivityContext,
  object: ActivityObject,
  trail: ActivityTrail,
): ObjectDescribe {
  if (ctx.describe === null)
    trail.stop(
      'describe_missing',
      ['X5'],
      `${trail.label} waits: the org's ${object} describe is not loaded, so its fields cannot be checked.`,
    );
  return ctx.describe;
}

function fieldLength(describe: ObjectDescribe, name: string): number {
  const f = describe.fields.find((x) => x.name.toLowerCase() === name.toLowerCase());
  return f !== undefined && f.length > 0 ? f.length : (DEFAULT_LENGTHS[name] ?? 255);
}

/** X6: a text cut to its field's length (never refused: a long body is the activity, not an error). */
export function fitText(
  value: string,
  field: string,
  describe: ObjectDescribe,
  trail: ActivityTrail,
  localField: string,
): string {
  const max = fieldLength(describe, field);
  if (value.length <= max) return value;
  const cut = cutToLength(value, max);
  trail.add(
    'X6',
    'text_truncated',
    `${describe.name}.${field} (from ${localField}): the value was ${value.length.toLocaleString('en-US')} characters and was cut to ${cut.length.toLocaleString('en-US')}, the length of the field.`,
  );
  return cut;
}

export function subjectLength(describe: ObjectDescribe): number {
  return fieldLength(describe, 'Subject');
}

/** A local person of the workspace with this address, compared as X1 compares emails. */
function localPersonByEmail(address: string, ctx: ActivityContext): LinkedRecord<Person> | undefined {
  const key = emailKey(address);
  if (key === null) return undefined;
  return ctx.people.find((p) => emailKey(p.record.email) === key);
}

/** The Contact or Lead a local person is linked to in this org, when that link writes. */
export function personInSalesforce(
  person: LinkedRecord<Person>,
  orgId: string,
): { object: 'Contact' | 'Lead'; id: string } | null {
  const link = linkInOrg(person.link, orgId);
  if (link === null || (link.sfObject !== 'Contact' && link.sfObject !== 'Lead')) return null;
  if (link.state !== 'active' && link.state !== 'deleted_locally') return null;
  return { object: link.sfObject, id: link.sfId };
}

/**
 * E6, E10: the Contact or Lead an address is in Salesforce, or null. A linked local person with
 * that address comes first (its link is what crmsync knows for sure); else the X1 lookup,
 * Contacts before Leads, several ranked by the X3 tie-break with every candidate noted.
 */
export function findInSalesforce(
  address: string,
  ctx: ActivityContext,
  activityId: string,
  trail: ActivityTrail,
  rule: RuleId,
): Extract<WhoSettlement, { via: 'existing' }> | null {
  const local = localPersonByEmail(address, ctx);
  if (local !== undefined) {
    const sf = personInSalesforce(local, ctx.orgId);
    if (sf !== null) return { via: 'existing', ...sf, email: address, personId: local.record.id };
  }
  const tieBreak = ctx.settings.matching.tieBreak;
  const match = matchPerson(address, ctx.candidates, tieBreak, activityId);
  if (!match.found) return null;
  if (match.candidateIds.length > 1) {
    trail.add(
      'X3',
      'ambiguous_match',
      `${match.candidateIds.length} ${match.object}s have the address ${address} (${match.candidateIds.join(', ')}); crmsync chose ${match.id}, ${describeTieBreak(tieBreak)}.`,
      match.candidateIds,
    );
  }
  trail.rule(rule);
  return {
    via: 'existing',
    object: match.object,
    id: match.id,
    email: address,
    personId: local?.record.id ?? null,
  };
}

/** C4: the object a missing person is created as. */
export function createAsObject(settings: Settings): 'Contact' | 'Lead' {
  return settings.contacts.createAs === 'lead' ? 'Lead' : 'Contact';
}

/** A local person the activity names by id, when it is in Salesforce. */
export function whoOfPerson(personId: string | null, ctx: ActivityContext): WhoSettlement | null {
  if (personId === null) return null;
  const person = ctx.people.find((p) => p.record.id === personId);
  if (person === undefined) return null;
  const sf = personInSalesforce(person, ctx.orgId);
  return sf === null ? null : { via: 'existing', ...sf, email: person.record.email, personId };
}

/** The Opportunity of the activity's deal and the Account of its company, when linked in this org. */
export function linkedDealAndAccount(ctx: ActivityContext): {
  opportunityId: string | null;
  accountId: string | null;
} {
  const live = (l: Link | null, object: 'Opportunity' | 'Account'): string | null => {
    const link = linkInOrg(l, ctx.orgId);
    return link !== null &&
      link.sfObject === object &&
      (link.state === 'active' || link.state === 'deleted_locally')
      ? link.sfId
      : null;
  };
  return {
    opportunityId: ctx.deal === null ? null : live(ctx.deal.link, 'Opportunity'),
    accountId: ctx.company === null ? null : live(ctx.company.link, 'Account'),
  };
}

/**
 * E6: `WhatId` is the deal's Opportunity, else the company's Account, where known; never a
 * WhatId when the WhoId is a Lead (Salesforce refuses it, and a Lead belongs to no Account).
 */
export function settleWhat(
  who: WhoSettlement | null,
  ctx: ActivityContext,
  trail: ActivityTrail,
): string | null {
  const { opportunityId, accountId } = linkedDealAndAccount(ctx);
  const what = opportunityId ?? accountId;
  if (what === null) return null;
  if (who?.object === 'Lead') {
    trail.add(
      'E6',
      'what_omitted_for_lead',
      `No WhatId: the activity is logged on a Lead${who.via === 'existing' ? ` (${who.id})` : ''}, and an activity on a Lead cannot also be related to ${opportunityId !== null ? `Opportunity ${opportunityId}` : `Account ${accountId}`}.`,
      [what],
    );
    return null;
  }
  trail.add(
    'E6',
    'what_set',
    opportunityId !== null
      ? `Related to the deal's Opportunity ${opportunityId}.`
      : `Related to the company's Account ${accountId}.`,
    [what],
  );
  return what;
}

/** Fields that cannot change after create (Task.TaskSubtype, Note.ParentId), left out of an update: Salesforce refuses them. */
const CREATE_ONLY = new Set(['TaskSubtype', 'ParentId']);

/**
 * X5 overwrite for an update: only the values that differ from what crmsync last wrote. A field
 * the snapshot does not hold is written, so a field added by a newer crmsync reaches old records.
 */
export function changedSinceLastWrite(
  fields: SalesforceFields,
  snapshot: Record<string, unknown>,
): SalesforceFields {
  const out: SalesforceFields = {};
  for (const [k, v] of Object.entries(fields)) {
    if (CREATE_ONLY.has(k)) continue;
    // Blank where crmsync never wrote a value: nothing to clear.
    if (Object.hasOwn(snapshot, k) ? sameValue(snapshot[k], v) : isBlank(v)) continue;
    out[k] = v;
  }
  return out;
}

const isBlank = (v: unknown): boolean => v === null || v === undefined || v === '';

/** Blanks say "clear it" on update; on create they only add noise to the payload. */
function withoutBlanks(fields: SalesforceFields): SalesforceFields {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => !isBlank(v)));
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isBlank(a) && isBlank(b)) return true;
  return (
    (typeof a === 'number' || typeof a === 'string') &&
    (typeof b === 'number' || typeof b === 'string') &&
    String(a) === String(b)
  );
}

/**
 * The admin's extra field mappings for the object (X5), applied after the rule's own fields: a
 * mapping onto a field a rule writes is left out, so the rule (e.g. E6's body in Description)
 * holds whatever the mapping says.
 */
export function extraMappedFields(
  ctx: ActivityContext,
  object: ActivityObject,
  values: Record<string, unknown>,
  ruleFields: SalesforceFields,
  mode: 'create' | 'update',
  snapshot: Record<string, unknown> | null,
  trail: ActivityTrail,
): SalesforceFields {
  const describe = describeOf(ctx, object, trail);
  const taken = new Set(Object.keys(ruleFields).map((k) => k.toLowerCase()));
  const mappings = ctx.settings.fieldMappings[object].filter((m) => !taken.has(m.salesforce.toLowerCase()));
  if (mappings.length === 0) return {};
  const result = mapFields({ object, values, mappings, describe, mode, snapshot, current: null });
  if (!result.ok) {
    for (const i of result.issues) trail.add(i.rule, 'field_note', i.message);
    trail.stop(
      'field_rejected',
      ['X6'],
      `${trail.label} was not sent because Salesforce would refuse a value: ${result.issues.map((i) => i.message).join(' ')}`,
    );
  }
  for (const n of result.notes) trail.add(n.rule, 'field_note', n.message);
  return result.fields;
}

/** X7 on create only: an activity's owner is who did it; a reassignment made in Salesforce is kept. */
export function writeActivityOwner(
  ownerId: string | null,
  ctx: ActivityContext,
  fields: SalesforceFields,
  trail: ActivityTrail,
): void {
  if (ctx.owners === undefined) return;
  const owner = resolveOwner(ownerId, ctx.owners, ctx.settings.owners.defaultOwnerId);
  trail.add(owner.note.rule, owner.note.code, owner.note.message, owner.note.ids);
  if (owner.ownerId !== null) fields.OwnerId = owner.ownerId;
}

/**
 * E12 + X4: `create` only without a link, with the plan that makes a retried create safe;
 * `update` of the linked record otherwise, with only the fields that changed.
 */
export function createOrUpdate(args: {
  ctx: ActivityContext;
  trail: ActivityTrail;
  kind: ActivityKind;
  object: ActivityObject;
  localId: string;
  link: Link | null;
  fields: SalesforceFields;
  who: WhoSettlement | null;
  relations?: readonly WhoSettlement[];
  reason: string;
}): ActivityDecision {
  const { trail, link } = args;
  const relations = args.relations ?? [];
  if (link !== null) {
    trail.rule('E12');
    return {
      action: 'update',
      kind: args.kind,
      object: args.object,
      sfId: link.sfId,
      fields: changedSinceLastWrite(args.fields, link.snapshot),
      who: args.who,
      relations,
      ...trail.explained(
        `${args.reason} It is linked to ${args.object} ${link.sfId}, so that record is updated, never duplicated (E12).`,
      ),
    };
  }
  const fields = withoutBlanks(args.fields);
  const plan = planCreate({
    object: args.object,
    localId: args.localId,
    fields,
    hasExternalIdField: args.ctx.hasExternalIdField,
  });
  trail.rule('E12', 'X4');
  return {
    action: 'create',
    kind: args.kind,
    object: args.object,
    fields,
    plan,
    who: args.who,
    relations,
    ...trail.explained(`${args.reason} ${plan.reason}`),
  };
}

/** `jane@acme.com` as written without a display name. */
export function bareAddress(address: string): string {
  const angle = /<([^<>]*)>\s*$/.exec(address);
  return (angle?.[1] ?? address).trim();
}

export function personName(p: Person | undefined): string | null {
  if (p === undefined) return null;
  return [p.firstName, p.lastName].filter((x) => x !== null && x.trim() !== '').join(' ') || null;
}

/** A date-time's calendar day as written (Salesforce's ActivityDate is a date). */
export function dayOf(timestamp: string): string {
  return timestamp.slice(0, 10);
}

/** E5: the person, company, deal and owner variables every title template can use. */
export function contextVariables(
  person: Person | undefined,
  ctx: ActivityContext,
  ownerId: string | null,
): Record<string, string | number | null> {
  const company = ctx.company?.record;
  const deal = ctx.deal?.record;
  const owner = ownerId === null ? undefined : ctx.workspace.users?.find((u) => u.id === ownerId);
  return {
    'person.name': personName(person),
    'person.firstName': person?.firstName ?? null,
    'person.lastName': person?.lastName ?? null,
    'person.email': person?.email ?? null,
    'person.title': person?.title ?? null,
    'company.name': company?.name ?? null,
    'company.website': company?.website ?? null,
    'company.industry': company?.industry ?? null,
    'deal.name': deal?.name ?? null,
    'deal.stage': deal?.stage ?? null,
    'deal.amount': deal?.amount ?? null,
    'owner.name': owner?.name ?? null,
    'owner.email': owner?.email ?? null,
  };
}

/** The local person record a settlement names, for template variables. */
export function personOf(who: WhoSettlement | null, ctx: ActivityContext): Person | undefined {
  if (who === null || who.personId === null) return undefined;
  return ctx.people.find((p) => p.record.id === who.personId)?.record;
}

/** E3, E10: addresses on a mailbox domain are never created, free-mail mailbox domains included. */
export function onMailboxDomain(address: string, workspace: Pick<Workspace, 'mailboxDomains'>): boolean {
  const domain = domainOfEmail(address);
  return domain !== null && workspace.mailboxDomains.some((d) => isSameOrSubdomain(domain, d));
}

import { Deal } from '../model/deal.js';
import type { Company } from '../model/company.js';
import type { Link } from '../model/link.js';
import type { Person } from '../model/person.js';
import type { DealSync, Settings } from '../settings/schema.js';
import type { NoteCode, RuleId, SalesforceFields } from './decision.js';
import { uniqueRules } from './decision.js';
import { dealFieldsFromOpportunity, dealValues, sameDealValue } from './deal-fields.js';
import { mapStageToSalesforce } from './deal-stage-mapping.js';
import { isOldOrgLink, linkInOrg } from './eligibility.js';
import { cutToLength, mapFields, type ObjectDescribe } from './map-fields.js';
import { resolveOwner, type OwnerContext } from './owner.js';
import type { LinkedRecord } from './activity-decision.js';

/*
 * D1-D6: the send-time decision for one local deal, made by the push worker just before sending,
 * on the deal, its link, its company and people, the Opportunity describe, the settings in force
 * then and (for a linked deal under bidirectional sync) the Opportunity's current SystemModstamp,
 * read once per batch. Pure: the engine performs what it returns.
 */

/** `change`: pushed after a local change. `manual`: an admin pushed it by hand (it may re-create a deleted Opportunity). */
export type DealTrigger = 'change' | 'manual';

/** What a deal decision is about, beside the people/company note codes (it shares their shape). */
export type DealNoteCode =
  | NoteCode
  | 'stage_mapped' // D6
  | 'account_pending' // D6: the company is pushed first
  | 'contact_role_added' // D6
  | 'contact_role_skipped' // D6
  | 'local_change_overwritten'; // D1

export interface DealNote {
  rule: RuleId;
  code: DealNoteCode;
  message: string;
  ids: readonly string[];
}

/** Stable, so a dry run can count skips by reason (O2). */
export type DealSkipCode =
  | 'deal_sync_off' // D2
  | 'deal_sync_pull_only' // D3
  | 'stage_not_mapped' // D6
  | 'stage_mapping_invalid' // D6
  | 'stage_field_missing' // D6
  | 'required_field_missing' // D6
  | 'field_rejected' // X6
  | 'describe_missing'
  | 'link_deleted_in_salesforce'
  | 'unsupported_link'
  | 'salesforce_state_unknown' // D1: the SystemModstamp was not read
  | 'other_workspace'
  | 'invalid_input';

/**
 * D6: the Account of the deal's Opportunity. `push_company_first`: the company has no Account
 * yet; the engine pushes the company (even when account push is off, as C7 does for a Contact)
 * and puts the new Account id in `AccountId` before sending the Opportunity.
 */
export type DealAccount =
  | { via: 'linked'; accountId: string }
  | { via: 'push_company_first'; companyId: string }
  | { via: 'unchanged'; accountId: string }
  | { via: 'none' };

/** D6: one OpportunityContactRole to add, for a deal person linked to a Contact. */
export interface ContactRoleToAdd {
  personId: string;
  contactId: string;
}
export interface ContactRoleSkipped {
  personId: string;
  code: 'person_is_lead' | 'person_not_in_salesforce' | 'person_link_inactive';
  reason: string;
}
export interface ContactRolePlan {
  add: readonly ContactRoleToAdd[];
  skipped: readonly ContactRoleSkipped[];
}

/** D1: a local value Salesforce's value replaces. */
export interface OverwrittenField {
  field: string;
  local: unknown;
  salesforce: unknown;
}

interface Explained {
  rules: readonly RuleId[];
  reason: string;
  notes: readonly DealNote[];
}

export type DealDecision =
  | (Explained & {
      action: 'create';
      object: 'Opportunity';
      fields: SalesforceFields;
      account: DealAccount;
      contactRoles: ContactRolePlan;
    })
  | (Explained & {
      action: 'update';
      object: 'Opportunity';
      sfId: string;
      /** May be empty when nothing changed since crmsync's last write (X5). */
      fields: SalesforceFields;
      account: DealAccount;
      contactRoles: ContactRolePlan;
    })
  | (Explained & {
      /**
       * D1: Salesforce changed the Opportunity since crmsync last saw it; nothing is sent. The
       * engine applies `fields` to the local deal (never queued for push, P2), records
       * `systemModstamp` on the link and logs `overwritten`.
       */
      action: 'pull_instead';
      object: 'Opportunity';
      sfId: string;
      fields: Record<string, unknown>;
      systemModstamp: string;
      overwritten: readonly OverwrittenField[];
    })
  | (Explained & {
      action: 'skip';
      code: DealSkipCode;
      /** The org's StageName values for a D6 stage skip, so the UI can offer them; [] otherwise. */
      allowedValues: readonly string[];
    });

export type DealAction = DealDecision['action'];

export interface DealPushInput {
  deal: Deal;
  link: Link | null;
  settings: Settings;
  orgId: string;
  /** The deal's company and its link, or null when the deal has none. */
  company: LinkedRecord<Company> | null;
  /** The deal's people (`deal.personIds`) with their links. */
  people: readonly LinkedRecord<Person>[];
  /** The org's Opportunity describe; null when not loaded (the decision waits for it). */
  describe: ObjectDescribe | null;
  /** D1: the linked Opportunity as read this batch (one SystemModstamp query); null = not read. */
  current: { SystemModstamp: string; fields: Record<string, unknown> } | null;
  trigger: DealTrigger;
  /** X7; without it no OwnerId is sent and Salesforce makes the integration user the owner. */
  owners?: OwnerContext;
  /** ContactIds that already have an OpportunityContactRole on the linked Opportunity. */
  existingContactRoles?: readonly string[];
}

const NO_ROLES: ContactRolePlan = { add: [], skipped: [] };

class Trail {
  readonly rules: RuleId[] = [];
  readonly notes: DealNote[] = [];
  rule(...ids: RuleId[]): void {
    this.rules.push(...ids);
  }
  add(rule: RuleId, code: DealNoteCode, message: string, ids: readonly string[] = []): void {
    this.notes.push({ rule, code, message, ids });
    this.rules.push(rule);
  }
  skip(
    code: DealSkipCode,
    rules: readonly RuleId[],
    reason: string,
    allowedValues: readonly string[] = [],
  ): DealDecision {
    return {
      action: 'skip',
      code,
      allowedValues,
      rules: uniqueRules([...rules, ...this.rules]),
      reason,
      notes: this.notes,
    };
  }
  explained(reason: string): Explained {
    return { rules: uniqueRules(this.rules), reason, notes: this.notes };
  }
}

const SYNC_RULE: Record<DealSync, RuleId> = { bidirectional: 'D1', off: 'D2', pull: 'D3', push: 'D4' };

/**
 * D1-D6 for one deal: `create`, `update`, `pull_instead` (D1 conflict: Salesforce wins) or
 * `skip`, with the rule ids and a sentence. Never throws for the deal's own data.
 */
export function decideDealPush(input: DealPushInput): DealDecision {
  const trail = new Trail();
  const label = `Deal ${input.deal.id}`;

  const parsed = Deal.safeParse(input.deal);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.map(String).join('.') || 'deal';
    return trail.skip(
      'invalid_input',
      ['D6'],
      `${label} was not sent: ${field} ${issue?.message ?? 'is invalid'}.`,
    );
  }
  const foreign = foreignRecord(input);
  if (foreign !== null) return trail.skip('other_workspace', ['D6'], foreign);

  const sync = input.settings.deals.dealSync;
  switch (sync) {
    case 'off':
      return trail.skip(
        'deal_sync_off',
        ['D2'],
        `${label} was not pushed: deal sync is off, so deals do not travel to Salesforce (deals already pulled stay).`,
      );
    case 'pull':
      return trail.skip(
        'deal_sync_pull_only',
        ['D3'],
        `${label} was not pushed: deal sync is "pull", so Opportunities come into crmsync and local deals are never pushed.`,
      );
    case 'push':
    case 'bidirectional':
      trail.rule(SYNC_RULE[sync]);
  }

  if (isOldOrgLink(input.link, input.orgId)) {
    trail.add(
      'D6',
      'old_org_link_ignored',
      `The link to Opportunity ${input.link!.sfId} belongs to org ${input.link!.orgId}, not the connected org ${input.orgId}; old links are never used to write, so the deal is treated as not linked.`,
      [input.link!.sfId],
    );
  }
  let link = linkInOrg(input.link, input.orgId);
  if (link !== null && link.sfObject !== 'Opportunity') {
    return trail.skip(
      'unsupported_link',
      [SYNC_RULE[sync]],
      `${label} is linked to a ${link.sfObject} (${link.sfId}), not an Opportunity; unlink it and push again.`,
    );
  }
  if (link !== null && (link.state === 'deleted_in_salesforce' || link.state === 'merged')) {
    const what =
      link.state === 'merged' ? `was merged into ${link.mergedInto ?? 'another record'}` : 'was deleted';
    if (input.trigger !== 'manual') {
      return trail.skip(
        'link_deleted_in_salesforce',
        [SYNC_RULE[sync]],
        `${label} was not pushed: its Opportunity ${link.sfId} ${what} in Salesforce, and pushing would silently re-create it; push the deal by hand to create it again.`,
      );
    }
    trail.add(
      'M1',
      'manual_override',
      `Its Opportunity ${link.sfId} ${what} in Salesforce; pushed by hand, so a new Opportunity is created.`,
      [link.sfId],
    );
    link = null;
  }

  if (link !== null && sync === 'bidirectional') {
    const conflict = bidirectionalCheck(input, link, trail);
    if (conflict !== null) return conflict;
  }

  const describe = input.describe;
  if (describe === null) {
    return trail.skip(
      'describe_missing',
      ['X5'],
      `${label} waits: the org's Opportunity describe is not loaded, so its fields and stages cannot be checked.`,
    );
  }
  return link === null ? decideCreate(input, describe, trail) : decideUpdate(input, link, describe, trail);
}

/** The first record of another workspace among the deal's company and people, as a sentence naming the field. */
function foreignRecord(input: DealPushInput): string | null {
  const ws = input.deal.workspaceId;
  const label = `Deal ${input.deal.id}`;
  if (input.company !== null && input.company.record.workspaceId !== ws)
    return `${label} was not sent: its companyId names company ${input.company.record.id} of another workspace.`;
  const other = input.people.find((p) => p.record.workspaceId !== ws);
  if (other !== undefined)
    return `${label} was not sent: its personIds name person ${other.record.id} of another workspace.`;
  return null;
}

/**
 * D1: Salesforce is the source of truth for synced deals. A linked Opportunity whose
 * SystemModstamp differs from the one crmsync recorded changed in Salesforce since the last
 * pull: Salesforce's values are pulled and the local change is logged as overwritten. A link
 * with no recorded stamp cannot prove it is current, so it is treated the same way.
 */
function bidirectionalCheck(input: DealPushInput, link: Link, trail: Trail): DealDecision | null {
  const label = `Deal ${input.deal.id}`;
  const current = input.current;
  if (current === null) {
    return trail.skip(
      'salesforce_state_unknown',
      ['D1'],
      `${label} waits: under bidirectional sync Opportunity ${link.sfId} is updated only after its SystemModstamp is read, and it was not read in this batch.`,
    );
  }
  if (link.systemModstamp !== null && current.SystemModstamp === link.systemModstamp) return null;

  const fields = dealFieldsFromOpportunity(current.fields, input.settings);
  const local: Record<string, unknown> = { ...dealValues(input.deal), stage: input.deal.stage };
  const overwritten: OverwrittenField[] = Object.entries(fields)
    .filter(([k, v]) => Object.hasOwn(local, k) && !sameDealValue(local[k], v))
    .map(([field, salesforce]) => ({ field, local: local[field], salesforce }));
  const since =
    link.systemModstamp === null
      ? 'crmsync has no record of its last sync'
      : `its SystemModstamp is ${current.SystemModstamp}, crmsync last saw ${link.systemModstamp}`;
  const lost =
    overwritten.length === 0
      ? 'no local value differs from it'
      : `the local ${overwritten.map((o) => o.field).join(', ')} ${overwritten.length === 1 ? 'is' : 'are'} overwritten`;
  if (overwritten.length > 0) {
    trail.add(
      'D1',
      'local_change_overwritten',
      `Overwritten from Salesforce: ${overwritten.map((o) => `${o.field} ${JSON.stringify(o.local)} -> ${JSON.stringify(o.salesforce)}`).join('; ')}.`,
      [link.sfId],
    );
  }
  return {
    action: 'pull_instead',
    object: 'Opportunity',
    sfId: link.sfId,
    fields,
    systemModstamp: current.SystemModstamp,
    overwritten,
    ...trail.explained(
      `${label} was not pushed: Opportunity ${link.sfId} changed in Salesforce since the last pull (${since}), and Salesforce is the source of truth for synced deals, so its values are pulled and ${lost} (D1).`,
    ),
  };
}

function stageName(input: DealPushInput, describe: ObjectDescribe, trail: Trail): string | DealDecision {
  const mapped = mapStageToSalesforce(
    `Deal ${input.deal.id}`,
    input.deal.stage,
    input.settings.deals.stageMapping,
    describe,
  );
  if (!mapped.ok) return trail.skip(mapped.code, ['D6'], mapped.reason, mapped.allowedValues);
  trail.add(
    'D6',
    'stage_mapped',
    `The stage "${input.deal.stage}" is sent as StageName "${mapped.stageName}".`,
  );
  return mapped.stageName;
}

function mappedFields(
  input: DealPushInput,
  describe: ObjectDescribe,
  mode: 'create' | 'update',
  snapshot: Record<string, unknown> | null,
  trail: Trail,
): { fields: SalesforceFields } | { refused: DealDecision } {
  const result = mapFields({
    object: 'Opportunity',
    values: dealValues(input.deal),
    mappings: input.settings.fieldMappings.Opportunity,
    describe,
    mode,
    snapshot,
    current: input.current?.fields ?? null,
  });
  if (!result.ok) {
    for (const i of result.issues) trail.add(i.rule, 'field_note', i.message);
    return {
      refused: trail.skip(
        'field_rejected',
        ['X6'],
        `Deal ${input.deal.id} was not sent because Salesforce would refuse a value: ${result.issues.map((i) => i.message).join(' ')}`,
      ),
    };
  }
  for (const n of result.notes) trail.add(n.rule, 'field_note', n.message);
  return { fields: { ...result.fields } };
}

function fieldLength(describe: ObjectDescribe, name: string, fallback: number): number {
  const f = describe.fields.find((x) => x.name.toLowerCase() === name.toLowerCase());
  return f !== undefined && f.length > 0 ? f.length : fallback;
}

function hasKey(fields: SalesforceFields, name: string): boolean {
  return Object.keys(fields).some((k) => k.toLowerCase() === name.toLowerCase());
}

function decideCreate(input: DealPushInput, describe: ObjectDescribe, trail: Trail): DealDecision {
  const deal = input.deal;
  const label = `Deal ${deal.id}`;
  const stage = stageName(input, describe, trail);
  if (typeof stage !== 'string') return stage;
  const mapped = mappedFields(input, describe, 'create', null, trail);
  if ('refused' in mapped) return mapped.refused;
  const fields = mapped.fields;

  // D6: Name, StageName and CloseDate are required whether or not the admin mapped them.
  if (!hasKey(fields, 'Name')) {
    if (deal.name.trim() === '')
      return trail.skip(
        'required_field_missing',
        ['D6'],
        `${label} was not sent: its name is blank and Salesforce requires an Opportunity Name; give the deal a name.`,
      );
    fields.Name = cutToLength(deal.name.trim(), fieldLength(describe, 'Name', 120));
  }
  if (!hasKey(fields, 'CloseDate')) {
    if (deal.closeDate === null)
      return trail.skip(
        'required_field_missing',
        ['D6'],
        `${label} was not sent: its closeDate is empty and Salesforce requires an Opportunity CloseDate; set a close date on the deal.`,
      );
    fields.CloseDate = deal.closeDate;
  }
  fields.StageName = stage;

  const account = settleAccount(input, fields, 'create', null, trail);
  writeOwner(input, fields, 'create', null, trail);
  const contactRoles = planContactRoles(input, trail);
  return {
    action: 'create',
    object: 'Opportunity',
    fields,
    account,
    contactRoles,
    ...trail.explained(
      `${label} is not in Salesforce yet and deal sync is "${input.settings.deals.dealSync}", so it is created as an Opportunity at stage "${stage}" (${SYNC_RULE[input.settings.deals.dealSync]}, D6).`,
    ),
  };
}

function decideUpdate(
  input: DealPushInput,
  link: Link,
  describe: ObjectDescribe,
  trail: Trail,
): DealDecision {
  const stage = stageName(input, describe, trail);
  if (typeof stage !== 'string') return stage;
  const mapped = mappedFields(input, describe, 'update', link.snapshot, trail);
  if ('refused' in mapped) return mapped.refused;
  const fields = mapped.fields;
  if (link.snapshot.StageName !== stage) fields.StageName = stage;
  const account = settleAccount(input, fields, 'update', link.snapshot, trail);
  writeOwner(input, fields, 'update', link.snapshot, trail);
  const contactRoles = planContactRoles(input, trail);
  const checked =
    input.settings.deals.dealSync === 'bidirectional'
      ? ' Its SystemModstamp is unchanged since the last sync, so no Salesforce edit is overwritten (D1).'
      : '';
  return {
    action: 'update',
    object: 'Opportunity',
    sfId: link.sfId,
    fields,
    account,
    contactRoles,
    ...trail.explained(
      `Deal ${input.deal.id} is linked to Opportunity ${link.sfId}, so the change is pushed there.${checked}`,
    ),
  };
}

/** D6: the Opportunity's Account comes from the deal's company, which must be in Salesforce first. */
function settleAccount(
  input: DealPushInput,
  fields: SalesforceFields,
  mode: 'create' | 'update',
  snapshot: Record<string, unknown> | null,
  trail: Trail,
): DealAccount {
  const company = input.company;
  if (company === null) {
    if (mode === 'create')
      trail.add(
        'D6',
        'no_account',
        'The deal has no company, so the Opportunity is created without an Account.',
      );
    return { via: 'none' };
  }
  const link = linkInOrg(company.link, input.orgId);
  if (link !== null && link.sfObject === 'Account') {
    if (link.state === 'deleted_in_salesforce') {
      trail.add(
        'D6',
        'no_account',
        `The company's Account ${link.sfId} was deleted in Salesforce, so the Opportunity gets no Account from it; push the company by hand to re-create it.`,
        [link.sfId],
      );
      return { via: 'none' };
    }
    const accountId = link.state === 'merged' ? (link.mergedInto ?? link.sfId) : link.sfId;
    if (mode === 'update' && snapshot?.AccountId === accountId) return { via: 'unchanged', accountId };
    fields.AccountId = accountId;
    trail.add('D6', 'account_linked', `The Opportunity goes under the company's Account ${accountId}.`, [
      accountId,
    ]);
    return { via: 'linked', accountId };
  }
  trail.add(
    'D6',
    'account_pending',
    `The company "${company.record.name}" is not in Salesforce yet, so it is pushed first (even when account push is off, as C7 does for a Contact) and the Opportunity goes under its new Account.`,
  );
  trail.rule('C7');
  return { via: 'push_company_first', companyId: company.record.id };
}

/** X7 on create: always an owner; on update only a real owner that changed since crmsync's last write. */
function writeOwner(
  input: DealPushInput,
  fields: SalesforceFields,
  mode: 'create' | 'update',
  snapshot: Record<string, unknown> | null,
  trail: Trail,
): void {
  if (input.owners === undefined) return;
  const owner = resolveOwner(input.deal.ownerId, input.owners, input.settings.owners.defaultOwnerId);
  if (mode === 'create') {
    trail.add(owner.note.rule, owner.note.code, owner.note.message, owner.note.ids);
    if (owner.ownerId !== null) fields.OwnerId = owner.ownerId;
  } else if (owner.source === 'matched' && snapshot?.OwnerId !== owner.ownerId) {
    trail.add(owner.note.rule, owner.note.code, owner.note.message, owner.note.ids);
    fields.OwnerId = owner.ownerId;
  }
}

/**
 * D6: deal people that are Contacts become OpportunityContactRoles; people linked as Leads and
 * people not in Salesforce are skipped with a reason (a Lead cannot hold a contact role).
 * Roles already on the Opportunity are not added again; roles are never removed, because an
 * admin may have added them in Salesforce.
 */
function planContactRoles(input: DealPushInput, trail: Trail): ContactRolePlan {
  if (input.people.length === 0) return NO_ROLES;
  const existing = new Set(input.existingContactRoles ?? []);
  const add: ContactRoleToAdd[] = [];
  const skipped: ContactRoleSkipped[] = [];
  const seen = new Set<string>();
  for (const { record, link: raw } of input.people) {
    const link = linkInOrg(raw, input.orgId);
    const skip = (code: ContactRoleSkipped['code'], reason: string) => {
      skipped.push({ personId: record.id, code, reason });
      trail.add('D6', 'contact_role_skipped', reason, link === null ? [] : [link.sfId]);
    };
    if (link === null || (link.sfObject !== 'Contact' && link.sfObject !== 'Lead')) {
      skip(
        'person_not_in_salesforce',
        `Person ${record.id} gets no contact role: it is not in Salesforce yet; it gets one on the next push of the deal after it is pushed as a Contact.`,
      );
    } else if (link.state !== 'active' && link.state !== 'deleted_locally') {
      skip(
        'person_link_inactive',
        `Person ${record.id} gets no contact role: its ${link.sfObject} ${link.sfId} is no longer in Salesforce.`,
      );
    } else if (link.sfObject === 'Lead') {
      skip(
        'person_is_lead',
        `Person ${record.id} gets no contact role: it is in Salesforce as Lead ${link.sfId}, and only Contacts can hold a role on an Opportunity.`,
      );
    } else if (!existing.has(link.sfId) && !seen.has(link.sfId)) {
      seen.add(link.sfId);
      add.push({ personId: record.id, contactId: link.sfId });
      trail.add(
        'D6',
        'contact_role_added',
        `Contact ${link.sfId} (person ${record.id}) gets a contact role on the Opportunity.`,
        [link.sfId],
      );
    }
  }
  return { add, skipped };
}

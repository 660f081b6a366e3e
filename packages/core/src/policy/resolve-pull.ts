import { z } from 'zod';
import type { Company } from '../model/company.js';
import type { Link } from '../model/link.js';
import type { Person } from '../model/person.js';
import type { Settings } from '../settings/schema.js';
import { decidePush } from './decide-push.js';
import type { PushDecision, RuleId } from './decision.js';
import { domainOfEmail, isFreeMail, normalizeWebsite, registrableDomain } from './domains.js';

/*
 * P2: pulled Salesforce rows -> ordered local actions, each with its rule ids and a sentence.
 * The order is the order the engine applies them in, and later steps see the effect of earlier
 * ones (a person re-linked by a merge is updated, not created, by its survivor's row):
 *   1. merges (C11/A5): a row deleted with a MasterRecordId is a merge, never a deletion;
 *   2. deletions (C10/A4);
 *   3. lead conversions (C12);
 *   4. changed rows (P3), Accounts before Contacts before Leads so a person can be attached to a
 *      company created earlier in the same pull; P2 no-echo and P4 apply here.
 */

export type PulledObject = 'Contact' | 'Lead' | 'Account';
const PULLED_OBJECTS: readonly PulledObject[] = ['Account', 'Contact', 'Lead'];

/** A row from `queryAll` on Contact, Lead or Account; other fields ride along for the field maps. */
export const PulledRow = z.looseObject({
  Id: z.string().min(15).max(18),
  IsDeleted: z.boolean().default(false),
  MasterRecordId: z.string().nullable().default(null),
  SystemModstamp: z.string(),
  IsConverted: z.boolean().optional(),
  ConvertedContactId: z.string().nullable().optional(),
  ConvertedAccountId: z.string().nullable().optional(),
  Email: z.string().nullable().optional(),
  AccountId: z.string().nullable().optional(),
});
export type PulledRow = z.infer<typeof PulledRow>;

export interface ResolvePullInput {
  settings: Settings;
  /** The connected org. Links of another org are ignored: a sandbox copied from production shares its record ids. */
  orgId: string;
  /** Rows changed since the cursor, deleted and merged ones included (queryAll). */
  rows: Partial<Record<PulledObject, readonly PulledRow[]>>;
  /** Ids from the deletion feed (`/deleted`), which cannot tell a merge from a deletion. */
  deletedIds: Partial<Record<PulledObject, readonly string[]>>;
  /**
   * The connected org's links for every id above (rows, deleted ids, MasterRecordIds,
   * ConvertedContactIds, ConvertedAccountIds) and the links of the companies below.
   */
  links: readonly Link[];
  /** People linked to pulled Leads and Contacts: for C12 and P4 (only a person without a company is attached). */
  people: readonly Pick<Person, 'id' | 'companyId'>[];
  /** Companies with their websites, for P4 (the workspace's companies, or those on the pulled Leads' domains). */
  companies: readonly Pick<Company, 'id' | 'website'>[];
}

export type LocalType = 'person' | 'company';

/**
 * How a pulled person gets its company. `companyId` is a local company; `accountSfId` is an
 * Account created locally earlier in this same pull (its local id is not known yet).
 * `pushCompany: false`: P4 attaches a company without making it eligible for push.
 */
export type CompanyAttachment =
  | { via: 'account'; companyId: string; pushCompany: false }
  | { via: 'account_in_this_pull'; accountSfId: string; pushCompany: false }
  | { via: 'email_domain'; companyId: string; pushCompany: false };

interface Explained {
  rules: readonly RuleId[];
  reason: string;
  sfObject: PulledObject;
  sfId: string;
}

export type PullAction =
  | (Explained & {
      /**
       * C11/A5: merge the loser's local record into the survivor's: the survivor's values win,
       * blanks are filled from the loser (`mergeRecordValues`), activities move to the survivor,
       * the loser's record and link are removed. `sfId` is the loser.
       */
      action: 'merge_local';
      localType: LocalType;
      loserLocalId: string;
      survivorLocalId: string;
      survivorSfId: string;
    })
  | (Explained & {
      /** Move the local record's link from `sfObject`/`sfId` to `toSfObject`/`toSfId` (C11/A5 survivor without a record, C12). */
      action: 'relink';
      localType: LocalType;
      localId: string;
      toSfObject: PulledObject;
      toSfId: string;
    })
  | (Explained & {
      /** Link a local record that had no link to `sfObject`/`sfId` (C12: the person's company to the new Account). */
      action: 'link';
      localType: LocalType;
      localId: string;
    })
  | (Explained & {
      /** C10/A4 off, C11/A5 off: keep the local record, record on the link what happened in Salesforce. */
      action: 'mark_link';
      localType: LocalType;
      localId: string;
      state: 'merged' | 'deleted_in_salesforce';
      mergedInto: string | null;
    })
  | (Explained & {
      /** C10/A4 on: delete the local record (and its link); the host hears of it by event (O5). */
      action: 'delete_local';
      localType: LocalType;
      localId: string;
    })
  | (Explained & {
      /** C12: put the person in the company linked to the Account the Lead was converted into. */
      action: 'attach_company';
      personId: string;
      companyId: string;
    })
  | (Explained & {
      /** P3: update the linked local record with Salesforce's values (never queued for push: P2). */
      action: 'update_local';
      localType: LocalType;
      localId: string;
      /** Local field -> value, through the object's field mappings read backwards. */
      fields: Record<string, unknown>;
      /** Record on the link, for the next no-echo check. */
      systemModstamp: string;
      company: CompanyAttachment | null;
    })
  | (Explained & {
      /** P3: create a local record from the row and link it. */
      action: 'create_local';
      localType: LocalType;
      fields: Record<string, unknown>;
      systemModstamp: string;
      company: CompanyAttachment | null;
    })
  | (Explained & {
      /** Nothing to do locally; logged so "why did this not change?" has an answer. */
      action: 'ignore';
    });

type Local = { localType: LocalType; localId: string };

const localTypeOf = (object: PulledObject): LocalType => (object === 'Account' ? 'company' : 'person');

/** Working state: which local record each Salesforce id leads to, as earlier actions change it. */
class Links {
  private readonly active = new Map<string, Local>();
  private readonly byLocal = new Map<string, string>();
  readonly original = new Map<string, Link>();

  constructor(links: readonly Link[], orgId: string) {
    for (const l of links) {
      if (l.orgId !== orgId || (l.localType !== 'person' && l.localType !== 'company')) continue;
      this.original.set(l.sfId, l);
      if (l.state === 'active') this.set(l.sfId, { localType: l.localType, localId: l.localId });
    }
  }
  get(sfId: string): Local | undefined {
    return this.active.get(sfId);
  }
  sfIdOf(local: Local): string | undefined {
    return this.byLocal.get(`${local.localType}:${local.localId}`);
  }
  set(sfId: string, local: Local): void {
    this.active.set(sfId, local);
    this.byLocal.set(`${local.localType}:${local.localId}`, sfId);
  }
  drop(sfId: string): void {
    const local = this.active.get(sfId);
    this.active.delete(sfId);
    if (local !== undefined && this.byLocal.get(`${local.localType}:${local.localId}`) === sfId)
      this.byLocal.delete(`${local.localType}:${local.localId}`);
  }
}

function mergeRules(object: PulledObject): { rule: RuleId; on: (s: Settings) => boolean; label: string } {
  return object === 'Account'
    ? { rule: 'A5', on: (s) => s.accounts.mergeSync, label: 'Account merge sync' }
    : { rule: 'C11', on: (s) => s.contacts.mergeSync, label: 'Contacts merge sync' };
}

function deletionRules(object: PulledObject): { rule: RuleId; on: (s: Settings) => boolean; label: string } {
  return object === 'Account'
    ? { rule: 'A4', on: (s) => s.accounts.deletionSync, label: 'Account deletion sync' }
    : { rule: 'C10', on: (s) => s.contacts.deletionSync, label: 'Contacts deletion sync' };
}

const PULL_RECORDS_KEY = { Contact: 'contacts', Lead: 'leads', Account: 'accounts' } as const;

const STATE_TEXT: Record<Link['state'], string> = {
  active: 'active',
  deleted_in_salesforce: 'deleted in Salesforce',
  deleted_locally: 'deleted locally',
  merged: 'merged',
};
const stateText = (state: Link['state']): string => STATE_TEXT[state];

const noun = (t: LocalType): string => (t === 'person' ? 'person' : 'company');

/** The final survivor of a merge chain within one pull (A into B, then B into C: C). */
function finalSurvivor(id: string, mergedInto: ReadonlyMap<string, string>): string {
  let current = id;
  const seen = new Set<string>([id]);
  for (
    let next = mergedInto.get(current);
    next !== undefined && !seen.has(next);
    next = mergedInto.get(current)
  ) {
    seen.add(next);
    current = next;
  }
  return current;
}

/** Indexes built once per pull: a full first pull has every Contact, so per-row scans would be quadratic. */
class Lookups {
  private readonly companyByPerson: Map<string, string | null>;
  private readonly liveAccounts: Set<string>;
  private byDomain: Map<string, string[]> | null = null;

  constructor(private readonly input: ResolvePullInput) {
    this.companyByPerson = new Map(input.people.map((p) => [p.id, p.companyId]));
    this.liveAccounts = new Set((input.rows.Account ?? []).filter((a) => !a.IsDeleted).map((a) => a.Id));
  }
  companyOf(personId: string): string | null {
    return this.companyByPerson.get(personId) ?? null;
  }
  accountPulled(accountId: string): boolean {
    return this.liveAccounts.has(accountId);
  }
  /** P4: local companies whose website's registrable domain is `domain`. */
  companiesOn(domain: string): string[] {
    if (this.byDomain === null) {
      this.byDomain = new Map();
      for (const c of this.input.companies) {
        const d = c.website === null ? null : normalizeWebsite(c.website);
        if (d !== null) this.byDomain.set(d, [...(this.byDomain.get(d) ?? []), c.id]);
      }
    }
    return this.byDomain.get(domain) ?? [];
  }
}

export function resolvePull(input: ResolvePullInput): PullAction[] {
  const { settings } = input;
  const links = new Links(input.links, input.orgId);
  const lookups = new Lookups(input);
  const actions: PullAction[] = [];
  const handled = new Set<string>();

  // 1. Merges first: their losers also appear as plain deletions in the deletion feed.
  for (const object of PULLED_OBJECTS) {
    const rows = input.rows[object] ?? [];
    const mergedInto = new Map<string, string>();
    for (const r of rows) if (r.IsDeleted && r.MasterRecordId) mergedInto.set(r.Id, r.MasterRecordId);
    for (const [loser, direct] of mergedInto) {
      handled.add(loser);
      actions.push(resolveMerge(object, loser, direct, finalSurvivor(loser, mergedInto), settings, links));
    }
  }

  // 2. Deletions: the feed and deleted rows, once each, merges excluded.
  for (const object of PULLED_OBJECTS) {
    const ids = [
      ...(input.deletedIds[object] ?? []),
      ...(input.rows[object] ?? []).filter((r) => r.IsDeleted).map((r) => r.Id),
    ];
    for (const id of new Set(ids)) {
      if (handled.has(id)) continue;
      handled.add(id);
      actions.push(resolveDeletion(object, id, settings, links));
    }
  }

  // 3. Conversions, before changed rows so the new Contact's row updates the re-linked person.
  const converted = new Set<string>();
  for (const row of input.rows.Lead ?? []) {
    if (handled.has(row.Id) || row.IsConverted !== true || !row.ConvertedContactId) continue;
    converted.add(row.Id);
    actions.push(...resolveConversion(row, input, links, lookups));
  }

  // 4. Changed rows.
  for (const object of PULLED_OBJECTS) {
    for (const row of input.rows[object] ?? []) {
      if (handled.has(row.Id) || converted.has(row.Id)) continue;
      handled.add(row.Id);
      actions.push(resolveChange(object, row, input, links, lookups));
    }
  }
  return actions;
}

function resolveMerge(
  object: PulledObject,
  loser: string,
  direct: string,
  survivor: string,
  settings: Settings,
  links: Links,
): PullAction {
  const { rule, on, label } = mergeRules(object);
  const via = direct === survivor ? '' : ` (through ${direct}, itself merged in this pull)`;
  const base = { sfObject: object, sfId: loser };
  const local = links.get(loser);
  if (local === undefined) {
    const old = links.original.get(loser);
    return {
      action: 'ignore',
      rules: [rule],
      reason: old
        ? `${object} ${loser} was merged into ${survivor}${via} in Salesforce; its link was already marked ${stateText(old.state)}, so nothing changes.`
        : `${object} ${loser} was merged into ${survivor}${via} in Salesforce; no local record is linked to it, so nothing changes.`,
      ...base,
    };
  }
  if (!on(settings)) {
    links.drop(loser);
    return {
      action: 'mark_link',
      ...local,
      state: 'merged',
      mergedInto: survivor,
      rules: [rule],
      reason: `${object} ${loser} was merged into ${survivor}${via} in Salesforce. ${label} is off, so the local ${noun(local.localType)} is kept and its link is marked merged into ${survivor}; it is not treated as a deletion.`,
      ...base,
    };
  }
  const kept = links.get(survivor);
  links.drop(loser);
  if (kept === undefined) {
    links.set(survivor, local);
    return {
      action: 'relink',
      ...local,
      toSfObject: object,
      toSfId: survivor,
      rules: [rule],
      reason: `${object} ${loser} was merged into ${survivor}${via} in Salesforce. ${label} is on and no local record is linked to the survivor, so the local ${noun(local.localType)} is re-linked to ${survivor}.`,
      ...base,
    };
  }
  if (kept.localId === local.localId) {
    return {
      action: 'mark_link',
      ...local,
      state: 'merged',
      mergedInto: survivor,
      rules: [rule],
      reason: `${object} ${loser} was merged into ${survivor}${via} in Salesforce; both were linked to the same local ${noun(local.localType)}, which stays linked to ${survivor}.`,
      ...base,
    };
  }
  return {
    action: 'merge_local',
    localType: local.localType,
    loserLocalId: local.localId,
    survivorLocalId: kept.localId,
    survivorSfId: survivor,
    rules: [rule],
    reason: `${object} ${loser} was merged into ${survivor}${via} in Salesforce. ${label} is on, so local ${noun(local.localType)} ${local.localId} is merged into ${kept.localId}: the survivor's values win, blanks are filled from the merged record and its activities move to the survivor.`,
    ...base,
  };
}

function resolveDeletion(object: PulledObject, id: string, settings: Settings, links: Links): PullAction {
  const { rule, on, label } = deletionRules(object);
  const base = { sfObject: object, sfId: id };
  const local = links.get(id);
  if (local === undefined) {
    const old = links.original.get(id);
    return {
      action: 'ignore',
      rules: [rule],
      reason: old
        ? `${object} ${id} was deleted in Salesforce; its link was already marked ${stateText(old.state)}, so nothing changes.`
        : `${object} ${id} was deleted in Salesforce; no local record is linked to it, so nothing changes.`,
      ...base,
    };
  }
  links.drop(id);
  if (on(settings)) {
    return {
      action: 'delete_local',
      ...local,
      rules: [rule],
      reason: `${object} ${id} was deleted in Salesforce and ${label} is on, so the local ${noun(local.localType)} is deleted too.`,
      ...base,
    };
  }
  return {
    action: 'mark_link',
    ...local,
    state: 'deleted_in_salesforce',
    mergedInto: null,
    rules: [rule],
    reason: `${object} ${id} was deleted in Salesforce. ${label} is off, so the local ${noun(local.localType)} is kept and its link is marked deleted in Salesforce; it is not pushed again until someone pushes it by hand.`,
    ...base,
  };
}

function resolveConversion(
  row: PulledRow,
  input: ResolvePullInput,
  links: Links,
  lookups: Lookups,
): PullAction[] {
  const leadId = row.Id;
  const contactId = row.ConvertedContactId!;
  const accountId = row.ConvertedAccountId ?? null;
  const base = { sfObject: 'Lead' as const, sfId: leadId };
  const person = links.get(leadId);
  if (person === undefined) {
    return [
      {
        action: 'ignore',
        rules: ['C12'],
        reason: `Lead ${leadId} was converted into Contact ${contactId}; no local person is linked to the Lead, so nothing is re-linked.`,
        ...base,
      },
    ];
  }
  const out: PullAction[] = [];
  const existing = links.get(contactId);
  let personId = person.localId;
  links.drop(leadId);
  if (existing === undefined) {
    links.set(contactId, person);
    out.push({
      action: 'relink',
      ...person,
      toSfObject: 'Contact',
      toSfId: contactId,
      rules: ['C12'],
      reason: `Lead ${leadId} was converted into Contact ${contactId} in Salesforce, so the local person is re-linked to the Contact.`,
      ...base,
    });
  } else if (existing.localId !== person.localId) {
    // Converted into a Contact that another local person already holds: the same human twice.
    if (input.settings.contacts.mergeSync) {
      personId = existing.localId;
      out.push({
        action: 'merge_local',
        localType: 'person',
        loserLocalId: person.localId,
        survivorLocalId: existing.localId,
        survivorSfId: contactId,
        rules: ['C12', 'C11'],
        reason: `Lead ${leadId} was converted into the existing Contact ${contactId}, already linked to person ${existing.localId}. Contacts merge sync is on, so person ${person.localId} is merged into ${existing.localId}: the Contact's person's values win, blanks are filled and activities move.`,
        ...base,
      });
    } else {
      out.push({
        action: 'mark_link',
        ...person,
        state: 'merged',
        mergedInto: contactId,
        rules: ['C12', 'C11'],
        reason: `Lead ${leadId} was converted into the existing Contact ${contactId}, already linked to person ${existing.localId}. Contacts merge sync is off, so person ${person.localId} is kept and its link is marked merged into ${contactId}.`,
        ...base,
      });
      return out;
    }
  }
  if (accountId !== null) out.push(...settleConvertedAccount(row, personId, accountId, links, lookups));
  return out;
}

/** C12: "and its company to the new Account". */
function settleConvertedAccount(
  row: PulledRow,
  personId: string,
  accountId: string,
  links: Links,
  lookups: Lookups,
): PullAction[] {
  const base = { sfObject: 'Lead' as const, sfId: row.Id };
  const companyId = lookups.companyOf(personId);
  const accountCompany = links.get(accountId);
  if (accountCompany !== undefined) {
    if (accountCompany.localId === companyId) return [];
    return [
      {
        action: 'attach_company',
        personId,
        companyId: accountCompany.localId,
        rules: ['C12'],
        reason: `Lead ${row.Id} was converted with Account ${accountId}, which is linked to company ${accountCompany.localId}, so the person is put in that company.`,
        ...base,
      },
    ];
  }
  if (companyId === null) return [];
  const company: Local = { localType: 'company', localId: companyId };
  const current = links.sfIdOf(company);
  if (current !== undefined) {
    return [
      {
        action: 'ignore',
        rules: ['C12'],
        reason: `Lead ${row.Id} was converted with Account ${accountId}, but the person's company ${companyId} is already linked to Account ${current}, so its link is left as it is.`,
        ...base,
      },
    ];
  }
  links.set(accountId, company);
  return [
    {
      action: 'link',
      ...company,
      rules: ['C12'],
      reason: `Lead ${row.Id} was converted with the new Account ${accountId}, so the person's company ${companyId} is linked to it.`,
      sfObject: 'Account',
      sfId: accountId,
    },
  ];
}

/** Local field -> value, through the object's field mappings read backwards; a field absent from the row is not touched. */
function pulledFields(object: PulledObject, row: PulledRow, settings: Settings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let keys: Map<string, string> | null = null;
  for (const m of settings.fieldMappings[object]) {
    // `company.*` paths describe a Lead's company, which is a different local record.
    if (m.local.includes('.')) continue;
    // Rows come in Salesforce's canonical casing; a mapping typed in another case still matches.
    let key: string | undefined = m.salesforce;
    if (!Object.hasOwn(row, key)) {
      keys ??= new Map(Object.keys(row).map((k) => [k.toLowerCase(), k]));
      key = keys.get(m.salesforce.toLowerCase());
    }
    if (key !== undefined) out[m.local] = row[key];
  }
  return out;
}

function resolveChange(
  object: PulledObject,
  row: PulledRow,
  input: ResolvePullInput,
  links: Links,
  lookups: Lookups,
): PullAction {
  const { settings } = input;
  const base = { sfObject: object, sfId: row.Id };
  const localType = localTypeOf(object);
  const local = links.get(row.Id);
  const original = links.original.get(row.Id);

  if (local === undefined && original !== undefined) {
    return {
      action: 'ignore',
      rules: [original.state === 'merged' ? mergeRules(object).rule : deletionRules(object).rule, 'P3'],
      reason: `${object} ${row.Id} changed in Salesforce, but its link is marked ${stateText(original.state)}, so the change is not pulled; re-link or push the ${noun(localType)} by hand to resume.`,
      ...base,
    };
  }
  // P2: the row is crmsync's own write coming back.
  if (
    local !== undefined &&
    original?.state === 'active' &&
    original.localId === local.localId &&
    original.systemModstamp !== null &&
    original.systemModstamp === row.SystemModstamp
  ) {
    return {
      action: 'ignore',
      rules: ['P2'],
      reason: `${object} ${row.Id} has not changed since crmsync wrote it (same SystemModstamp), so it is not pulled back.`,
      ...base,
    };
  }
  const key = PULL_RECORDS_KEY[object];
  if (!settings.pull.pullRecords[key]) {
    return {
      action: 'ignore',
      rules: ['P3'],
      reason: `${object} ${row.Id} changed in Salesforce, but pulling ${key} is off, so ${local === undefined ? 'no local record is created' : 'the local record is not updated'}.`,
      ...base,
    };
  }

  const fields = pulledFields(object, row, settings);
  const currentCompany = local === undefined ? null : lookups.companyOf(local.localId);
  const { company, rules, sentence } =
    localType === 'person'
      ? attachCompany(object, row, currentCompany, input.settings, links, lookups)
      : { company: null, rules: [], sentence: '' };

  if (local !== undefined) {
    return {
      action: 'update_local',
      ...local,
      fields,
      systemModstamp: row.SystemModstamp,
      company,
      rules: ['P3', ...rules],
      reason: `${object} ${row.Id} changed in Salesforce, so the linked ${noun(localType)} is updated from it.${sentence}`,
      ...base,
    };
  }
  return {
    action: 'create_local',
    localType,
    fields,
    systemModstamp: row.SystemModstamp,
    company,
    rules: ['P3', ...rules],
    reason: `${object} ${row.Id} is not linked to any local record and pulling ${key} is on, so a local ${noun(localType)} is created and linked to it.${sentence}`,
    ...base,
  };
}

/**
 * The company of a pulled person: a Contact's Account (its own field, so Salesforce moving the
 * Contact moves the person), or (P4) a Lead's email domain for a person without a company.
 */
function attachCompany(
  object: PulledObject,
  row: PulledRow,
  currentCompany: string | null,
  settings: Settings,
  links: Links,
  lookups: Lookups,
): { company: CompanyAttachment | null; rules: RuleId[]; sentence: string } {
  const none = { company: null, rules: [], sentence: '' };
  if (object === 'Contact') {
    const accountId = row.AccountId ?? null;
    if (accountId === null) return none;
    const linked = links.get(accountId);
    if (linked !== undefined && linked.localId === currentCompany) return none;
    if (linked !== undefined)
      return {
        company: { via: 'account', companyId: linked.localId, pushCompany: false },
        rules: [],
        sentence: ` It is put in company ${linked.localId}, linked to its Account ${accountId}.`,
      };
    if (lookups.accountPulled(accountId) && settings.pull.pullRecords.accounts) {
      return {
        company: { via: 'account_in_this_pull', accountSfId: accountId, pushCompany: false },
        rules: [],
        sentence: ` It is put in the company created from its Account ${accountId} in this pull.`,
      };
    }
    return none;
  }
  if (object !== 'Lead' || currentCompany !== null || !settings.pull.inferLeadAccounts) return none;
  const email = typeof row.Email === 'string' ? row.Email : '';
  const domain = email === '' ? null : domainOfEmail(email);
  if (domain === null) return none;
  if (isFreeMail(domain)) {
    return {
      company: null,
      rules: ['P4'],
      sentence: ` No company is inferred: ${domain} is a free-mail domain.`,
    };
  }
  const registrable = registrableDomain(domain);
  const matches = registrable === null ? [] : lookups.companiesOn(registrable);
  if (matches.length === 0) return none;
  if (matches.length > 1) {
    return {
      company: null,
      rules: ['P4'],
      sentence: ` No company is inferred: ${matches.length} companies (${matches.join(', ')}) have the website domain ${registrable}.`,
    };
  }
  const match = matches[0]!;
  return {
    company: { via: 'email_domain', companyId: match, pushCompany: false },
    rules: ['P4'],
    sentence: ` Lead accounts are inferred, so it is put in company ${match}, whose website domain ${registrable} matches its email; the company is not pushed because of this.`,
  };
}

/** Keys a merge never copies: identity and provenance stay the survivor's. */
const IDENTITY_KEYS = new Set(['id', 'workspaceId', 'externalId', 'origin']);

const blank = (v: unknown): boolean =>
  v === null ||
  v === undefined ||
  (typeof v === 'string' && v.trim() === '') ||
  (Array.isArray(v) && v.length === 0);

/**
 * C11/A5 merge of local values: the survivor's values win, blanks are filled from the others in
 * the order given. Returns the merged values and the keys that were filled.
 */
export function mergeRecordValues<T extends Record<string, unknown>>(
  survivor: T,
  others: readonly Record<string, unknown>[],
): { merged: T; filled: string[] } {
  const merged: Record<string, unknown> = { ...survivor };
  const filled: string[] = [];
  for (const other of others) {
    for (const [key, value] of Object.entries(other)) {
      if (IDENTITY_KEYS.has(key) || blank(value) || !blank(merged[key])) continue;
      merged[key] = value;
      filled.push(key);
    }
  }
  return { merged: merged as T, filled };
}

/** What a local delete needs: the deleted record (its last values), its link, and for a company the A4 child count. */
export type LocalDeleteInput = { settings: Settings; orgId: string } & (
  | { kind: 'person'; record: Person; link: Link | null }
  | { kind: 'company'; record: Company; link: Link | null; accountChildrenRemaining?: number }
);

/**
 * C10/A4 for the other direction: a local delete of a linked record deletes in Salesforce only
 * with deletion sync on, and an Account with children crmsync is not deleting is skipped with
 * their count. The decision is `decidePush`'s delete path (one place decides the rule); this
 * entry point asks only for what a delete needs.
 */
export function decideLocalDelete(input: LocalDeleteInput): PushDecision {
  const common = {
    settings: input.settings,
    orgId: input.orgId,
    trigger: 'change' as const,
    deleted: true,
    matchCandidates: { people: [], accounts: [] },
    owners: { workspaceUsers: [], salesforceUsers: [], integrationUserId: null },
    describes: {},
    current: null,
  };
  if (input.kind === 'person')
    return decidePush({ ...common, kind: 'person', record: input.record, link: input.link, company: null });
  return decidePush({
    ...common,
    kind: 'company',
    record: input.record,
    link: input.link,
    ...(input.accountChildrenRemaining === undefined
      ? {}
      : { accountChildrenRemaining: input.accountChildrenRemaining }),
  });
}

import { z } from 'zod';
import type { TieBreak } from '../settings/schema.js';
import { normalizeAddress, normalizeWebsite } from './domains.js';

/*
 * X1-X3: which existing Salesforce record a net-new person or company is linked to instead of
 * creating a duplicate. The engine looks candidates up for a whole batch (one query per object,
 * keyed by `emailKey` and `companyMatchKeys`); these functions decide among them, so the rule
 * lives here once and a loose query on the engine's side (Salesforce compares `Email`
 * case-insensitively, `Website` not at all) can never link the wrong record.
 */

const SalesforceId = z.string().min(15).max(18);
/** Salesforce date-times come as `2026-11-28T10:00:00.000+0000`; an unreadable one ranks last. */
const SalesforceDateTime = z.string();

export const ContactCandidate = z.object({
  object: z.literal('Contact'),
  Id: SalesforceId,
  Email: z.string().nullable(),
  CreatedDate: SalesforceDateTime,
  LastModifiedDate: SalesforceDateTime,
});
export type ContactCandidate = z.infer<typeof ContactCandidate>;

export const LeadCandidate = z.object({
  object: z.literal('Lead'),
  Id: SalesforceId,
  Email: z.string().nullable(),
  CreatedDate: SalesforceDateTime,
  LastModifiedDate: SalesforceDateTime,
  IsConverted: z.boolean(),
  ConvertedContactId: SalesforceId.nullable(),
});
export type LeadCandidate = z.infer<typeof LeadCandidate>;

/**
 * The Salesforce fields of an X1 candidate, as the adapter reads them (lookups and the push-all
 * prefetch): the match fields above plus the ids crmsync links through.
 */
export const CONTACT_CANDIDATE_FIELDS = [
  'Id',
  'Email',
  'CreatedDate',
  'LastModifiedDate',
  'OwnerId',
  'AccountId',
] as const;
export const LEAD_CANDIDATE_FIELDS = [
  'Id',
  'Email',
  'CreatedDate',
  'LastModifiedDate',
  'OwnerId',
  'IsConverted',
  'ConvertedContactId',
  'ConvertedAccountId',
] as const;

/** A Contact or Lead returned by the X1 lookup (converted Leads included). */
export const PersonCandidate = z.discriminatedUnion('object', [ContactCandidate, LeadCandidate]);
export type PersonCandidate = z.infer<typeof PersonCandidate>;

/** An Account returned by the X2 lookup (the local Account index, by domain or by name). */
export const AccountCandidate = z.object({
  Id: SalesforceId,
  Name: z.string(),
  Website: z.string().nullable(),
  CreatedDate: SalesforceDateTime,
  LastModifiedDate: SalesforceDateTime,
});
export type AccountCandidate = z.infer<typeof AccountCandidate>;

/**
 * X1: the key two emails are equal under: trimmed, the address part of `"Jane" <jane@acme.com>`,
 * lower-cased, the domain in the normal form of `domains.ts`. Null when there is no address. The
 * engine queries Salesforce with this value and decidePush compares candidates by it.
 */
export function emailKey(email: string | null | undefined): string | null {
  if (email === null || email === undefined) return null;
  return normalizeAddress(email);
}

/** X2: a company or Account name compared exactly but for case, surrounding spaces and Unicode form. */
export function nameKey(name: string | null | undefined): string | null {
  if (name === null || name === undefined) return null;
  const key = name.normalize('NFC').trim().toLowerCase();
  return key === '' ? null : key;
}

export interface CompanyMatchKeys {
  /** The registrable domain of the company's website (X2), or null when it has none. */
  domain: string | null;
  name: string | null;
}

/** X2: what the engine looks Accounts up by, for one company. */
export function companyMatchKeys(company: { name: string; website: string | null }): CompanyMatchKeys {
  return {
    domain: company.website === null ? null : normalizeWebsite(company.website),
    name: nameKey(company.name),
  };
}

/** 32-bit FNV-1a over the UTF-8 bytes: cheap, stable across processes and releases. */
export function stableHash(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

export interface RankedCandidate {
  Id: string;
  CreatedDate: string;
  LastModifiedDate: string;
}

const time = (value: string): number => Date.parse(value);

/** Ascending, unreadable dates last, ties by id so the order never depends on the input order. */
function byTime(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
  if (Number.isNaN(b)) return -1;
  return a - b;
}

const byId = (a: RankedCandidate, b: RankedCandidate): number => (a.Id < b.Id ? -1 : a.Id > b.Id ? 1 : 0);

/**
 * X3: orders candidates so the chosen one is first. `random` is the seed's behaviour made
 * repeatable: each candidate scores the hash of the local id with its own id and the highest
 * wins (rendezvous hashing), so a retry picks the same record and a candidate appearing or
 * disappearing changes the pick only when it is that candidate.
 */
export function rankCandidates<T extends RankedCandidate>(
  candidates: readonly T[],
  tieBreak: TieBreak,
  localId: string,
): T[] {
  const unique = [...new Map(candidates.map((c) => [c.Id, c])).values()].sort(byId);
  switch (tieBreak) {
    case 'oldest':
      return unique.sort((a, b) => byTime(time(a.CreatedDate), time(b.CreatedDate)) || byId(a, b));
    case 'most_recently_modified':
      // Negated times so "most recent first" keeps unreadable dates last.
      return unique.sort(
        (a, b) => byTime(-time(a.LastModifiedDate), -time(b.LastModifiedDate)) || byId(a, b),
      );
    case 'random': {
      const score = (c: T) => stableHash(`${localId}\u0000${c.Id}`);
      return unique.sort((a, b) => score(b) - score(a) || byId(a, b));
    }
  }
}

const TIE_BREAK_WORDS: Record<TieBreak, string> = {
  oldest: 'the oldest (earliest CreatedDate)',
  most_recently_modified: 'the most recently modified (latest LastModifiedDate)',
  random: 'one chosen by a stable hash of the local id',
};

export function describeTieBreak(tieBreak: TieBreak): string {
  return TIE_BREAK_WORDS[tieBreak];
}

export type PersonMatch =
  | { found: false }
  | {
      found: true;
      object: 'Contact' | 'Lead';
      id: string;
      /** Every matching record, the chosen one first. */
      candidateIds: string[];
      /** Set when the chosen Contact was reached through a converted Lead. */
      viaConvertedLead: string | null;
    };

/**
 * X1: the existing Contact or Lead a person is linked to instead of being created. Contacts
 * first (a converted Lead counts as its `ConvertedContactId`), then Leads not yet converted;
 * several -> X3. A converted Lead without a Contact is read-only and never chosen.
 */
export function matchPerson(
  email: string | null,
  candidates: readonly PersonCandidate[],
  tieBreak: TieBreak,
  localId: string,
): PersonMatch {
  const key = emailKey(email);
  if (key === null) return { found: false };
  const same = candidates.filter((c) => candidateEmail(c) === key);

  const contacts: RankedCandidate[] = same.filter((c) => c.object === 'Contact');
  const convertedFrom = new Map<string, string>();
  for (const lead of same) {
    if (lead.object !== 'Lead' || !lead.IsConverted || lead.ConvertedContactId === null) continue;
    if (!contacts.some((c) => c.Id === lead.ConvertedContactId)) {
      // The Contact was not in the lookup (its email may have changed since): the conversion
      // is the best date known for it.
      contacts.push({
        Id: lead.ConvertedContactId,
        CreatedDate: lead.LastModifiedDate,
        LastModifiedDate: lead.LastModifiedDate,
      });
    }
    convertedFrom.set(lead.ConvertedContactId, lead.Id);
  }
  if (contacts.length > 0) {
    const ranked = rankCandidates(contacts, tieBreak, localId);
    const id = ranked[0]!.Id;
    return {
      found: true,
      object: 'Contact',
      id,
      candidateIds: ranked.map((c) => c.Id),
      viaConvertedLead: convertedFrom.get(id) ?? null,
    };
  }

  const leads = same.filter((c) => c.object === 'Lead' && !c.IsConverted);
  if (leads.length === 0) return { found: false };
  const ranked = rankCandidates(leads, tieBreak, localId);
  return {
    found: true,
    object: 'Lead',
    id: ranked[0]!.Id,
    candidateIds: ranked.map((c) => c.Id),
    viaConvertedLead: null,
  };
}

/*
 * The engine hands the same candidate rows to every decision of a batch, and normalising a
 * website or an address (URL parsing, the public-suffix list) costs far more than the rest of a
 * decision. Keys are remembered per row object, so they live exactly as long as the batch does.
 */
const websiteKeys = new WeakMap<AccountCandidate, string | null>();
const nameKeys = new WeakMap<AccountCandidate, string | null>();
const emailKeys = new WeakMap<PersonCandidate, string | null>();

function candidateDomain(a: AccountCandidate): string | null {
  let key = websiteKeys.get(a);
  if (key === undefined) {
    key = a.Website === null ? null : normalizeWebsite(a.Website);
    websiteKeys.set(a, key);
  }
  return key;
}

function candidateName(a: AccountCandidate): string | null {
  let key = nameKeys.get(a);
  if (key === undefined) {
    key = nameKey(a.Name);
    nameKeys.set(a, key);
  }
  return key;
}

function candidateEmail(c: PersonCandidate): string | null {
  let key = emailKeys.get(c);
  if (key === undefined) {
    key = emailKey(c.Email);
    emailKeys.set(c, key);
  }
  return key;
}

export type AccountMatch =
  { found: false } | { found: true; id: string; by: 'domain' | 'name'; candidateIds: string[] };

/** X2: the existing Account a company matches, by website domain first, then by exact name. */
export function matchAccount(
  company: { id: string; name: string; website: string | null },
  candidates: readonly AccountCandidate[],
  tieBreak: TieBreak,
): AccountMatch {
  const keys = companyMatchKeys(company);
  const byDomain = keys.domain === null ? [] : candidates.filter((a) => candidateDomain(a) === keys.domain);
  const byName = keys.name === null ? [] : candidates.filter((a) => candidateName(a) === keys.name);
  const [by, found] = byDomain.length > 0 ? (['domain', byDomain] as const) : (['name', byName] as const);
  if (found.length === 0) return { found: false };
  const ranked = rankCandidates(found, tieBreak, company.id);
  return { found: true, id: ranked[0]!.Id, by, candidateIds: ranked.map((a) => a.Id) };
}

import {
  CONTACT_CANDIDATE_FIELDS,
  emailKey,
  LEAD_CANDIDATE_FIELDS,
  type CrmAdapter,
  type CrmPersonCandidate,
  type CrmValue,
} from '@crmsync/core';

/*
 * X1 for a large push all: instead of one composite lookup per page of people (a few API calls per
 * 2,000 people), the org's Contacts and Leads that have an email are read once and matched
 * locally: both in one composite call when each has fewer than a query page of them, else through
 * a Bulk API 2.0 query per object (a handful of calls whatever the size). Only for an org of at
 * most `maxRows` such records per object, so memory stays bounded; a bigger org keeps the per-page
 * lookups. The snapshot is taken at the start of the run: people the run itself creates are
 * linked and never looked up again.
 */

/** Where the planner gets X1 candidates: the adapter's per-batch lookup, or a prefetched index. */
export interface PeopleCandidateSource {
  findPeopleByEmail(emails: readonly string[]): Promise<CrmPersonCandidate[]>;
}

/** Above this many Contacts (or Leads) with an email, the org is too big to hold: look up per page. */
export const PREFETCH_MAX_ROWS = 200_000;

/** Rows up to this many come back in one query page (the composite read); more go through Bulk. */
const QUERY_PAGE = 2_000;

/** A query row (typed values) or a Bulk CSV row (strings). */
type Row = Record<string, CrmValue | undefined>;

const text = (v: CrmValue | undefined): string | null => (typeof v === 'string' && v !== '' ? v : null);

function toCandidate(object: 'Contact' | 'Lead', row: Row): CrmPersonCandidate {
  const common = {
    Id: text(row.Id) ?? '',
    Email: text(row.Email),
    CreatedDate: text(row.CreatedDate) ?? '',
    LastModifiedDate: text(row.LastModifiedDate) ?? '',
    OwnerId: text(row.OwnerId),
  };
  return object === 'Contact'
    ? { object, ...common, AccountId: text(row.AccountId) }
    : {
        object,
        ...common,
        IsConverted: row.IsConverted === true || row.IsConverted === 'true',
        ConvertedContactId: text(row.ConvertedContactId),
        ConvertedAccountId: text(row.ConvertedAccountId),
      };
}

/** The fields read and kept per candidate, in packing order (the object's letter comes first). */
const FIELDS = { Contact: CONTACT_CANDIDATE_FIELDS, Lead: LEAD_CANDIDATE_FIELDS } as const;
/** Control characters no Salesforce id, date or email holds: between values, and between the candidates of one email. */
const FIELD_SEP = '\u001f';
const ROW_SEP = '\u001e';

/**
 * A candidate as one flat string: held as objects a Contact took about 780 bytes of heap with its
 * email key (156 MB for an org at the 200,000-row cap), packed about 260; only the candidates of
 * the emails a batch asks for are unpacked.
 */
function pack(object: 'Contact' | 'Lead', row: Row): string {
  const values = FIELDS[object].map((k) => {
    const v = row[k];
    return typeof v === 'boolean' ? String(v) : (text(v) ?? '');
  });
  return [object === 'Contact' ? 'C' : 'L', ...values].join(FIELD_SEP);
}

function unpack(packed: string): CrmPersonCandidate {
  const [kind, ...values] = packed.split(FIELD_SEP);
  const object = kind === 'C' ? 'Contact' : 'Lead';
  const row: Row = {};
  FIELDS[object].forEach((k, i) => (row[k] = values[i] ?? ''));
  return toCandidate(object, row);
}

const SOQL = {
  Contact: `SELECT ${FIELDS.Contact.join(', ')} FROM Contact`,
  Lead: `SELECT ${FIELDS.Lead.join(', ')} FROM Lead`,
} as const;

/**
 * The org's Contacts and Leads by email, or null when the org has more than `maxRows` of either
 * (the caller then keeps the per-batch lookup). `pageRows` below a query page is for tests.
 */
export async function prefetchPeople(
  crm: CrmAdapter,
  wait: { intervalMs: number; timeoutMs: number },
  limits: { maxRows?: number; pageRows?: number } = {},
): Promise<PeopleCandidateSource | null> {
  const maxRows = limits.maxRows ?? PREFETCH_MAX_ROWS;
  const pageRows = limits.pageRows ?? QUERY_PAGE;
  const byEmail = new Map<string, string>();
  const objects = ['Contact', 'Lead'] as const;
  const first = await crm.readMany(
    objects.map((object) => ({
      kind: 'query' as const,
      soql: `${SOQL[object]} WHERE Email != null LIMIT ${pageRows}`,
    })),
  );
  for (const [i, object] of objects.entries()) {
    const read = first[i];
    if (read === undefined || read.kind !== 'query') throw new Error(`no answer for the ${object} read`);
    if (!read.ok) throw read.error;
    const rows: readonly Row[] =
      read.value.length < pageRows
        ? read.value
        : await crm.bulk.query(`${SOQL[object]} WHERE Email != null LIMIT ${maxRows + 1}`, wait);
    if (rows.length > maxRows) return null;
    for (const row of rows) {
      const key = emailKey(text(row.Email));
      if (key === null) continue;
      const packed = pack(object, row);
      const earlier = byEmail.get(key);
      byEmail.set(key, earlier === undefined ? packed : `${earlier}${ROW_SEP}${packed}`);
    }
  }
  return {
    async findPeopleByEmail(emails) {
      const keys = new Set(emails.flatMap((e) => emailKey(e) ?? []));
      return [...keys].flatMap((k) => byEmail.get(k)?.split(ROW_SEP).map(unpack) ?? []);
    },
  };
}

import {
  CONTACT_CANDIDATE_FIELDS,
  LEAD_CANDIDATE_FIELDS,
  normalizeAddress,
  type CrmPersonCandidate,
} from '@crmsync/core';
import type { SalesforceHttp } from './http-types.js';
import { parseWire } from './parse-wire.js';
import { SalesforceRequestError } from './request-error.js';
import { drainPages, queryPath, type Row } from './run-query.js';
import { buildInQueries } from './soql.js';
import { subrequestError } from './read-many.js';
import { WireCompositeResponse } from './wire.js';

/*
 * X1: the Contacts and Leads a batch of people could be linked to, looked up by email for the
 * whole batch in one `/composite` call: a Contact query and a Lead query per IN-list chunk.
 * Salesforce allows at most 5 query subrequests in one composite, so a call carries 2 chunks.
 */

const CHUNKS_PER_COMPOSITE = 2;

/** Lower-cased, deduplicated addresses (X1 compares emails case-insensitively, as core's emailKey); empties dropped. */
export function lookupEmails(emails: readonly string[]): string[] {
  const keys = new Set<string>();
  for (const email of emails) {
    const key = normalizeAddress(email);
    if (key !== null) keys.add(key);
  }
  return [...keys];
}

export interface PeopleQueries {
  contacts: string[];
  leads: string[];
}

/** The SOQL for a set of emails, each query short enough for the URL limit. */
export function peopleQueries(
  emails: readonly string[],
  version: string,
  maxUrlLength?: number,
): PeopleQueries {
  const values = lookupEmails(emails);
  const urlPrefix = `/services/data/v${version}${queryPath('', false)}`;
  const common = {
    field: 'Email',
    values,
    urlPrefix,
    ...(maxUrlLength === undefined ? {} : { maxUrlLength }),
  };
  return {
    contacts: buildInQueries({ ...common, select: CONTACT_CANDIDATE_FIELDS, from: 'Contact' }),
    leads: buildInQueries({ ...common, select: LEAD_CANDIDATE_FIELDS, from: 'Lead' }),
  };
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function toContact(row: Row): CrmPersonCandidate {
  return {
    object: 'Contact',
    Id: String(row.Id),
    Email: str(row.Email),
    CreatedDate: String(row.CreatedDate ?? ''),
    LastModifiedDate: String(row.LastModifiedDate ?? ''),
    OwnerId: str(row.OwnerId),
    AccountId: str(row.AccountId),
  };
}

function toLead(row: Row): CrmPersonCandidate {
  return {
    object: 'Lead',
    Id: String(row.Id),
    Email: str(row.Email),
    CreatedDate: String(row.CreatedDate ?? ''),
    LastModifiedDate: String(row.LastModifiedDate ?? ''),
    OwnerId: str(row.OwnerId),
    IsConverted: row.IsConverted === true,
    ConvertedContactId: str(row.ConvertedContactId),
    ConvertedAccountId: str(row.ConvertedAccountId),
  };
}

export async function findPeopleByEmail(
  http: SalesforceHttp,
  emails: readonly string[],
  maxUrlLength?: number,
): Promise<CrmPersonCandidate[]> {
  const queries = peopleQueries(emails, http.version, maxUrlLength);
  const subrequests = [
    ...queries.contacts.map((soql, i) => ({ soql, referenceId: `contacts${i}`, to: toContact })),
    ...queries.leads.map((soql, i) => ({ soql, referenceId: `leads${i}`, to: toLead })),
  ].sort((a, b) => Number(a.referenceId.replace(/\D/g, '')) - Number(b.referenceId.replace(/\D/g, '')));

  const out: CrmPersonCandidate[] = [];
  for (let start = 0; start < subrequests.length; start += CHUNKS_PER_COMPOSITE * 2) {
    const group = subrequests.slice(start, start + CHUNKS_PER_COMPOSITE * 2);
    const answer = await http.send({
      method: 'POST',
      path: '/composite',
      json: {
        allOrNone: false,
        compositeRequest: group.map((s) => ({
          method: 'GET',
          url: `/services/data/v${http.version}${queryPath(s.soql, false)}`,
          referenceId: s.referenceId,
        })),
      },
      kind: 'read',
    });
    const parsed = parseWire(WireCompositeResponse, answer.body, 'composite lookup');
    for (const sub of group) {
      const response = parsed.compositeResponse.find((r) => r.referenceId === sub.referenceId);
      if (response === undefined)
        throw new SalesforceRequestError(
          {
            kind: 'salesforce',
            errorCode: 'UNEXPECTED_ANSWER',
            message: `composite answer lacks ${sub.referenceId}`,
          },
          'read',
        );
      if (response.httpStatusCode >= 400) throw subrequestError(response.httpStatusCode, response.body);
      for (const row of await drainPages(http, response.body)) out.push(sub.to(row));
    }
  }
  return out;
}

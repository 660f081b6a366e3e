import { soqlId, type CrmAdapter, type CrmRead, type Logger } from '@crmsync/core';

/*
 * A4: deleting an Account in Salesforce deletes its Contacts, Opportunities and activities too,
 * including ones crmsync never held. Before a company's Account is deleted, the children that are
 * not being deleted with it are counted: one COUNT per child object and Account, all sent through
 * `readMany`, so five of them share one composite call (one call for a single Account instead of
 * one per object).
 */

const SF_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/** The first number of an aggregate row (`expr0`, or an alias). */
function countOf(rows: readonly Record<string, unknown>[]): number {
  const first = rows[0];
  if (first === undefined) return 0;
  const n = Object.values(first).find((v) => typeof v === 'number');
  return typeof n === 'number' ? n : 0;
}

/**
 * The COUNT reads for one Account. Activities are counted wherever Salesforce files them under the
 * Account (`AccountId`, derived from the What or the Who) or relate them to it directly (`WhatId`);
 * `queryAll` because archived activities are deleted with the Account too, and those of a Contact
 * being deleted go with that Contact.
 */
function countReads(accountId: string, contactsBeingDeleted: readonly string[]): CrmRead[] {
  const id = soqlId(accountId);
  const notIn = (field: string) =>
    contactsBeingDeleted.length === 0
      ? ''
      : ` AND ${field} NOT IN (${contactsBeingDeleted.map(soqlId).join(', ')})`;
  const activities = (object: 'Task' | 'Event'): CrmRead => ({
    kind: 'query',
    soql: `SELECT COUNT(Id) FROM ${object} WHERE IsDeleted = false AND (AccountId = ${id} OR WhatId = ${id})${notIn('WhoId')}`,
    all: true,
  });
  return [
    { kind: 'query', soql: `SELECT COUNT(Id) FROM Contact WHERE AccountId = ${id}${notIn('Id')}` },
    { kind: 'query', soql: `SELECT COUNT(Id) FROM Opportunity WHERE AccountId = ${id}` },
    activities('Task'),
    activities('Event'),
  ];
}

/**
 * Children of each Account (Contacts, Opportunities, Tasks and Events) that are not among
 * `contactsBeingDeleted`. An Account whose count could not be read (an id that is not a
 * Salesforce id, a failed subrequest) is absent from the answer: its delete waits. API calls:
 * ceil(4 x accounts / 5). Throws what `readMany` throws (a budget veto, a failed call).
 */
export async function countAccountChildren(
  crm: CrmAdapter,
  accountIds: readonly string[],
  contactsBeingDeleted: readonly string[],
  logger: Logger,
): Promise<Map<string, number>> {
  const accounts = [...new Set(accountIds)].filter((id) => SF_ID.test(id));
  const excluded = contactsBeingDeleted.filter((id) => SF_ID.test(id));
  const reads = accounts.flatMap((id) => countReads(id, excluded));
  const results = reads.length === 0 ? [] : await crm.readMany(reads);
  const perAccount = reads.length / Math.max(1, accounts.length);
  const counts = new Map<string, number>();
  accounts.forEach((accountId, i) => {
    let total = 0;
    for (const result of results.slice(i * perAccount, (i + 1) * perAccount)) {
      if (result.kind !== 'query') return;
      if (!result.ok) {
        logger.warn(
          { accountId, error: result.error.message },
          `could not count the children of Account ${accountId}; its delete waits until they are counted`,
        );
        return;
      }
      total += countOf(result.value);
    }
    counts.set(accountId, total);
  });
  return counts;
}

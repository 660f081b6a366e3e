import {
  decidePush,
  emailKey,
  linkInOrg,
  type Company,
  type Link,
  type Person,
  type PushDecision,
  type PushObject,
  type PushTrigger,
  type StoredRecord,
} from '@crmsync/core';
import { countAccountChildren } from '../account-children.js';
import type { PushContext } from './context.js';
import { fillIfEmptyFields, readCurrentValues, type CurrentValuesRead } from './current-values.js';
import type { PushType } from './jobs.js';

/*
 * The planner: re-reads the records, their links and their companies, looks up X1 candidates for
 * the whole batch in one call and X2 candidates from the Account source, reads the linked
 * records' `fill_if_empty` fields (X5) and, for a deleted company, its Account's children (A4),
 * and asks `decidePush` (pure) what to do with each. It writes nothing, so the dry run (O2) uses
 * it as it is.
 */

export interface RecordRef {
  type: PushType;
  id: string;
}

export interface PlannedPush {
  type: PushType;
  id: string;
  /** The record as read now; null when it does not exist. */
  record: StoredRecord<PushType> | null;
  link: Link | null;
  /** For a person: its company and the company's link. */
  company: { record: Company; link: Link | null } | null;
  /** Null only when the record does not exist. */
  decision: PushDecision | null;
  /** A4, for a deleted company whose delete may travel: its Account's children not being deleted; null when not counted. */
  accountChildren: number | null;
}

/** The Salesforce objects a person or a company is written to through its link. */
const LINKED_OBJECTS: Record<PushType, readonly PushObject[]> = {
  person: ['Contact', 'Lead'],
  company: ['Account'],
};

/** A link a push writes through (an update), or a delete travels through: in this org, not deleted there nor merged. */
function writableLink(link: Link | null, type: PushType, orgId: string): Link | null {
  const l = linkInOrg(link, orgId);
  return l !== null &&
    (l.state === 'active' || l.state === 'deleted_locally') &&
    (LINKED_OBJECTS[type] as readonly string[]).includes(l.sfObject)
    ? l
    : null;
}

function byId<T extends { id: string }>(rows: readonly T[]): Map<string, T> {
  return new Map(rows.map((r) => [r.id, r]));
}

/** Plans one batch of records of one type. One X1 call for the batch's net-new people. */
export async function planPush(
  ctx: PushContext,
  type: PushType,
  ids: readonly string[],
  trigger: PushTrigger,
): Promise<PlannedPush[]> {
  const reader = ctx.deps.store.workspace(ctx.workspaceId);
  const unique = [...new Set(ids)];
  const [records, links] = await Promise.all([
    reader.records.getMany(type, unique),
    reader.links.getMany(type, unique, ctx.orgId),
  ]);
  const recordOf = byId(records);
  const linkOf = new Map(links.map((l) => [l.localId, l]));

  let companyOf = new Map<string, StoredRecord<'company'>>();
  let companyLinkOf = new Map<string, Link>();
  if (type === 'person') {
    const companyIds = [
      ...new Set(
        records.flatMap((r) =>
          (r.data as Person).companyId === null ? [] : [(r.data as Person).companyId!],
        ),
      ),
    ];
    if (companyIds.length > 0) {
      const [companies, companyLinks] = await Promise.all([
        reader.records.getMany('company', companyIds),
        reader.links.getMany('company', companyIds, ctx.orgId),
      ]);
      companyOf = byId(companies.filter((c) => c.deletedAt === null));
      companyLinkOf = new Map(companyLinks.map((l) => [l.localId, l]));
    }
  }

  // A record written through a usable link needs no match; the others are matched (X1, X2).
  const needsMatch = (id: string) => {
    const link = linkInOrg(linkOf.get(id) ?? null, ctx.orgId);
    return link === null || link.state === 'deleted_in_salesforce' || link.state === 'merged';
  };
  const live = unique.flatMap((id) => {
    const r = recordOf.get(id);
    return r !== undefined && r.deletedAt === null ? [r] : [];
  });

  const emails =
    type === 'person'
      ? [
          ...new Set(
            live
              .filter((r) => needsMatch(r.id))
              .flatMap((r) => {
                const key = emailKey((r.data as Person).email);
                return key === null ? [] : [key];
              }),
          ),
        ]
      : [];
  const people = emails.length > 0 ? await ctx.people.findPeopleByEmail(emails) : [];

  const companiesToMatch: Company[] =
    type === 'company'
      ? live.filter((r) => needsMatch(r.id)).map((r) => r.data as Company)
      : [...companyOf.values()]
          .filter((c) => {
            const l = linkInOrg(companyLinkOf.get(c.id) ?? null, ctx.orgId);
            return l === null || l.sfObject !== 'Account';
          })
          .map((c) => c.data);
  const accounts = companiesToMatch.length > 0 ? await ctx.accounts.find(companiesToMatch) : [];

  // X5: the fill_if_empty fields of the records updated through their link, read in one call.
  const reads: CurrentValuesRead[] = LINKED_OBJECTS[type].map((object) => ({
    object,
    fields: fillIfEmptyFields(ctx.settings.fieldMappings[object], ctx.describes[object]),
    sfIds: live.flatMap((r) => {
      const l = writableLink(linkOf.get(r.id) ?? null, type, ctx.orgId);
      return l !== null && l.sfObject === object ? [l.sfId] : [];
    }),
  }));
  const current = await readCurrentValues(ctx.crm, reads, ctx.deps.logger);

  // A4: a deleted company's Account is deleted only when no other child would go with it.
  const accountsToCount =
    type === 'company' && ctx.settings.accounts.deletionSync
      ? unique.flatMap((id) => {
          const r = recordOf.get(id);
          const l = writableLink(linkOf.get(id) ?? null, type, ctx.orgId);
          return r !== undefined && r.deletedAt !== null && l !== null ? [l.sfId] : [];
        })
      : [];
  const children =
    accountsToCount.length === 0
      ? new Map<string, number>()
      : await countAccountChildren(ctx.crm, accountsToCount, [], ctx.deps.logger);

  const common = {
    settings: ctx.settings,
    trigger,
    orgId: ctx.orgId,
    matchCandidates: { people, accounts },
    owners: ctx.owners,
    describes: ctx.describes,
  } as const;

  return unique.map((id): PlannedPush => {
    const record = recordOf.get(id) ?? null;
    const link = linkOf.get(id) ?? null;
    if (record === null)
      return { type, id, record, link, company: null, decision: null, accountChildren: null };
    const deleted = record.deletedAt !== null;
    const through = writableLink(link, type, ctx.orgId);
    const currentValues = through === null || deleted ? null : current.of(through.sfId);
    if (type === 'person') {
      const person = record.data as Person;
      const c = person.companyId === null ? undefined : companyOf.get(person.companyId);
      const company = c === undefined ? null : { record: c.data, link: companyLinkOf.get(c.id) ?? null };
      const decision = decidePush({
        ...common,
        current: currentValues,
        kind: 'person',
        record: person,
        link,
        company,
        ...(deleted ? { deleted } : {}),
      });
      return { type, id, record, link, company, decision, accountChildren: null };
    }
    const remaining = deleted && through !== null ? children.get(through.sfId) : undefined;
    const decision = decidePush({
      ...common,
      current: currentValues,
      kind: 'company',
      record: record.data as Company,
      link,
      ...(deleted ? { deleted } : {}),
      ...(remaining === undefined ? {} : { accountChildrenRemaining: remaining }),
    });
    return { type, id, record, link, company: null, decision, accountChildren: remaining ?? null };
  });
}

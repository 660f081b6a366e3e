import {
  buildInQueries,
  decideDealPush,
  linkInOrg,
  soqlId,
  type Company,
  type DealCompany,
  type DealDecision,
  type DealTrigger,
  type Link,
  type ObjectDescribe,
  type Person,
  type StoredRecord,
} from '@crmsync/core';
import { opportunityFields } from '../../pull/opportunities.js';
import type { PushContext } from '../context.js';
import { fillIfEmptyFields } from '../current-values.js';

/*
 * The deal planner (D1-D6): re-reads the deals, their links, companies and people, reads what it
 * needs from Salesforce once per batch (D1: the linked Opportunities' SystemModstamp and values;
 * X5: under `push`, their fill_if_empty fields; D6: the contact roles already on them) and asks
 * `decideDealPush` (pure) what to do with each.
 * It writes nothing.
 */

export interface DealPushContext {
  push: PushContext;
  /** The org's Opportunity describe (D6: StageName picklist, required fields). */
  describe: ObjectDescribe;
  /** X4: the org's Opportunity carries `Crmsync_Id__c`, so creates are upserts on it. */
  externalId: boolean;
  /** The Opportunity fields D1 reads back to pull Salesforce's values. */
  fields: string[];
}

export async function loadDealContext(push: PushContext): Promise<DealPushContext> {
  const describe = await push.crm.describe('Opportunity');
  return {
    push,
    describe,
    externalId: await push.crm.hasExternalIdField('Opportunity'),
    fields: await opportunityFields(push.crm, push.settings, push.deps.logger),
  };
}

export interface PlannedDeal {
  id: string;
  record: StoredRecord<'deal'> | null;
  link: Link | null;
  /** Null when the deal does not exist or was deleted (deals have no deletion sync). */
  decision: DealDecision | null;
  /** For a D1 `pull_instead`: the deal's company as the Opportunity's Account says. */
  pulledCompany: DealCompany | null;
  /** For a D1 `pull_instead`: the Opportunity as read this batch (its values become the link's snapshot). */
  pulledRow: Record<string, unknown> | null;
  /** D1's read did not find the linked Opportunity: it was deleted in Salesforce (the link is marked so). */
  gone: boolean;
}

const chunk = <T>(xs: readonly T[], n = 200): T[][] =>
  Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

/** Plans one batch of deals. Salesforce reads: one Opportunity query per batch (more only when the ids outgrow a URL) and one contact-role query per 200 linked deals. */
export async function planDeals(
  ctx: DealPushContext,
  ids: readonly string[],
  trigger: DealTrigger,
): Promise<PlannedDeal[]> {
  const { push } = ctx;
  const reader = push.deps.store.workspace(push.workspaceId);
  const unique = [...new Set(ids)];
  const [records, links] = await Promise.all([
    reader.records.getMany('deal', unique),
    reader.links.getMany('deal', unique, push.orgId),
  ]);
  const recordOf = new Map(records.map((r) => [r.id, r]));
  const linkOf = new Map(links.map((l) => [l.localId, l]));
  const live = records.filter((r) => r.deletedAt === null);

  const companyIds = [...new Set(live.flatMap((r) => (r.data.companyId === null ? [] : [r.data.companyId])))];
  const personIds = [...new Set(live.flatMap((r) => r.data.personIds))];
  const [companies, companyLinks, people, personLinks] = await Promise.all([
    reader.records.getMany('company', companyIds),
    reader.links.getMany('company', companyIds, push.orgId),
    reader.records.getMany('person', personIds),
    reader.links.getMany('person', personIds, push.orgId),
  ]);
  const companyOf = new Map(companies.filter((c) => c.deletedAt === null).map((c) => [c.id, c.data]));
  const companyLinkOf = new Map(companyLinks.map((l) => [l.localId, l]));
  const personOf = new Map(people.filter((p) => p.deletedAt === null).map((p) => [p.id, p.data]));
  const personLinkOf = new Map(personLinks.map((l) => [l.localId, l]));

  const sync = push.settings.deals.dealSync;
  const pushes = sync === 'push' || sync === 'bidirectional';
  const linked = pushes
    ? live.flatMap((r) => {
        const l = linkInOrg(linkOf.get(r.id) ?? null, push.orgId);
        return l !== null && l.sfObject === 'Opportunity' && l.state === 'active' ? [l] : [];
      })
    : [];

  // D1: one read of the linked Opportunities per batch, before any update. Under `push` only the
  // X5 fill_if_empty fields are read, and only when a mapping has the rule.
  const current = new Map<string, Record<string, unknown>>();
  const queried = new Set<string>();
  const select =
    sync === 'bidirectional'
      ? ctx.fields
      : fillIfEmptyFields(push.settings.fieldMappings.Opportunity, ctx.describe);
  if (linked.length > 0 && (sync === 'bidirectional' || select.length > 0)) {
    const soqls = buildInQueries({
      select: [...new Set(['Id', 'SystemModstamp', ...select])],
      from: 'Opportunity',
      field: 'Id',
      values: linked.map((l) => l.sfId),
    });
    for (const soql of soqls) {
      for (const r of await push.crm.query(soql)) current.set(String(r.Id), r);
    }
    // D1 alone tells a deleted Opportunity by its absence; under `push` the update says so.
    if (sync === 'bidirectional') linked.forEach((l) => queried.add(l.sfId));
  }
  // D6: roles already on the linked Opportunities are not added twice.
  const roles = new Map<string, string[]>();
  const withPeople = linked.filter((l) => (recordOf.get(l.localId)?.data.personIds.length ?? 0) > 0);
  for (const part of chunk(withPeople)) {
    const rows = await push.crm.query(
      `SELECT OpportunityId, ContactId FROM OpportunityContactRole WHERE OpportunityId IN (${part.map((l) => soqlId(l.sfId)).join(', ')})`,
    );
    for (const r of rows) {
      const opp = String(r.OpportunityId);
      roles.set(opp, [...(roles.get(opp) ?? []), String(r.ContactId)]);
    }
  }
  // D1 pull_instead moves the deal's company with the Opportunity's Account.
  const accountIds = [...current.values()].flatMap((r) =>
    typeof r.AccountId === 'string' ? [r.AccountId] : [],
  );
  const companyOfAccount = new Map(
    (accountIds.length === 0 ? [] : await reader.links.getBySfIds(push.orgId, accountIds))
      .filter((l) => l.localType === 'company' && l.state === 'active')
      .map((l) => [l.sfId, l.localId]),
  );

  return unique.map((id): PlannedDeal => {
    const record = recordOf.get(id) ?? null;
    let link = linkOf.get(id) ?? null;
    if (record === null || record.deletedAt !== null)
      return { id, record, link, decision: null, pulledCompany: null, pulledRow: null, gone: false };
    const deal = record.data;
    const own = linkInOrg(link, push.orgId);
    const row = own === null ? undefined : current.get(own.sfId);
    const gone = own !== null && row === undefined && queried.has(own.sfId);
    if (gone) {
      // Not returned by Id: the Opportunity was deleted in Salesforce; the decision says so (no re-create).
      link = { ...own, state: 'deleted_in_salesforce' };
    }
    const company =
      deal.companyId === null || !companyOf.has(deal.companyId)
        ? null
        : {
            record: companyOf.get(deal.companyId) as Company,
            link: companyLinkOf.get(deal.companyId) ?? null,
          };
    const decision = decideDealPush({
      deal,
      link,
      settings: push.settings,
      orgId: push.orgId,
      company,
      people: deal.personIds.flatMap((pid) => {
        const p = personOf.get(pid);
        return p === undefined ? [] : [{ record: p as Person, link: personLinkOf.get(pid) ?? null }];
      }),
      describe: ctx.describe,
      current: row === undefined ? null : { SystemModstamp: String(row.SystemModstamp), fields: row },
      trigger,
      owners: push.owners,
      existingContactRoles: own === null ? [] : (roles.get(own.sfId) ?? []),
    });
    const accountId = row === undefined ? null : typeof row.AccountId === 'string' ? row.AccountId : null;
    const pulledCompany: DealCompany | null =
      decision.action !== 'pull_instead'
        ? null
        : accountId === null
          ? { via: 'none' }
          : companyOfAccount.has(accountId)
            ? { via: 'account', companyId: companyOfAccount.get(accountId)! }
            : { via: 'account_not_linked', accountSfId: accountId };
    const pulledRow = decision.action === 'pull_instead' ? (row ?? null) : null;
    return { id, record, link, decision, pulledCompany, pulledRow, gone };
  });
}

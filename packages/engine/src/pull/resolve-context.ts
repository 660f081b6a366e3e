import {
  domainOfEmail,
  isFreeMail,
  registrableDomain,
  type Link,
  type PulledObject,
  type PulledRow,
  type ResolvePullInput,
  type Settings,
  type WorkspaceReader,
} from '@crmsync/core';

/**
 * Reads what `resolvePull` needs about the local side, for one batch of pulled rows, with a
 * handful of queries: the links of every Salesforce id the rows mention, the linked people (for
 * C12 and P4), their companies' links (C12), and for P4 the companies on the Leads' email domains.
 */
export async function resolveContext(
  reader: WorkspaceReader,
  input: {
    orgId: string;
    settings: Settings;
    rows: Partial<Record<PulledObject, readonly PulledRow[]>>;
    deletedIds: Partial<Record<PulledObject, readonly string[]>>;
  },
): Promise<ResolvePullInput> {
  const ids = new Set<string>();
  const add = (v: unknown) => {
    if (typeof v === 'string' && v !== '') ids.add(v);
  };
  for (const rows of Object.values(input.rows)) {
    for (const r of rows ?? []) {
      add(r.Id);
      add(r.MasterRecordId);
      add(r.ConvertedContactId);
      add(r.ConvertedAccountId);
      add(r.AccountId);
    }
  }
  for (const list of Object.values(input.deletedIds)) for (const id of list ?? []) add(id);

  const links = new Map<string, Link>();
  const keep = (l: Link) => links.set(`${l.localType}:${l.localId}`, l);
  for (const l of await reader.links.getBySfIds(input.orgId, [...ids])) keep(l);

  const personIds = [...links.values()].filter((l) => l.localType === 'person').map((l) => l.localId);
  const people = (await reader.records.getMany('person', personIds)).map((p) => ({
    id: p.id,
    companyId: p.data.companyId,
  }));
  const companyIds = [...new Set(people.map((p) => p.companyId).filter((id): id is string => id !== null))];
  for (const l of await reader.links.getMany('company', companyIds, input.orgId)) keep(l);

  const companies: { id: string; website: string | null }[] = [];
  if (input.settings.pull.inferLeadAccounts) {
    const domains = new Set<string>();
    for (const r of input.rows.Lead ?? []) {
      const domain = typeof r.Email === 'string' ? domainOfEmail(r.Email) : null;
      const registrable = domain === null || isFreeMail(domain) ? null : registrableDomain(domain);
      if (registrable !== null) domains.add(registrable);
    }
    const seen = new Set<string>();
    for (const d of domains) {
      for (const c of await reader.records.findCompaniesByDomain(d)) {
        if (seen.has(c.id)) continue;
        seen.add(c.id);
        companies.push({ id: c.id, website: c.data.website });
      }
    }
  }

  return {
    settings: input.settings,
    orgId: input.orgId,
    rows: input.rows,
    deletedIds: input.deletedIds,
    links: [...links.values()],
    people,
    companies,
  };
}

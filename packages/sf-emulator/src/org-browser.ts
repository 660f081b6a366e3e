// A read-only web page at /__emulator/ui so a person can see what a client wrote: orgs, then
// each org's objects with record counts, then records, then one record's fields. Server-rendered,
// every value escaped, tables with captions and header cells, links named by their text.
import type { EmuResponse, FieldMeta, ObjectMeta, SObjectRecord } from './contracts.js';
import { keyPrefixOf, normalizeId } from './ids.js';
import type { EmulatedOrg } from './org/emulated-org.js';
import { html, HTML_HEADERS, page, type SafeHtml } from './ui/html.js';

export const ORG_BROWSER_PATH = '/__emulator/ui';
/** Records listed on one page of an object. */
export const RECORDS_PER_PAGE = 200;

export interface OrgBrowserDeps {
  orgs: () => Iterable<EmulatedOrg>;
  orgById: (orgId: string) => EmulatedOrg | undefined;
}

const base = ORG_BROWSER_PATH;
const orgHref = (org: EmulatedOrg) => `${base}/orgs/${encodeURIComponent(org.orgId)}`;
const objectHref = (org: EmulatedOrg, objectName: string) =>
  `${orgHref(org)}/objects/${encodeURIComponent(objectName)}`;
const recordHref = (org: EmulatedOrg, id: string) => `${orgHref(org)}/records/${encodeURIComponent(id)}`;

function answer(status: number, title: string, body: SafeHtml): EmuResponse {
  return {
    status,
    headers: HTML_HEADERS,
    body: page(title, body, { header: 'Salesforce emulator · org browser (read-only)' }),
  };
}

function notFound(what: string): EmuResponse {
  return answer(
    404,
    'Not found',
    html`<h1>Not found</h1>
      <p role="alert">${what}</p>
      <p><a href="${base}">All orgs</a></p>`,
  );
}

function breadcrumb(items: Array<{ label: string; href?: string }>): SafeHtml {
  return html`<nav aria-label="Breadcrumb">
    <ol>
      ${items.map((item, i) =>
        item.href === undefined || i === items.length - 1
          ? html`<li aria-current="page">${item.label}</li>`
          : html`<li><a href="${item.href}">${item.label}</a></li>`,
      )}
    </ol>
  </nav>`;
}

/** The field a person recognises a record by. */
function titleField(meta: ObjectMeta): FieldMeta | undefined {
  for (const name of ['Name', 'Title', 'Subject', 'Username', 'CaseNumber']) {
    const f = meta.fields.find((x) => x.name === name);
    if (f !== undefined) return f;
  }
  return undefined;
}

function recordTitle(meta: ObjectMeta, record: SObjectRecord): string {
  const f = titleField(meta);
  const value = f === undefined ? undefined : record[f.name];
  return typeof value === 'string' && value !== '' ? value : record.Id;
}

function counts(org: EmulatedOrg, objectName: string): { live: number; deleted: number } {
  let live = 0;
  let deleted = 0;
  for (const r of org.store.scan(objectName, true)) {
    if (r['IsDeleted'] === true) deleted++;
    else live++;
  }
  return { live, deleted };
}

function orgList(deps: OrgBrowserDeps): EmuResponse {
  const orgs = [...deps.orgs()];
  const rows = orgs.map((org) => {
    let total = 0;
    for (const s of org.store.schema.all()) total += counts(org, s.meta.name).live;
    return html`<tr>
      <th scope="row"><a href="${orgHref(org)}">${org.spec.name}</a></th>
      <td>${org.orgId}</td>
      <td>${org.spec.sandbox === true ? 'Sandbox' : 'Production'}</td>
      <td>${total}</td>
    </tr>`;
  });
  return answer(
    200,
    'Orgs · Salesforce emulator',
    html`<h1>Orgs</h1>
      <table>
        <caption>
          Orgs hosted by this emulator (${orgs.length})
        </caption>
        <thead>
          <tr>
            <th scope="col">Org</th>
            <th scope="col">Org ID</th>
            <th scope="col">Kind</th>
            <th scope="col">Live records</th>
          </tr>
        </thead>
        <tbody>
          ${rows}
        </tbody>
      </table>`,
  );
}

function objectList(org: EmulatedOrg): EmuResponse {
  const objects = org.store.schema
    .all()
    .map((s) => s.meta)
    .sort((a, b) => a.name.localeCompare(b.name));
  const rows = objects.map((meta) => {
    const c = counts(org, meta.name);
    return html`<tr>
      <th scope="row"><a href="${objectHref(org, meta.name)}">${meta.labelPlural}</a></th>
      <td>${meta.name}</td>
      <td>${c.live}</td>
      <td>${c.deleted}</td>
    </tr>`;
  });
  return answer(
    200,
    `${org.spec.name} · Salesforce emulator`,
    html`${breadcrumb([{ label: 'Orgs', href: base }, { label: org.spec.name }])}
      <h1>${org.spec.name}</h1>
      <p>
        Org ID ${org.orgId} · clock ${org.clock.now().toISOString()} · API requests today ${org.api.used} of
        ${org.api.max}
      </p>
      <table>
        <caption>
          Objects in ${org.spec.name}
        </caption>
        <thead>
          <tr>
            <th scope="col">Object</th>
            <th scope="col">API name</th>
            <th scope="col">Records</th>
            <th scope="col">In the recycle bin</th>
          </tr>
        </thead>
        <tbody>
          ${rows}
        </tbody>
      </table>`,
  );
}

function recordList(org: EmulatedOrg, objectName: string, query: URLSearchParams): EmuResponse {
  const meta = org.store.describe(objectName);
  if (meta === undefined) return notFound(`Org ${org.spec.name} has no object named ${objectName}.`);
  const showDeleted = query.get('deleted') === '1';
  const all = [...org.store.scan(meta.name, true)].filter((r) => (r['IsDeleted'] === true) === showDeleted);
  const pageNumber = Math.max(1, Number.parseInt(query.get('page') ?? '1', 10) || 1);
  const pages = Math.max(1, Math.ceil(all.length / RECORDS_PER_PAGE));
  const shown = all.slice((pageNumber - 1) * RECORDS_PER_PAGE, pageNumber * RECORDS_PER_PAGE);
  const title = titleField(meta);
  const rows = shown.map(
    (r) =>
      html`<tr>
        <th scope="row"><a href="${recordHref(org, r.Id)}">${recordTitle(meta, r)}</a></th>
        <td>${r.Id}</td>
        <td>${r['LastModifiedDate'] ?? ''}</td>
        ${showDeleted ? html`<td>${r['MasterRecordId'] ?? ''}</td>` : null}
      </tr>`,
  );
  const here = objectHref(org, meta.name);
  const pager = (n: number, label: string) =>
    html`<a href="${here}?page=${n}${showDeleted ? '&deleted=1' : ''}">${label}</a>`;
  return answer(
    200,
    `${meta.labelPlural} · ${org.spec.name}`,
    html`${breadcrumb([{ label: 'Orgs', href: base }, { label: org.spec.name, href: orgHref(org) }, { label: meta.labelPlural }])}
      <h1>${meta.labelPlural}${showDeleted ? ' in the recycle bin' : ''}</h1>
      <p>
        ${showDeleted ? html`<a href="${here}">Show live ${meta.labelPlural}</a>` : html`<a href="${here}?deleted=1">Show deleted ${meta.labelPlural}</a>`}
      </p>
      ${
        all.length === 0
          ? html`<p>No ${showDeleted ? 'deleted ' : ''}records.</p>`
          : html`<table>
                <caption>
                  ${meta.labelPlural} (${all.length}${pages > 1 ? `, page ${pageNumber} of ${pages}` : ''})
                </caption>
                <thead>
                  <tr>
                    <th scope="col">${title?.label ?? 'Record'}</th>
                    <th scope="col">Record ID</th>
                    <th scope="col">Last modified</th>
                    ${showDeleted ? html`<th scope="col">Merged into</th>` : null}
                  </tr>
                </thead>
                <tbody>
                  ${rows}
                </tbody>
              </table>
              ${pages > 1 ? html`<nav aria-label="Pages"><p>${pageNumber > 1 ? pager(pageNumber - 1, 'Previous page') : null} ${pageNumber < pages ? pager(pageNumber + 1, 'Next page') : null}</p></nav>` : null}`
      }`,
  );
}

function fieldValue(org: EmulatedOrg, f: FieldMeta, value: unknown): SafeHtml {
  if (value === null || value === undefined) return html`<span class="muted">(empty)</span>`;
  if (f.type === 'reference' && typeof value === 'string') {
    const target = org.store.getById(value);
    const targetMeta =
      target === undefined ? undefined : org.store.schema.forPrefix(keyPrefixOf(target.Id))?.meta;
    if (target !== undefined && targetMeta !== undefined)
      return html`<a href="${recordHref(org, target.Id)}">${recordTitle(targetMeta, target)}</a>
        <span class="muted">(${value})</span>`;
  }
  if (f.type === 'base64' && typeof value === 'string')
    return html`${Buffer.from(value, 'base64').toString('utf8')}`;
  return html`${typeof value === 'string' ? value : JSON.stringify(value)}`;
}

function recordPage(org: EmulatedOrg, rawId: string): EmuResponse {
  const id = normalizeId(rawId);
  const record = id === undefined ? undefined : org.store.getById(id);
  const meta = record === undefined ? undefined : org.store.schema.forPrefix(keyPrefixOf(record.Id))?.meta;
  if (record === undefined || meta === undefined)
    return notFound(`Org ${org.spec.name} has no record ${rawId}.`);
  const name = recordTitle(meta, record);
  const rows = meta.fields.map(
    (f) =>
      html`<tr>
        <th scope="row">${f.label}</th>
        <td>${f.name}</td>
        <td class="value">${fieldValue(org, f, record[f.name])}</td>
      </tr>`,
  );
  return answer(
    200,
    `${meta.label} ${name} · ${org.spec.name}`,
    html`${breadcrumb([{ label: 'Orgs', href: base }, { label: org.spec.name, href: orgHref(org) }, { label: meta.labelPlural, href: objectHref(org, meta.name) }, { label: name }])}
      <h1>${meta.label}: ${name}</h1>
      ${record['IsDeleted'] === true ? html`<p role="status">This record is in the recycle bin.</p>` : null}
      <table>
        <caption>
          Fields of ${meta.label} ${name}
        </caption>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">API name</th>
            <th scope="col">Value</th>
          </tr>
        </thead>
        <tbody>
          ${rows}
        </tbody>
      </table>`,
  );
}

/** `rest` is the path after /__emulator/ui. Only GET and HEAD: the browser never writes. */
export function renderOrgBrowser(
  method: string,
  rest: string,
  query: URLSearchParams,
  deps: OrgBrowserDeps,
): EmuResponse {
  if (method !== 'GET' && method !== 'HEAD')
    return {
      status: 405,
      headers: { ...HTML_HEADERS, Allow: 'GET, HEAD' },
      body: 'The org browser is read-only.',
    };
  let parts: string[];
  try {
    parts = rest
      .split('/')
      .filter((p) => p !== '')
      .map(decodeURIComponent);
  } catch {
    return notFound('That address is not valid.');
  }
  if (parts.length === 0) return orgList(deps);
  if (parts[0] !== 'orgs' || parts[1] === undefined)
    return notFound(`Nothing lives at ${ORG_BROWSER_PATH}${rest}.`);
  const org = deps.orgById(parts[1]);
  if (org === undefined) return notFound(`No org has the id ${parts[1]}.`);
  if (parts.length === 2) return objectList(org);
  if (parts.length === 4 && parts[2] === 'objects') return recordList(org, parts[3]!, query);
  if (parts.length === 4 && parts[2] === 'records') return recordPage(org, parts[3]!);
  return notFound(`Nothing lives at ${ORG_BROWSER_PATH}${rest}.`);
}

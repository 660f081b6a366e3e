/*
 * Builders shared by the eligibility and decidePush tests: a record, a link, settings and an
 * org describe shaped as Salesforce returns them, each parsed through the real schemas so the
 * tests exercise the same defaults production does. Test support only; not exported from core.
 */
import { Company, type CompanyInput } from '../model/company.js';
import { Link } from '../model/link.js';
import { Person, type PersonInput } from '../model/person.js';
import { Settings, type SettingsInput } from '../settings/schema.js';
import type { FieldDescribe, ObjectDescribe } from './map-fields.js';

export const ORG = '00D000000000001AAA';
export const OTHER_ORG = '00D000000000002AAA';

export const sfId = (prefix: string, n: number): string => `${prefix}${String(n).padStart(12, '0')}AAA`;

export function person(over: Partial<PersonInput> = {}): Person {
  return Person.parse({
    id: 'p1',
    workspaceId: 'w1',
    firstName: 'Ada',
    lastName: 'Lovelace',
    email: 'ada@acme.com',
    emailStatus: 'verified',
    companyId: 'c1',
    ...over,
  });
}

export function company(over: Partial<CompanyInput> = {}): Company {
  return Company.parse({
    id: 'c1',
    workspaceId: 'w1',
    name: 'Acme',
    website: 'https://www.acme.com',
    ...over,
  });
}

export function link(over: Partial<Omit<Link, 'localType'>> & { localType?: Link['localType'] } = {}): Link {
  return Link.parse({
    workspaceId: 'w1',
    localType: 'person',
    localId: 'p1',
    orgId: ORG,
    sfObject: 'Contact',
    sfId: sfId('003', 1),
    ...over,
  });
}

type Section<K extends keyof SettingsInput> = Exclude<SettingsInput[K], undefined>;

export function settings(
  over: {
    contacts?: Section<'contacts'>;
    accounts?: Section<'accounts'>;
    matching?: Section<'matching'>;
    owners?: Section<'owners'>;
    fieldMappings?: Section<'fieldMappings'>;
  } = {},
): Settings {
  return Settings.parse({ version: 2, ...over });
}

const field = (
  name: string,
  type: string,
  length: number,
  extra: Partial<FieldDescribe> = {},
): FieldDescribe => ({
  name,
  label: name,
  type,
  length,
  createable: true,
  updateable: true,
  nillable: true,
  restrictedPicklist: false,
  picklistValues: [],
  ...extra,
});

const PERSON_FIELDS = [
  field('FirstName', 'string', 40),
  field('LastName', 'string', 80, { nillable: false }),
  field('Title', 'string', 128),
  field('Email', 'email', 80),
  field('Phone', 'phone', 40),
  field('MobilePhone', 'phone', 40),
  field('LeadSource', 'picklist', 255, { picklistValues: ['Web', 'Phone Inquiry', 'Other'] }),
  field('OwnerId', 'reference', 18, { nillable: false }),
];

export const DESCRIBES: Record<'Contact' | 'Lead' | 'Account', ObjectDescribe> = {
  Contact: { name: 'Contact', fields: [...PERSON_FIELDS, field('AccountId', 'reference', 18)] },
  Lead: {
    name: 'Lead',
    fields: [
      ...PERSON_FIELDS,
      field('Company', 'string', 255, { nillable: false }),
      field('Website', 'url', 255),
      field('Industry', 'picklist', 255),
    ],
  },
  Account: {
    name: 'Account',
    fields: [
      field('Name', 'string', 255, { nillable: false }),
      field('Website', 'url', 255),
      field('Industry', 'picklist', 255),
      field('NumberOfEmployees', 'int', 0),
      field('AccountSource', 'picklist', 255, { picklistValues: ['Web', 'Other'] }),
      field('OwnerId', 'reference', 18, { nillable: false }),
    ],
  },
};

/** A describe with one field replaced or added, e.g. a restricted AccountSource. */
export function withField(
  object: 'Contact' | 'Lead' | 'Account',
  f: Partial<FieldDescribe> & { name: string },
): Record<'Contact' | 'Lead' | 'Account', ObjectDescribe> {
  const base = DESCRIBES[object].fields.find((x) => x.name === f.name) ?? field(f.name, 'string', 255);
  return {
    ...DESCRIBES,
    [object]: {
      name: object,
      fields: [...DESCRIBES[object].fields.filter((x) => x.name !== f.name), { ...base, ...f }],
    },
  };
}

export const INTEGRATION_USER = sfId('005', 7);
export const DEFAULT_OWNER = sfId('005', 9);
export const JANE_SF = sfId('005', 1);

export const OWNERS = {
  workspaceUsers: [
    { id: 'u-jane', name: 'Jane', email: 'jane@team.io' },
    { id: 'u-max', name: 'Max', email: 'max@team.io' },
  ],
  salesforceUsers: [{ Id: JANE_SF, Email: 'JANE@team.io', IsActive: true }],
  integrationUserId: INTEGRATION_USER,
};

import { z } from 'zod';

/** X5 write rule: `overwrite` writes when the value differs from what crmsync last wrote. */
export const WriteRule = z.enum(['overwrite', 'fill_if_empty']);
export type WriteRule = z.infer<typeof WriteRule>;

/** X6: what to do with a value longer than the Salesforce field. */
export const TooLong = z.enum(['truncate', 'reject']);
export type TooLong = z.infer<typeof TooLong>;

export const FieldMapping = z.object({
  /** A local field path such as `firstName` or `company.name`. */
  local: z.string().min(1, 'must name a local field'),
  /** A Salesforce field API name such as `FirstName` or `Industry__c`. */
  salesforce: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be a Salesforce field API name such as Title'),
  writeRule: WriteRule.default('overwrite'),
  tooLong: TooLong.default('truncate'),
});
export type FieldMapping = z.infer<typeof FieldMapping>;

export const MAPPED_OBJECTS = ['Contact', 'Lead', 'Account', 'Opportunity', 'Task', 'Event', 'Note'] as const;
export type MappedObject = (typeof MAPPED_OBJECTS)[number];

/** Local fields that may be mapped, per Salesforce object (the settings check refuses others). */
export const MAPPABLE_LOCAL_FIELDS: Record<MappedObject, readonly string[]> = {
  Contact: [
    'firstName',
    'lastName',
    'title',
    'email',
    'phone',
    'mobilePhone',
    'stage',
    'externalId',
    'company.name',
  ],
  Lead: [
    'firstName',
    'lastName',
    'title',
    'email',
    'phone',
    'mobilePhone',
    'stage',
    'externalId',
    'company.name',
    'company.website',
    'company.industry',
    'company.size',
  ],
  Account: ['name', 'website', 'industry', 'size', 'stage', 'externalId'],
  Opportunity: ['name', 'amount', 'closeDate', 'externalId'],
  Task: ['title', 'body', 'dueDate', 'priority', 'status', 'subject', 'outcome', 'notes', 'durationSeconds'],
  Event: ['title', 'description', 'start', 'end'],
  Note: ['title', 'body', 'text'],
};

const m = (local: string, salesforce: string): FieldMapping => ({
  local,
  salesforce,
  writeRule: 'overwrite',
  tooLong: 'truncate',
});

/** X5 defaults, shown in the UI and used when a document leaves `fieldMappings` out. */
export const DEFAULT_FIELD_MAPPINGS: Record<MappedObject, FieldMapping[]> = {
  Contact: [
    m('firstName', 'FirstName'),
    m('lastName', 'LastName'),
    m('title', 'Title'),
    m('email', 'Email'),
    m('phone', 'Phone'),
    m('mobilePhone', 'MobilePhone'),
  ],
  Lead: [
    m('firstName', 'FirstName'),
    m('lastName', 'LastName'),
    m('title', 'Title'),
    m('email', 'Email'),
    m('phone', 'Phone'),
    m('mobilePhone', 'MobilePhone'),
    m('company.name', 'Company'),
    m('company.website', 'Website'),
    m('company.industry', 'Industry'),
  ],
  Account: [
    m('name', 'Name'),
    m('website', 'Website'),
    m('industry', 'Industry'),
    m('size', 'NumberOfEmployees'),
  ],
  Opportunity: [m('name', 'Name'), m('amount', 'Amount'), m('closeDate', 'CloseDate')],
  Task: [m('body', 'Description')],
  Event: [m('description', 'Description')],
  Note: [m('body', 'Body')],
};

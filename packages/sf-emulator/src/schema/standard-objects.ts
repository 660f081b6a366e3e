// The standard objects the emulator knows, with the fields, lengths, picklists and lookups of
// Salesforce's field reference (reference §5). Validation that is not expressible as field
// metadata (Task/Event rules, converted leads) lives in org/object-rules.ts.
import type { ChildRelationship, FieldMeta, ObjectMeta } from '../contracts.js';
import { field, ownerField, readOnly, ref, systemFields } from './field-builders.js';

const LEAD_SOURCES = ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'];
export const OPPORTUNITY_STAGES: ReadonlyArray<{
  stage: string;
  probability: number;
  closed: boolean;
  won: boolean;
  forecast: string;
}> = [
  { stage: 'Prospecting', probability: 10, closed: false, won: false, forecast: 'Pipeline' },
  { stage: 'Qualification', probability: 10, closed: false, won: false, forecast: 'Pipeline' },
  { stage: 'Needs Analysis', probability: 20, closed: false, won: false, forecast: 'Pipeline' },
  { stage: 'Value Proposition', probability: 50, closed: false, won: false, forecast: 'Pipeline' },
  { stage: 'Id. Decision Makers', probability: 60, closed: false, won: false, forecast: 'Pipeline' },
  { stage: 'Perception Analysis', probability: 70, closed: false, won: false, forecast: 'Pipeline' },
  { stage: 'Proposal/Price Quote', probability: 75, closed: false, won: false, forecast: 'Pipeline' },
  { stage: 'Negotiation/Review', probability: 90, closed: false, won: false, forecast: 'Pipeline' },
  { stage: 'Closed Won', probability: 100, closed: true, won: true, forecast: 'Closed' },
  { stage: 'Closed Lost', probability: 0, closed: true, won: false, forecast: 'Omitted' },
];
export const LEAD_STATUSES = [
  'Open - Not Contacted*',
  'Working - Contacted',
  'Closed - Converted',
  'Closed - Not Converted',
];
export const CONVERTED_LEAD_STATUS = 'Closed - Converted';

const required = { nillable: false };
const nameOf = (label: string) =>
  field('Name', 'string', { label, ...readOnly({ length: 121, nillable: false, defaultedOnCreate: true }) });

function object(
  name: string,
  keyPrefix: string,
  labelPlural: string,
  fields: FieldMeta[],
  options: { label?: string; childRelationships?: ChildRelationship[] } = {},
): ObjectMeta {
  return {
    name,
    label: options.label ?? name.replace(/([a-z])([A-Z])/g, '$1 $2'),
    labelPlural,
    keyPrefix,
    custom: false,
    createable: true,
    updateable: true,
    deletable: true,
    queryable: true,
    fields: [...systemFields().slice(0, 1), ...fields, ...systemFields().slice(1)],
    childRelationships: options.childRelationships ?? [],
    validationRules: [],
  };
}

const child = (
  childSObject: string,
  fieldName: string,
  relationshipName: string | null,
  cascadeDelete: boolean,
): ChildRelationship => ({
  childSObject,
  field: fieldName,
  relationshipName,
  cascadeDelete,
});

const activityChildren = (whoOrWhat: 'WhoId' | 'WhatId'): ChildRelationship[] => [
  child('Task', whoOrWhat, 'Tasks', true),
  child('Event', whoOrWhat, 'Events', true),
  child('Note', 'ParentId', 'Notes', true),
];

const account = object(
  'Account',
  '001',
  'Accounts',
  [
    ref(
      'MasterRecordId',
      ['Account'],
      readOnly({ label: 'Master Record ID', relationshipName: 'MasterRecord' }),
    ),
    field('Name', 'string', { label: 'Account Name', ...required, idLookup: true }),
    field('Type', 'picklist', {
      label: 'Account Type',
      length: 255,
      values: ['Prospect', 'Customer - Direct', 'Customer - Channel', 'Partner', 'Other'],
    }),
    ref('ParentId', ['Account'], { label: 'Parent Account ID', relationshipName: 'Parent' }),
    field('BillingStreet', 'textarea', { label: 'Billing Street', length: 255, filterable: true }),
    field('BillingCity', 'string', { label: 'Billing City', length: 40 }),
    field('BillingState', 'string', { label: 'Billing State/Province', length: 80 }),
    field('BillingPostalCode', 'string', { label: 'Billing Zip/Postal Code', length: 20 }),
    field('BillingCountry', 'string', { label: 'Billing Country', length: 80 }),
    field('Phone', 'phone', { label: 'Account Phone' }),
    field('Website', 'url', { label: 'Website' }),
    field('Industry', 'picklist', { values: ['Agriculture', 'Banking', 'Technology', 'Retail', 'Other'] }),
    field('AnnualRevenue', 'currency', { label: 'Annual Revenue', precision: 18, scale: 0 }),
    field('NumberOfEmployees', 'int', { label: 'Employees', precision: 8 }),
    field('Description', 'textarea', { label: 'Account Description' }),
    field('AccountSource', 'picklist', { label: 'Account Source', values: LEAD_SOURCES }),
    ownerField(),
  ],
  {
    childRelationships: [
      child('Contact', 'AccountId', 'Contacts', true),
      child('Opportunity', 'AccountId', 'Opportunities', true),
      child('Account', 'ParentId', 'ChildAccounts', false),
      ...activityChildren('WhatId'),
    ],
  },
);

const contact = object(
  'Contact',
  '003',
  'Contacts',
  [
    ref(
      'MasterRecordId',
      ['Contact'],
      readOnly({ label: 'Master Record ID', relationshipName: 'MasterRecord' }),
    ),
    ref('AccountId', ['Account'], { label: 'Account ID' }),
    field('LastName', 'string', { label: 'Last Name', length: 80, ...required }),
    field('FirstName', 'string', { label: 'First Name', length: 40 }),
    field('Salutation', 'picklist', { values: ['Mr.', 'Ms.', 'Mrs.', 'Dr.', 'Prof.'] }),
    nameOf('Full Name'),
    field('Title', 'string', { length: 128 }),
    field('Department', 'string', { length: 80 }),
    field('Phone', 'phone', { label: 'Business Phone' }),
    field('MobilePhone', 'phone', { label: 'Mobile Phone' }),
    field('Email', 'email', { label: 'Email', idLookup: true }),
    field('MailingCity', 'string', { label: 'Mailing City', length: 40 }),
    field('MailingCountry', 'string', { label: 'Mailing Country', length: 80 }),
    field('LeadSource', 'picklist', { label: 'Lead Source', values: LEAD_SOURCES }),
    field('HasOptedOutOfEmail', 'boolean', { label: 'Email Opt Out' }),
    field('Description', 'textarea', { label: 'Contact Description' }),
    ownerField(),
  ],
  {
    childRelationships: [
      child('OpportunityContactRole', 'ContactId', 'OpportunityContactRoles', true),
      child('Opportunity', 'ContactId', 'Opportunities', false),
      ...activityChildren('WhoId'),
      child('EventRelation', 'RelationId', null, true),
    ],
  },
);

const lead = object(
  'Lead',
  '00Q',
  'Leads',
  [
    ref(
      'MasterRecordId',
      ['Lead'],
      readOnly({ label: 'Master Record ID', relationshipName: 'MasterRecord' }),
    ),
    field('LastName', 'string', { label: 'Last Name', length: 80, ...required }),
    field('FirstName', 'string', { label: 'First Name', length: 40 }),
    field('Salutation', 'picklist', { values: ['Mr.', 'Ms.', 'Mrs.', 'Dr.', 'Prof.'] }),
    nameOf('Full Name'),
    field('Title', 'string', { length: 128 }),
    field('Company', 'string', { length: 255, ...required }),
    field('City', 'string', { length: 40 }),
    field('Country', 'string', { length: 80 }),
    field('Phone', 'phone'),
    field('MobilePhone', 'phone', { label: 'Mobile Phone' }),
    field('Email', 'email', { idLookup: true }),
    field('Website', 'url'),
    field('Description', 'textarea'),
    field('LeadSource', 'picklist', { label: 'Lead Source', values: LEAD_SOURCES }),
    field('Status', 'picklist', {
      label: 'Status',
      nillable: false,
      defaultedOnCreate: true,
      values: LEAD_STATUSES,
      defaultValue: 'Open - Not Contacted',
    }),
    field('Industry', 'picklist', { values: ['Agriculture', 'Banking', 'Technology', 'Retail', 'Other'] }),
    field('HasOptedOutOfEmail', 'boolean', { label: 'Email Opt Out' }),
    field('IsConverted', 'boolean', readOnly({ label: 'Converted', nillable: false })),
    field('ConvertedDate', 'date', readOnly({ label: 'Converted Date' })),
    ref(
      'ConvertedAccountId',
      ['Account'],
      readOnly({ label: 'Converted Account ID', relationshipName: 'ConvertedAccount' }),
    ),
    ref(
      'ConvertedContactId',
      ['Contact'],
      readOnly({ label: 'Converted Contact ID', relationshipName: 'ConvertedContact' }),
    ),
    ref(
      'ConvertedOpportunityId',
      ['Opportunity'],
      readOnly({ label: 'Converted Opportunity ID', relationshipName: 'ConvertedOpportunity' }),
    ),
    ownerField(),
  ],
  { childRelationships: [...activityChildren('WhoId'), child('EventRelation', 'RelationId', null, true)] },
);

const opportunity = object(
  'Opportunity',
  '006',
  'Opportunities',
  [
    ref('AccountId', ['Account'], { label: 'Account ID' }),
    ref('ContactId', ['Contact'], { label: 'Contact ID' }),
    field('Name', 'string', { label: 'Name', length: 120, ...required, idLookup: false }),
    field('Description', 'textarea'),
    field('StageName', 'picklist', {
      label: 'Stage',
      ...required,
      restrictedPicklist: true,
      values: OPPORTUNITY_STAGES.map((s) => s.stage),
    }),
    field('Amount', 'currency', { precision: 18, scale: 2 }),
    field('Probability', 'percent', {
      label: 'Probability (%)',
      precision: 3,
      scale: 0,
      defaultedOnCreate: true,
    }),
    field('CloseDate', 'date', { label: 'Close Date', ...required }),
    field('Type', 'picklist', { label: 'Opportunity Type', values: ['Existing Business', 'New Business'] }),
    field('NextStep', 'string', { label: 'Next Step', length: 255 }),
    field('LeadSource', 'picklist', { label: 'Lead Source', values: LEAD_SOURCES }),
    field('IsClosed', 'boolean', readOnly({ label: 'Closed' })),
    field('IsWon', 'boolean', readOnly({ label: 'Won' })),
    field('ForecastCategoryName', 'picklist', {
      label: 'Forecast Category',
      defaultedOnCreate: true,
      values: ['Omitted', 'Pipeline', 'Best Case', 'Commit', 'Closed'],
    }),
    ownerField(),
  ],
  {
    childRelationships: [
      child('OpportunityContactRole', 'OpportunityId', 'OpportunityContactRoles', true),
      ...activityChildren('WhatId'),
    ],
  },
);

const opportunityContactRole = object(
  'OpportunityContactRole',
  '00K',
  'Opportunity Contact Role',
  [
    ref('OpportunityId', ['Opportunity'], { label: 'Opportunity ID', ...required, updateable: false }),
    ref('ContactId', ['Contact'], { label: 'Contact ID', ...required }),
    field('Role', 'picklist', {
      values: ['Business User', 'Decision Maker', 'Economic Buyer', 'Evaluator', 'Influencer', 'Other'],
    }),
    field('IsPrimary', 'boolean', { label: 'Primary' }),
  ],
  { label: 'Opportunity Contact Role' },
);

const activityFields = (): FieldMeta[] => [
  ref('WhoId', ['Contact', 'Lead'], { label: 'Name ID', relationshipName: 'Who' }),
  ref('WhatId', ['Account', 'Opportunity'], { label: 'Related To ID', relationshipName: 'What' }),
  ref('AccountId', ['Account'], readOnly({ label: 'Account ID' })),
  field('Subject', 'combobox', { values: ['Call', 'Send Letter', 'Send Quote', 'Other'] }),
  field('ActivityDate', 'date', { label: 'Due Date Only' }),
  field('Description', 'textarea'),
  ownerField(),
];

const task = object('Task', '00T', 'Tasks', [
  ...activityFields(),
  field('Status', 'picklist', {
    nillable: false,
    defaultedOnCreate: true,
    defaultValue: 'Not Started',
    values: ['Not Started*', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'],
  }),
  field('Priority', 'picklist', {
    nillable: false,
    defaultedOnCreate: true,
    defaultValue: 'Normal',
    values: ['High', 'Normal*', 'Low'],
  }),
  field('IsClosed', 'boolean', readOnly({ label: 'Closed' })),
  field('TaskSubtype', 'picklist', {
    label: 'Task Subtype',
    updateable: false,
    values: ['Task', 'Email', 'ListEmail', 'Cadence', 'Call', 'LinkedIn'],
  }),
  field('CallDurationInSeconds', 'int', { label: 'Call Duration', precision: 8 }),
  field('CallType', 'picklist', { label: 'Call Type', values: ['Internal', 'Inbound', 'Outbound'] }),
  field('CallDisposition', 'string', { label: 'Call Result', length: 255 }),
  field('CallObject', 'string', { label: 'Call Object Identifier', length: 255 }),
]);

const event = object(
  'Event',
  '00U',
  'Events',
  [
    ...activityFields(),
    field('Location', 'string', { length: 255 }),
    field('IsAllDayEvent', 'boolean', { label: 'All-Day Event' }),
    field('ActivityDateTime', 'datetime', { label: 'Due Date Time' }),
    field('StartDateTime', 'datetime', { label: 'Start Date Time', defaultedOnCreate: true }),
    field('EndDateTime', 'datetime', { label: 'End Date Time', defaultedOnCreate: true }),
    field('DurationInMinutes', 'int', { label: 'Duration', precision: 8, defaultedOnCreate: true }),
    field('ShowAs', 'picklist', { label: 'Show Time As', values: ['Busy*', 'OutOfOffice', 'Free'] }),
  ],
  { childRelationships: [child('EventRelation', 'EventId', 'EventRelations', true)] },
);

const eventRelation = object(
  'EventRelation',
  '0RE',
  'Event Relations',
  [
    ref('RelationId', ['Contact', 'Lead', 'User'], {
      label: 'Relation ID',
      ...required,
      updateable: false,
      relationshipName: 'Relation',
    }),
    ref('EventId', ['Event'], { label: 'Event ID', ...required, updateable: false }),
    field('Status', 'picklist', { values: ['New*', 'Declined', 'Accepted'] }),
    field('IsInvitee', 'boolean', { label: 'Is Invitee' }),
    field('IsParent', 'boolean', { label: 'Is Parent' }),
    field('IsWhat', 'boolean', { label: 'Is What', createable: false, updateable: false }),
    field('Response', 'string', { length: 255 }),
  ],
  { label: 'Event Relation' },
);

const note = object('Note', '002', 'Notes', [
  ref('ParentId', ['Account', 'Contact', 'Lead', 'Opportunity'], {
    label: 'Parent ID',
    ...required,
    updateable: false,
    relationshipName: 'Parent',
  }),
  field('Title', 'string', { length: 80, ...required }),
  field('IsPrivate', 'boolean', { label: 'Private' }),
  field('Body', 'textarea', { length: 32000 }),
  ownerField(),
]);

const user = object(
  'User',
  '005',
  'Users',
  [
    field('Username', 'string', { length: 80, ...required, unique: true, idLookup: true }),
    field('LastName', 'string', { label: 'Last Name', length: 80, ...required }),
    field('FirstName', 'string', { label: 'First Name', length: 40 }),
    nameOf('Full Name'),
    field('Email', 'email', { length: 128, ...required }),
    field('Alias', 'string', { length: 8, ...required }),
    field('IsActive', 'boolean', { label: 'Active' }),
    field('UserType', 'picklist', readOnly({ label: 'User Type', values: ['Standard', 'AutomatedProcess'] })),
    field('TimeZoneSidKey', 'picklist', {
      label: 'Time Zone',
      values: ['America/Los_Angeles', 'Europe/London', 'GMT'],
    }),
  ],
  { childRelationships: [] },
);
user.createable = false;
user.deletable = false;

/** Fresh copies, so an org's custom schema can extend them without leaking into another org. */
export function standardObjects(): ObjectMeta[] {
  return structuredClone([
    account,
    contact,
    lead,
    opportunity,
    opportunityContactRole,
    task,
    event,
    eventRelation,
    note,
    user,
  ]);
}

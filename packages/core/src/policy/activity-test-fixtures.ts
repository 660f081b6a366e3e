/*
 * Builders shared by the deal and activity decision tests: records parsed through the real
 * schemas, settings with every default, and describes shaped as the org returns them. Test
 * support only; not exported from core.
 */
import { Call, Email, Meeting, MeetingSummary, Note, Task } from '../model/activities.js';
import { Deal, type DealInput } from '../model/deal.js';
import { Settings } from '../settings/schema.js';
import type { FieldDescribe, ObjectDescribe } from './map-fields.js';
import type { PersonCandidate } from './match.js';
import { company, link, person, sfId } from './push-test-fixtures.js';
import type { ActivityContext } from './activity-decision.js';

export { company, link, person, sfId, ORG, OTHER_ORG, OWNERS } from './push-test-fixtures.js';

/** A settings document from a partial one, through the real schema (defaults filled). */
export function settingsWith(doc: Record<string, unknown> = {}): Settings {
  return Settings.parse({ version: 2, ...doc });
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

export const STAGES = ['Prospecting', 'Qualification', 'Negotiation/Review', 'Closed Won', 'Closed Lost'];

export const OPPORTUNITY: ObjectDescribe = {
  name: 'Opportunity',
  fields: [
    field('Name', 'string', 120, { nillable: false }),
    field('Amount', 'currency', 0),
    field('CloseDate', 'date', 0, { nillable: false }),
    field('StageName', 'picklist', 255, { nillable: false, picklistValues: STAGES }),
    field('AccountId', 'reference', 18),
    field('OwnerId', 'reference', 18, { nillable: false }),
    field('Next_Step__c', 'string', 255),
  ],
};

export const TASK: ObjectDescribe = {
  name: 'Task',
  fields: [
    field('Subject', 'combobox', 255),
    field('Description', 'textarea', 32_000),
    field('ActivityDate', 'date', 0),
    field('Status', 'picklist', 255, { nillable: false, picklistValues: ['Not Started', 'Completed'] }),
    field('Priority', 'picklist', 255, { nillable: false, picklistValues: ['Low', 'Normal', 'High'] }),
    field('TaskSubtype', 'picklist', 255, { updateable: false }),
    field('WhoId', 'reference', 18),
    field('WhatId', 'reference', 18),
    field('CallDurationInSeconds', 'int', 0),
    field('CallType', 'picklist', 255, { picklistValues: ['Internal', 'Inbound', 'Outbound'] }),
    field('CallDisposition', 'string', 255),
    field('Outcome__c', 'picklist', 255, {
      restrictedPicklist: true,
      picklistValues: ['Connected', 'Voicemail'],
    }),
    field('OwnerId', 'reference', 18, { nillable: false }),
  ],
};

export const EVENT: ObjectDescribe = {
  name: 'Event',
  fields: [
    field('Subject', 'combobox', 255),
    field('Description', 'textarea', 32_000),
    field('StartDateTime', 'datetime', 0),
    field('EndDateTime', 'datetime', 0),
    field('WhoId', 'reference', 18),
    field('WhatId', 'reference', 18),
    field('OwnerId', 'reference', 18, { nillable: false }),
  ],
};

export const NOTE: ObjectDescribe = {
  name: 'Note',
  fields: [
    field('ParentId', 'reference', 18, { nillable: false, updateable: false }),
    field('Title', 'string', 80, { nillable: false }),
    field('Body', 'textarea', 32_000),
  ],
};

export const WS = {
  id: 'w1',
  mailboxDomains: ['team.io'],
  users: [{ id: 'u-jane', name: 'Jane', email: 'jane@team.io' }],
};

export const CONTACT_ID = sfId('003', 1);
export const LEAD_ID = sfId('00Q', 1);
export const ACCOUNT_ID = sfId('001', 1);
export const OPPORTUNITY_ID = sfId('006', 1);

export function deal(over: Partial<DealInput> = {}): Deal {
  return Deal.parse({
    id: 'd1',
    workspaceId: 'w1',
    name: 'Acme renewal',
    amount: 12000,
    stage: 'Negotiation',
    closeDate: '2026-12-31',
    companyId: 'c1',
    personIds: ['p1'],
    ...over,
  });
}

export const contactLink = (over: Parameters<typeof link>[0] = {}) =>
  link({ sfObject: 'Contact', sfId: CONTACT_ID, ...over });
export const leadLink = (over: Parameters<typeof link>[0] = {}) =>
  link({ sfObject: 'Lead', sfId: LEAD_ID, ...over });
export const accountLink = () =>
  link({ localType: 'company', localId: 'c1', sfObject: 'Account', sfId: ACCOUNT_ID });
export const opportunityLink = (over: Parameters<typeof link>[0] = {}) =>
  link({ localType: 'deal', localId: 'd1', sfObject: 'Opportunity', sfId: OPPORTUNITY_ID, ...over });

export const contactCandidate = (n: number, email: string): PersonCandidate => ({
  object: 'Contact',
  Id: sfId('003', n),
  Email: email,
  CreatedDate: '2020-01-01T00:00:00.000+0000',
  LastModifiedDate: '2020-01-01T00:00:00.000+0000',
});
export const leadCandidate = (n: number, email: string): PersonCandidate => ({
  object: 'Lead',
  Id: sfId('00Q', n),
  Email: email,
  CreatedDate: '2020-01-01T00:00:00.000+0000',
  LastModifiedDate: '2020-01-01T00:00:00.000+0000',
  IsConverted: false,
  ConvertedContactId: null,
});

/** The context of an activity with nothing linked and every default. */
export function context(over: Partial<ActivityContext> = {}): ActivityContext {
  return {
    settings: settingsWith(),
    orgId: link().orgId,
    workspace: WS,
    link: null,
    people: [],
    company: null,
    deal: null,
    candidates: [],
    describe: TASK,
    hasExternalIdField: true,
    ...over,
  };
}

export const ada = (over: Parameters<typeof person>[0] = {}) => person({ email: 'ada@acme.com', ...over });
export { company as acme };

export function email(over: Record<string, unknown> = {}): Email {
  return Email.parse({
    id: 'e1',
    workspaceId: 'w1',
    messageId: '<m1@mail.team.io>',
    direction: 'outgoing',
    sentThroughApp: true,
    from: 'jane@team.io',
    to: ['ada@acme.com'],
    subject: 'Pricing',
    body: 'Hello Ada',
    sentAt: '2026-11-28T10:00:00Z',
    ...over,
  });
}

export const task = (over: Record<string, unknown> = {}): Task =>
  Task.parse({
    id: 't1',
    workspaceId: 'w1',
    personId: 'p1',
    title: 'Send deck',
    dueDate: '2026-12-01',
    priority: 'high',
    ...over,
  });

export const call = (over: Record<string, unknown> = {}): Call =>
  Call.parse({
    id: 'k1',
    workspaceId: 'w1',
    personId: 'p1',
    direction: 'outbound',
    durationSeconds: 125,
    outcome: 'Connected',
    notes: 'Talked pricing',
    calledAt: '2026-11-28T15:00:00Z',
    ...over,
  });

export const note = (over: Record<string, unknown> = {}): Note =>
  Note.parse({
    id: 'n1',
    workspaceId: 'w1',
    personId: 'p1',
    title: 'Call prep',
    body: 'Ask about budget',
    createdAt: '2026-11-28T09:00:00Z',
    ...over,
  });

export const meeting = (over: Record<string, unknown> = {}): Meeting =>
  Meeting.parse({
    id: 'mt1',
    workspaceId: 'w1',
    scheduledThroughApp: true,
    start: '2026-11-30T10:00:00Z',
    end: '2026-11-30T10:30:00Z',
    title: 'Demo',
    description: 'Product demo',
    attendees: ['jane@team.io', 'ada@acme.com'],
    ...over,
  });

export const summary = (over: Record<string, unknown> = {}): MeetingSummary =>
  MeetingSummary.parse({ id: 's1', workspaceId: 'w1', meetingId: 'mt1', text: 'Agreed on a pilot', ...over });

/** A Contact-linked Ada as the activity's people. */
export const linkedAda = () => [{ record: ada(), link: contactLink() }];

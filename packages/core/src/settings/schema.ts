import { z } from 'zod';
import { DEFAULT_FIELD_MAPPINGS, FieldMapping, MAPPED_OBJECTS, type MappedObject } from './field-maps.js';
import { DEFAULT_TEMPLATES } from './template-variables.js';

export const SETTINGS_VERSION = 2;

const PushMode = z.enum(['all', 'stages']);
const StageList = z.array(z.string().min(1, 'a stage name must not be empty'));

/** E4: one side of an exclusion rule. Values of one kind are alternatives; the kinds given must all match. */
export const ExclusionSide = z.strictObject({
  domains: z.array(z.string().min(1)).default([]),
  addresses: z.array(z.string().min(3)).default([]),
  subjectKeywords: z.array(z.string().min(1)).default([]),
});
export type ExclusionSide = z.infer<typeof ExclusionSide>;

export const ExclusionRule = z.strictObject({
  name: z.string().min(1, 'give the rule a name so the log can say which rule dropped an email'),
  from: ExclusionSide.default({ domains: [], addresses: [], subjectKeywords: [] }),
  to: ExclusionSide.default({ domains: [], addresses: [], subjectKeywords: [] }),
  /** How the From and To sides combine; an empty side is ignored. */
  join: z.enum(['and', 'or']).default('and'),
});
export type ExclusionRule = z.infer<typeof ExclusionRule>;

export const EmailKinds = z.strictObject({
  internal: z.boolean().default(false),
  outgoingSentThroughApp: z.boolean().default(false),
  outgoingNotSentThroughApp: z.boolean().default(false),
  incomingReplyToApp: z.boolean().default(false),
  incomingOther: z.boolean().default(false),
});
export type EmailKind = keyof z.infer<typeof EmailKinds>;

export const DealSync = z.enum(['off', 'bidirectional', 'pull', 'push']);
export type DealSync = z.infer<typeof DealSync>;

export const TieBreak = z.enum(['oldest', 'most_recently_modified', 'random']);
export type TieBreak = z.infer<typeof TieBreak>;

const fieldMappingsShape = Object.fromEntries(
  MAPPED_OBJECTS.map((o) => [o, z.array(FieldMapping).default(DEFAULT_FIELD_MAPPINGS[o])]),
) as { [K in MappedObject]: z.ZodDefault<z.ZodArray<typeof FieldMapping>> };

/**
 * The settings document, version 2. Every key has the default of the spec's defaults table, so
 * `{ version: 2 }` is a complete document. Unknown keys are refused (a typo must not be silently
 * ignored by a RevOps admin's export/import).
 */
export const Settings = z.strictObject({
  version: z.literal(SETTINGS_VERSION),
  lifecycle: z
    .strictObject({
      /** L1: hours after connecting before automatic sync starts; 0 = none. */
      configurationWindowHours: z
        .number()
        .min(0)
        .max(24 * 30)
        .default(6),
    })
    .default({ configurationWindowHours: 6 }),
  contacts: z
    .strictObject({
      pushContacts: z.boolean().default(false), // C2
      pushMode: PushMode.default('all'), // C3
      stages: StageList.default([]),
      createAs: z.enum(['contact', 'lead']).default('contact'), // C4
      sourceField: z.string().min(1).default('LeadSource'), // C5
      sourceValue: z.string().max(255).default('Apollo'),
      pushGuessedEmails: z.boolean().default(false), // C6
      leadCompanyPlaceholder: z.string().min(1).max(255).default('[not provided]'), // C8
      deletionSync: z.boolean().default(false), // C10
      mergeSync: z.boolean().default(false), // C11
    })
    .prefault({}),
  accounts: z
    .strictObject({
      pushAccounts: z.boolean().default(true), // A1
      pushMode: PushMode.default('all'), // A2
      stages: StageList.default([]),
      sourceField: z.string().min(1).default('AccountSource'), // A3
      sourceValue: z.string().max(255).default('Apollo'),
      deletionSync: z.boolean().default(false), // A4
      mergeSync: z.boolean().default(false), // A5
    })
    .prefault({}),
  deals: z
    .strictObject({
      dealSync: DealSync.default('off'), // D1-D4
      hideDeals: z.boolean().default(false), // D5
      /** D6: local deal stage -> Opportunity StageName. */
      stageMapping: z.record(z.string().min(1), z.string().min(1)).default({}),
    })
    .prefault({}),
  activities: z
    .strictObject({
      emails: z
        .strictObject({
          pushEmails: z.boolean().default(false), // E1
          kinds: EmailKinds.prefault({}),
          pushEmailsWithoutMatch: z.boolean().default(false), // E3
          titleTemplate: z.string().max(2000).default(DEFAULT_TEMPLATES.email), // E5
          exclusionRules: z.array(ExclusionRule).default([]), // E4
        })
        .prefault({}),
      notes: z.strictObject({ pushNotes: z.boolean().default(false) }).prefault({}), // E7
      tasks: z
        .strictObject({
          pushTasks: z.boolean().default(false), // E8
          titleTemplate: z.string().max(2000).default(DEFAULT_TEMPLATES.task),
        })
        .prefault({}),
      calls: z
        .strictObject({
          pushCalls: z.boolean().default(false), // E9
          titleTemplate: z.string().max(2000).default(DEFAULT_TEMPLATES.call),
        })
        .prefault({}),
      meetings: z
        .strictObject({
          pushMeetings: z.boolean().default(false), // E10
          pushAllCalendarEvents: z.boolean().default(false),
        })
        .prefault({}),
      meetingSummaries: z
        .strictObject({ pushMeetingSummaries: z.boolean().default(false) }) // E11
        .prefault({}),
    })
    .prefault({}),
  matching: z.strictObject({ tieBreak: TieBreak.default('oldest') }).prefault({}), // X3
  fieldMappings: z.strictObject(fieldMappingsShape).prefault({}), // X5
  owners: z
    .strictObject({
      /** X7: the Salesforce User id used when a local owner has no active User with the same email. */
      defaultOwnerId: z.string().min(15).max(18).nullable().default(null),
    })
    .prefault({}),
  pull: z
    .strictObject({
      pollIntervalMinutes: z
        .number()
        .int()
        .min(1)
        .max(24 * 60)
        .default(5), // P1
      pullRecords: z
        .strictObject({
          contacts: z.boolean().default(true),
          leads: z.boolean().default(true),
          accounts: z.boolean().default(true),
        })
        .prefault({}), // P3
      inferLeadAccounts: z.boolean().default(false), // P4
    })
    .prefault({}),
  apiBudget: z
    .strictObject({
      /** O3: crmsync's share of the org's daily API allocation, in percent. */
      sharePercent: z.number().gt(0).max(100).default(20),
      /** O3: stop when the org as a whole has less than this share left, in percent. */
      reservePercent: z.number().min(0).max(50).default(5),
    })
    .prefault({}),
  log: z
    .strictObject({ retentionDays: z.number().int().min(1).max(3650).default(90) }) // O1
    .prefault({}),
});

export type Settings = z.infer<typeof Settings>;
export type SettingsInput = z.input<typeof Settings>;

/**
 * E5: the variables a title template may use, per activity type. The UI lists them and the
 * template checker refuses any other name. Each maps to a value the engine supplies at push.
 */
const PERSON = [
  'person.name',
  'person.firstName',
  'person.lastName',
  'person.email',
  'person.title',
] as const;
const COMPANY = ['company.name', 'company.website', 'company.industry'] as const;
const DEAL = ['deal.name', 'deal.stage', 'deal.amount'] as const;
const OWNER = ['owner.name', 'owner.email'] as const;

export const TEMPLATE_VARIABLES = {
  email: ['subject', 'direction', 'from', 'to', 'sentAt', ...PERSON, ...COMPANY, ...DEAL, ...OWNER],
  task: ['title', 'type', 'status', 'priority', 'dueDate', ...PERSON, ...COMPANY, ...DEAL, ...OWNER],
  call: [
    'outcome',
    'direction',
    'duration',
    'durationMinutes',
    'calledAt',
    ...PERSON,
    ...COMPANY,
    ...DEAL,
    ...OWNER,
  ],
} as const satisfies Record<string, readonly string[]>;

export type TemplateActivity = keyof typeof TEMPLATE_VARIABLES;

export const DEFAULT_TEMPLATES: Record<TemplateActivity, string> = {
  email: 'Email: {{ subject }}',
  task: 'Task: {{ title }}',
  call: 'Call: {{ outcome }} with {{ person.name }}',
};

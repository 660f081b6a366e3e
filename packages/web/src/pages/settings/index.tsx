import type { ComponentType } from 'react';
import {
  CallsPage,
  EmailsPage,
  MeetingSummariesPage,
  MeetingsPage,
  NotesPage,
  TasksPage,
} from './ActivityPages.js';
import { AccountsPage, ContactsPage, DealsPage } from './RecordPages.js';
import {
  ApiBudgetPage,
  FieldMappingPage,
  MatchingPage,
  PullPage,
  StageMappingPage,
  WindowPage,
} from './SyncPages.js';

/* Settings > Integrations > Salesforce: one page per section of the settings document. */

export const SETTINGS_BASE = '/settings/salesforce';

export interface SettingsPage {
  slug: string;
  title: string;
  Component: ComponentType;
  /** Pages listed together under a heading in the navigation. */
  group?: 'Activities';
}

export const SETTINGS_PAGES: SettingsPage[] = [
  { slug: 'contacts', title: 'Contacts and Leads', Component: ContactsPage },
  { slug: 'accounts', title: 'Accounts', Component: AccountsPage },
  { slug: 'deals', title: 'Deals and Opportunities', Component: DealsPage },
  { slug: 'emails', title: 'Emails', Component: EmailsPage, group: 'Activities' },
  { slug: 'notes', title: 'Notes', Component: NotesPage, group: 'Activities' },
  { slug: 'tasks', title: 'Tasks', Component: TasksPage, group: 'Activities' },
  { slug: 'calls', title: 'Calls', Component: CallsPage, group: 'Activities' },
  { slug: 'meetings', title: 'Meetings', Component: MeetingsPage, group: 'Activities' },
  {
    slug: 'meeting-summaries',
    title: 'Meeting summaries',
    Component: MeetingSummariesPage,
    group: 'Activities',
  },
  { slug: 'field-mapping', title: 'Field mapping', Component: FieldMappingPage },
  { slug: 'stage-mapping', title: 'Stage mapping', Component: StageMappingPage },
  { slug: 'pull', title: 'Pull', Component: PullPage },
  { slug: 'matching', title: 'Matching', Component: MatchingPage },
  { slug: 'api-budget', title: 'API budget', Component: ApiBudgetPage },
  { slug: 'window', title: 'Configuration window', Component: WindowPage },
];

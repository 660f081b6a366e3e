import {
  Call,
  Email,
  emailDedupeKey,
  Meeting,
  MeetingSummary,
  Note,
  Task,
  type ActivityKind,
  type Settings,
} from '@crmsync/core';

/*
 * What the activity path shares: the six local activity types, their schemas, their queue and
 * job keys, and the names of the workspace's message index (E6 dedupe, E1 threads).
 */

export type ActivityType = ActivityKind;

export const ACTIVITY_TYPES = [
  'email',
  'note',
  'task',
  'call',
  'meeting',
  'meeting_summary',
] as const satisfies readonly ActivityType[];

export const ACTIVITY_SCHEMAS = {
  email: Email,
  note: Note,
  task: Task,
  call: Call,
  meeting: Meeting,
  meeting_summary: MeetingSummary,
} as const;

export function isActivityType(type: unknown): type is ActivityType {
  return typeof type === 'string' && (ACTIVITY_TYPES as readonly string[]).includes(type);
}

/** One queue for every activity: a batch mixes kinds, so Tasks of emails and calls share collections. */
export const ACTIVITY_QUEUE = 'push-activity';

export const activityJobKey = (type: ActivityType, id: string): string => `${type}:${id}`;

/** How outcomes and plans key an activity. */
export const activityKey = (type: ActivityType, id: string): string => `${type}:${id}`;

export function parseActivityJobKey(key: string): { type: ActivityType; id: string } | null {
  const at = key.indexOf(':');
  if (at < 0) return null;
  const type = key.slice(0, at);
  return isActivityType(type) ? { type, id: key.slice(at + 1) } : null;
}

const NOUN: Record<ActivityType, string> = {
  email: 'Email',
  note: 'Note',
  task: 'Task',
  call: 'Call',
  meeting: 'Meeting',
  meeting_summary: 'Meeting summary',
};

/** `Email e1 (row 3)`, as messages name a record. */
export function activityLabel(type: ActivityType, id: string | null, row: number | null = null): string {
  return `${NOUN[type]}${id === null ? '' : ` ${id}`}${row === null ? '' : ` (row ${row + 1})`}`;
}

/**
 * The workspace's message index lives in the store's per-workspace key-value rows (`cursors`)
 * under the empty org id: it is about local emails, whatever org is connected.
 */
export const MESSAGE_INDEX_ORG = '';
/** E6: the email first seen with this message. */
export const messageIndexName = (messageKey: string): string => `email-message:${messageKey}`;
/** E1: a thread holding an email sent through the app. */
export const threadIndexName = (threadId: string): string => `email-thread:${threadId}`;

export interface MessageIndexEntry {
  emailId: string;
  sentThroughApp: boolean;
}

export { emailDedupeKey };

/** The cheap check at ingest: is the kind's push setting on at all (E1, E7-E11)? */
export function kindToggle(
  type: ActivityType,
  settings: Settings,
): { on: boolean; rule: string; name: string } {
  const a = settings.activities;
  switch (type) {
    case 'email':
      return { on: a.emails.pushEmails, rule: 'E1', name: 'Push emails' };
    case 'note':
      return { on: a.notes.pushNotes, rule: 'E7', name: 'Push notes' };
    case 'task':
      return { on: a.tasks.pushTasks, rule: 'E8', name: 'Push tasks' };
    case 'call':
      return { on: a.calls.pushCalls, rule: 'E9', name: 'Push calls' };
    case 'meeting':
      return { on: a.meetings.pushMeetings, rule: 'E10', name: 'Push meetings' };
    case 'meeting_summary':
      return { on: a.meetingSummaries.pushMeetingSummaries, rule: 'E11', name: 'Push meeting summaries' };
  }
}

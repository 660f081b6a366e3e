import type { ActivityDecision } from './activity-decision.js';
import { decideEmailActivity, type EmailActivityInput } from './decide-email-task.js';
import { decideMeetingActivity, type MeetingActivityInput } from './decide-meeting.js';
import {
  decideMeetingSummaryActivity,
  decideNoteActivity,
  type MeetingSummaryActivityInput,
  type NoteActivityInput,
} from './decide-note.js';
import {
  decideCallActivity,
  decideTaskActivity,
  type CallActivityInput,
  type TaskActivityInput,
} from './decide-task-call.js';

/*
 * E3, E6-E12: the send-time decision for one activity, made by the push worker just before
 * sending, under the settings in force then. One entry point so the engine, the dry run (O2)
 * and the API's "why did this not sync?" ask the same function; each kind's rules live in its
 * own file.
 */

export type ActivityPushInput =
  | EmailActivityInput
  | NoteActivityInput
  | TaskActivityInput
  | CallActivityInput
  | MeetingActivityInput
  | MeetingSummaryActivityInput;

/**
 * `create` (only without a link: E12, with the X4 plan), `update` of the linked record, or `skip`
 * with a stable code, the rule ids and a sentence naming the record. Never throws for the
 * activity's own data: bad input is a skip with code `invalid_input`.
 */
export function decideActivityPush(input: ActivityPushInput): ActivityDecision {
  switch (input.kind) {
    case 'email':
      return decideEmailActivity(input);
    case 'note':
      return decideNoteActivity(input);
    case 'task':
      return decideTaskActivity(input);
    case 'call':
      return decideCallActivity(input);
    case 'meeting':
      return decideMeetingActivity(input);
    case 'meeting_summary':
      return decideMeetingSummaryActivity(input);
  }
}

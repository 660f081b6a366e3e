import { Meeting, MeetingSummary, Note } from '../model/activities.js';
import {
  ActivityTrail,
  activityLink,
  checkRecord,
  checkWorkspace,
  createOrUpdate,
  decided,
  describeOf,
  extraMappedFields,
  fitText,
  linkedDealAndAccount,
  personInSalesforce,
  type ActivityContext,
  type ActivityDecision,
} from './activity-decision.js';
import type { SalesforceFields } from './decision.js';

/*
 * E7 notes and E11 meeting summaries: both become Salesforce Notes (`ParentId`, `Title`,
 * `Body`). A Note must have a parent, so one about nothing in Salesforce is not pushed.
 */

export interface NoteActivityInput extends ActivityContext {
  kind: 'note';
  record: Note;
}

export interface MeetingSummaryActivityInput extends ActivityContext {
  kind: 'meeting_summary';
  record: MeetingSummary;
  /** The summary's meeting (`record.meetingId`); null when the engine could not find it. */
  meeting: Meeting | null;
}

/** A Note's Title is required: the note's own title, else the first line of its body. */
function noteTitle(title: string, body: string, fallback: string): string {
  const own = title.replace(/\s+/g, ' ').trim();
  if (own !== '') return own;
  const firstLine = body
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== '');
  return firstLine ?? fallback;
}

/** E7: ParentId is the note's person, else its company, else its deal, as linked in this org. */
function noteParent(note: Note, input: ActivityContext): { id: string; what: string } | null {
  const person = note.personId === null ? undefined : input.people.find((p) => p.record.id === note.personId);
  const sf = person === undefined ? null : personInSalesforce(person, input.orgId);
  if (sf !== null) return { id: sf.id, what: `its person's ${sf.object}` };
  const { accountId, opportunityId } = linkedDealAndAccount(input);
  if (accountId !== null) return { id: accountId, what: "its company's Account" };
  if (opportunityId !== null) return { id: opportunityId, what: "its deal's Opportunity" };
  return null;
}

/** E7: a note becomes a Salesforce Note on its linked person, company or deal. */
export function decideNoteActivity(input: NoteActivityInput): ActivityDecision {
  const note = input.record;
  const trail: ActivityTrail = new ActivityTrail('note', `Note ${note.id}`);
  return decided(() => {
    checkRecord(Note, note, trail, 'E7');
    checkWorkspace(note, input, trail, 'E7');
    if (!input.settings.activities.notes.pushNotes)
      return trail.skip('push_notes_off', ['E7'], `${trail.label} was not pushed: "Push notes" is off.`);
    trail.rule('E7');
    const link = activityLink(input, 'Note', trail);
    const describe = describeOf(input, 'Note', trail);
    const parent = noteParent(note, input);
    if (parent === null) {
      trail.stop(
        'no_linked_record',
        ['E7'],
        `${trail.label} was not pushed: a Salesforce Note needs a parent, and none of its person, company or deal is in Salesforce; push one of them first.`,
      );
    }
    const fields: SalesforceFields = {
      ParentId: parent.id,
      Title: fitText(noteTitle(note.title, note.body, 'Note'), 'Title', describe, trail, 'title'),
      Body: fitText(note.body, 'Body', describe, trail, 'body'),
    };
    Object.assign(
      fields,
      extraMappedFields(
        input,
        'Note',
        { title: note.title, body: note.body },
        fields,
        link === null ? 'create' : 'update',
        link?.snapshot ?? null,
        trail,
      ),
    );
    return createOrUpdate({
      ctx: input,
      trail,
      kind: 'note',
      object: 'Note',
      localId: note.id,
      link,
      fields,
      who: null,
      reason: `"Push notes" is on, so the note is pushed as a Note on ${parent.what} ${parent.id} (E7).`,
    });
  });
}

/**
 * E11: a meeting's summary becomes a Note on the Opportunity of the meeting's deal. It needs the
 * deal linked (any deal sync other than off); no deal, deal sync off or an unlinked deal is a
 * skip that says which.
 */
export function decideMeetingSummaryActivity(input: MeetingSummaryActivityInput): ActivityDecision {
  const summary = input.record;
  const trail: ActivityTrail = new ActivityTrail('meeting_summary', `Meeting summary ${summary.id}`);
  return decided(() => {
    checkRecord(MeetingSummary, summary, trail, 'E11');
    const meeting = input.meeting;
    if (meeting !== null) {
      if (meeting.id !== summary.meetingId)
        trail.stop(
          'invalid_input',
          ['E11'],
          `${trail.label} was not sent: its meetingId is ${summary.meetingId}, but meeting ${meeting.id} was given.`,
        );
      if (meeting.workspaceId !== input.workspace.id)
        trail.stop(
          'other_workspace',
          ['E11'],
          `${trail.label} was not sent: its meetingId names meeting ${meeting.id}, which is not of workspace ${input.workspace.id}.`,
        );
    }
    const dealId = meeting?.dealId ?? summary.dealId;
    checkWorkspace({ ...summary, dealId }, input, trail, 'E11');
    if (!input.settings.activities.meetingSummaries.pushMeetingSummaries)
      return trail.skip(
        'push_meeting_summaries_off',
        ['E11'],
        `${trail.label} was not pushed: "Push meeting summaries" is off.`,
      );
    trail.rule('E11');
    if (dealId === null) {
      return trail.skip(
        'meeting_has_no_deal',
        ['E11'],
        `${trail.label} was not pushed: meeting ${summary.meetingId} has no deal, and a summary is pushed only as a Note on the meeting's deal's Opportunity.`,
      );
    }
    if (input.settings.deals.dealSync === 'off') {
      return trail.skip(
        'deal_not_linked',
        ['E11', 'D2'],
        `${trail.label} was not pushed: deal sync is off, so deal ${dealId} is not synced with an Opportunity to put the summary on; turn deal sync on.`,
      );
    }
    const { opportunityId } = linkedDealAndAccount(input);
    if (opportunityId === null) {
      return trail.skip(
        'deal_not_linked',
        ['E11'],
        `${trail.label} was not pushed: deal ${dealId} is not linked to an Opportunity yet; it is pushed once the deal is synced.`,
      );
    }
    const link = activityLink(input, 'Note', trail);
    const describe = describeOf(input, 'Note', trail);
    const heading =
      meeting === null || meeting.title.trim() === ''
        ? 'Meeting summary'
        : `Meeting summary: ${meeting.title}`;
    const fields: SalesforceFields = {
      ParentId: opportunityId,
      Title: fitText(noteTitle(heading, '', 'Meeting summary'), 'Title', describe, trail, 'meeting.title'),
      Body: fitText(summary.text, 'Body', describe, trail, 'text'),
    };
    Object.assign(
      fields,
      extraMappedFields(
        input,
        'Note',
        { text: summary.text },
        fields,
        link === null ? 'create' : 'update',
        link?.snapshot ?? null,
        trail,
      ),
    );
    return createOrUpdate({
      ctx: input,
      trail,
      kind: 'meeting_summary',
      object: 'Note',
      localId: summary.id,
      link,
      fields,
      who: null,
      reason: `"Push meeting summaries" is on and deal ${dealId} is linked to Opportunity ${opportunityId}, so the summary is a Note on it (E11).`,
    });
  });
}

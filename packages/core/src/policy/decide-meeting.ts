import { Meeting } from '../model/activities.js';
import {
  ActivityTrail,
  activityLink,
  bareAddress,
  checkRecord,
  checkWorkspace,
  createAsObject,
  createOrUpdate,
  decided,
  describeOf,
  extraMappedFields,
  findInSalesforce,
  fitText,
  onMailboxDomain,
  settleWhat,
  writeActivityOwner,
  type ActivityContext,
  type ActivityDecision,
  type WhoSettlement,
} from './activity-decision.js';
import { externalParty } from './classify-email.js';
import type { SalesforceFields } from './decision.js';
import { emailKey } from './match.js';

/*
 * E10: a meeting becomes an Event with its attendees as EventRelations. Pushed when an attendee
 * is in Salesforce; `pushAllCalendarEvents` also pushes calendar events not scheduled through
 * the app and creates missing attendees as C4 says (never addresses on mailbox domains).
 */

export interface MeetingActivityInput extends ActivityContext {
  kind: 'meeting';
  record: Meeting;
}

/** The attendees worth relating: not the team (mailbox domains, the team's own addresses). */
function outsideAttendees(meeting: Meeting, workspace: ActivityContext['workspace']): string[] {
  // externalParty's rule for the To side of an outgoing email is exactly "who is outside the team".
  return externalParty(
    { direction: 'outgoing', sentThroughApp: false, from: '', to: meeting.attendees, subject: '' },
    workspace,
  );
}

const toIso = (t: string): string => new Date(Date.parse(t)).toISOString();

export function decideMeetingActivity(input: MeetingActivityInput): ActivityDecision {
  const meeting = input.record;
  const trail: ActivityTrail = new ActivityTrail('meeting', `Meeting ${meeting.id}`);
  return decided(() => {
    checkRecord(Meeting, meeting, trail, 'E10');
    checkWorkspace(meeting, input, trail, 'E10');
    const settings = input.settings.activities.meetings;
    if (!settings.pushMeetings)
      return trail.skip(
        'push_meetings_off',
        ['E10'],
        `${trail.label} was not pushed: "Push meetings" is off.`,
      );
    trail.rule('E10');
    if (!meeting.scheduledThroughApp && !settings.pushAllCalendarEvents) {
      return trail.skip(
        'not_scheduled_through_app',
        ['E10'],
        `${trail.label} was not pushed: it was not scheduled through the app, and "Push all calendar events" is off.`,
      );
    }
    const link = activityLink(input, 'Event', trail);
    const describe = describeOf(input, 'Event', trail);

    const attendees = outsideAttendees(meeting, input.workspace);
    const found: WhoSettlement[] = [];
    const missing: string[] = [];
    for (const address of attendees) {
      const hit = findInSalesforce(address, input, meeting.id, trail, 'E10');
      if (hit === null) missing.push(address);
      else found.push(hit);
    }
    if (found.length === 0 && !settings.pushAllCalendarEvents) {
      const who =
        attendees.length === 0
          ? 'it has no attendee outside the team'
          : `none of its attendees (${attendees.join(', ')}) is in Salesforce`;
      return trail.skip(
        'no_attendee_in_salesforce',
        ['E10'],
        `${trail.label} was not pushed: ${who}, and "Push all calendar events" is off.`,
      );
    }
    const created: WhoSettlement[] = [];
    if (missing.length > 0) {
      const creatable = settings.pushAllCalendarEvents
        ? missing.filter((a) => !onMailboxDomain(a, input.workspace))
        : [];
      const left = missing.filter((a) => !creatable.includes(a));
      if (creatable.length > 0) {
        const object = createAsObject(input.settings);
        trail.rule('C4');
        for (const address of creatable) {
          const key = emailKey(address);
          const local = input.people.find((p) => emailKey(p.record.email) === key);
          created.push({
            via: 'create',
            object,
            email: bareAddress(address),
            personId: local?.record.id ?? null,
          });
        }
        trail.add(
          'E10',
          'who_to_create',
          `"Push all calendar events" is on, so the attendees not in Salesforce (${creatable.join(', ')}) are created as ${object}s ("create as", C4) and related to the Event.`,
        );
      }
      if (left.length > 0) {
        const why = settings.pushAllCalendarEvents
          ? 'they are on mailbox domains, which are never created'
          : '"Push all calendar events" is off, so missing attendees are not created';
        trail.add(
          'E10',
          'attendee_not_in_salesforce',
          `Attendees not in Salesforce and not related: ${left.join(', ')} (${why}).`,
        );
      }
    }
    const relations = [...found, ...created];
    const who = relations[0] ?? null;
    if (who?.via === 'existing')
      trail.add('E10', 'who_found', `WhoId is ${who.object} ${who.id} (${who.email ?? 'an attendee'}).`, [
        who.id,
      ]);
    const what = settleWhat(who, input, trail);

    const title = meeting.title.replace(/\s+/g, ' ').trim();
    const fields: SalesforceFields = {
      Subject: fitText(title === '' ? 'Meeting' : title, 'Subject', describe, trail, 'title'),
      Description: fitText(meeting.description, 'Description', describe, trail, 'description'),
      StartDateTime: toIso(meeting.start),
      EndDateTime: toIso(meeting.end),
    };
    if (who?.via === 'existing') fields.WhoId = who.id;
    if (what !== null) fields.WhatId = what;
    Object.assign(
      fields,
      extraMappedFields(
        input,
        'Event',
        { title: meeting.title, description: meeting.description, start: meeting.start, end: meeting.end },
        fields,
        link === null ? 'create' : 'update',
        link?.snapshot ?? null,
        trail,
      ),
    );
    if (link === null) writeActivityOwner(meeting.ownerId, input, fields, trail);
    const source = meeting.scheduledThroughApp
      ? 'it was scheduled through the app'
      : 'it is a calendar event and "Push all calendar events" is on';
    return createOrUpdate({
      ctx: input,
      trail,
      kind: 'meeting',
      object: 'Event',
      localId: meeting.id,
      link,
      fields,
      who,
      relations,
      reason: `"Push meetings" is on and ${source}, so it is pushed as an Event with ${relations.length} attendee${relations.length === 1 ? '' : 's'} related (E10).`,
    });
  });
}

import { Checkbox, Notice, Section } from '../../ui.js';
import { ExclusionRules, type ExclusionRule } from './ExclusionRules.js';
import { bool } from './SettingsBool.js';
import { SettingsForm } from './SettingsForm.js';
import { TemplateEditor } from './TemplateEditor.js';

/* Settings pages for activities: emails, notes, tasks, calls, meetings and meeting summaries (E rules). */

// The seed's warning, shown next to E3, E5 and E10.
const UNEXPECTED_CONTACTS =
  'Use caution: this can create contacts or leads in Salesforce that you do not expect to see.';

const EMAIL_KINDS: [string, string][] = [
  ['outgoingSentThroughApp', 'Push outgoing emails sent through crmsync'],
  ['outgoingNotSentThroughApp', 'Push outgoing emails not sent through crmsync'],
  ['incomingReplyToApp', 'Push incoming emails that reply to emails sent through crmsync'],
  ['incomingOther', 'Push incoming emails from all other sources'],
  ['internal', 'Push internal emails'],
];

export function EmailsPage() {
  return (
    <SettingsForm
      title="Emails"
      affectsPush
      intro={<p>Which emails are logged in Salesforce as Tasks, under what title (E1-E6).</p>}
    >
      {(d) => (
        <>
          <Section title="Push emails">
            {bool(d, 'activities.emails.pushEmails', 'Push emails')}
            <fieldset className="field checks">
              <legend>Kinds of email to push</legend>
              {EMAIL_KINDS.map(([k, label]) => (
                <Checkbox
                  key={k}
                  label={label}
                  checked={d.get<boolean>(`activities.emails.kinds.${k}`) === true}
                  onChange={(v) => d.set(`activities.emails.kinds.${k}`, v)}
                  {...(k === 'internal'
                    ? {
                        hint: 'Internal: between the domains of your connected mailboxes. Free-mail domains such as gmail.com are never internal.',
                      }
                    : {})}
                />
              ))}
            </fieldset>
            {bool(
              d,
              'activities.emails.pushEmailsWithoutMatch',
              'Push emails even if the sender or recipient is not in Salesforce',
              UNEXPECTED_CONTACTS,
            )}
          </Section>
          <Section title="Email title">
            <Notice kind="warning">
              {UNEXPECTED_CONTACTS.replace('this', 'customizing title templates')}
            </Notice>
            <TemplateEditor
              activity="email"
              value={d.get<string>('activities.emails.titleTemplate')}
              onChange={(v) => d.set('activities.emails.titleTemplate', v)}
            />
          </Section>
          <Section title="Exclusion rules">
            <ExclusionRules
              rules={d.get<ExclusionRule[]>('activities.emails.exclusionRules')}
              onChange={(r) => d.set('activities.emails.exclusionRules', r)}
            />
          </Section>
        </>
      )}
    </SettingsForm>
  );
}

export function NotesPage() {
  return (
    <SettingsForm
      title="Notes"
      affectsPush
      intro={<p>Notes become Salesforce Notes on the linked record (E7).</p>}
    >
      {(d) => <Section title="Notes">{bool(d, 'activities.notes.pushNotes', 'Push notes')}</Section>}
    </SettingsForm>
  );
}

export function TasksPage() {
  return (
    <SettingsForm title="Tasks" affectsPush intro={<p>Tasks become Salesforce Tasks (E8).</p>}>
      {(d) => (
        <Section title="Tasks">
          {bool(d, 'activities.tasks.pushTasks', 'Push tasks')}
          <TemplateEditor
            activity="task"
            value={d.get<string>('activities.tasks.titleTemplate')}
            onChange={(v) => d.set('activities.tasks.titleTemplate', v)}
          />
        </Section>
      )}
    </SettingsForm>
  );
}

export function CallsPage() {
  return (
    <SettingsForm
      title="Calls"
      affectsPush
      intro={<p>Calls become completed Salesforce Tasks of subtype Call (E9).</p>}
    >
      {(d) => (
        <Section title="Calls">
          {bool(d, 'activities.calls.pushCalls', 'Push calls')}
          <TemplateEditor
            activity="call"
            value={d.get<string>('activities.calls.titleTemplate')}
            onChange={(v) => d.set('activities.calls.titleTemplate', v)}
          />
        </Section>
      )}
    </SettingsForm>
  );
}

export function MeetingsPage() {
  return (
    <SettingsForm
      title="Meetings"
      affectsPush
      intro={<p>Meetings become Salesforce Events with their attendees (E10).</p>}
    >
      {(d) => (
        <Section title="Meetings">
          {bool(d, 'activities.meetings.pushMeetings', 'Push meetings scheduled through crmsync')}
          {bool(
            d,
            'activities.meetings.pushAllCalendarEvents',
            'Push all calendar events, even when no attendee is in Salesforce',
            UNEXPECTED_CONTACTS,
          )}
        </Section>
      )}
    </SettingsForm>
  );
}

export function MeetingSummariesPage() {
  return (
    <SettingsForm
      title="Meeting summaries"
      affectsPush
      intro={
        <p>A meeting's summary becomes a Note on its deal's Opportunity (E11); it needs deal sync on.</p>
      }
    >
      {(d) => (
        <Section title="Meeting summaries">
          {bool(d, 'activities.meetingSummaries.pushMeetingSummaries', 'Push meeting summaries')}
          {d.get('activities.meetingSummaries.pushMeetingSummaries') === true &&
            d.get('deals.dealSync') === 'off' && (
              <Notice kind="warning">
                Deal sync is off, so summaries are skipped until deals are linked (Deals page).
              </Notice>
            )}
        </Section>
      )}
    </SettingsForm>
  );
}

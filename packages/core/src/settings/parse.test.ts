import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultSettings, parseSettings } from './parse.js';
import { DEFAULT_FIELD_MAPPINGS } from './field-maps.js';
import { DEFAULT_TEMPLATES } from './template-variables.js';

test('the defaults table: { version: 2 } is a complete document with every default of the spec', () => {
  const s = defaultSettings();
  assert.equal(s.lifecycle.configurationWindowHours, 6); // L1
  assert.equal(s.contacts.pushContacts, false); // C2
  assert.equal(s.contacts.pushMode, 'all'); // C3
  assert.equal(s.contacts.createAs, 'contact'); // C4
  assert.deepEqual([s.contacts.sourceField, s.contacts.sourceValue], ['LeadSource', 'Apollo']); // C5
  assert.equal(s.contacts.pushGuessedEmails, false); // C6
  assert.equal(s.contacts.leadCompanyPlaceholder, '[not provided]'); // C8
  assert.deepEqual([s.contacts.deletionSync, s.contacts.mergeSync], [false, false]); // C10, C11
  assert.equal(s.accounts.pushAccounts, true); // A1
  assert.equal(s.accounts.pushMode, 'all'); // A2
  assert.deepEqual([s.accounts.sourceField, s.accounts.sourceValue], ['AccountSource', 'Apollo']); // A3
  assert.deepEqual([s.accounts.deletionSync, s.accounts.mergeSync], [false, false]); // A4, A5
  assert.equal(s.deals.dealSync, 'off'); // D1-D4
  assert.equal(s.deals.hideDeals, false); // D5
  assert.equal(s.activities.emails.pushEmails, false); // E1
  assert.ok(Object.values(s.activities.emails.kinds).every((k) => k === false));
  assert.equal(s.activities.emails.pushEmailsWithoutMatch, false); // E3
  assert.equal(s.activities.notes.pushNotes, false); // E7
  assert.equal(s.activities.tasks.pushTasks, false); // E8
  assert.equal(s.activities.calls.pushCalls, false); // E9
  assert.deepEqual(
    [s.activities.meetings.pushMeetings, s.activities.meetings.pushAllCalendarEvents],
    [false, false],
  ); // E10
  assert.equal(s.activities.meetingSummaries.pushMeetingSummaries, false); // E11
  assert.equal(s.matching.tieBreak, 'oldest'); // X3
  assert.deepEqual(s.fieldMappings, DEFAULT_FIELD_MAPPINGS); // X5
  assert.ok(
    Object.values(s.fieldMappings)
      .flat()
      .every((m) => m.writeRule === 'overwrite' && m.tooLong === 'truncate'),
  ); // X5, X6
  assert.equal(s.pull.pollIntervalMinutes, 5); // P1
  assert.deepEqual(s.pull.pullRecords, { contacts: true, leads: true, accounts: true }); // P3
  assert.equal(s.pull.inferLeadAccounts, false); // P4
  assert.deepEqual(s.apiBudget, { sharePercent: 20, reservePercent: 5 }); // O3
  assert.deepEqual(
    [s.activities.emails.titleTemplate, s.activities.tasks.titleTemplate, s.activities.calls.titleTemplate],
    [DEFAULT_TEMPLATES.email, DEFAULT_TEMPLATES.task, DEFAULT_TEMPLATES.call],
  ); // E5
});

test('a settings document with five different mistakes is refused whole with five messages', () => {
  const result = parseSettings({
    version: 2,
    contacts: { pushMode: 'some', pushContact: true },
    accounts: { pushAccounts: 'yes' },
    matching: { tieBreak: 'newest' },
    apiBudget: { sharePercent: 0 },
  });
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.deepEqual(result.problems.map((p) => p.path).sort(), [
    'accounts.pushAccounts',
    'apiBudget.sharePercent',
    'contacts.pushContact',
    'contacts.pushMode',
    'matching.tieBreak',
  ]);
  const byPath = new Map(result.problems.map((p) => [p.path, p.message]));
  assert.match(byPath.get('contacts.pushContact')!, /did you mean "pushContacts"/);
  assert.match(byPath.get('contacts.pushMode')!, /"some".*choose one of "all", "stages"/);
  assert.match(byPath.get('accounts.pushAccounts')!, /must be true or false, not the text "yes"/);
  assert.match(byPath.get('matching.tieBreak')!, /"oldest", "most_recently_modified", "random"/);
});

test('semantic problems are listed together with shape problems of other sections', () => {
  const result = parseSettings(
    {
      version: 2,
      contacts: { pushContacts: true, pushMode: 'stages', stages: [] },
      accounts: { pushMode: 'stages', stages: ['Customr'] },
      matching: { tieBreak: 42 },
      activities: {
        emails: { exclusionRules: [{ name: 'empty' }, { name: 'bad', from: { domains: ['not a domain'] } }] },
      },
      fieldMappings: {
        Contact: [
          { local: 'firstname', salesforce: 'FirstName' },
          { local: 'lastName', salesforce: 'FirstName' },
        ],
      },
    },
    { stages: { people: ['Cold', 'Warm'], companies: ['Prospect', 'Customer'], deals: [] } },
  );
  assert.equal(result.ok, false);
  if (result.ok) return;
  const messages = result.problems.map((p) => `${p.path}: ${p.message}`);
  assert.ok(
    messages.some((m) => m.startsWith('contacts.stages: push by stage needs at least one stage')),
    messages.join('\n'),
  );
  assert.ok(
    messages.some((m) =>
      /accounts\.stages: "Customr" is not one of the workspace's company stages \(did you mean "Customer"\?\)/.test(
        m,
      ),
    ),
  );
  assert.ok(messages.some((m) => m.startsWith('matching.tieBreak:')));
  assert.ok(messages.some((m) => /exclusionRules\.0: rule "empty" matches nothing/.test(m)));
  assert.ok(
    messages.some((m) => /exclusionRules\.1\.from\.domains\.0: "not a domain" is not a domain/.test(m)),
  );
  assert.ok(
    messages.some((m) => /fieldMappings\.Contact\.0\.local: "firstname" .*did you mean "firstName"/.test(m)),
  );
  assert.ok(
    messages.some((m) => /fieldMappings\.Contact\.1\.salesforce: Contact\.FirstName is mapped twice/.test(m)),
  );
  assert.equal(result.problems.length, 7);
});

test('a document that is not an object, or of an unknown version, is refused with one clear problem', () => {
  for (const [input, pattern] of [
    [null, /must be a JSON object/],
    [[], /must be a JSON object/],
    [{}, /version: must be a whole number/],
    [{ version: 9 }, /9 is not a settings version/],
    [{ version: '2' }, /must be a whole number/],
  ] as const) {
    const r = parseSettings(input);
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.problems.length, 1);
      assert.match(r.problems[0]!.message, pattern);
    }
  }
});

test('upgrade: a version 1 document with deal checkboxes and email kind names comes forward to version 2', () => {
  const cases: Array<[Record<string, boolean>, string]> = [
    [{ syncDeals: true }, 'bidirectional'],
    [{ pullOpportunities: true, pushDeals: true }, 'bidirectional'],
    [{ pullOpportunities: true }, 'pull'],
    [{ pushDeals: true }, 'push'],
    [{}, 'off'],
  ];
  for (const [deals, dealSync] of cases) {
    const r = parseSettings({
      version: 1,
      deals: { ...deals, hideDeals: true },
      activities: { emails: { pushEmails: true, types: ['internal', 'incoming_reply'] } },
    });
    assert.equal(r.ok, true, JSON.stringify(r));
    if (!r.ok) continue;
    assert.equal(r.upgradedFrom, 1);
    assert.equal(r.settings.version, 2);
    assert.equal(r.settings.deals.dealSync, dealSync);
    assert.equal(r.settings.deals.hideDeals, true);
    assert.equal(r.settings.activities.emails.kinds.internal, true);
    assert.equal(r.settings.activities.emails.kinds.incomingReplyToApp, true);
    assert.equal(r.settings.activities.emails.kinds.incomingOther, false);
  }
  const current = parseSettings({ version: 2 });
  assert.ok(current.ok && current.upgradedFrom === null);
});

test('upgrade: an unknown version 1 email kind is named as a problem, not dropped', () => {
  const r = parseSettings({ version: 1, activities: { emails: { types: ['outgoing_app', 'spam'] } } });
  assert.equal(r.ok, false);
  if (!r.ok)
    assert.deepEqual(
      r.problems.map((p) => p.path),
      ['activities.emails.kinds.spam'],
    );
});

test('edges: 100,000-character values, unicode stage names and an empty stage name', () => {
  const long = 'x'.repeat(100_000);
  const r = parseSettings({ version: 2, contacts: { sourceValue: long, stages: ['Qualifié 🚀', ''] } });
  assert.equal(r.ok, false);
  if (r.ok) return;
  const paths = r.problems.map((p) => p.path).sort();
  assert.deepEqual(paths, ['contacts.sourceValue', 'contacts.stages.1']);
  // The echo of a huge value is abbreviated so a UI or CLI can show the message.
  assert.ok(r.problems.every((p) => p.message.length < 300));
  const ok = parseSettings(
    { version: 2, contacts: { pushMode: 'stages', stages: ['Qualifié 🚀'] } },
    { stages: { people: ['Qualifié 🚀'], companies: [], deals: [] } },
  );
  assert.equal(ok.ok, true);
});

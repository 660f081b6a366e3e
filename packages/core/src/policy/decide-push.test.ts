import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decidePush, type CompanyPushInput, type PersonPushInput } from './decide-push.js';
import type { PushAction, PushDecision } from './decision.js';
import type { AccountCandidate, PersonCandidate } from './match.js';
import {
  company,
  DEFAULT_OWNER,
  DESCRIBES,
  INTEGRATION_USER,
  JANE_SF,
  link,
  ORG,
  OTHER_ORG,
  OWNERS,
  person,
  settings,
  sfId,
  withField,
} from './push-test-fixtures.js';

const ON = settings({ contacts: { pushContacts: true } });
const OFF = settings({ contacts: { pushContacts: false } });
const ACCOUNT_ID = sfId('001', 1);
const companyLink = link({ localType: 'company', localId: 'c1', sfObject: 'Account', sfId: ACCOUNT_ID });

function decideFor(over: Partial<PersonPushInput> = {}): PushDecision {
  return decidePush({
    kind: 'person',
    record: person(),
    link: null,
    company: { record: company(), link: companyLink },
    settings: ON,
    trigger: 'change',
    orgId: ORG,
    matchCandidates: { people: [], accounts: [] },
    owners: OWNERS,
    describes: DESCRIBES,
    current: null,
    ...over,
  });
}

function decideCompany(over: Partial<CompanyPushInput> = {}): PushDecision {
  return decidePush({
    kind: 'company',
    record: company(),
    link: null,
    settings: settings(),
    trigger: 'change',
    orgId: ORG,
    matchCandidates: { people: [], accounts: [] },
    owners: OWNERS,
    describes: DESCRIBES,
    current: null,
    ...over,
  });
}

/** Asserts the action and narrows to it, showing the reason when it differs. */
function expect<A extends PushAction>(d: PushDecision, action: A): Extract<PushDecision, { action: A }> {
  assert.equal(d.action, action, `expected ${action}, got ${d.action}: ${d.reason}`);
  return d as Extract<PushDecision, { action: A }>;
}

const noteCodes = (d: PushDecision) => d.notes.map((n) => n.code);

const contactCandidate = (
  n: number,
  email: string,
  created = '2020-01-01T00:00:00.000+0000',
  modified = created,
): PersonCandidate => ({
  object: 'Contact',
  Id: sfId('003', n),
  Email: email,
  CreatedDate: created,
  LastModifiedDate: modified,
});
const leadCandidate = (n: number, email: string, convertedTo: string | null = null): PersonCandidate => ({
  object: 'Lead',
  Id: sfId('00Q', n),
  Email: email,
  CreatedDate: '2019-01-01T00:00:00.000+0000',
  LastModifiedDate: '2019-01-01T00:00:00.000+0000',
  IsConverted: convertedTo !== null,
  ConvertedContactId: convertedTo,
});
const accountCandidate = (
  n: number,
  name: string,
  website: string | null,
  created: string,
  modified = created,
): AccountCandidate => ({
  Id: sfId('001', n),
  Name: name,
  Website: website,
  CreatedDate: created,
  LastModifiedDate: modified,
});

// --- C1, C2, C3, C9, M1: whether a person is pushed --------------------------------------------

test('C1: a linked person is updated with push contacts off; the same person unlinked is skipped', () => {
  const linked = expect(decideFor({ settings: OFF, link: link() }), 'update');
  assert.equal(linked.sfId, sfId('003', 1));
  assert.equal(linked.rules[0], 'C1');
  assert.equal(linked.fields.LastName, 'Lovelace');
  const unlinked = expect(decideFor({ settings: OFF }), 'skip');
  assert.deepEqual([unlinked.code, unlinked.rules], ['push_contacts_off', ['C2']]);
});

test('C2: a net-new person is created with push contacts on and skipped with it off', () => {
  const on = expect(decideFor({ settings: ON }), 'create');
  assert.equal(on.object, 'Contact');
  assert.ok(on.rules.includes('C2'));
  expect(decideFor({ settings: OFF }), 'skip');
});

test('C3: in stages mode a net-new person at a selected stage is created, at another stage skipped', () => {
  const s = settings({ contacts: { pushContacts: true, pushMode: 'stages', stages: ['Qualified'] } });
  expect(decideFor({ settings: s, record: person({ stage: 'qualified' }) }), 'create');
  const skipped = expect(decideFor({ settings: s, record: person({ stage: 'Cold' }) }), 'skip');
  assert.deepEqual([skipped.code, skipped.rules[0]], ['stage_not_selected', 'C3']);
  expect(decideFor({ settings: ON, record: person({ stage: 'Cold' }) }), 'create');
});

test('C9: push all creates an unlinked person that C2 and C3 would skip', () => {
  const s = settings({ contacts: { pushContacts: false, pushMode: 'stages', stages: ['Qualified'] } });
  const all = expect(
    decideFor({ settings: s, trigger: 'push_all', record: person({ stage: 'Cold' }) }),
    'create',
  );
  assert.ok(all.rules.includes('C9'));
  assert.ok(noteCodes(all).includes('push_all_override'));
  expect(decideFor({ settings: s, trigger: 'change', record: person({ stage: 'Cold' }) }), 'skip');
});

test('C9: push all still follows C4: leads when create-as is lead', () => {
  const s = settings({ contacts: { pushContacts: false, createAs: 'lead' } });
  assert.equal(expect(decideFor({ settings: s, trigger: 'push_all' }), 'create').object, 'Lead');
});

test('M1: a manual push creates a net-new person that push contacts off would skip', () => {
  const manual = expect(decideFor({ settings: OFF, trigger: 'manual' }), 'create');
  assert.ok(manual.rules.includes('M1'));
  assert.ok(noteCodes(manual).includes('manual_override'));
  expect(decideFor({ settings: OFF, trigger: 'change' }), 'skip');
});

test('M1: a manual push overrides a link marked deleted in Salesforce and creates the person again', () => {
  const gone = link({ state: 'deleted_in_salesforce' });
  const auto = expect(decideFor({ link: gone }), 'skip');
  assert.deepEqual([auto.code, auto.rules[0]], ['link_deleted_in_salesforce', 'C10']);
  const manual = expect(decideFor({ link: gone, trigger: 'manual' }), 'create');
  assert.ok(manual.rules.includes('M1') && manual.rules.includes('C10'));
});

test('M1: a manual push still applies C4, C6 and C8', () => {
  const s = settings({
    contacts: { pushContacts: false, createAs: 'lead', leadCompanyPlaceholder: 'Unknown Co' },
  });
  const d = expect(
    decideFor({
      settings: s,
      trigger: 'manual',
      record: person({ emailStatus: 'guessed', companyId: null }),
      company: null,
    }),
    'create',
  );
  assert.equal(d.object, 'Lead');
  assert.equal('Email' in d.fields, false);
  assert.equal(d.fields.Company, 'Unknown Co');
});

test('C11: a merged link stops automatic pushes; a manual push finds the survivor by email and links it', () => {
  const merged = link({ state: 'merged', mergedInto: sfId('003', 5) });
  const people = [contactCandidate(5, 'ada@acme.com')];
  const auto = expect(decideFor({ link: merged, matchCandidates: { people, accounts: [] } }), 'skip');
  assert.equal(auto.code, 'link_merged');
  const manual = expect(
    decideFor({ link: merged, trigger: 'manual', matchCandidates: { people, accounts: [] } }),
    'link_existing',
  );
  assert.equal(manual.sfId, sfId('003', 5));
});

test('C1: a link of another org is never written through: the person is treated as net-new', () => {
  const old = link({ orgId: OTHER_ORG });
  const viaOld = expect(decideFor({ link: old }), 'create');
  assert.ok(noteCodes(viaOld).includes('old_org_link_ignored'));
  expect(decideFor({ link: link() }), 'update');
  expect(decideFor({ link: old, settings: OFF }), 'skip');
});

// --- C4, C5, C6, C8: what is written --------------------------------------------------------

test('C4: create-as decides the object for a net-new person', () => {
  const asContact = expect(
    decideFor({ settings: settings({ contacts: { pushContacts: true, createAs: 'contact' } }) }),
    'create',
  );
  const asLead = expect(
    decideFor({ settings: settings({ contacts: { pushContacts: true, createAs: 'lead' } }) }),
    'create',
  );
  assert.deepEqual([asContact.object, asLead.object], ['Contact', 'Lead']);
  assert.ok(asLead.rules.includes('C4'));
});

test('C5: the source goes to LeadSource on create, with the configured value', () => {
  const apollo = expect(decideFor(), 'create');
  const web = expect(
    decideFor({ settings: settings({ contacts: { pushContacts: true, sourceValue: 'Web' } }) }),
    'create',
  );
  assert.equal(apollo.fields.LeadSource, 'Apollo');
  assert.equal(web.fields.LeadSource, 'Web');
});

test('C5: the source is never written on update, nor when linking an existing record', () => {
  const created = expect(decideFor(), 'create');
  const updated = expect(decideFor({ link: link() }), 'update');
  const linked = expect(
    decideFor({ matchCandidates: { people: [contactCandidate(4, 'ada@acme.com')], accounts: [] } }),
    'link_existing',
  );
  assert.equal(created.fields.LeadSource, 'Apollo');
  assert.equal('LeadSource' in updated.fields, false);
  assert.equal('LeadSource' in linked.fields, false);
});

test('C5: an empty source, a source field the org lacks, or a value its restricted picklist refuses is left out; the person is still created', () => {
  const empty = expect(
    decideFor({ settings: settings({ contacts: { pushContacts: true, sourceValue: '' } }) }),
    'create',
  );
  assert.equal('LeadSource' in empty.fields, false);
  const missing = expect(
    decideFor({ settings: settings({ contacts: { pushContacts: true, sourceField: 'Source__c' } }) }),
    'create',
  );
  assert.equal('Source__c' in missing.fields, false);
  assert.match(missing.notes.find((n) => n.code === 'source_not_written')!.message, /no field Source__c/);
  const restricted = expect(
    decideFor({ describes: withField('Contact', { name: 'LeadSource', restrictedPicklist: true }) }),
    'create',
  );
  assert.equal('LeadSource' in restricted.fields, false);
  assert.match(
    restricted.notes.find((n) => n.code === 'source_not_written')!.message,
    /"Web", "Phone Inquiry", "Other"/,
  );
});

test('C6: a guessed email is withheld with push guessed emails off and written with it on', () => {
  const guessed = person({ emailStatus: 'guessed' });
  const off = expect(decideFor({ record: guessed }), 'create');
  const on = expect(
    decideFor({
      record: guessed,
      settings: settings({ contacts: { pushContacts: true, pushGuessedEmails: true } }),
    }),
    'create',
  );
  assert.equal('Email' in off.fields, false);
  assert.ok(noteCodes(off).includes('email_withheld'));
  assert.equal(off.fields.LastName, 'Lovelace', 'the person itself is still pushed');
  assert.equal(on.fields.Email, 'ada@acme.com');
});

test('C6: a guessed email on a linked person never blanks the email already in Salesforce', () => {
  const snapshot = { Email: 'ada@acme.com', LastName: 'Lovelace' };
  const guessed = expect(
    decideFor({
      record: person({ emailStatus: 'guessed', email: 'ada.l@acme.com' }),
      link: link({ snapshot }),
    }),
    'update',
  );
  const verified = expect(
    decideFor({
      record: person({ emailStatus: 'verified', email: 'ada.l@acme.com' }),
      link: link({ snapshot }),
    }),
    'update',
  );
  assert.equal('Email' in guessed.fields, false);
  assert.equal(verified.fields.Email, 'ada.l@acme.com');
});

test('C6: only a guessed email is withheld; verified and unavailable statuses are not affected', () => {
  for (const emailStatus of ['verified', 'unavailable'] as const) {
    const d = expect(decideFor({ record: person({ emailStatus }) }), 'create');
    assert.equal(d.fields.Email, 'ada@acme.com', emailStatus);
    assert.equal(noteCodes(d).includes('email_withheld'), false);
  }
  assert.equal(
    'Email' in expect(decideFor({ record: person({ emailStatus: 'guessed' }) }), 'create').fields,
    false,
  );
});

const LEAD = settings({ contacts: { pushContacts: true, createAs: 'lead' } });

test('C8: a Lead gets no Account and its Company is the company name', () => {
  const lead = expect(decideFor({ settings: LEAD }), 'create');
  const contact = expect(decideFor({ settings: ON }), 'create');
  assert.equal(lead.fields.Company, 'Acme');
  assert.equal('AccountId' in lead.fields, false);
  assert.equal(lead.account, null);
  assert.equal(contact.fields.AccountId, ACCOUNT_ID);
});

test('C8: a Lead without a company gets the placeholder; the placeholder setting changes it', () => {
  const standard = expect(
    decideFor({ settings: LEAD, record: person({ companyId: null }), company: null }),
    'create',
  );
  const custom = expect(
    decideFor({
      settings: settings({
        contacts: { pushContacts: true, createAs: 'lead', leadCompanyPlaceholder: 'n/a' },
      }),
      record: person({ companyId: null }),
      company: null,
    }),
    'create',
  );
  assert.equal(standard.fields.Company, '[not provided]');
  assert.equal(custom.fields.Company, 'n/a');
  assert.ok(noteCodes(standard).includes('lead_company_placeholder'));
});

test('C8: Company is set even when the admin unmapped company.name, and an update never blanks it', () => {
  const unmapped = settings({
    contacts: { pushContacts: true, createAs: 'lead' },
    fieldMappings: { Lead: [{ local: 'lastName', salesforce: 'LastName' }] },
  });
  assert.equal(expect(decideFor({ settings: unmapped }), 'create').fields.Company, 'Acme');
  const leadLink = link({
    sfObject: 'Lead',
    sfId: sfId('00Q', 1),
    snapshot: { Company: 'Acme', LastName: 'Lovelace' },
  });
  const lostCompany = expect(
    decideFor({ settings: LEAD, link: leadLink, record: person({ companyId: null }), company: null }),
    'update',
  );
  assert.equal('Company' in lostCompany.fields, false, 'required Company is kept, not blanked');
  const renamed = expect(
    decideFor({
      settings: unmapped,
      link: leadLink,
      company: { record: company({ name: 'Acme Corp' }), link: null },
    }),
    'update',
  );
  assert.equal(renamed.fields.Company, 'Acme Corp');
  const same = expect(decideFor({ settings: unmapped, link: leadLink }), 'update');
  assert.equal('Company' in same.fields, false);
});

// --- C7: the Contact's Account ---------------------------------------------------------------

test("C7: a Contact goes under its company's linked Account", () => {
  const d = expect(decideFor(), 'create');
  assert.deepEqual(d.account, { via: 'linked', accountId: ACCOUNT_ID });
  assert.equal(d.fields.AccountId, ACCOUNT_ID);
});

test('C7: no matching Account -> the Account is created too, even with account push off', () => {
  const unlinked = { record: company(), link: null };
  const withPush = expect(decideFor({ company: unlinked }), 'create');
  const withoutPush = expect(
    decideFor({
      company: unlinked,
      settings: settings({ contacts: { pushContacts: true }, accounts: { pushAccounts: false } }),
    }),
    'create',
  );
  for (const d of [withPush, withoutPush]) {
    assert.equal(d.account?.via, 'create');
    assert.equal('AccountId' in d.fields, false, 'the engine fills AccountId after creating the Account');
  }
  const account =
    withoutPush.account?.via === 'create' ? withoutPush.account : assert.fail('no account create');
  assert.equal(account.companyId, 'c1');
  assert.equal(account.fields.Name, 'Acme');
  assert.equal(account.fields.AccountSource, 'Apollo');
  assert.equal(account.fields.Website, 'https://www.acme.com');
  assert.match(withoutPush.notes.find((n) => n.code === 'account_created')!.message, /C7 overrides A1-A3/);
  assert.doesNotMatch(withPush.notes.find((n) => n.code === 'account_created')!.message, /overrides/);
});

test('C7: one matching Account is linked; a Lead never looks for one', () => {
  const accounts = [accountCandidate(3, 'Acme Inc', 'http://acme.com/home', '2020-01-01T00:00:00.000+0000')];
  const d = expect(
    decideFor({ company: { record: company(), link: null }, matchCandidates: { people: [], accounts } }),
    'create',
  );
  assert.deepEqual(d.account, {
    via: 'matched',
    accountId: sfId('001', 3),
    companyId: 'c1',
    candidateIds: [sfId('001', 3)],
  });
  assert.equal(d.fields.AccountId, sfId('001', 3));
  const lead = expect(
    decideFor({
      settings: LEAD,
      company: { record: company(), link: null },
      matchCandidates: { people: [], accounts },
    }),
    'create',
  );
  assert.equal(lead.account, null);
});

test('C7 + X3: several matching Accounts go to the tie-break, with the ambiguity and every candidate noted', () => {
  const accounts = [
    accountCandidate(3, 'Acme', 'acme.com', '2022-01-01T00:00:00.000+0000', '2025-01-01T00:00:00.000+0000'),
    accountCandidate(
      4,
      'Acme',
      'www.acme.com',
      '2020-01-01T00:00:00.000+0000',
      '2021-01-01T00:00:00.000+0000',
    ),
  ];
  const run = (tieBreak: 'oldest' | 'most_recently_modified') =>
    expect(
      decideFor({
        settings: settings({ contacts: { pushContacts: true }, matching: { tieBreak } }),
        company: { record: company(), link: null },
        matchCandidates: { people: [], accounts },
      }),
      'create',
    );
  const oldest = run('oldest');
  const recent = run('most_recently_modified');
  assert.equal(oldest.fields.AccountId, sfId('001', 4));
  assert.equal(recent.fields.AccountId, sfId('001', 3));
  const ambiguity = oldest.notes.find((n) => n.code === 'ambiguous_match')!;
  assert.deepEqual(ambiguity.ids, [sfId('001', 4), sfId('001', 3)]);
  assert.equal(ambiguity.rule, 'X3');
  assert.ok(oldest.rules.includes('X3') && oldest.rules.includes('C7'));
});

test('C7: a person without a company becomes a Contact without an Account', () => {
  const d = expect(decideFor({ record: person({ companyId: null }), company: null }), 'create');
  assert.deepEqual(d.account, { via: 'none' });
  assert.equal('AccountId' in d.fields, false);
  assert.ok(noteCodes(d).includes('no_account'));
});

test('C7: updating a linked Contact whose company is not yet in Salesforce settles the company; one already under it writes nothing', () => {
  const snapshot = { LastName: 'Lovelace', FirstName: 'Ada', Email: 'ada@acme.com', AccountId: ACCOUNT_ID };
  const unsettled = expect(
    decideFor({
      link: link({ snapshot: { LastName: 'Lovelace' } }),
      company: { record: company(), link: null },
    }),
    'update',
  );
  assert.equal(unsettled.account?.via, 'create');
  const settled = expect(decideFor({ link: link({ snapshot }) }), 'update');
  assert.deepEqual(settled.account, { via: 'unchanged', accountId: ACCOUNT_ID });
  assert.equal('AccountId' in settled.fields, false);
  const moved = expect(
    decideFor({
      link: link({ snapshot }),
      company: {
        record: company({ id: 'c2' }),
        link: link({ localType: 'company', localId: 'c2', sfObject: 'Account', sfId: sfId('001', 2) }),
      },
    }),
    'update',
  );
  assert.equal(moved.fields.AccountId, sfId('001', 2));
});

test('C7: a company whose Account was deleted in Salesforce is not re-created by its person; a merged one points at the survivor', () => {
  const deleted = expect(
    decideFor({ company: { record: company(), link: { ...companyLink, state: 'deleted_in_salesforce' } } }),
    'create',
  );
  assert.deepEqual(deleted.account, { via: 'none' });
  assert.match(deleted.notes.find((n) => n.code === 'no_account')!.message, /deleted in Salesforce/);
  const merged = expect(
    decideFor({
      company: { record: company(), link: { ...companyLink, state: 'merged', mergedInto: sfId('001', 8) } },
    }),
    'create',
  );
  assert.equal(merged.fields.AccountId, sfId('001', 8));
});

test('C7: a company link of another org is ignored and the company is matched again in this org', () => {
  const d = expect(
    decideFor({ company: { record: company(), link: { ...companyLink, orgId: OTHER_ORG } } }),
    'create',
  );
  assert.equal(d.account?.via, 'create');
});

// --- X1, X3: matching people ------------------------------------------------------------------

test('X1: a Contact with the same email (another case) is linked and updated instead of creating a duplicate', () => {
  const people = [contactCandidate(4, 'ADA@Acme.com')];
  const matched = expect(decideFor({ matchCandidates: { people, accounts: [] } }), 'link_existing');
  assert.deepEqual(
    [matched.object, matched.sfId, matched.candidateIds],
    ['Contact', sfId('003', 4), [sfId('003', 4)]],
  );
  assert.equal(matched.fields.LastName, 'Lovelace');
  assert.ok(matched.rules.includes('X1'));
  expect(
    decideFor({ matchCandidates: { people: [contactCandidate(4, 'other@acme.com')], accounts: [] } }),
    'create',
  );
});

test('X1 + X2: unicode, mixed-case emails and domains match their other spellings', () => {
  const record = person({ email: 'JÖRG@Müller.DE' });
  const people = [contactCandidate(4, 'jörg@xn--mller-kva.de')];
  const unicodeCompany = {
    record: company({ name: 'Müller GmbH', website: 'https://WWW.MÜLLER.de/kontakt' }),
    link: null,
  };
  const accounts = [
    accountCandidate(5, 'Mueller', 'http://shop.xn--mller-kva.de', '2020-01-01T00:00:00.000+0000'),
  ];
  const d = expect(
    decideFor({ record, company: unicodeCompany, matchCandidates: { people, accounts } }),
    'link_existing',
  );
  assert.equal(d.sfId, sfId('003', 4));
  assert.equal(d.fields.AccountId, sfId('001', 5));
  expect(
    decideFor({
      record: person({ email: 'jorg@muller.de' }),
      company: unicodeCompany,
      matchCandidates: { people, accounts },
    }),
    'create',
  );
});

test('X1: a Contact match wins over create-as lead; an open Lead match is linked as a Lead with its Company', () => {
  const contact = expect(
    decideFor({
      settings: LEAD,
      matchCandidates: {
        people: [leadCandidate(1, 'ada@acme.com'), contactCandidate(4, 'ada@acme.com')],
        accounts: [],
      },
    }),
    'link_existing',
  );
  assert.equal(contact.object, 'Contact');
  const lead = expect(
    decideFor({ matchCandidates: { people: [leadCandidate(1, 'ada@acme.com')], accounts: [] } }),
    'link_existing',
  );
  assert.deepEqual([lead.object, lead.sfId, lead.account], ['Lead', sfId('00Q', 1), null]);
});

test('X1: a converted Lead leads to its ConvertedContactId, and the note names both', () => {
  const d = expect(
    decideFor({
      matchCandidates: { people: [leadCandidate(1, 'ada@acme.com', sfId('003', 6))], accounts: [] },
    }),
    'link_existing',
  );
  assert.deepEqual([d.object, d.sfId], ['Contact', sfId('003', 6)]);
  assert.deepEqual(d.notes.find((n) => n.code === 'converted_lead_followed')!.ids, [
    sfId('00Q', 1),
    sfId('003', 6),
  ]);
});

test('X1 + X3: several Contacts with the email: the tie-break picks one and notes every candidate', () => {
  const people = [
    contactCandidate(1, 'ada@acme.com', '2024-01-01T00:00:00.000+0000', '2024-01-01T00:00:00.000+0000'),
    contactCandidate(2, 'ada@acme.com', '2021-01-01T00:00:00.000+0000', '2022-01-01T00:00:00.000+0000'),
  ];
  const run = (tieBreak: 'oldest' | 'most_recently_modified') =>
    expect(
      decideFor({
        settings: settings({ contacts: { pushContacts: true }, matching: { tieBreak } }),
        matchCandidates: { people, accounts: [] },
      }),
      'link_existing',
    );
  assert.equal(run('oldest').sfId, sfId('003', 2));
  assert.equal(run('most_recently_modified').sfId, sfId('003', 1));
  assert.deepEqual(run('oldest').notes.find((n) => n.code === 'ambiguous_match')!.ids, [
    sfId('003', 2),
    sfId('003', 1),
  ]);
});

test('X3: random picks the same Contact on every retry of the same person', () => {
  const people = [1, 2, 3, 4].map((n) => contactCandidate(n, 'ada@acme.com'));
  const s = settings({ contacts: { pushContacts: true }, matching: { tieBreak: 'random' } });
  const first = expect(
    decideFor({ settings: s, matchCandidates: { people, accounts: [] } }),
    'link_existing',
  ).sfId;
  const retry = expect(
    decideFor({ settings: s, matchCandidates: { people: [...people].reverse(), accounts: [] } }),
    'link_existing',
  ).sfId;
  assert.equal(retry, first);
});

test('X1: a linked person is never matched again, even when another Contact has its email', () => {
  const d = expect(
    decideFor({
      link: link(),
      matchCandidates: { people: [contactCandidate(9, 'ada@acme.com')], accounts: [] },
    }),
    'update',
  );
  assert.equal(d.sfId, sfId('003', 1));
});

// --- X5/X6 through the mapping, describes -----------------------------------------------------

test('X6: a 100,000-character last name is cut to the field by default and refuses the record with `reject`', () => {
  const long = person({ lastName: 'L'.repeat(100_000) });
  const cut = expect(decideFor({ record: long }), 'create');
  assert.equal((cut.fields.LastName as string).length, 80);
  assert.ok(cut.rules.includes('X6'));
  const strict = settings({
    contacts: { pushContacts: true },
    fieldMappings: { Contact: [{ local: 'lastName', salesforce: 'LastName', tooLong: 'reject' }] },
  });
  const refused = expect(decideFor({ record: long, settings: strict }), 'skip');
  assert.equal(refused.code, 'field_rejected');
  assert.match(refused.reason, /80/);
});

test('C7 + X6: a person whose company cannot be created as an Account (a refused value) is not sent, and the reason says why', () => {
  const strict = settings({
    contacts: { pushContacts: true },
    fieldMappings: { Account: [{ local: 'name', salesforce: 'Name', tooLong: 'reject' }] },
  });
  const longName = { record: company({ name: 'A'.repeat(300) }), link: null };
  const refused = expect(decideFor({ settings: strict, company: longName }), 'skip');
  assert.equal(refused.code, 'field_rejected');
  assert.match(refused.reason, /must be created as an Account first \(C7\)/);
  const cut = expect(decideFor({ company: longName }), 'create');
  assert.equal(cut.account?.via === 'create' && (cut.account.fields.Name as string).length, 255);
});

test('X5: a missing describe skips with a reason instead of sending unchecked fields', () => {
  const d = expect(decideFor({ describes: { Lead: DESCRIBES.Lead, Account: DESCRIBES.Account } }), 'skip');
  assert.equal(d.code, 'describe_missing');
  expect(decideFor(), 'create');
});

test('C1: a person link to an Account is refused rather than written through', () => {
  const d = expect(decideFor({ link: link({ sfObject: 'Account', sfId: ACCOUNT_ID }) }), 'skip');
  assert.equal(d.code, 'unsupported_link');
});

// --- X7: owners -------------------------------------------------------------------------------

test("X7: a created record is owned by the local owner's Salesforce User, else the default owner, else the integration user", () => {
  const jane = expect(decideFor({ record: person({ ownerId: 'u-jane' }) }), 'create');
  const withDefault = expect(
    decideFor({
      record: person({ ownerId: 'u-max' }),
      settings: settings({ contacts: { pushContacts: true }, owners: { defaultOwnerId: DEFAULT_OWNER } }),
    }),
    'create',
  );
  const integration = expect(decideFor({ record: person({ ownerId: 'u-max' }) }), 'create');
  assert.equal(jane.fields.OwnerId, JANE_SF);
  assert.equal(withDefault.fields.OwnerId, DEFAULT_OWNER);
  assert.equal(integration.fields.OwnerId, INTEGRATION_USER);
  assert.match(
    withDefault.notes.find((n) => n.code === 'owner_fallback')!.message,
    /max@team.io has no Salesforce User/,
  );
});

test('X7: an update writes a changed real owner, never a fallback owner', () => {
  const written = expect(
    decideFor({
      link: link({ snapshot: { OwnerId: DEFAULT_OWNER } }),
      record: person({ ownerId: 'u-jane' }),
    }),
    'update',
  );
  const same = expect(
    decideFor({ link: link({ snapshot: { OwnerId: JANE_SF } }), record: person({ ownerId: 'u-jane' }) }),
    'update',
  );
  const fallback = expect(
    decideFor({ link: link({ snapshot: { OwnerId: JANE_SF } }), record: person({ ownerId: 'u-max' }) }),
    'update',
  );
  assert.equal(written.fields.OwnerId, JANE_SF);
  assert.equal('OwnerId' in same.fields, false);
  assert.equal('OwnerId' in fallback.fields, false);
});

test("X7: an Account created by C7 is owned by the company's owner", () => {
  const d = expect(decideFor({ company: { record: company({ ownerId: 'u-jane' }), link: null } }), 'create');
  assert.equal(d.account?.via === 'create' && d.account.fields.OwnerId, JANE_SF);
});

// --- Companies: A1, A2, A3, A6, X2 -------------------------------------------------------------

test('A1: a net-new company is created with push accounts on and skipped with it off', () => {
  const on = expect(decideCompany(), 'create');
  assert.equal(on.object, 'Account');
  const off = expect(decideCompany({ settings: settings({ accounts: { pushAccounts: false } }) }), 'skip');
  assert.deepEqual([off.code, off.rules], ['push_accounts_off', ['A1']]);
});

test('A2: in stages mode only a company at a selected stage is created', () => {
  const s = settings({ accounts: { pushMode: 'stages', stages: ['Customer'] } });
  expect(decideCompany({ settings: s, record: company({ stage: 'Customer' }) }), 'create');
  assert.equal(
    expect(decideCompany({ settings: s, record: company({ stage: 'Lead' }) }), 'skip').rules[0],
    'A2',
  );
});

test('A3: the source field and value are written on create only', () => {
  const standard = expect(decideCompany(), 'create');
  const custom = expect(
    decideCompany({
      settings: settings({ accounts: { sourceField: 'Origin__c', sourceValue: 'crmsync' } }),
      describes: withField('Account', { name: 'Origin__c' }),
    }),
    'create',
  );
  assert.equal(standard.fields.AccountSource, 'Apollo');
  assert.deepEqual([custom.fields.Origin__c, 'AccountSource' in custom.fields], ['crmsync', false]);
  const update = expect(decideCompany({ link: companyLink }), 'update');
  assert.equal('AccountSource' in update.fields, false);
});

test('A6: a linked company is updated with push accounts off; unlinked it is skipped', () => {
  const off = settings({ accounts: { pushAccounts: false } });
  const d = expect(
    decideCompany({ settings: off, link: companyLink, record: company({ name: 'Acme Corp' }) }),
    'update',
  );
  assert.deepEqual([d.sfId, d.fields.Name, d.rules[0]], [ACCOUNT_ID, 'Acme Corp', 'A6']);
  expect(decideCompany({ settings: off }), 'skip');
});

test('M1: a manual push creates a company that A1 and A2 would skip', () => {
  const s = settings({ accounts: { pushAccounts: false } });
  expect(decideCompany({ settings: s, trigger: 'manual' }), 'create');
  expect(decideCompany({ settings: s, trigger: 'push_all' }), 'skip');
});

test('X2: a company matching an Account by domain (subdomain, scheme, path ignored) is linked; by name otherwise', () => {
  const byDomain = expect(
    decideCompany({
      matchCandidates: {
        people: [],
        accounts: [
          accountCandidate(5, 'Acme Holdings', 'HTTPS://EU.Acme.com/x', '2020-01-01T00:00:00.000+0000'),
        ],
      },
    }),
    'link_existing',
  );
  assert.deepEqual([byDomain.object, byDomain.sfId], ['Account', sfId('001', 5)]);
  assert.equal('AccountSource' in byDomain.fields, false);
  const byName = expect(
    decideCompany({
      record: company({ website: null }),
      matchCandidates: {
        people: [],
        accounts: [accountCandidate(6, ' ACME ', null, '2020-01-01T00:00:00.000+0000')],
      },
    }),
    'link_existing',
  );
  assert.equal(byName.sfId, sfId('001', 6));
  expect(
    decideCompany({
      matchCandidates: {
        people: [],
        accounts: [accountCandidate(7, 'Acme Labs', 'acme.io', '2020-01-01T00:00:00.000+0000')],
      },
    }),
    'create',
  );
});

// --- Deletes: C10, A4 -------------------------------------------------------------------------

test('C10: a deleted linked person is deleted in Salesforce with deletion sync on; off, the link is marked deleted locally', () => {
  const on = expect(
    decideFor({ deleted: true, link: link(), settings: settings({ contacts: { deletionSync: true } }) }),
    'delete',
  );
  assert.deepEqual([on.object, on.sfId, on.rules], ['Contact', sfId('003', 1), ['C10']]);
  const off = expect(decideFor({ deleted: true, link: link() }), 'skip');
  assert.deepEqual([off.code, off.markLink], ['deletion_sync_off', 'deleted_locally']);
});

test("A4: a deleted company's Account is deleted only when no other children would go with it", () => {
  const s = settings({ accounts: { deletionSync: true } });
  const clear = expect(
    decideCompany({ deleted: true, link: companyLink, settings: s, accountChildrenRemaining: 0 }),
    'delete',
  );
  assert.deepEqual([clear.object, clear.sfId], ['Account', ACCOUNT_ID]);
  const busy = expect(
    decideCompany({ deleted: true, link: companyLink, settings: s, accountChildrenRemaining: 3 }),
    'skip',
  );
  assert.equal(busy.code, 'account_has_children');
  assert.match(busy.reason, /3 child records/);
  assert.equal(
    expect(decideCompany({ deleted: true, link: companyLink, settings: s }), 'skip').code,
    'account_children_unknown',
  );
  assert.equal(
    expect(decideCompany({ deleted: true, link: companyLink, accountChildrenRemaining: 0 }), 'skip').code,
    'deletion_sync_off',
  );
});

// --- Edges -------------------------------------------------------------------------------------

test('C2: a net-new person with no email and no candidates is created without an Email field', () => {
  const d = expect(decideFor({ record: person({ email: null }) }), 'create');
  assert.equal('Email' in d.fields, false);
});

test('C6: a guessed email still finds the existing Contact with that email (X1) but is not written to it', () => {
  const d = expect(
    decideFor({
      record: person({ emailStatus: 'guessed' }),
      matchCandidates: { people: [contactCandidate(4, 'ada@acme.com')], accounts: [] },
    }),
    'link_existing',
  );
  assert.equal(d.sfId, sfId('003', 4));
  assert.equal('Email' in d.fields, false);
  const on = expect(
    decideFor({
      record: person({ emailStatus: 'guessed' }),
      settings: settings({ contacts: { pushContacts: true, pushGuessedEmails: true } }),
      matchCandidates: { people: [contactCandidate(4, 'ada@acme.com')], accounts: [] },
    }),
    'link_existing',
  );
  assert.equal(on.fields.Email, 'ada@acme.com');
});

test('O1: every decision carries a sentence and its rule ids', () => {
  const decisions = [
    decideFor(),
    decideFor({ settings: OFF }),
    decideFor({ link: link() }),
    decideCompany(),
    decideFor({ deleted: true, link: link() }),
  ];
  for (const d of decisions) {
    assert.ok(d.reason.length > 20, d.reason);
    assert.ok(d.rules.length > 0);
    assert.equal(new Set(d.rules).size, d.rules.length, 'rules are listed once');
  }
  assert.equal(
    expect(decideFor({ link: link(), record: person({ emailStatus: 'guessed' }) }), 'update').rules[0],
    'C1',
    'the deciding rule comes first',
  );
});

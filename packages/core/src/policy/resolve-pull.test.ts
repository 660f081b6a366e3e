import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Company } from '../model/company.js';
import { Link, type LinkState } from '../model/link.js';
import { Person } from '../model/person.js';
import { defaultSettings } from '../settings/parse.js';
import type { Settings } from '../settings/schema.js';
import {
  decideLocalDelete,
  mergeRecordValues,
  resolvePull,
  PulledRow,
  type PullAction,
  type ResolvePullInput,
} from './resolve-pull.js';

const ORG = '00D000000000001AAA';
const W = 'w1';

/** An 18-character id with a key prefix: sf('003', 1) -> 003000000000001AAA. */
const sf = (prefix: string, n: number): string => `${prefix}${String(n).padStart(12, '0')}AAA`;
const C1 = sf('003', 1);
const C2 = sf('003', 2);
const C3 = sf('003', 3);
const L1 = sf('00Q', 1);
const A1 = sf('001', 1);
const A2 = sf('001', 2);

const T0 = '2026-11-28T10:00:00.000+0000';
const T1 = '2026-11-28T11:00:00.000+0000';

function link(
  localType: 'person' | 'company',
  localId: string,
  sfId: string,
  extra: { state?: LinkState; systemModstamp?: string | null } = {},
): Link {
  const sfObject = sfId.startsWith('001') ? 'Account' : sfId.startsWith('00Q') ? 'Lead' : 'Contact';
  return Link.parse({
    workspaceId: W,
    localType,
    localId,
    orgId: ORG,
    sfObject,
    sfId,
    systemModstamp: T0,
    ...extra,
  });
}

function row(id: string, extra: Record<string, unknown> = {}): PulledRow {
  return PulledRow.parse({ Id: id, SystemModstamp: T1, ...extra });
}

function settingsWith(change: (s: Settings) => void): Settings {
  const s = defaultSettings();
  change(s);
  return s;
}

function resolve(partial: Partial<ResolvePullInput>): PullAction[] {
  return resolvePull({
    settings: defaultSettings(),
    orgId: ORG,
    rows: {},
    deletedIds: {},
    links: [],
    people: [],
    companies: [],
    ...partial,
  });
}

const only = (actions: PullAction[]): PullAction => {
  assert.equal(actions.length, 1, JSON.stringify(actions, null, 1));
  return actions[0]!;
};
const pick = <A extends PullAction['action']>(
  actions: PullAction[],
  action: A,
): Extract<PullAction, { action: A }>[] =>
  actions.filter((a): a is Extract<PullAction, { action: A }> => a.action === action);

// ---------- C11 / A5: merges

test('C11: a merged Contact whose survivor is linked: merge sync on merges the local people, off marks the link merged', () => {
  const input = {
    rows: { Contact: [row(C1, { IsDeleted: true, MasterRecordId: C2 })] },
    links: [link('person', 'p1', C1), link('person', 'p2', C2)],
  };
  const on = only(resolve({ ...input, settings: settingsWith((s) => (s.contacts.mergeSync = true)) }));
  assert.equal(on.action, 'merge_local');
  assert.deepEqual(on.rules, ['C11']);
  if (on.action !== 'merge_local') throw new Error('unreachable');
  assert.equal(on.loserLocalId, 'p1');
  assert.equal(on.survivorLocalId, 'p2');
  assert.equal(on.survivorSfId, C2);
  assert.match(on.reason, /survivor's values win.*activities move/);

  const off = only(resolve(input));
  assert.deepEqual(
    {
      action: off.action,
      state: (off as { state?: string }).state,
      mergedInto: (off as { mergedInto?: string }).mergedInto,
    },
    { action: 'mark_link', state: 'merged', mergedInto: C2 },
  );
  assert.match(off.reason, /merge sync is off/);
});

test('C11: a merge loser is never treated as a deletion, even with deletion sync on and its id also in the deletion feed', () => {
  for (const mergeSync of [true, false]) {
    const settings = settingsWith((s) => {
      s.contacts.deletionSync = true;
      s.contacts.mergeSync = mergeSync;
    });
    const actions = resolve({
      settings,
      rows: { Contact: [row(C1, { IsDeleted: true, MasterRecordId: C2 })] },
      deletedIds: { Contact: [C1] },
      links: [link('person', 'p1', C1), link('person', 'p2', C2)],
    });
    const a = only(actions);
    assert.equal(a.action, mergeSync ? 'merge_local' : 'mark_link');
    assert.equal(pick(actions, 'delete_local').length, 0);
  }
});

test('C11: a loser whose survivor has no local record is re-linked to the survivor (on) or marked merged (off)', () => {
  const input = {
    rows: { Contact: [row(C1, { IsDeleted: true, MasterRecordId: C2 })] },
    links: [link('person', 'p1', C1)],
  };
  const on = only(resolve({ ...input, settings: settingsWith((s) => (s.contacts.mergeSync = true)) }));
  assert.equal(on.action, 'relink');
  if (on.action !== 'relink') throw new Error('unreachable');
  assert.deepEqual([on.localId, on.sfId, on.toSfId], ['p1', C1, C2]);
  assert.equal(only(resolve(input)).action, 'mark_link');
});

test('C11: the survivor row pulled with the merge updates the re-linked person instead of creating a new one', () => {
  const settings = settingsWith((s) => (s.contacts.mergeSync = true));
  const actions = resolve({
    settings,
    rows: {
      Contact: [
        row(C1, { IsDeleted: true, MasterRecordId: C2 }),
        row(C2, { FirstName: 'Ada', LastName: 'Lovelace' }),
      ],
    },
    links: [link('person', 'p1', C1)],
  });
  assert.deepEqual(
    actions.map((a) => a.action),
    ['relink', 'update_local'],
  );
  const update = pick(actions, 'update_local')[0]!;
  assert.equal(update.localId, 'p1');
  assert.deepEqual(update.fields, { firstName: 'Ada', lastName: 'Lovelace' });
});

test('C11: two losers merged into a survivor with no local record: the first is re-linked, the second merged into it', () => {
  const settings = settingsWith((s) => (s.contacts.mergeSync = true));
  const actions = resolve({
    settings,
    rows: {
      Contact: [
        row(C1, { IsDeleted: true, MasterRecordId: C3 }),
        row(C2, { IsDeleted: true, MasterRecordId: C3 }),
      ],
    },
    links: [link('person', 'p1', C1), link('person', 'p2', C2)],
  });
  assert.deepEqual(
    actions.map((a) => a.action),
    ['relink', 'merge_local'],
  );
  const merge = pick(actions, 'merge_local')[0]!;
  assert.deepEqual([merge.loserLocalId, merge.survivorLocalId, merge.survivorSfId], ['p2', 'p1', C3]);
});

test('C11: a merge chain in one pull (1 into 2, 2 into 3) ends at the last survivor', () => {
  const settings = settingsWith((s) => (s.contacts.mergeSync = true));
  const actions = resolve({
    settings,
    rows: {
      Contact: [
        row(C1, { IsDeleted: true, MasterRecordId: C2 }),
        row(C2, { IsDeleted: true, MasterRecordId: C3 }),
      ],
    },
    links: [link('person', 'p1', C1), link('person', 'p3', C3)],
  });
  const merges = pick(actions, 'merge_local');
  assert.equal(merges.length, 1);
  assert.equal(merges[0]!.survivorSfId, C3);
  assert.match(merges[0]!.reason, new RegExp(`through ${C2}`));
  assert.equal(actions.length, 2, 'the unlinked middle loser is logged as nothing to do');
});

test('C11: a merge of an unlinked loser changes nothing and says so', () => {
  const a = only(
    resolve({
      settings: settingsWith((s) => (s.contacts.mergeSync = true)),
      rows: { Contact: [row(C1, { IsDeleted: true, MasterRecordId: C2 })] },
      links: [link('person', 'p2', C2)],
    }),
  );
  assert.equal(a.action, 'ignore');
  assert.match(a.reason, /no local record is linked/);
});

test('A5: Account merges follow Account merge sync, not Contacts merge sync', () => {
  const input = {
    rows: { Account: [row(A1, { IsDeleted: true, MasterRecordId: A2 })] },
    links: [link('company', 'c1', A1), link('company', 'c2', A2)],
  };
  const contactsOnly = only(
    resolve({ ...input, settings: settingsWith((s) => (s.contacts.mergeSync = true)) }),
  );
  assert.equal(contactsOnly.action, 'mark_link');
  assert.deepEqual(contactsOnly.rules, ['A5']);
  const accountsOn = only(
    resolve({ ...input, settings: settingsWith((s) => (s.accounts.mergeSync = true)) }),
  );
  assert.equal(accountsOn.action, 'merge_local');
  assert.deepEqual(accountsOn.rules, ['A5']);
});

test('C11: merged values: the survivor wins, blanks are filled from the others, identity stays the survivor', () => {
  const survivor = {
    id: 'p2',
    externalId: null,
    firstName: 'Ada',
    title: '',
    phone: null,
    email: 'ada@acme.com',
  };
  const { merged, filled } = mergeRecordValues(survivor, [
    { id: 'p1', externalId: 'host-1', firstName: 'Augusta', title: 'Countess', phone: null },
    { id: 'p0', phone: '+44 20 7946 0000', title: 'Mathematician' },
  ]);
  assert.deepEqual(merged, {
    id: 'p2',
    externalId: null,
    firstName: 'Ada',
    title: 'Countess',
    phone: '+44 20 7946 0000',
    email: 'ada@acme.com',
  });
  assert.deepEqual(filled, ['title', 'phone']);
});

// ---------- C10 / A4: deletions

test('C10: a deleted Contact: deletion sync on deletes the local person, off marks the link deleted in Salesforce', () => {
  const input = { deletedIds: { Contact: [C1] }, links: [link('person', 'p1', C1)] };
  const on = only(resolve({ ...input, settings: settingsWith((s) => (s.contacts.deletionSync = true)) }));
  assert.deepEqual([on.action, on.rules], ['delete_local', ['C10']]);
  const off = only(resolve(input));
  assert.equal(off.action, 'mark_link');
  if (off.action !== 'mark_link') throw new Error('unreachable');
  assert.equal(off.state, 'deleted_in_salesforce');
  assert.match(off.reason, /not pushed again until someone pushes it by hand/);
});

test('C10: a record in both the deletion feed and the deleted rows gives one action; an unlinked or already-marked one changes nothing', () => {
  const settings = settingsWith((s) => (s.contacts.deletionSync = true));
  const actions = resolve({
    settings,
    rows: { Contact: [row(C1, { IsDeleted: true })] },
    deletedIds: { Contact: [C1, C2, C3] },
    links: [link('person', 'p1', C1), link('person', 'p3', C3, { state: 'deleted_in_salesforce' })],
  });
  assert.deepEqual(
    actions.map((a) => [a.action, a.sfId]),
    [
      ['delete_local', C1],
      ['ignore', C2],
      ['ignore', C3],
    ],
  );
  assert.match(actions[2]!.reason, /already marked deleted in Salesforce/);
});

test('A4: a deleted Account follows Account deletion sync, not Contacts deletion sync', () => {
  const input = { deletedIds: { Account: [A1] }, links: [link('company', 'c1', A1)] };
  assert.equal(
    only(resolve({ ...input, settings: settingsWith((s) => (s.contacts.deletionSync = true)) })).action,
    'mark_link',
  );
  const on = only(resolve({ ...input, settings: settingsWith((s) => (s.accounts.deletionSync = true)) }));
  assert.deepEqual([on.action, on.rules], ['delete_local', ['A4']]);
});

test('C10: a changed row whose link is marked deleted in Salesforce is not pulled', () => {
  const a = only(
    resolve({
      rows: { Contact: [row(C1, { LastName: 'X' })] },
      links: [link('person', 'p1', C1, { state: 'deleted_in_salesforce' })],
    }),
  );
  assert.equal(a.action, 'ignore');
  assert.deepEqual(a.rules, ['C10', 'P3']);
});

// ---------- C10 / A4: local deletes going to Salesforce

const person = Person.parse({ id: 'p1', workspaceId: W, lastName: 'Lovelace' });
const company = Company.parse({ id: 'c1', workspaceId: W, name: 'Acme' });

test('C10: a local delete of a linked person deletes the Contact only with deletion sync on', () => {
  const on = decideLocalDelete({
    kind: 'person',
    record: person,
    link: link('person', 'p1', C1),
    orgId: ORG,
    settings: settingsWith((s) => (s.contacts.deletionSync = true)),
  });
  assert.equal(on.action, 'delete');
  const off = decideLocalDelete({
    kind: 'person',
    record: person,
    link: link('person', 'p1', C1),
    orgId: ORG,
    settings: defaultSettings(),
  });
  assert.equal(off.action, 'skip');
  if (off.action !== 'skip') throw new Error('unreachable');
  assert.equal(off.markLink, 'deleted_locally');
  assert.ok(off.rules.includes('C10'));
});

test('A4: a local delete of a company whose Account still has children is skipped with their count; with none it is deleted', () => {
  const settings = settingsWith((s) => (s.accounts.deletionSync = true));
  const base = {
    kind: 'company' as const,
    record: company,
    link: link('company', 'c1', A1),
    orgId: ORG,
    settings,
  };
  const kept = decideLocalDelete({ ...base, accountChildrenRemaining: 3 });
  assert.equal(kept.action, 'skip');
  assert.match(kept.reason, /3 child records/);
  assert.ok(kept.rules.includes('A4'));
  assert.equal(decideLocalDelete({ ...base, accountChildrenRemaining: 0 }).action, 'delete');
  assert.equal(
    decideLocalDelete({ ...base, accountChildrenRemaining: 0, settings: defaultSettings() }).action,
    'skip',
  );
});

// ---------- C12: conversions

test('C12: a converted Lead re-links its person to the new Contact and its company to the new Account; the Contact row then updates that person', () => {
  const actions = resolve({
    rows: {
      Lead: [row(L1, { IsConverted: true, ConvertedContactId: C1, ConvertedAccountId: A1 })],
      Contact: [row(C1, { LastName: 'Lovelace', AccountId: A1 })],
    },
    links: [link('person', 'p1', L1)],
    people: [{ id: 'p1', companyId: 'c1' }],
  });
  assert.deepEqual(
    actions.map((a) => a.action),
    ['relink', 'link', 'update_local'],
  );
  const relink = pick(actions, 'relink')[0]!;
  assert.deepEqual(
    [relink.localId, relink.sfObject, relink.sfId, relink.toSfObject, relink.toSfId, relink.rules],
    ['p1', 'Lead', L1, 'Contact', C1, ['C12']],
  );
  const companyLink = pick(actions, 'link')[0]!;
  assert.deepEqual(
    [companyLink.localType, companyLink.localId, companyLink.sfObject, companyLink.sfId],
    ['company', 'c1', 'Account', A1],
  );
  const update = pick(actions, 'update_local')[0]!;
  assert.equal(update.localId, 'p1');
  assert.equal(
    pick(actions, 'create_local').length,
    0,
    'the converted Contact is not pulled in as a second person',
  );
});

test('C12: a Lead converted into an existing Contact linked to another person merges the people (C11 on) or marks the link merged (off)', () => {
  const input = {
    rows: { Lead: [row(L1, { IsConverted: true, ConvertedContactId: C1, ConvertedAccountId: null })] },
    links: [link('person', 'pLead', L1), link('person', 'pContact', C1)],
  };
  const on = only(resolve({ ...input, settings: settingsWith((s) => (s.contacts.mergeSync = true)) }));
  assert.equal(on.action, 'merge_local');
  if (on.action !== 'merge_local') throw new Error('unreachable');
  assert.deepEqual([on.loserLocalId, on.survivorLocalId, on.rules], ['pLead', 'pContact', ['C12', 'C11']]);
  const off = only(resolve(input));
  assert.equal(off.action, 'mark_link');
  if (off.action !== 'mark_link') throw new Error('unreachable');
  assert.equal(off.mergedInto, C1);
});

test('C12: a Lead converted into an Account already linked to a company puts the person in that company', () => {
  const actions = resolve({
    rows: { Lead: [row(L1, { IsConverted: true, ConvertedContactId: C1, ConvertedAccountId: A1 })] },
    links: [link('person', 'p1', L1), link('company', 'c1', A1)],
    people: [{ id: 'p1', companyId: null }],
  });
  assert.deepEqual(
    actions.map((a) => a.action),
    ['relink', 'attach_company'],
  );
  const attach = pick(actions, 'attach_company')[0]!;
  assert.deepEqual([attach.personId, attach.companyId], ['p1', 'c1']);
});

test('C12: a converted Lead with no local person changes nothing; the conversion is not repeated once re-linked', () => {
  assert.equal(
    only(resolve({ rows: { Lead: [row(L1, { IsConverted: true, ConvertedContactId: C1 })] } })).action,
    'ignore',
  );
  const again = resolve({
    rows: { Lead: [row(L1, { IsConverted: true, ConvertedContactId: C1 })] },
    links: [link('person', 'p1', C1)],
  });
  assert.equal(only(again).action, 'ignore');
});

// ---------- P2 / P3: changed rows

test('P2: a pulled row with the SystemModstamp crmsync recorded at its own write is ignored; a later one updates', () => {
  const links = [link('person', 'p1', C1, { systemModstamp: T1 })];
  const echo = only(resolve({ rows: { Contact: [row(C1, { LastName: 'L', SystemModstamp: T1 })] }, links }));
  assert.deepEqual([echo.action, echo.rules], ['ignore', ['P2']]);
  const changed = only(
    resolve({
      rows: { Contact: [row(C1, { LastName: 'L', SystemModstamp: '2026-11-28T12:00:00.000+0000' })] },
      links,
    }),
  );
  assert.equal(changed.action, 'update_local');
  if (changed.action !== 'update_local') throw new Error('unreachable');
  assert.equal(changed.systemModstamp, '2026-11-28T12:00:00.000+0000');
});

test('P3: an unlinked Contact is created locally with pullRecords on and ignored with it off', () => {
  const input = {
    rows: {
      Contact: [
        row(C1, {
          FirstName: 'Ada',
          LastName: 'Lovelace',
          Email: 'ADA@acme.com',
          Title: null,
          Unmapped__c: 'x',
        }),
      ],
    },
  };
  const on = only(resolve(input));
  assert.equal(on.action, 'create_local');
  if (on.action !== 'create_local') throw new Error('unreachable');
  assert.deepEqual(on.fields, { firstName: 'Ada', lastName: 'Lovelace', email: 'ADA@acme.com', title: null });
  const off = only(
    resolve({ ...input, settings: settingsWith((s) => (s.pull.pullRecords.contacts = false)) }),
  );
  assert.deepEqual([off.action, off.rules], ['ignore', ['P3']]);
});

test('P3: pulled values are read through the field mappings, whatever the case the mapping was typed in', () => {
  const settings = settingsWith(
    (s) =>
      (s.fieldMappings.Contact = [
        { local: 'title', salesforce: 'TITLE', writeRule: 'overwrite', tooLong: 'truncate' },
      ]),
  );
  const a = only(resolve({ settings, rows: { Contact: [row(C1, { Title: 'CTO', FirstName: 'Ada' })] } }));
  assert.deepEqual((a as { fields: unknown }).fields, { title: 'CTO' });
});

test('P3: a Contact is put in the company linked to its Account, or in the one created from its Account in the same pull', () => {
  const linked = only(
    resolve({
      rows: { Contact: [row(C1, { LastName: 'L', AccountId: A1 })] },
      links: [link('company', 'c1', A1)],
    }),
  );
  assert.deepEqual((linked as { company: unknown }).company, {
    via: 'account',
    companyId: 'c1',
    pushCompany: false,
  });
  const actions = resolve({
    rows: { Contact: [row(C1, { LastName: 'L', AccountId: A2 })], Account: [row(A2, { Name: 'Acme' })] },
  });
  assert.deepEqual(
    actions.map((a) => [a.action, a.sfObject]),
    [
      ['create_local', 'Account'],
      ['create_local', 'Contact'],
    ],
  );
  assert.deepEqual((actions[1] as { company: unknown }).company, {
    via: 'account_in_this_pull',
    accountSfId: A2,
    pushCompany: false,
  });
  assert.deepEqual((actions[0] as { fields: unknown }).fields, { name: 'Acme' });
});

test("P3: a linked Contact moved to another Account in Salesforce moves the person to that Account's company", () => {
  const links = [link('person', 'p1', C1), link('company', 'c1', A1), link('company', 'c2', A2)];
  const moved = only(
    resolve({
      rows: { Contact: [row(C1, { LastName: 'L', AccountId: A2 })] },
      links,
      people: [{ id: 'p1', companyId: 'c1' }],
    }),
  );
  assert.deepEqual((moved as { company: unknown }).company, {
    via: 'account',
    companyId: 'c2',
    pushCompany: false,
  });
  const same = only(
    resolve({
      rows: { Contact: [row(C1, { LastName: 'L', AccountId: A1 })] },
      links,
      people: [{ id: 'p1', companyId: 'c1' }],
    }),
  );
  assert.equal((same as { company: unknown }).company, null);
});

// ---------- P4: inferLeadAccounts

const acme = { id: 'c-acme', website: 'https://www.Acme.co.uk/about?x=1' };

test('P4: a pulled Lead is attached to the company whose website domain matches its email domain only with inferLeadAccounts on', () => {
  const input = {
    rows: { Lead: [row(L1, { LastName: 'L', Email: 'Jane.Doe@EU.Mail.ACME.co.uk' })] },
    companies: [acme, { id: 'c-other', website: 'other.com' }],
  };
  const on = only(resolve({ ...input, settings: settingsWith((s) => (s.pull.inferLeadAccounts = true)) }));
  assert.equal(on.action, 'create_local');
  if (on.action !== 'create_local') throw new Error('unreachable');
  assert.deepEqual(on.company, { via: 'email_domain', companyId: 'c-acme', pushCompany: false });
  assert.deepEqual(on.rules, ['P3', 'P4']);
  assert.match(on.reason, /not pushed because of this/);
  const off = only(resolve(input));
  assert.equal((off as { company: unknown }).company, null);
});

test('P4: free-mail never matches, even when a company has that website', () => {
  const settings = settingsWith((s) => (s.pull.inferLeadAccounts = true));
  const a = only(
    resolve({
      settings,
      rows: { Lead: [row(L1, { LastName: 'L', Email: 'jane@gmail.com' })] },
      companies: [{ id: 'c-g', website: 'gmail.com' }],
    }),
  );
  assert.equal((a as { company: unknown }).company, null);
  assert.match(a.reason, /free-mail/);
});

test('P4: an international domain matches in either spelling; two matching companies attach none', () => {
  const settings = settingsWith((s) => (s.pull.inferLeadAccounts = true));
  const idn = only(
    resolve({
      settings,
      rows: { Lead: [row(L1, { LastName: 'L', Email: 'jörg@Müller.de' })] },
      companies: [{ id: 'c-m', website: 'http://www.xn--mller-kva.de' }],
    }),
  );
  assert.deepEqual((idn as { company: unknown }).company, {
    via: 'email_domain',
    companyId: 'c-m',
    pushCompany: false,
  });
  const two = only(
    resolve({
      settings,
      rows: { Lead: [row(L1, { LastName: 'L', Email: 'jane@acme.co.uk' })] },
      companies: [acme, { id: 'c-acme-2', website: 'shop.acme.co.uk' }],
    }),
  );
  assert.equal((two as { company: unknown }).company, null);
  assert.match(two.reason, /2 companies/);
});

test('P4: a linked Lead person who already has a company keeps it; one without gets the inferred one', () => {
  const settings = settingsWith((s) => (s.pull.inferLeadAccounts = true));
  const input = {
    settings,
    rows: { Lead: [row(L1, { LastName: 'L', Email: 'jane@acme.co.uk' })] },
    links: [link('person', 'p1', L1)],
    companies: [acme],
  };
  assert.equal(
    (only(resolve({ ...input, people: [{ id: 'p1', companyId: 'c-else' }] })) as { company: unknown })
      .company,
    null,
  );
  assert.deepEqual(
    (only(resolve({ ...input, people: [{ id: 'p1', companyId: null }] })) as { company: unknown }).company,
    { via: 'email_domain', companyId: 'c-acme', pushCompany: false },
  );
});

test('P4: a Lead without an email, or with a malformed one, gets no company', () => {
  const settings = settingsWith((s) => (s.pull.inferLeadAccounts = true));
  for (const Email of [null, '', 'not an email', `${'x'.repeat(100_000)}@`]) {
    const a = only(
      resolve({ settings, rows: { Lead: [row(L1, { LastName: 'L', Email })] }, companies: [acme] }),
    );
    assert.equal((a as { company: unknown }).company, null);
  }
});

// ---------- P2: order of the whole pull

test('P2: merges come before deletions, deletions before conversions, conversions before changed rows', () => {
  const settings = settingsWith((s) => {
    s.contacts.mergeSync = true;
    s.contacts.deletionSync = true;
  });
  const actions = resolve({
    settings,
    rows: {
      Contact: [
        row(C3, { LastName: 'Changed' }),
        row(C2, { IsDeleted: true }),
        row(C1, { IsDeleted: true, MasterRecordId: C3 }),
      ],
      Lead: [row(L1, { IsConverted: true, ConvertedContactId: sf('003', 7) })],
    },
    links: [
      link('person', 'p1', C1),
      link('person', 'p2', C2),
      link('person', 'p3', C3),
      link('person', 'pl', L1),
    ],
  });
  assert.deepEqual(
    actions.map((a) => a.action),
    ['merge_local', 'delete_local', 'relink', 'update_local'],
  );
});

test('P2: links of another org are never used, even when a sandbox copy shares the record id', () => {
  const sandboxLink = Link.parse({ ...link('person', 'p-old', C1), orgId: '00D000000000002AAA' });
  const settings = settingsWith((s) => (s.contacts.deletionSync = true));
  assert.equal(
    only(resolve({ settings, deletedIds: { Contact: [C1] }, links: [sandboxLink] })).action,
    'ignore',
  );
  assert.equal(
    only(resolve({ settings, deletedIds: { Contact: [C1] }, links: [link('person', 'p1', C1)] })).action,
    'delete_local',
  );
});

test('P2: an empty pull gives no actions', () => {
  assert.deepEqual(resolve({}), []);
});

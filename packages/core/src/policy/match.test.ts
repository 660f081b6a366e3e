import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TieBreak } from '../settings/schema.js';
import {
  companyMatchKeys,
  emailKey,
  matchAccount,
  matchPerson,
  rankCandidates,
  stableHash,
  type AccountCandidate,
  type PersonCandidate,
} from './match.js';

const id = (prefix: string, n: number) => `${prefix}${String(n).padStart(15, '0')}`;
const contact = (
  n: number,
  email: string | null,
  created = '2020-01-01T00:00:00.000+0000',
  modified = created,
): PersonCandidate => ({
  object: 'Contact',
  Id: id('003', n),
  Email: email,
  CreatedDate: created,
  LastModifiedDate: modified,
});
const lead = (
  n: number,
  email: string | null,
  extra: { converted?: string; created?: string } = {},
): PersonCandidate => ({
  object: 'Lead',
  Id: id('00Q', n),
  Email: email,
  CreatedDate: extra.created ?? '2019-01-01T00:00:00.000+0000',
  LastModifiedDate: extra.created ?? '2019-01-01T00:00:00.000+0000',
  IsConverted: extra.converted !== undefined,
  ConvertedContactId: extra.converted ?? null,
});
const account = (
  n: number,
  name: string,
  website: string | null,
  created = '2020-01-01T00:00:00.000+0000',
  modified = created,
): AccountCandidate => ({
  Id: id('001', n),
  Name: name,
  Website: website,
  CreatedDate: created,
  LastModifiedDate: modified,
});

test('X1: emailKey trims, lower-cases (unicode too) and takes the address out of a display name', () => {
  const cases: [string | null, string | null][] = [
    ['  Ada@Example.COM ', 'ada@example.com'],
    ['"Ada L" <ADA@Example.com>', 'ada@example.com'],
    ['ÄDA@Example.com', 'äda@example.com'],
    ['ada@MÜLLER.de', 'ada@xn--mller-kva.de'],
    ['ada@xn--mller-kva.de', 'ada@xn--mller-kva.de'],
    ['', null],
    ['no-at-sign', null],
    [null, null],
  ];
  for (const [input, want] of cases) assert.equal(emailKey(input), want, String(input));
});

test('X1: a Contact with the same email in another case matches; a different email does not', () => {
  const m = matchPerson(
    'Ada@Example.com',
    [contact(1, 'ADA@example.COM'), contact(2, 'bob@example.com')],
    'oldest',
    'p1',
  );
  assert.deepEqual(m, {
    found: true,
    object: 'Contact',
    id: id('003', 1),
    candidateIds: [id('003', 1)],
    viaConvertedLead: null,
  });
  assert.deepEqual(matchPerson('carol@example.com', [contact(1, 'ada@example.com')], 'oldest', 'p1'), {
    found: false,
  });
});

test('X1: Contacts come before Leads, even an older Lead', () => {
  const m = matchPerson(
    'ada@example.com',
    [lead(1, 'ada@example.com'), contact(2, 'ada@example.com', '2024-01-01T00:00:00.000+0000')],
    'oldest',
    'p1',
  );
  assert.equal(m.found && m.object, 'Contact');
  assert.equal(m.found && m.id, id('003', 2));
});

test('X1: an unconverted Lead matches when no Contact does; a converted Lead leads to its ConvertedContactId', () => {
  const open = matchPerson('ada@example.com', [lead(1, 'ada@example.com')], 'oldest', 'p1');
  assert.equal(open.found && `${open.object} ${open.id}`, `Lead ${id('00Q', 1)}`);
  const converted = matchPerson(
    'ada@example.com',
    [lead(1, 'ada@example.com', { converted: id('003', 9) })],
    'oldest',
    'p1',
  );
  assert.deepEqual(converted, {
    found: true,
    object: 'Contact',
    id: id('003', 9),
    candidateIds: [id('003', 9)],
    viaConvertedLead: id('00Q', 1),
  });
});

test('X1: a converted Lead whose Contact was also found is one candidate, not two', () => {
  const m = matchPerson(
    'ada@example.com',
    [contact(9, 'ada@example.com'), lead(1, 'ada@example.com', { converted: id('003', 9) })],
    'oldest',
    'p1',
  );
  assert.deepEqual(m.found && m.candidateIds, [id('003', 9)]);
});

test('X1: a person without an email, or an empty one, matches nothing even against blank candidates', () => {
  assert.deepEqual(matchPerson(null, [contact(1, null)], 'oldest', 'p1'), { found: false });
  assert.deepEqual(matchPerson('  ', [contact(1, '  ')], 'oldest', 'p1'), { found: false });
});

test('X1: a 100,000-character email is compared, not crashed on', () => {
  const long = `${'a'.repeat(100_000)}@example.com`;
  assert.equal(matchPerson(long, [contact(1, long.toUpperCase())], 'oldest', 'p1').found, true);
});

test('X2: companyMatchKeys folds scheme, www., path and subdomains into the registrable domain', () => {
  const cases: [string | null, string | null][] = [
    ['https://www.Acme.com/about?x=1', 'acme.com'],
    ['acme.com', 'acme.com'],
    ['http://eu.shop.acme.co.uk:8080/', 'acme.co.uk'],
    ['  ', null],
    [null, null],
  ];
  for (const [website, want] of cases)
    assert.equal(companyMatchKeys({ name: 'Acme', website }).domain, want, String(website));
  assert.equal(companyMatchKeys({ name: '  ACME Inc ', website: null }).name, 'acme inc');
});

test('X2: companies match Accounts by website domain before name', () => {
  const candidates = [account(1, 'Acme', null), account(2, 'Acme Holdings', 'https://shop.acme.com/en')];
  const m = matchAccount({ id: 'c1', name: 'Acme', website: 'www.acme.com' }, candidates, 'oldest');
  assert.deepEqual(m, { found: true, id: id('001', 2), by: 'domain', candidateIds: [id('001', 2)] });
});

test('X2: without a domain match, an exact case-insensitive name matches; a near name does not', () => {
  const candidates = [account(1, 'ACME', 'other.com'), account(2, 'Acme Inc', null)];
  assert.deepEqual(matchAccount({ id: 'c1', name: 'acme', website: 'acme.com' }, candidates, 'oldest'), {
    found: true,
    id: id('001', 1),
    by: 'name',
    candidateIds: [id('001', 1)],
  });
  assert.deepEqual(matchAccount({ id: 'c1', name: 'Acm', website: null }, candidates, 'oldest'), {
    found: false,
  });
});

test('X2: a subdomain of another registrable domain does not match (acme.com.evil.io)', () => {
  const m = matchAccount(
    { id: 'c1', name: 'Zeta', website: 'acme.com' },
    [account(1, 'Evil', 'acme.com.evil.io')],
    'oldest',
  );
  assert.deepEqual(m, { found: false });
});

test('X2: a unicode domain matches its punycode spelling', () => {
  const m = matchAccount(
    { id: 'c1', name: 'Müller', website: 'https://www.MÜLLER.de' },
    [account(1, 'M', 'xn--mller-kva.de')],
    'oldest',
  );
  assert.equal(m.found, true);
});

const tied = [
  account(1, 'Acme', 'acme.com', '2022-01-01T00:00:00.000+0000', '2022-06-01T00:00:00.000+0000'),
  account(2, 'Acme', 'acme.com', '2020-01-01T00:00:00.000+0000', '2021-01-01T00:00:00.000+0000'),
  account(3, 'Acme', 'acme.com', '2021-01-01T00:00:00.000+0000', '2025-01-01T00:00:00.000+0000'),
];

test('X3: the tie-break setting changes which of several matches is chosen', () => {
  const pick = (t: TieBreak) => rankCandidates(tied, t, 'c1')[0]!.Id;
  assert.equal(pick('oldest'), id('001', 2));
  assert.equal(pick('most_recently_modified'), id('001', 3));
  assert.notEqual(pick('oldest'), pick('most_recently_modified'));
});

test('X3: every candidate is kept in the ranking, the chosen first, whatever the input order', () => {
  const a = rankCandidates(tied, 'oldest', 'c1').map((c) => c.Id);
  const b = rankCandidates([...tied].reverse(), 'oldest', 'c1').map((c) => c.Id);
  assert.deepEqual(a, [id('001', 2), id('001', 3), id('001', 1)]);
  assert.deepEqual(a, b);
});

test('X3: random is a stable hash of the local id: a retry picks the same, other ids spread', () => {
  const first = rankCandidates(tied, 'random', 'company-42')[0]!.Id;
  assert.equal(rankCandidates([...tied].reverse(), 'random', 'company-42')[0]!.Id, first);
  const picks = new Set(
    Array.from({ length: 50 }, (_, i) => rankCandidates(tied, 'random', `company-${i}`)[0]!.Id),
  );
  assert.equal(picks.size, 3, 'fifty local ids should reach every candidate');
});

test('X3: random keeps its pick when an unchosen candidate disappears', () => {
  for (let i = 0; i < 20; i++) {
    const ranked = rankCandidates(tied, 'random', `p-${i}`);
    const without = tied.filter((c) => c.Id !== ranked[2]!.Id);
    assert.equal(rankCandidates(without, 'random', `p-${i}`)[0]!.Id, ranked[0]!.Id);
  }
});

test('X3: an unreadable date ranks last for oldest and for most recently modified', () => {
  const bad = account(9, 'Acme', 'acme.com', 'not a date', 'not a date');
  assert.equal(rankCandidates([bad, ...tied], 'oldest', 'c1').at(-1)!.Id, bad.Id);
  assert.equal(rankCandidates([bad, ...tied], 'most_recently_modified', 'c1').at(-1)!.Id, bad.Id);
});

test('X3: equal dates fall back to the id, so the choice never depends on input order', () => {
  const same = [account(5, 'A', null), account(4, 'A', null)];
  assert.equal(rankCandidates(same, 'oldest', 'c1')[0]!.Id, id('001', 4));
  assert.equal(rankCandidates([...same].reverse(), 'most_recently_modified', 'c1')[0]!.Id, id('001', 4));
});

test('X3: stableHash is FNV-1a (known vectors)', () => {
  assert.equal(stableHash(''), 0x811c9dc5);
  assert.equal(stableHash('a'), 0xe40c292c);
  assert.equal(stableHash('foobar'), 0xbf9cf968);
});

test('X1 + X3: several Contacts with one email go to the tie-break, every id kept', () => {
  const people = [
    contact(1, 'ada@example.com', '2023-01-01T00:00:00.000+0000', '2023-01-01T00:00:00.000+0000'),
    contact(2, 'Ada@Example.com', '2021-01-01T00:00:00.000+0000', '2024-01-01T00:00:00.000+0000'),
  ];
  const oldest = matchPerson('ada@example.com', people, 'oldest', 'p1');
  const recent = matchPerson('ada@example.com', people, 'most_recently_modified', 'p1');
  assert.deepEqual(oldest.found && oldest.candidateIds, [id('003', 2), id('003', 1)]);
  assert.equal(recent.found && recent.id, id('003', 2));
  const newest = matchPerson(
    'ada@example.com',
    [
      people[0]!,
      contact(3, 'ada@example.com', '2022-01-01T00:00:00.000+0000', '2025-01-01T00:00:00.000+0000'),
    ],
    'most_recently_modified',
    'p1',
  );
  assert.equal(newest.found && newest.id, id('003', 3));
});

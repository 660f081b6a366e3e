import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_FIELD_MAPPINGS, MAPPABLE_LOCAL_FIELDS, type FieldMapping } from '../settings/field-maps.js';
import {
  checkMappingsAgainstDescribe,
  cutToLength,
  localFieldKind,
  mapFields,
  type FieldDescribe,
  type MapFieldsInput,
  type MapFieldsResult,
  type ObjectDescribe,
} from './map-fields.js';

const f = (
  name: string,
  type: string,
  length: number,
  extra: Partial<FieldDescribe> = {},
): FieldDescribe => ({
  name,
  label: name.replace(/([a-z])([A-Z])/g, '$1 $2'),
  type,
  length,
  createable: true,
  updateable: true,
  nillable: true,
  restrictedPicklist: false,
  picklistValues: [],
  ...extra,
});

const CONTACT: ObjectDescribe = {
  name: 'Contact',
  fields: [
    f('Id', 'id', 18, { createable: false, updateable: false, nillable: false }),
    f('FirstName', 'string', 40),
    f('LastName', 'string', 80, { nillable: false }),
    f('Title', 'string', 128),
    f('Email', 'email', 80),
    f('Phone', 'phone', 40),
    f('MobilePhone', 'phone', 40),
    f('LeadSource', 'picklist', 255, {
      picklistValues: ['Web', 'Phone Inquiry', 'Partner Referral', 'Other'],
    }),
    f('Region__c', 'picklist', 255, { restrictedPicklist: true, picklistValues: ['EMEA', 'AMER', 'APAC'] }),
    f('Tags__c', 'multipicklist', 4099, { restrictedPicklist: true, picklistValues: ['Hot', 'Cold', 'VIP'] }),
    f('Headcount__c', 'int', 0),
    f('Score__c', 'double', 0),
    f('Opted_In__c', 'boolean', 0, { nillable: false }),
    f('First_Touch__c', 'date', 0),
    f('Last_Touch__c', 'datetime', 0),
    f('Crmsync_Id__c', 'string', 255, { updateable: false }),
    f('Formula__c', 'string', 255, { createable: false, updateable: false }),
    f('MailingAddress', 'address', 0, { createable: false, updateable: false }),
  ],
};

const map = (local: string, salesforce: string, extra: Partial<FieldMapping> = {}): FieldMapping => ({
  local,
  salesforce,
  writeRule: 'overwrite',
  tooLong: 'truncate',
  ...extra,
});

function run(
  partial: Partial<MapFieldsInput> & Pick<MapFieldsInput, 'values' | 'mappings'>,
): MapFieldsResult {
  return mapFields({
    object: 'Contact',
    describe: CONTACT,
    mode: 'create',
    snapshot: null,
    current: null,
    ...partial,
  });
}

function ok(r: MapFieldsResult) {
  assert.equal(r.ok, true, `expected ok, got ${JSON.stringify(r).slice(0, 500)}`);
  if (!r.ok) throw new Error('unreachable');
  return r;
}
function failed(r: MapFieldsResult) {
  assert.equal(r.ok, false, `expected issues, got ${JSON.stringify(r).slice(0, 500)}`);
  if (r.ok) throw new Error('unreachable');
  return r;
}

// ---------- X5: write rules

test('X5: overwrite leaves a field crmsync wrote and did not change, so an edit made in Salesforce survives; a changed value is written', () => {
  const base = {
    mode: 'update' as const,
    mappings: [map('title', 'Title')],
    snapshot: { Title: 'CTO' },
    current: { Title: 'Chief Technology Officer' },
  };
  assert.deepEqual(ok(run({ ...base, values: { title: 'CTO' } })).fields, {});
  assert.deepEqual(ok(run({ ...base, values: { title: 'CEO' } })).fields, { Title: 'CEO' });
});

test('X5: the write rule decides: overwrite writes over a Salesforce value, fill_if_empty keeps it', () => {
  const input = {
    mode: 'update' as const,
    values: { title: 'CEO' },
    snapshot: { Title: 'CTO' },
    current: { Title: 'Founder' },
  };
  assert.deepEqual(ok(run({ ...input, mappings: [map('title', 'Title')] })).fields, { Title: 'CEO' });
  const kept = ok(run({ ...input, mappings: [map('title', 'Title', { writeRule: 'fill_if_empty' })] }));
  assert.deepEqual(kept.fields, {});
  assert.equal(kept.notes[0]?.code, 'KEPT_SALESFORCE_VALUE');
  assert.equal(kept.notes[0]?.rule, 'X5');
});

test('X5: fill_if_empty writes into an empty Salesforce field, and into every field on create', () => {
  const mappings = [map('title', 'Title', { writeRule: 'fill_if_empty' })];
  assert.deepEqual(
    ok(run({ mode: 'update', values: { title: 'CEO' }, mappings, snapshot: {}, current: { Title: null } }))
      .fields,
    { Title: 'CEO' },
  );
  assert.deepEqual(
    ok(run({ mode: 'update', values: { title: 'CEO' }, mappings, snapshot: {}, current: { Title: '  ' } }))
      .fields,
    { Title: 'CEO' },
  );
  assert.deepEqual(ok(run({ mode: 'create', values: { title: 'CEO' }, mappings })).fields, { Title: 'CEO' });
});

test('X5: fill_if_empty without the current values read never writes blind', () => {
  const r = ok(
    run({
      mode: 'update',
      values: { title: 'CEO' },
      mappings: [map('title', 'Title', { writeRule: 'fill_if_empty' })],
      snapshot: {},
      current: null,
    }),
  );
  assert.deepEqual(r.fields, {});
  assert.equal(r.notes[0]?.code, 'NOT_READ_FOR_FILL_IF_EMPTY');
});

test('X5: on create every mapped value is written, whatever the snapshot says', () => {
  const r = ok(
    run({
      mode: 'create',
      values: { firstName: 'Ada', lastName: 'Lovelace' },
      mappings: [map('firstName', 'FirstName'), map('lastName', 'LastName')],
      snapshot: { FirstName: 'Ada' },
    }),
  );
  assert.deepEqual(r.fields, { FirstName: 'Ada', LastName: 'Lovelace' });
});

test('X5: overwrite writes a field crmsync never wrote (a record linked to an existing one)', () => {
  const r = ok(
    run({
      mode: 'update',
      values: { title: 'CTO' },
      mappings: [map('title', 'Title')],
      snapshot: {},
      current: null,
    }),
  );
  assert.deepEqual(r.fields, { Title: 'CTO' });
});

test('X5: a field not createable is left out of a create with a note, and written on update when updateable', () => {
  const input = { values: { externalId: 'p-1' }, mappings: [map('externalId', 'Crmsync_Id__c')] };
  const created = ok(
    run({
      ...input,
      describe: { name: 'Contact', fields: [f('Crmsync_Id__c', 'string', 255, { createable: false })] },
    }),
  );
  assert.deepEqual(created.fields, {});
  assert.equal(created.notes[0]?.code, 'NOT_CREATEABLE');
  const updated = ok(
    run({
      ...input,
      mode: 'update',
      snapshot: {},
      describe: { name: 'Contact', fields: [f('Crmsync_Id__c', 'string', 255, { createable: false })] },
    }),
  );
  assert.deepEqual(updated.fields, { Crmsync_Id__c: 'p-1' });
});

test('X5: a field not updateable is written on create and left out of an update with a note', () => {
  const input = { values: { externalId: 'p-1' }, mappings: [map('externalId', 'Crmsync_Id__c')] };
  assert.deepEqual(ok(run(input)).fields, { Crmsync_Id__c: 'p-1' });
  const r = ok(run({ ...input, mode: 'update', snapshot: {} }));
  assert.deepEqual(r.fields, {});
  assert.equal(r.notes[0]?.code, 'NOT_UPDATEABLE');
  assert.match(r.notes[0]?.message ?? '', /Contact\.Crmsync_Id__c \(from externalId\)/);
});

test('X5: a mapped field the org no longer has is left out with a note naming it, the record still goes', () => {
  const r = ok(
    run({
      values: { title: 'CTO', lastName: 'L' },
      mappings: [map('title', 'Gone__c'), map('lastName', 'LastName')],
    }),
  );
  assert.deepEqual(r.fields, { LastName: 'L' });
  assert.equal(r.notes[0]?.code, 'FIELD_NOT_IN_ORG');
  assert.match(r.notes[0]?.message ?? '', /Gone__c/);
});

test('X5: Salesforce field names match whatever their case, and the org spelling is sent', () => {
  const r = ok(
    run({
      mode: 'update',
      values: { title: 'CTO' },
      mappings: [map('title', 'TITLE')],
      snapshot: { title: 'CTO' },
    }),
  );
  assert.deepEqual(r.fields, {}, 'the snapshot key matched case-insensitively');
  assert.deepEqual(ok(run({ values: { title: 'CTO' }, mappings: [map('title', 'TITLE')] })).fields, {
    Title: 'CTO',
  });
});

test('X5: an empty local value never blanks a Salesforce field crmsync did not write', () => {
  const mappings = [map('title', 'Title')];
  for (const empty of [null, '', '   ', undefined]) {
    assert.deepEqual(
      ok(run({ mode: 'update', values: { title: empty }, mappings, snapshot: {} })).fields,
      {},
      `value ${String(empty)}`,
    );
    assert.deepEqual(ok(run({ mode: 'create', values: { title: empty }, mappings })).fields, {});
  }
});

test('X5: an empty local value clears a field crmsync wrote (overwrite) but not under fill_if_empty', () => {
  const input = {
    mode: 'update' as const,
    values: { title: '' },
    snapshot: { Title: 'CTO' },
    current: { Title: 'CTO' },
  };
  assert.deepEqual(ok(run({ ...input, mappings: [map('title', 'Title')] })).fields, { Title: null });
  assert.deepEqual(
    ok(run({ ...input, mappings: [map('title', 'Title', { writeRule: 'fill_if_empty' })] })).fields,
    {},
  );
});

test('X5: a required field crmsync wrote is not blanked; a note says why', () => {
  const r = ok(
    run({
      mode: 'update',
      values: { lastName: null },
      mappings: [map('lastName', 'LastName')],
      snapshot: { LastName: 'Lovelace' },
    }),
  );
  assert.deepEqual(r.fields, {});
  assert.equal(r.notes[0]?.code, 'CANNOT_BLANK_REQUIRED');
});

test('X5: a local field absent from the values is not touched', () => {
  const r = ok(
    run({
      mode: 'update',
      values: { firstName: 'Ada' },
      mappings: [map('firstName', 'FirstName'), map('title', 'Title')],
      snapshot: { Title: 'CTO' },
    }),
  );
  assert.deepEqual(r.fields, { FirstName: 'Ada' });
});

// ---------- X6: value checks

test('X6: a 100,000-character value is cut to the field length with a note, or rejected, per the mapping', () => {
  const long = 'x'.repeat(100_000);
  const cut = ok(run({ values: { title: long }, mappings: [map('title', 'Title')] }));
  assert.equal((cut.fields.Title as string).length, 128);
  assert.equal(cut.notes[0]?.code, 'TRUNCATED');
  assert.match(cut.notes[0]?.message ?? '', /100000 characters and was cut to 128/);
  const rejected = failed(
    run({ values: { title: long }, mappings: [map('title', 'Title', { tooLong: 'reject' })] }),
  );
  assert.equal(rejected.issues[0]?.code, 'TOO_LONG');
  assert.equal(rejected.issues[0]?.rule, 'X6');
  assert.equal(rejected.issues[0]?.field, 'Title');
  assert.equal(rejected.issues[0]?.localField, 'title');
  assert.ok((rejected.issues[0]?.message.length ?? 0) < 400, 'the message does not quote the whole value');
});

test('X6: a value exactly at the field length is sent whole', () => {
  assert.deepEqual(
    ok(run({ values: { firstName: 'a'.repeat(40) }, mappings: [map('firstName', 'FirstName')] })).notes,
    [],
  );
});

test('X6: cutting never splits an emoji in two', () => {
  const value = `${'a'.repeat(39)}😀tail`;
  const r = ok(run({ values: { firstName: value }, mappings: [map('firstName', 'FirstName')] }));
  assert.equal(r.fields.FirstName, 'a'.repeat(39));
  assert.equal(cutToLength('ééé', 2), 'éé');
});

test('X6: the overwrite comparison uses the cut value, so a long unchanged value is not re-sent', () => {
  const long = 'T'.repeat(500);
  const r = ok(
    run({
      mode: 'update',
      values: { title: long },
      mappings: [map('title', 'Title')],
      snapshot: { Title: 'T'.repeat(128) },
    }),
  );
  assert.deepEqual(r.fields, {});
});

test('X6: an invalid email is dropped with a note and the record still goes', () => {
  for (const bad of [
    'not-an-email',
    'a@b',
    'jané@exämple.com',
    '@acme.com',
    'a@@acme.com',
    `${'a'.repeat(75)}@acme.com`,
  ]) {
    const r = ok(
      run({
        values: { email: bad, lastName: 'L' },
        mappings: [map('email', 'Email'), map('lastName', 'LastName')],
      }),
    );
    assert.deepEqual(r.fields, { LastName: 'L' }, bad);
    assert.equal(r.notes[0]?.code, 'INVALID_EMAIL_DROPPED');
    assert.equal(r.notes[0]?.rule, 'X6');
  }
});

test('X6: a valid email is sent as written (mixed case kept), trimmed, and an international domain in its ASCII form', () => {
  assert.deepEqual(
    ok(run({ values: { email: ' Ada.Lovelace@Acme.CO.uk ' }, mappings: [map('email', 'Email')] })).fields,
    { Email: 'Ada.Lovelace@Acme.CO.uk' },
  );
  assert.deepEqual(
    ok(run({ values: { email: 'ada@müller.de' }, mappings: [map('email', 'Email')] })).fields,
    { Email: 'ada@xn--mller-kva.de' },
  );
});

test('X6: a picklist value unknown to the org is rejected with the allowed values only when the picklist is restricted', () => {
  const values = { stage: 'Apollo' };
  const open = ok(run({ values, mappings: [map('stage', 'LeadSource')] }));
  assert.deepEqual(open.fields, { LeadSource: 'Apollo' }, 'a stock LeadSource accepts Apollo');
  const closed = failed(run({ values, mappings: [map('stage', 'Region__c')] }));
  assert.equal(closed.issues[0]?.code, 'PICKLIST_VALUE_NOT_ALLOWED');
  assert.match(closed.issues[0]?.message ?? '', /allowed values: EMEA, AMER, APAC/);
});

test('X6: a picklist value that differs only in case is sent in the org spelling', () => {
  assert.deepEqual(ok(run({ values: { stage: 'emea' }, mappings: [map('stage', 'Region__c')] })).fields, {
    Region__c: 'EMEA',
  });
  assert.deepEqual(ok(run({ values: { stage: 'web' }, mappings: [map('stage', 'LeadSource')] })).fields, {
    LeadSource: 'Web',
  });
});

test('X6: every value of a restricted multi-select picklist is checked', () => {
  assert.deepEqual(
    ok(run({ values: { stage: ['hot', 'VIP'] }, mappings: [map('stage', 'Tags__c')] })).fields,
    { Tags__c: 'Hot;VIP' },
  );
  const r = failed(run({ values: { stage: 'Hot;Lukewarm' }, mappings: [map('stage', 'Tags__c')] }));
  assert.match(r.issues[0]?.message ?? '', /"Lukewarm"/);
});

interface Coercion {
  field: string;
  value: unknown;
  sent?: unknown;
  issue?: string;
}
const COERCIONS: Coercion[] = [
  { field: 'Headcount__c', value: '1200', sent: 1200 },
  { field: 'Headcount__c', value: 42, sent: 42 },
  { field: 'Headcount__c', value: '12.5', issue: 'NOT_A_WHOLE_NUMBER' },
  { field: 'Headcount__c', value: 'many', issue: 'NOT_A_NUMBER' },
  { field: 'Headcount__c', value: Number.NaN, issue: 'NOT_A_NUMBER' },
  { field: 'Score__c', value: ' 99.5 ', sent: 99.5 },
  { field: 'Score__c', value: '1,200', issue: 'NOT_A_NUMBER' },
  { field: 'Opted_In__c', value: 'Yes', sent: true },
  { field: 'Opted_In__c', value: 0, sent: false },
  { field: 'Opted_In__c', value: 'maybe', issue: 'NOT_A_BOOLEAN' },
  { field: 'First_Touch__c', value: '2026-12-31', sent: '2026-12-31' },
  { field: 'First_Touch__c', value: '2026-12-31T23:30:00-05:00', sent: '2026-12-31' },
  { field: 'First_Touch__c', value: '2026-02-30', issue: 'NOT_A_DATE' },
  { field: 'First_Touch__c', value: '31/12/2026', issue: 'NOT_A_DATE' },
  { field: 'Last_Touch__c', value: '2026-11-28T10:00:00+01:00', sent: '2026-11-28T09:00:00.000Z' },
  { field: 'Last_Touch__c', value: '2026-11-28', sent: '2026-11-28T00:00:00.000Z' },
  { field: 'Last_Touch__c', value: 'yesterday', issue: 'NOT_A_DATETIME' },
  { field: 'Title', value: 7, sent: '7' },
  { field: 'Title', value: { a: 1 }, issue: 'NOT_TEXT' },
];

for (const c of COERCIONS) {
  test(`X6: ${JSON.stringify(c.value)} for a ${CONTACT.fields.find((x) => x.name === c.field)?.type} field ${c.issue ? `is refused with ${c.issue}` : `is sent as ${JSON.stringify(c.sent)}`}`, () => {
    const r = run({ values: { v: c.value }, mappings: [map('v', c.field)] });
    if (c.issue === undefined) {
      assert.deepEqual(ok(r).fields, { [c.field]: c.sent });
    } else {
      const issue = failed(r).issues[0];
      assert.equal(issue?.code, c.issue);
      assert.match(issue?.message ?? '', new RegExp(`Contact\\.${c.field} \\(from v\\)`));
      assert.match(issue?.message ?? '', /Correct v on the record/);
    }
  });
}

test('X6: every problem of a record is reported at once, and notes do not fail it', () => {
  const r = failed(
    run({
      values: { a: 'x', b: 'y', email: 'bad' },
      mappings: [map('a', 'Headcount__c'), map('b', 'Region__c'), map('email', 'Email')],
    }),
  );
  assert.deepEqual(
    r.issues.map((i) => i.code),
    ['NOT_A_NUMBER', 'PICKLIST_VALUE_NOT_ALLOWED'],
  );
});

// ---------- X5 on save: mappings against the org's describe

test('X5: the default mappings check clean against a stock describe', () => {
  assert.deepEqual(checkMappingsAgainstDescribe('Contact', DEFAULT_FIELD_MAPPINGS.Contact, CONTACT), []);
});

test('X5: an unknown Salesforce field is refused on save with a did-you-mean', () => {
  const problems = checkMappingsAgainstDescribe(
    'Contact',
    [map('firstName', 'FirstName'), map('title', 'Titel')],
    CONTACT,
  );
  assert.equal(problems.length, 1);
  assert.equal(problems[0]?.path, 'fieldMappings.Contact.1.salesforce');
  assert.match(problems[0]?.message ?? '', /no field Titel.*did you mean Title\?/);
});

test('X5: a field of the wrong type for the local field is refused on save', () => {
  const problems = checkMappingsAgainstDescribe(
    'Contact',
    [map('email', 'Headcount__c'), map('firstName', 'Email'), map('email', 'Email')],
    CONTACT,
  );
  assert.deepEqual(
    problems.map((p) => p.path),
    ['fieldMappings.Contact.0.salesforce', 'fieldMappings.Contact.1.salesforce'],
  );
  assert.match(problems[0]?.message ?? '', /int field and cannot hold email \(an email address\)/);
});

test('X5: a field neither createable nor updateable is refused on save; one of the two is enough', () => {
  const problems = checkMappingsAgainstDescribe(
    'Contact',
    [map('title', 'Formula__c'), map('externalId', 'Crmsync_Id__c')],
    CONTACT,
  );
  assert.equal(problems.length, 1);
  assert.match(problems[0]?.message ?? '', /Formula__c.*cannot be written/);
});

test('X5: every local field the mapping settings accept has a value kind for the type check', () => {
  const missing = Object.values(MAPPABLE_LOCAL_FIELDS)
    .flat()
    .filter((local) => localFieldKind(local) === undefined);
  assert.deepEqual(missing, []);
  assert.equal(localFieldKind('constructor'), undefined);
});

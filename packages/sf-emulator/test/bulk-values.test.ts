// How Bulk API 2.0 reads CSV strings into typed field values, and how it writes per-record errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FieldMeta, FieldType } from '../src/contracts.js';
import { formatRecordError } from '../src/bulk/apply-row.js';
import { convertCsvValue } from '../src/bulk/convert-value.js';
import { csvValue, valueAt } from '../src/bulk/run-query-job.js';

function field(name: string, type: FieldType): FieldMeta {
  return {
    name,
    label: name,
    type,
    length: 255,
    nillable: true,
    createable: true,
    updateable: true,
    defaultedOnCreate: false,
    externalId: false,
    unique: false,
    caseSensitive: false,
    custom: false,
    filterable: true,
    sortable: true,
    idLookup: false,
    restrictedPicklist: false,
    picklistValues: [],
    referenceTo: [],
    relationshipName: null,
    defaultValue: null,
    precision: 0,
    scale: 0,
  };
}

test("CSV strings become the field type's JSON value", () => {
  const cases: Array<[FieldType, string, unknown]> = [
    ['boolean', 'true', true],
    ['boolean', 'FALSE', false],
    ['boolean', '1', true],
    ['int', '42', 42],
    ['int', '-7', -7],
    ['double', '3.25', 3.25],
    ['currency', '1e3', 1000],
    ['percent', '.5', 0.5],
    ['date', '2024-02-29', '2024-02-29'],
    ['datetime', '2013-05-20T20:49:32.000+0000', '2013-05-20T20:49:32.000Z'],
    ['datetime', '2013-05-20T22:49:32+02:00', '2013-05-20T20:49:32.000Z'],
    ['datetime', '2013-05-20T20:49:32Z', '2013-05-20T20:49:32.000Z'],
    ['datetime', '2013-05-20', '2013-05-20T00:00:00.000Z'],
    ['string', '  spaced  ', '  spaced  '],
    ['picklist', 'Hot', 'Hot'],
  ];
  for (const [type, input, expected] of cases) {
    assert.deepEqual(
      convertCsvValue(field('F', type), input, 1),
      { ok: true, value: expected },
      `${type} ${input}`,
    );
  }
});

test('a value that does not convert is a per-record INVALID_FIELD naming the column and type', () => {
  assert.deepEqual(convertCsvValue(field('NumberOfEmployees', 'int'), '12abc', 3), {
    ok: false,
    error: {
      statusCode: 'INVALID_FIELD',
      message:
        "Failed to deserialize field at col 3. Due to, '12abc' is not a valid value for the type xsd:int",
      fields: ['NumberOfEmployees'],
    },
  });
  for (const [type, input] of [
    ['boolean', 'maybe'],
    ['double', '1.2.3'],
    ['int', '1.5'],
    ['date', '2024-02-30'],
    ['date', '31/01/2024'],
    ['datetime', '2024-13-01T00:00:00Z'],
  ] as const) {
    assert.equal(convertCsvValue(field('F', type), input, 1).ok, false, `${type} ${input}`);
  }
});

test('sf__Error is CODE:message:fields -- exactly as Salesforce writes it', () => {
  assert.equal(
    formatRecordError({
      statusCode: 'REQUIRED_FIELD_MISSING',
      message: 'Required fields are missing: [Name]',
      fields: ['Name'],
    }),
    'REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --',
  );
  assert.equal(
    formatRecordError({
      statusCode: 'INVALID_CROSS_REFERENCE_KEY',
      message: 'invalid cross reference id',
      fields: [],
    }),
    'INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--',
  );
});

test('query CSV cells follow parent paths and write null empty and booleans as true/false', () => {
  const record = {
    Id: '003',
    Account: { attributes: { type: 'Account' }, Name: 'Acme', Owner: null },
    HasOptedOutOfEmail: false,
  };
  assert.equal(csvValue(valueAt(record, ['Account', 'Name'])), 'Acme');
  assert.equal(csvValue(valueAt(record, ['account', 'name'])), 'Acme');
  assert.equal(csvValue(valueAt(record, ['Account', 'Owner', 'Name'])), '');
  assert.equal(csvValue(valueAt(record, ['HasOptedOutOfEmail'])), 'false');
  assert.equal(csvValue(12.5), '12.5');
});

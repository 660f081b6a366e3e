import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCsv, parseBulkError, parseCsv } from '../src/csv.js';

test('buildCsv quotes every text value, doubles quotes and writes null, undefined and empty as #N/A', () => {
  const csv = buildCsv(
    ['LastName', 'Email', 'Score', 'Active'],
    [
      { LastName: 'O"Brien, Jr.', Email: null, Score: 3.5, Active: true },
      { LastName: 'line\nbreak', Email: '', Active: false },
    ],
  );
  assert.equal(
    csv,
    '"LastName","Email","Score","Active"\n"O""Brien, Jr.",#N/A,3.5,true\n"line\nbreak",#N/A,#N/A,false\n',
  );
});

test('parseCsv reads back what buildCsv wrote, CRLF and quoted line breaks included', () => {
  const rows = [
    { A: 'x,"y"', B: 'multi\r\nline' },
    { A: ' lead', B: 'Zoë' },
  ];
  const parsed = parseCsv(buildCsv(['A', 'B'], rows).replace(/\n(?=")/g, '\r\n'));
  assert.deepEqual(parsed, rows);
  assert.deepEqual(parseCsv(''), []);
  assert.deepEqual(parseCsv('"a","b"\n"1",""\n'), [{ a: '1', b: '' }]);
});

test('parseBulkError splits sf__Error into code, message and fields', () => {
  assert.deepEqual(parseBulkError('REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --'), {
    statusCode: 'REQUIRED_FIELD_MISSING',
    message: 'Required fields are missing: [Name]',
    fields: ['Name'],
  });
  assert.deepEqual(parseBulkError('INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--'), {
    statusCode: 'INVALID_CROSS_REFERENCE_KEY',
    message: 'invalid cross reference id',
    fields: [],
  });
  assert.deepEqual(
    parseBulkError(
      'STRING_TOO_LONG:Last Name: data value too large: xxx (max length=80):LastName,FirstName --',
    ),
    {
      statusCode: 'STRING_TOO_LONG',
      message: 'Last Name: data value too large: xxx (max length=80)',
      fields: ['LastName', 'FirstName'],
    },
  );
});

// CSV in and out of Bulk API 2.0: what Salesforce accepts in an upload and how it writes results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { parseUpload } from '../src/bulk/csv-read.js';
import { csvDocument, csvLine, quoteCsv } from '../src/bulk/csv-write.js';
import { decodeLocator, encodeLocator, LAST_PAGE_LOCATOR, pageAt } from '../src/bulk/query-pages.js';

test('an upload keeps quoted delimiters, doubled quotes and embedded newlines in one value', () => {
  const csv = 'Name,Description\n"Acme, Inc.","He said ""hi""\nand left"\nPlain,\n';
  const parsed = parseUpload(Buffer.from(csv), 'COMMA', 'LF');
  assert.deepEqual(parsed, {
    ok: true,
    header: ['Name', 'Description'],
    rows: [
      ['Acme, Inc.', 'He said "hi"\nand left'],
      ['Plain', ''],
    ],
  });
});

test('a CRLF upload parses without stray carriage returns, even with a CRLF inside quotes', () => {
  const csv = 'Name,Phone\r\n"Two\r\nlines",555\r\nB,#N/A\r\n';
  const parsed = parseUpload(Buffer.from(csv), 'COMMA', 'CRLF');
  assert.deepEqual(parsed, {
    ok: true,
    header: ['Name', 'Phone'],
    rows: [
      ['Two\r\nlines', '555'],
      ['B', '#N/A'],
    ],
  });
});

test("a line ending other than the job declared fails the upload with Salesforce's ClientInputError", () => {
  const crlfInLfJob = parseUpload(Buffer.from('Name\r\nA\r\n'), 'COMMA', 'LF');
  assert.deepEqual(crlfInLfJob, {
    ok: false,
    errorMessage: 'ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is LF',
  });
  const lfInCrlfJob = parseUpload(Buffer.from('Name\nA\n'), 'COMMA', 'CRLF');
  assert.equal(lfInCrlfJob.ok, false);
});

test('each column delimiter splits on its own character only', () => {
  const cases = [
    ['TAB', 'A\tB\nx,y\tz\n'],
    ['PIPE', 'A|B\nx,y|z\n'],
    ['SEMICOLON', 'A;B\nx,y;z\n'],
    ['CARET', 'A^B\nx,y^z\n'],
    ['BACKQUOTE', 'A`B\nx,y`z\n'],
  ] as const;
  for (const [delimiter, csv] of cases) {
    assert.deepEqual(
      parseUpload(Buffer.from(csv), delimiter, 'LF'),
      { ok: true, header: ['A', 'B'], rows: [['x,y', 'z']] },
      delimiter,
    );
  }
});

test('a byte-order mark is ignored and a ragged row fails the whole upload', () => {
  const withBom = parseUpload(Buffer.from('\uFEFFName\nA\n'), 'COMMA', 'LF');
  assert.deepEqual(withBom, { ok: true, header: ['Name'], rows: [['A']] });
  const ragged = parseUpload(Buffer.from('Name,Phone\nA\n'), 'COMMA', 'LF');
  assert.equal(ragged.ok, false);
  assert.match(ragged.ok ? '' : ragged.errorMessage, /^ClientInputError : The CSV data could not be parsed/);
});

test('results quote every value and double embedded quotes, so any parser reads them back', () => {
  assert.equal(quoteCsv('plain'), '"plain"');
  assert.equal(quoteCsv('say "x"'), '"say ""x"""');
  const line = csvLine(['001', 'a,b;c|d', 'two\nlines', ''], 'COMMA');
  assert.equal(line, '"001","a,b;c|d","two\nlines",""');
  const doc = csvDocument(csvLine(['Id', 'Note'], 'COMMA'), [csvLine(['001', 'x'], 'COMMA')], 'CRLF');
  assert.equal(doc, '"Id","Note"\r\n"001","x"\r\n');
  const roundTrip = parse(csvDocument(csvLine(['A', 'B', 'C', 'D'], 'COMMA'), [line], 'LF'), {
    columns: true,
  }) as unknown[];
  assert.deepEqual(roundTrip, [{ A: '001', B: 'a,b;c|d', C: 'two\nlines', D: '' }]);
});

test('a header-only results document still ends its line', () => {
  assert.equal(csvDocument('"sf__Id","sf__Created"', [], 'LF'), '"sf__Id","sf__Created"\n');
});

test("query locators are base64 offsets like Salesforce's MTAwMDA, and the last page says null", () => {
  assert.equal(encodeLocator(10000), 'MTAwMDA');
  assert.equal(decodeLocator('MTAwMDA', 20000), 10000);
  assert.equal(
    decodeLocator('MTAwMDA', 10000),
    undefined,
    'an offset past the last row is not a locator of this job',
  );
  assert.equal(decodeLocator('not a locator!', 20000), undefined);
  assert.deepEqual(pageAt(0, 2, 5), { start: 0, end: 2, nextLocator: encodeLocator(2) });
  assert.deepEqual(pageAt(4, 2, 5), { start: 4, end: 5, nextLocator: LAST_PAGE_LOCATOR });
  assert.deepEqual(pageAt(0, 10, 0), { start: 0, end: 0, nextLocator: 'null' });
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildInQueries,
  soqlDateTime,
  soqlId,
  soqlLike,
  soqlName,
  soqlString,
  SoqlLiteralError,
} from '../src/soql.js';

test('soqlString escapes backslash, quotes, newline, CR, tab, backspace and form feed', () => {
  const cases: [string, string][] = [
    ["O'Brien", "'O\\'Brien'"],
    ['back\\slash', "'back\\\\slash'"],
    ['say "hi"', '\'say \\"hi\\"\''],
    ['line1\nline2', "'line1\\nline2'"],
    ['cr\rhere', "'cr\\rhere'"],
    ['tab\there', "'tab\\there'"],
    ['bell\bff\f', "'bell\\bff\\f'"],
    ['ends with \\', "'ends with \\\\'"],
    ["\\'", "'\\\\\\''"],
    ['Zoë 東京 🚀', "'Zoë 東京 🚀'"],
    ['50% off_now', "'50% off_now'"],
  ];
  for (const [input, expected] of cases) assert.equal(soqlString(input), expected, JSON.stringify(input));
});

test('soqlLike escapes % and _ so they match literally, and adds only the wildcards asked for', () => {
  assert.equal(soqlLike('50%_x'), "'50\\%\\_x'");
  assert.equal(soqlLike("O'B", { suffix: '%' }), "'O\\'B%'");
  assert.equal(soqlLike('a', { prefix: '%', suffix: '%' }), "'%a%'");
});

test('soqlString refuses control characters Salesforce cannot escape', () => {
  assert.throws(() => soqlString('nul\u0000'), SoqlLiteralError);
  assert.throws(() => soqlString('esc\u001b'), SoqlLiteralError);
});

test('soqlId, soqlName and soqlDateTime refuse anything that is not an id, a name or a date', () => {
  assert.equal(soqlId('003A10000000005IAA'), "'003A10000000005IAA'");
  assert.throws(() => soqlId("003' OR Id != '"), RangeError);
  assert.equal(soqlName('Crmsync_Id__c'), 'Crmsync_Id__c');
  assert.throws(() => soqlName('Name FROM User --'), RangeError);
  assert.equal(soqlDateTime(new Date('2026-01-02T03:04:05.000Z')), '2026-01-02T03:04:05Z');
  assert.equal(soqlDateTime(new Date('2026-01-02T03:04:05.250Z')), '2026-01-02T03:04:05.250Z');
  assert.throws(() => soqlDateTime(new Date('nope')), RangeError);
});

test('buildInQueries cuts IN-lists so each encoded query URL stays within the limit and keeps every value once', () => {
  const values = Array.from({ length: 3000 }, (_, i) => `person.${i}+tag@example-${i % 7}.com`);
  const urlPrefix = '/services/data/v62.0/query?q=';
  const queries = buildInQueries({
    select: ['Id', 'Email'],
    from: 'Contact',
    field: 'Email',
    values,
    where: ['IsDeleted = false'],
    urlPrefix,
    maxUrlLength: 16_000,
  });
  assert.ok(queries.length > 1, 'several chunks');
  for (const q of queries)
    assert.ok(
      urlPrefix.length + encodeURIComponent(q).length <= 16_000,
      `too long: ${encodeURIComponent(q).length}`,
    );
  const seen = queries.flatMap((q) => [...q.matchAll(/'([^']*)'/g)].map((m) => m[1]));
  assert.deepEqual(seen, values);
  assert.match(queries[0]!, /^SELECT Id, Email FROM Contact WHERE \(IsDeleted = false\) AND Email IN \('/);
  assert.deepEqual(buildInQueries({ select: ['Id'], from: 'Contact', field: 'Email', values: [] }), []);
});

test('buildInQueries refuses a single value too long for any query', () => {
  assert.throws(
    () => buildInQueries({ select: ['Id'], from: 'Contact', field: 'Email', values: ['x'.repeat(20_000)] }),
    RangeError,
  );
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeId, to18 } from '../src/ids.js';

test('to18 appends the checksum Salesforce documents for known ids', () => {
  assert.equal(to18('001D000000IqhSL'), '001D000000IqhSLIAZ');
  assert.equal(to18('00190000001pPvH'), '00190000001pPvHAAU');
  assert.equal(to18('003xx000004TmiQ'), '003xx000004TmiQAAS');
});

test('normalizeId accepts 15- and 18-character ids and refuses a bad checksum or shape', () => {
  assert.equal(normalizeId('001D000000IqhSL'), '001D000000IqhSLIAZ');
  assert.equal(normalizeId('001D000000IqhSLIAZ'), '001D000000IqhSLIAZ');
  assert.equal(normalizeId('001D000000IqhSLAAA'), undefined);
  assert.equal(normalizeId('001900K0001pPuOAAU'), undefined);
  assert.equal(normalizeId('not-an-id'), undefined);
  assert.equal(normalizeId('001D000000IqhS'), undefined);
});

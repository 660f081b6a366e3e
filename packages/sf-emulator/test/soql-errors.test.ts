// SOQL errors as Salesforce words them: codes, statuses and messages with the caret prefix.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SalesforceError } from '../src/contracts.js';
import { executeSoql } from '../src/soql/index.js';
import { makeOrg } from './soql-helpers.js';

const org = makeOrg();

function failure(soql: string): SalesforceError {
  try {
    executeSoql(org.store, soql, { includeDeleted: false });
  } catch (error) {
    assert.ok(error instanceof SalesforceError, `expected a SalesforceError, got ${String(error)}`);
    assert.equal(error.status, 400);
    return error;
  }
  assert.fail(`expected ${soql} to fail`);
}

test("a syntax error is MALFORMED_QUERY in Salesforce's exact shape", () => {
  const e = failure('SELECT Id, FROM Account');
  assert.equal(e.errorCode, 'MALFORMED_QUERY');
  assert.equal(
    e.message,
    "\nSELECT Id, FROM Account\n          ^\nERROR at Row:1:Column:11\nunexpected token: 'FROM'",
  );
});

test('syntax errors name the row of a multi-line query and the end of input', () => {
  const e = failure("SELECT Id\nFROM Contact\nWHERE LastName = 'x' AND");
  assert.equal(e.errorCode, 'MALFORMED_QUERY');
  assert.match(e.message, /ERROR at Row:3:Column:\d+\nunexpected token: '<EOF>'/);
  const open = failure("SELECT Id FROM Contact WHERE LastName = 'x");
  assert.equal(open.errorCode, 'MALFORMED_QUERY');
  assert.match(open.message, /unexpected token: '''/);
});

test("an unknown object is INVALID_TYPE with Salesforce's wording", () => {
  const e = failure('SELECT Id FROM Foo');
  assert.equal(e.errorCode, 'INVALID_TYPE');
  assert.ok(
    e.message.endsWith(
      "sObject type 'Foo' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.",
    ),
    e.message,
  );
});

test('an unknown field is INVALID_FIELD naming the field and the entity, with the caret under it', () => {
  const e = failure('SELECT Id, Foo FROM Account');
  assert.equal(e.errorCode, 'INVALID_FIELD');
  assert.equal(
    e.message,
    "\nSELECT Id, Foo FROM Account\n           ^\nERROR at Row:1:Column:12\nNo such column 'Foo' on entity 'Account'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.",
  );
  const inWhere = failure("SELECT Id FROM Contact WHERE Account.Nme = 'x'");
  assert.match(inWhere.message, /No such column 'Nme' on entity 'Account'/);
  const relationship = failure("SELECT Id FROM Contact WHERE Acount.Name = 'x'");
  assert.equal(relationship.errorCode, 'INVALID_FIELD');
  assert.match(relationship.message, /Didn't understand relationship 'Acount' in field path/);
});

test('the caret for a WHERE error points into the WHERE clause', () => {
  const e = failure("SELECT Id FROM Contact WHERE Id = 'abc'");
  assert.equal(e.errorCode, 'INVALID_QUERY_FILTER_OPERATOR');
  assert.equal(
    e.message,
    "\nSELECT Id FROM Contact WHERE Id = 'abc'\n                             ^\nERROR at Row:1:Column:30\ninvalid ID field: abc",
  );
});

test('a literal of the wrong type for the field is INVALID_FIELD saying which type it must be', () => {
  const cases: Array<[string, RegExp]> = [
    [
      'SELECT Id FROM Contact WHERE CreatedDate > 2024-01-01',
      /field 'CreatedDate' must be of type dateTime and should not be enclosed in quotes/,
    ],
    [
      "SELECT Id FROM Contact WHERE Birth_Date__c = '2024-01-01'",
      /field 'Birth_Date__c' must be of type date and should not be enclosed in quotes/,
    ],
    [
      'SELECT Id FROM Contact WHERE LastName = 5',
      /field 'LastName' must be of type string and should be enclosed in quotes/,
    ],
    ["SELECT Id FROM Contact WHERE Visits__c = '5'", /field 'Visits__c' must be of type integer/],
    ["SELECT Id FROM Contact WHERE Active__c = 'true'", /field 'Active__c' must be of type boolean/],
  ];
  for (const [soql, message] of cases) {
    const e = failure(soql);
    assert.equal(e.errorCode, 'INVALID_FIELD', soql);
    assert.match(e.message, message);
  }
});

test('an operator the field type does not support is INVALID_QUERY_FILTER_OPERATOR', () => {
  for (const soql of [
    "SELECT Id FROM Contact WHERE LastName INCLUDES ('a')",
    'SELECT Id FROM Contact WHERE Visits__c LIKE 5',
    'SELECT Id FROM Contact WHERE Active__c > false',
    "SELECT Id FROM Contact WHERE Tags__c < 'red'",
  ]) {
    assert.equal(failure(soql).errorCode, 'INVALID_QUERY_FILTER_OPERATOR', soql);
  }
});

test('unsupported constructs are MALFORMED_QUERY naming the construct, never a crash', () => {
  const cases: Array<[string, RegExp]> = [
    ['SELECT Id FROM Contact WHERE AccountId IN (SELECT Id FROM Account)', /semi-join/],
    ['SELECT Id, (SELECT Id FROM Contacts) FROM Account', /subquery in SELECT/],
    ['SELECT LastName, COUNT(Id) FROM Contact GROUP BY LastName', /GROUP BY|grouped/],
    ['SELECT COUNT(Id) FROM Contact GROUP BY LastName', /GROUP BY/],
    ['SELECT Id, TYPEOF What WHEN Account THEN Name END FROM Task', /TYPEOF/],
    ['SELECT Id FROM Contact LIMIT 1 FOR UPDATE', /FOR UPDATE/],
    ['SELECT Id FROM Contact WITH SECURITY_ENFORCED', /WITH SECURITY_ENFORCED/],
    ['SELECT Id FROM Contact WHERE CALENDAR_YEAR(CreatedDate) = 2024', /CALENDAR_YEAR/],
    ['SELECT toLabel(LeadSource) FROM Contact', /toLabel/],
    ['SELECT Id FROM Contact USING SCOPE mine', /USING SCOPE/],
  ];
  for (const [soql, construct] of cases) {
    const e = failure(soql);
    assert.equal(e.errorCode, 'MALFORMED_QUERY', soql);
    assert.match(e.message, construct, soql);
  }
});

test('a field that cannot be filtered or sorted says so', () => {
  assert.match(
    failure("SELECT Id FROM Contact WHERE Description = 'x'").message,
    /field 'Description' can not be filtered/,
  );
  assert.match(
    failure('SELECT Id FROM Contact ORDER BY Tags__c').message,
    /field 'Tags__c' can not be sorted/,
  );
});

test('selecting a field twice, or a plain field beside an aggregate, is MALFORMED_QUERY', () => {
  assert.match(failure('SELECT Id, id FROM Contact').message, /duplicate field selected: id/);
  assert.match(
    failure('SELECT LastName, COUNT(Id) FROM Contact').message,
    /Field must be grouped or aggregated: LastName/,
  );
});

test('three NOTs in a row are refused rather than answered wrongly', () => {
  for (const soql of [
    'SELECT Id FROM Contact WHERE NOT NOT NOT Active__c = true',
    'SELECT Id FROM Contact WHERE NOT (NOT (NOT Active__c = true))',
  ]) {
    const e = failure(soql);
    assert.equal(e.errorCode, 'MALFORMED_QUERY');
    assert.match(e.message, /NOT/);
  }
});

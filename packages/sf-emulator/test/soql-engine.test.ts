// The SOQL engine on a real org store: field shaping, every operator and literal, ordering,
// paging cuts, deleted rows and the access planner.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { executeSoql, runSoql } from '../src/soql/index.js';
import { idsOf, makeOrg, type TestOrg } from './soql-helpers.js';

interface People {
  org: TestOrg;
  acme: string;
  globex: string;
  pat: string;
  zed: string;
  ann: string;
  bob: string;
  eve: string;
}

/** Five contacts spread over every value kind; the fixed clock is 2024-03-15T12:00:00Z. */
function people(): People {
  const org = makeOrg();
  const acme = org.create('Account', { Name: 'Acme', Industry: 'Technology' });
  const globex = org.create('Account', { Name: 'Globex' });
  const pat = org.create('Contact', {
    FirstName: 'Pat',
    LastName: "O'Brien",
    Email: 'Pat@Example.com',
    AccountId: acme,
    Score__c: 3.5,
    Visits__c: 10,
    Active__c: true,
    Tier__c: 'Gold',
    Tags__c: 'red;blue',
    Birth_Date__c: '1990-01-31',
    Last_Seen__c: '2024-03-15T00:00:00Z',
    External_Id__c: 'EXT-1',
    Nickname__c: 'back\\slash "quoted"',
  });
  const zed = org.create('Contact', {
    LastName: 'zed',
    Email: 'zed@example.com',
    AccountId: globex,
    Score__c: -2,
    Visits__c: 0,
    Tier__c: 'Silver',
    Tags__c: 'green',
    Birth_Date__c: '1985-06-01',
    Last_Seen__c: '2024-03-14T23:59:59Z',
    External_Id__c: 'EXT-2',
    Nickname__c: '100% sure_thing',
  });
  const ann = org.create('Contact', {
    LastName: 'Ann',
    Score__c: 3.5,
    Tags__c: 'red;green;Mauve',
    Last_Seen__c: '2024-03-10T10:00:00Z',
    Nickname__c: 'line\nbreak\ttab é',
  });
  const bob = org.create('Contact', {
    LastName: 'Bob',
    Visits__c: 7,
    Last_Seen__c: '2024-03-09T10:00:00Z',
    Tier__c: 'Bronze',
  });
  const eve = org.create('Contact', {
    LastName: 'Eve',
    Last_Seen__c: '2024-03-16T00:00:00Z',
    Birth_Date__c: '2024-03-15',
  });
  return { org, acme, globex, pat, zed, ann, bob, eve };
}

function ids(org: TestOrg, soql: string, includeDeleted = false): string[] {
  return idsOf(executeSoql(org.store, soql, { includeDeleted }).records);
}

function orderedIds(org: TestOrg, soql: string): string[] {
  return executeSoql(org.store, soql, { includeDeleted: false }).records.map((r) => String(r['Id']));
}

function errorOf(org: TestOrg, soql: string): { errorCode: string; message: string; status: number } {
  try {
    executeSoql(org.store, soql, { includeDeleted: false });
  } catch (error) {
    const e = error as { errorCode: string; message: string; status: number };
    return { errorCode: e.errorCode, message: e.message, status: e.status };
  }
  assert.fail(`expected ${soql} to fail`);
}

test('selected fields come back in SELECT order under canonical names, after attributes', () => {
  const { org, pat } = people();
  const result = executeSoql(org.store, `select email, ID, lastname from contact where id = '${pat}'`, {
    includeDeleted: false,
  });
  assert.equal(result.objectName, 'Contact');
  assert.deepEqual(result.fields, ['email', 'ID', 'lastname']);
  assert.deepEqual(Object.keys(result.records[0] ?? {}), ['attributes', 'Email', 'Id', 'LastName']);
  assert.deepEqual(result.records[0], {
    attributes: { type: 'Contact', url: `/services/data/v62.0/sobjects/Contact/${pat}` },
    Email: 'Pat@Example.com',
    Id: pat,
    LastName: "O'Brien",
  });
});

test('the API version given is written into attributes.url', () => {
  const { org, pat } = people();
  const result = executeSoql(org.store, `SELECT Id FROM Contact WHERE Id = '${pat}'`, {
    includeDeleted: false,
    apiVersion: '50.0',
  });
  assert.deepEqual(result.records[0]?.['attributes'], {
    type: 'Contact',
    url: `/services/data/v50.0/sobjects/Contact/${pat}`,
  });
});

test('parent fields nest under the relationship with their own attributes; an empty lookup is null', () => {
  const { org, pat, ann, acme } = people();
  const result = executeSoql(
    org.store,
    `SELECT Id, account.name, Account.Industry, Owner.Email FROM Contact WHERE Id IN ('${pat}', '${ann}') ORDER BY LastName`,
    {
      includeDeleted: false,
    },
  );
  assert.deepEqual(result.fields, ['Id', 'account.name', 'Account.Industry', 'Owner.Email']);
  const [annRow, patRow] = result.records;
  assert.deepEqual(annRow?.['Account'], null);
  assert.deepEqual(patRow?.['Account'], {
    attributes: { type: 'Account', url: `/services/data/v62.0/sobjects/Account/${acme}` },
    Name: 'Acme',
    Industry: 'Technology',
  });
  assert.equal((patRow?.['Owner'] as Record<string, unknown>)['Email'], 'integration@example.com');
});

test('two-level parent paths nest twice', () => {
  const { org, pat } = people();
  const result = executeSoql(org.store, `SELECT Account.Owner.Email FROM Contact WHERE Id = '${pat}'`, {
    includeDeleted: false,
  });
  const account = result.records[0]?.['Account'] as Record<string, unknown>;
  const owner = account['Owner'] as Record<string, unknown>;
  assert.equal((owner['attributes'] as Record<string, unknown>)['type'], 'User');
  assert.equal(owner['Email'], 'integration@example.com');
  assert.deepEqual(result.paths, [['Account', 'Owner', 'Email']]);
});

test('a polymorphic lookup shapes the parent as its actual type', () => {
  const { org, pat } = people();
  const lead = org.create('Lead', { LastName: 'Lee', Company: 'Initech' });
  const t1 = org.create('Task', { Subject: 'Call', WhoId: pat });
  const t2 = org.create('Task', { Subject: 'Call', WhoId: lead });
  const result = executeSoql(
    org.store,
    `SELECT Id, Who.Name FROM Task WHERE Id IN ('${t1}', '${t2}') ORDER BY Who.Name`,
    { includeDeleted: false },
  );
  const types = result.records.map(
    (r) => ((r['Who'] as Record<string, unknown>)['attributes'] as Record<string, unknown>)['type'],
  );
  assert.deepEqual(types, ['Lead', 'Contact']);
});

test('datetimes come out as .000+0000 and dates as yyyy-mm-dd', () => {
  const { org, pat } = people();
  const [row] = executeSoql(
    org.store,
    `SELECT Last_Seen__c, Birth_Date__c, CreatedDate FROM Contact WHERE Id = '${pat}'`,
    { includeDeleted: false },
  ).records;
  assert.equal(row?.['Last_Seen__c'], '2024-03-15T00:00:00.000+0000');
  assert.equal(row?.['Birth_Date__c'], '1990-01-31');
  assert.match(String(row?.['CreatedDate']), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$/);
});

test('= and != on text are case-insensitive and != keeps nulls', () => {
  const { org, pat, zed, ann, bob, eve } = people();
  assert.deepEqual(ids(org, "SELECT Id FROM Contact WHERE Email = 'pat@example.COM'"), [pat]);
  assert.deepEqual(ids(org, "SELECT Id FROM Contact WHERE LastName = 'ZED'"), [zed]);
  assert.deepEqual(ids(org, "SELECT Id FROM Contact WHERE Tier__c != 'gold'"), [zed, ann, bob, eve].sort());
  assert.deepEqual(ids(org, "SELECT Id FROM Contact WHERE Tier__c <> 'GOLD'"), [zed, ann, bob, eve].sort());
});

test('< > <= >= compare numbers, text (case-insensitively), dates and datetimes; nulls never match', () => {
  const { org, pat, zed, ann, bob } = people();
  assert.deepEqual(ids(org, 'SELECT Id FROM Contact WHERE Score__c > 0'), [pat, ann].sort());
  assert.deepEqual(ids(org, 'SELECT Id FROM Contact WHERE Score__c >= -2'), [pat, zed, ann].sort());
  assert.deepEqual(ids(org, 'SELECT Id FROM Contact WHERE Score__c < 3.5'), [zed]);
  assert.deepEqual(ids(org, 'SELECT Id FROM Contact WHERE Score__c <= 3.5'), [pat, zed, ann].sort());
  assert.deepEqual(ids(org, 'SELECT Id FROM Contact WHERE Visits__c < 8'), [zed, bob].sort());
  assert.deepEqual(ids(org, "SELECT Id FROM Contact WHERE LastName < 'b'"), [ann]);
  assert.deepEqual(ids(org, "SELECT Id FROM Contact WHERE LastName >= 'P'"), [zed]);
  assert.deepEqual(ids(org, 'SELECT Id FROM Contact WHERE Birth_Date__c < 1990-01-31'), [zed]);
  assert.deepEqual(ids(org, 'SELECT Id FROM Contact WHERE Birth_Date__c <= 1990-01-31'), [zed, pat].sort());
  assert.deepEqual(ids(org, 'SELECT Id FROM Contact WHERE Last_Seen__c < 2024-03-10T10:00:00Z'), [bob]);
  assert.deepEqual(
    ids(org, 'SELECT Id FROM Contact WHERE Last_Seen__c <= 2024-03-10T10:00:00Z'),
    [ann, bob].sort(),
  );
});

test('datetime literals honour +0000, -05:00 and fractional seconds', () => {
  const { org, pat, zed } = people();
  assert.deepEqual(ids(org, 'SELECT Id FROM Contact WHERE Last_Seen__c = 2024-03-15T00:00:00+0000'), [pat]);
  assert.deepEqual(ids(org, 'SELECT Id FROM Contact WHERE Last_Seen__c = 2024-03-14T19:00:00-05:00'), [pat]);
  assert.deepEqual(ids(org, 'SELECT Id FROM Contact WHERE Last_Seen__c = 2024-03-14T23:59:59.000Z'), [zed]);
});

test('LIKE: % and _ wildcards, case-insensitive, \\% and \\_ match themselves', () => {
  const { org, pat, zed, ann } = people();
  assert.deepEqual(ids(org, "SELECT Id FROM Contact WHERE LastName LIKE 'o\\'b%'"), [pat]);
  assert.deepEqual(ids(org, "SELECT Id FROM Contact WHERE LastName LIKE '_ED'"), [zed]);
  assert.deepEqual(ids(org, "SELECT Id FROM Contact WHERE Nickname__c LIKE '100\\% sure\\_%'"), [zed]);
  assert.deepEqual(ids(org, "SELECT Id FROM Contact WHERE Nickname__c LIKE '100\\%_sure%'"), [zed]);
  assert.deepEqual(ids(org, "SELECT Id FROM Contact WHERE Nickname__c LIKE '1000%'"), []);
  assert.deepEqual(ids(org, "SELECT Id FROM Contact WHERE Nickname__c LIKE '%\\_%'"), [zed]);
  assert.deepEqual(ids(org, "SELECT Id FROM Contact WHERE Nickname__c LIKE 'line%É'"), [ann]);
  assert.deepEqual(
    ids(org, "SELECT Id FROM Contact WHERE NOT Nickname__c LIKE '%A%'"),
    idsOfAllBut(org, [ann, pat]),
  );
});

function idsOfAllBut(org: TestOrg, excluded: string[]): string[] {
  return ids(org, 'SELECT Id FROM Contact').filter((id) => !excluded.includes(id));
}

test('string escapes: quotes, backslash, newline, tab and \\u', () => {
  const { org, pat, ann } = people();
  assert.deepEqual(ids(org, `SELECT Id FROM Contact WHERE Nickname__c = 'back\\\\slash \\"quoted\\"'`), [
    pat,
  ]);
  assert.deepEqual(ids(org, "SELECT Id FROM Contact WHERE Nickname__c = 'line\\nbreak\\ttab \\u00e9'"), [
    ann,
  ]);
  assert.deepEqual(ids(org, "SELECT Id FROM Contact WHERE Nickname__c = 'LINE\\nBREAK\\tTAB \\u00C9'"), [
    ann,
  ]);
});

test('an illegal escape, or \\% outside LIKE, is MALFORMED_QUERY', () => {
  const { org } = people();
  assert.equal(errorOf(org, "SELECT Id FROM Contact WHERE LastName = 'a\\qb'").errorCode, 'MALFORMED_QUERY');
  const outside = errorOf(org, "SELECT Id FROM Contact WHERE LastName = '100\\%'");
  assert.equal(outside.errorCode, 'MALFORMED_QUERY');
  assert.match(outside.message, /Illegal character sequence '\\%'/);
});

test('IN and NOT IN, including null in the list', () => {
  const { org, pat, zed, ann, bob, eve } = people();
  assert.deepEqual(ids(org, "SELECT Id FROM Contact WHERE Tier__c IN ('gold', 'BRONZE')"), [pat, bob].sort());
  assert.deepEqual(
    ids(org, "SELECT Id FROM Contact WHERE Tier__c NOT IN ('gold', 'BRONZE')"),
    [zed, ann, eve].sort(),
  );
  assert.deepEqual(
    ids(org, "SELECT Id FROM Contact WHERE Tier__c IN ('Gold', null)"),
    [pat, ann, eve].sort(),
  );
  assert.deepEqual(ids(org, 'SELECT Id FROM Contact WHERE Visits__c IN (0, 7)'), [zed, bob].sort());
  assert.deepEqual(
    ids(org, `SELECT Id FROM Contact WHERE Id IN ('${pat}', '${zed.slice(0, 15)}')`),
    [pat, zed].sort(),
  );
});

test('INCLUDES and EXCLUDES on a multi-select picklist; ; inside a value means all of them', () => {
  const { org, pat, zed, ann, bob, eve } = people();
  assert.deepEqual(ids(org, "SELECT Id FROM Contact WHERE Tags__c INCLUDES ('red')"), [pat, ann].sort());
  assert.deepEqual(ids(org, "SELECT Id FROM Contact WHERE Tags__c INCLUDES ('RED;green')"), [ann]);
  assert.deepEqual(
    ids(org, "SELECT Id FROM Contact WHERE Tags__c INCLUDES ('blue', 'mauve')"),
    [pat, ann].sort(),
  );
  assert.deepEqual(ids(org, "SELECT Id FROM Contact WHERE Tags__c EXCLUDES ('red')"), [zed, bob, eve].sort());
  assert.deepEqual(ids(org, "SELECT Id FROM Contact WHERE Tags__c = 'blue;red'"), [pat]);
});

test('NULL, booleans and numbers as literals', () => {
  const { org, pat, zed, ann, bob, eve } = people();
  assert.deepEqual(ids(org, 'SELECT Id FROM Contact WHERE Email = null'), [ann, bob, eve].sort());
  assert.deepEqual(ids(org, 'SELECT Id FROM Contact WHERE Email != NULL'), [pat, zed].sort());
  assert.deepEqual(ids(org, 'SELECT Id FROM Contact WHERE Active__c = TRUE'), [pat]);
  assert.deepEqual(ids(org, 'SELECT Id FROM Contact WHERE Active__c = false'), [zed, ann, bob, eve].sort());
  assert.deepEqual(ids(org, 'SELECT Id FROM Contact WHERE Score__c = -2.0'), [zed]);
});

test('AND, OR, NOT and parentheses; mixing AND with OR unparenthesised is MALFORMED_QUERY', () => {
  const { org, pat, zed, ann, bob, eve } = people();
  assert.deepEqual(
    ids(org, "SELECT Id FROM Contact WHERE (Tier__c = 'Gold' OR Tier__c = 'Silver') AND Score__c > 0"),
    [pat],
  );
  assert.deepEqual(
    ids(org, "SELECT Id FROM Contact WHERE Tier__c = 'Gold' OR (Tier__c = 'Silver' AND Score__c > 0)"),
    [pat],
  );
  assert.deepEqual(
    ids(org, "SELECT Id FROM Contact WHERE NOT (Tier__c = 'Gold' OR Tier__c = null)"),
    [zed, bob].sort(),
  );
  assert.deepEqual(
    ids(org, "SELECT Id FROM Contact WHERE NOT Tier__c = 'Gold' AND Score__c != null"),
    [zed, ann].sort(),
  );
  assert.deepEqual(
    ids(org, "SELECT Id FROM Contact WHERE Score__c = 3.5 AND (NOT LastName = 'ann' OR Visits__c = null)"),
    [pat, ann].sort(),
  );
  assert.deepEqual(
    ids(org, "SELECT Id FROM Contact WHERE ((LastName = 'Bob')) OR ((LastName = 'Eve' OR LastName = 'Ann'))"),
    [ann, bob, eve].sort(),
  );
  const mixed = errorOf(org, "SELECT Id FROM Contact WHERE LastName = 'a' AND Email = 'b' OR Email = 'c'");
  assert.equal(mixed.errorCode, 'MALFORMED_QUERY');
  assert.match(mixed.message, /unexpected token: 'OR'/);
});

test('TODAY, YESTERDAY, LAST_N_DAYS:n and NEXT_N_DAYS:n follow the org clock (2024-03-15T12:00Z)', () => {
  const { org, pat, zed, ann, bob, eve } = people();
  assert.deepEqual(ids(org, 'SELECT Id FROM Contact WHERE Last_Seen__c = TODAY'), [pat]);
  assert.deepEqual(ids(org, 'SELECT Id FROM Contact WHERE Last_Seen__c = YESTERDAY'), [zed]);
  assert.deepEqual(
    ids(org, 'SELECT Id FROM Contact WHERE Last_Seen__c = LAST_N_DAYS:5'),
    [pat, zed, ann].sort(),
  );
  assert.deepEqual(ids(org, 'SELECT Id FROM Contact WHERE Last_Seen__c = NEXT_N_DAYS:2'), [eve]);
  assert.deepEqual(ids(org, 'SELECT Id FROM Contact WHERE Last_Seen__c < LAST_N_DAYS:5'), [bob]);
  assert.deepEqual(ids(org, 'SELECT Id FROM Contact WHERE Last_Seen__c > TODAY'), [eve]);
  assert.deepEqual(ids(org, 'SELECT Id FROM Contact WHERE Last_Seen__c >= TODAY'), [pat, eve].sort());
  assert.deepEqual(ids(org, 'SELECT Id FROM Contact WHERE Birth_Date__c = TODAY'), [eve]);
  org.clock.advance(86_400_000);
  assert.deepEqual(ids(org, 'SELECT Id FROM Contact WHERE Last_Seen__c = YESTERDAY'), [pat]);
  assert.deepEqual(ids(org, 'SELECT Id FROM Contact WHERE Last_Seen__c = TODAY'), [eve]);
});

test('ORDER BY: several keys, DESC, and NULLS FIRST for ASC / NULLS LAST for DESC by default', () => {
  const { org, pat, zed, ann, bob, eve } = people();
  assert.deepEqual(orderedIds(org, 'SELECT Id FROM Contact ORDER BY Score__c, LastName'), [
    bob,
    eve,
    zed,
    ann,
    pat,
  ]);
  assert.deepEqual(orderedIds(org, 'SELECT Id FROM Contact ORDER BY Score__c DESC, LastName DESC'), [
    pat,
    ann,
    zed,
    eve,
    bob,
  ]);
  assert.deepEqual(orderedIds(org, 'SELECT Id FROM Contact ORDER BY Score__c ASC NULLS LAST, LastName'), [
    zed,
    ann,
    pat,
    bob,
    eve,
  ]);
  assert.deepEqual(orderedIds(org, 'SELECT Id FROM Contact ORDER BY Score__c DESC NULLS FIRST, LastName'), [
    bob,
    eve,
    ann,
    pat,
    zed,
  ]);
  assert.deepEqual(orderedIds(org, 'SELECT Id FROM Contact ORDER BY LastName'), [ann, bob, eve, pat, zed]);
  assert.deepEqual(orderedIds(org, 'SELECT Id FROM Contact ORDER BY Account.Name DESC, LastName'), [
    zed,
    pat,
    ann,
    bob,
    eve,
  ]);
});

test('LIMIT and OFFSET cut the sorted rows; OFFSET above 2000 is refused', () => {
  const { org, ann, bob, eve, pat } = people();
  assert.deepEqual(orderedIds(org, 'SELECT Id FROM Contact ORDER BY LastName LIMIT 2'), [ann, bob]);
  assert.deepEqual(orderedIds(org, 'SELECT Id FROM Contact ORDER BY LastName LIMIT 2 OFFSET 2'), [eve, pat]);
  assert.deepEqual(
    orderedIds(org, 'SELECT Id FROM Contact ORDER BY LastName OFFSET 4'),
    ids(org, "SELECT Id FROM Contact WHERE LastName = 'zed'"),
  );
  assert.equal(
    executeSoql(org.store, 'SELECT Id FROM Contact LIMIT 3', { includeDeleted: false }).totalSize,
    3,
  );
  const tooFar = errorOf(org, 'SELECT Id FROM Contact OFFSET 2001');
  assert.equal(tooFar.errorCode, 'NUMBER_OUTSIDE_VALID_RANGE');
});

test('deleted rows appear only through queryAll, with IsDeleted and MasterRecordId', () => {
  const { org, pat, zed } = people();
  const deleted = org.store.delete(zed, org.ctx);
  assert.equal(deleted.success, true);
  assert.deepEqual(ids(org, 'SELECT Id FROM Contact WHERE IsDeleted = true'), []);
  assert.ok(!ids(org, 'SELECT Id FROM Contact').includes(zed));
  assert.deepEqual(ids(org, `SELECT Id FROM Contact WHERE Id = '${zed}'`), []);
  assert.deepEqual(ids(org, `SELECT Id FROM Contact WHERE Email = 'zed@example.com'`), []);
  const all = executeSoql(
    org.store,
    'SELECT Id, IsDeleted, MasterRecordId FROM Contact WHERE IsDeleted = true',
    { includeDeleted: true },
  );
  assert.deepEqual(
    all.records.map((r) => [r['Id'], r['IsDeleted'], r['MasterRecordId']]),
    [[zed, true, null]],
  );
  assert.deepEqual(ids(org, `SELECT Id FROM Contact WHERE Id = '${zed}'`, true), [zed]);
  assert.ok(ids(org, 'SELECT Id FROM Contact', true).includes(pat));
});

test('COUNT() answers totalSize only; COUNT(Id) and COUNT(field) answer an AggregateResult', () => {
  const { org } = people();
  const bare = executeSoql(org.store, 'SELECT COUNT() FROM Contact WHERE Score__c != null', {
    includeDeleted: false,
  });
  assert.deepEqual([bare.totalSize, bare.records], [3, []]);
  const agg = executeSoql(
    org.store,
    'SELECT COUNT(Id), COUNT(Email) emails, COUNT_DISTINCT(Score__c) FROM Contact',
    { includeDeleted: false },
  );
  assert.equal(agg.totalSize, 1);
  assert.deepEqual(agg.records, [{ attributes: { type: 'AggregateResult' }, expr0: 5, emails: 2, expr1: 2 }]);
  assert.equal(errorOf(org, 'SELECT SUM(Score__c) FROM Contact').errorCode, 'MALFORMED_QUERY');
});

test('the planner looks up by Id, Email and external id, inside an AND too, and scans otherwise', () => {
  const { org, pat, zed } = people();
  const plan = (soql: string) => runSoql(org.store, soql, { includeDeleted: false }).plan;
  assert.deepEqual(plan(`SELECT Id FROM Contact WHERE Id = '${pat}'`), {
    kind: 'lookup',
    field: 'Id',
    values: [pat],
  });
  assert.deepEqual(plan("SELECT Id FROM Contact WHERE email IN ('a@b.c', 'zed@example.com')"), {
    kind: 'lookup',
    field: 'Email',
    values: ['a@b.c', 'zed@example.com'],
  });
  assert.deepEqual(plan("SELECT Id FROM Contact WHERE LastName = 'x' AND External_Id__c = 'EXT-2'"), {
    kind: 'lookup',
    field: 'External_Id__c',
    values: ['EXT-2'],
  });
  assert.deepEqual(plan("SELECT Id FROM Contact WHERE Email = 'a' OR LastName = 'b'"), { kind: 'scan' });
  assert.deepEqual(plan("SELECT Id FROM Contact WHERE Email IN ('a', null)"), { kind: 'scan' });
  assert.deepEqual(ids(org, "SELECT Id FROM Contact WHERE External_Id__c = 'ext-2' AND LastName = 'ZED'"), [
    zed,
  ]);
  assert.deepEqual(
    ids(org, "SELECT Id FROM Contact WHERE External_Id__c = 'ext-2' AND LastName = 'Pat'"),
    [],
  );
});

test('an alias or the object name may prefix fields', () => {
  const { org, pat } = people();
  const result = executeSoql(
    org.store,
    `SELECT c.Id, c.Account.Name, Contact.LastName FROM Contact c WHERE c.Id = '${pat}'`,
    { includeDeleted: false },
  );
  assert.deepEqual(Object.keys(result.records[0] ?? {}), ['attributes', 'Id', 'Account', 'LastName']);
});

test('keyset paging on SystemModstamp then Id walks every row exactly once, ties included', () => {
  const org = makeOrg();
  const all: string[] = [];
  for (let i = 0; i < 25; i++) {
    const id = org.create('Contact', { LastName: `K${i}` });
    const record = org.store.getById(id);
    assert.ok(record !== undefined);
    // Groups of four share one stamp, so the Id tie-break decides inside a group.
    org.store.insertRaw('Contact', {
      ...record,
      SystemModstamp: `2024-03-0${1 + Math.floor(i / 4)}T10:00:00.000+0000`,
    });
    all.push(id);
  }
  const seen: string[] = [];
  let cursor: { at: string; id: string } | undefined;
  for (let page = 0; page < 20; page++) {
    const where =
      cursor === undefined
        ? ''
        : ` WHERE SystemModstamp > ${cursor.at} OR (SystemModstamp = ${cursor.at} AND Id > '${cursor.id}')`;
    const rows = executeSoql(
      org.store,
      `SELECT Id, SystemModstamp FROM Contact${where} ORDER BY SystemModstamp ASC, Id ASC LIMIT 3`,
      { includeDeleted: false },
    ).records;
    if (rows.length === 0) break;
    seen.push(...rows.map((r) => String(r['Id'])));
    const last = rows[rows.length - 1] ?? {};
    cursor = { at: String(last['SystemModstamp']).replace('.000+0000', 'Z'), id: String(last['Id']) };
  }
  assert.deepEqual(seen, all);
});

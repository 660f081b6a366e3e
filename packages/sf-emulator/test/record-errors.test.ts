import { test } from 'node:test';
import assert from 'node:assert/strict';
import { API_VERSION, emulatorFor, freshOrg, raw, rejection } from './helpers.js';

const schema = {
  objects: [
    {
      name: 'Widget__c',
      fields: [],
      // A broken pattern: evaluating it throws inside the org, which must surface as UNKNOWN_EXCEPTION.
      validationRules: [{ field: 'Name', op: 'matches' as const, value: '(', message: 'never shown' }],
    },
  ],
  extend: {
    Account: {
      fields: [{ name: 'Code__c', type: 'string' as const, length: 20, externalId: true, unique: true }],
      validationRules: [],
    },
    Opportunity: {
      fields: [],
      validationRules: [
        { field: 'Amount', op: '<' as const, value: 0, message: 'Amount cannot be negative' },
      ],
    },
  },
};

const data = `/services/data/v${API_VERSION}`;

test('errors as jsforce surfaces them', async (t) => {
  const emulator = await emulatorFor(t, { schema, maxBodyBytes: 64 * 1024 });
  const { conn, org } = freshOrg(emulator);
  const account = await conn.sobject('Account').create({ Name: 'Parent' });
  const contact = await conn.sobject('Contact').create({ LastName: 'Existing' });

  const single = async (objectName: string, fields: Record<string, unknown>) =>
    rejection(() => conn.sobject(objectName).create(fields));

  await t.test('REQUIRED_FIELD_MISSING names the missing fields', async () => {
    const err = await single('Contact', { FirstName: 'No last name' });
    assert.equal(err.errorCode, 'REQUIRED_FIELD_MISSING');
    assert.equal(err.message, 'Required fields are missing: [LastName]');
    const lead = await single('Lead', { FirstName: 'x' });
    assert.equal(lead.message, 'Required fields are missing: [LastName, Company]');
  });

  await t.test('STRING_TOO_LONG uses the field label and the max length', async () => {
    const err = await single('Contact', { LastName: 'x'.repeat(81) });
    assert.equal(err.errorCode, 'STRING_TOO_LONG');
    assert.equal(err.message, `Last Name: data value too large: ${'x'.repeat(81)} (max length=80)`);
    assert.deepEqual((err.data as { fields: string[] }).fields, ['LastName']);
  });

  await t.test('INVALID_EMAIL_ADDRESS and INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', async () => {
    const email = await single('Contact', { LastName: 'x', Email: 'not-an-email' });
    assert.equal(email.errorCode, 'INVALID_EMAIL_ADDRESS');
    assert.equal(email.message, 'Email: invalid email address: not-an-email');
    const stage = await single('Opportunity', { Name: 'Deal', StageName: 'Bogus', CloseDate: '2025-01-31' });
    assert.equal(stage.errorCode, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    const unrestricted = await conn.sobject('Contact').create({ LastName: 'x', LeadSource: 'Podcast' });
    assert.equal(unrestricted.success, true, 'LeadSource is unrestricted');
  });

  await t.test(
    'lookups: missing record INVALID_CROSS_REFERENCE_KEY, wrong object FIELD_INTEGRITY_EXCEPTION, bad id MALFORMED_ID',
    async () => {
      const missing = await single('Contact', { LastName: 'x', AccountId: '001A1000000zzzzIAA' });
      assert.equal(missing.errorCode, 'INVALID_CROSS_REFERENCE_KEY');
      assert.equal(missing.message, 'invalid cross reference id');
      const wrongType = await single('Contact', { LastName: 'x', AccountId: contact.id });
      assert.equal(wrongType.errorCode, 'FIELD_INTEGRITY_EXCEPTION');
      assert.equal(wrongType.message, `Account ID: id value of incorrect type: ${contact.id}`);
      const results = await conn.sobject('Contact').create([{ LastName: 'x', OwnerId: 'INVALID_OWNER' }]);
      assert.equal(results[0]?.success, false);
      assert.equal(
        (results[0] as unknown as { errors: Array<{ statusCode: string }> }).errors[0]?.statusCode,
        'MALFORMED_ID',
      );
    },
  );

  await t.test(
    'DUPLICATE_VALUE, INVALID_FIELD, INVALID_FIELD_FOR_INSERT_UPDATE and FIELD_CUSTOM_VALIDATION_EXCEPTION',
    async () => {
      await conn.sobject('Account').create({ Name: 'A', Code__c: 'DUP' });
      const dup = await single('Account', { Name: 'B', Code__c: 'dup' });
      assert.equal(dup.errorCode, 'DUPLICATE_VALUE');
      assert.match(dup.message, /^duplicate value found: Code__c duplicates value on record with id: 001/);
      const unknown = await single('Contact', { LastName: 'x', Shoe_Size__c: 9 });
      assert.equal(unknown.errorCode, 'INVALID_FIELD');
      assert.equal(unknown.message, "No such column 'Shoe_Size__c' on sobject of type Contact");
      const readOnly = await single('Contact', { LastName: 'x', CreatedDate: '2020-01-01T00:00:00Z' });
      assert.equal(readOnly.errorCode, 'INVALID_FIELD_FOR_INSERT_UPDATE');
      const rule = await single('Opportunity', {
        Name: 'Deal',
        StageName: 'Prospecting',
        CloseDate: '2025-01-31',
        Amount: -5,
      });
      assert.equal(rule.errorCode, 'FIELD_CUSTOM_VALIDATION_EXCEPTION');
      assert.equal(rule.message, 'Amount cannot be negative');
    },
  );

  await t.test('activity rules: a lead "who" refuses a "what"; TaskSubtype is create-only', async () => {
    const lead = await conn.sobject('Lead').create({ LastName: 'Lee', Company: 'Leads Inc' });
    const err = await single('Task', { Subject: 'Call', WhoId: lead.id, WhatId: account.id });
    assert.equal(err.errorCode, 'FIELD_INTEGRITY_EXCEPTION');
    const task = await conn
      .sobject('Task')
      .create({ Subject: 'Call', WhoId: contact.id, TaskSubtype: 'Call', CallDurationInSeconds: 42 });
    assert.equal(task.success, true);
    const [stored] = await conn.sobject('Task').retrieve([task.id!]);
    assert.equal(stored?.['Status'], 'Not Started');
    const subtype = await rejection(() =>
      conn.sobject('Task').update({ Id: task.id!, TaskSubtype: 'Email' }),
    );
    assert.equal(subtype.errorCode, 'INVALID_FIELD_FOR_INSERT_UPDATE');
  });

  await t.test('converted leads are read-only: CANNOT_UPDATE_CONVERTED_LEAD', async () => {
    const lead = await conn.sobject('Lead').create({ LastName: 'Convert', Company: 'Conv Co' });
    const converted = emulator.control.convertLead(org.orgId, { leadId: lead.id! });
    assert.equal(converted.success, true);
    const err = await rejection(() => conn.sobject('Lead').update({ Id: lead.id!, Title: 'CEO' }));
    assert.equal(err.errorCode, 'CANNOT_UPDATE_CONVERTED_LEAD');
    assert.equal(err.message, 'cannot reference converted lead');
  });

  await t.test('deleted records: update answers ENTITY_IS_DELETED (404), delete again too', async () => {
    const doomed = await conn.sobject('Contact').create({ LastName: 'Doomed' });
    await conn.sobject('Contact').destroy(doomed.id!);
    const update = await raw(
      emulator,
      org,
      'PATCH',
      `${data}/sobjects/Contact/${doomed.id}`,
      JSON.stringify({ Title: 'x' }),
    );
    assert.equal(update.status, 404);
    assert.deepEqual(update.json, [
      { message: 'entity is deleted', errorCode: 'ENTITY_IS_DELETED', fields: [] },
    ]);
    const again = await rejection(() => conn.sobject('Contact').destroy(doomed.id!));
    assert.equal(again.errorCode, 'ENTITY_IS_DELETED');
  });

  await t.test('JSON_PARSER_ERROR for malformed JSON, wrong value types and a missing body', async () => {
    const malformed = await raw(emulator, org, 'POST', `${data}/sobjects/Contact`, '{"LastName" "x"}');
    assert.equal(malformed.status, 400);
    assert.equal((malformed.json as Array<Record<string, string>>)[0]?.['errorCode'], 'JSON_PARSER_ERROR');
    assert.match(malformed.headers.get('content-type') ?? '', /^application\/json;charset=UTF-8$/);
    const wrongType = await single('Account', { Name: 'x', NumberOfEmployees: 'many' });
    assert.equal(wrongType.errorCode, 'JSON_PARSER_ERROR');
    assert.match(wrongType.message, /^Cannot deserialize instance of int from VALUE_STRING value many/);
    const empty = await raw(emulator, org, 'POST', `${data}/sobjects/Contact`);
    assert.deepEqual(empty.json, [
      {
        message: 'The HTTP entity body is required, but this request has no entity body.',
        errorCode: 'JSON_PARSER_ERROR',
      },
    ]);
  });

  await t.test(
    'unknown objects: NOT_FOUND on /sobjects paths, INVALID_TYPE in collection bodies',
    async () => {
      const rest = await rejection(() => conn.sobject('Nope__c').create({ Name: 'x' }));
      assert.equal(rest.errorCode, 'NOT_FOUND');
      const collection = await raw(
        emulator,
        org,
        'POST',
        `${data}/composite/sobjects`,
        JSON.stringify({ records: [{ attributes: { type: 'Nope__c' }, Name: 'x' }] }),
      );
      assert.equal(collection.status, 400);
      assert.equal((collection.json as Array<Record<string, string>>)[0]?.['errorCode'], 'INVALID_TYPE');
    },
  );

  await t.test(
    'unknown routes 404, wrong methods 405, oversized bodies 413, no session 401: all JSON',
    async () => {
      const route = await raw(emulator, org, 'GET', `${data}/no/such/thing`);
      assert.deepEqual(
        [route.status, route.json],
        [404, [{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }]],
      );
      const method = await raw(emulator, org, 'PUT', `${data}/sobjects/Contact`, '{}');
      assert.equal(method.status, 405);
      assert.equal((method.json as Array<Record<string, string>>)[0]?.['errorCode'], 'METHOD_NOT_ALLOWED');
      const big = await raw(
        emulator,
        org,
        'POST',
        `${data}/sobjects/Contact`,
        JSON.stringify({ LastName: 'x', Description: 'y'.repeat(70 * 1024) }),
      );
      assert.equal(big.status, 413);
      assert.match(big.headers.get('content-type') ?? '', /^application\/json/);
      const anonymous = await fetch(`${emulator.url}${data}/sobjects`);
      assert.equal(anonymous.status, 401);
      assert.deepEqual(await anonymous.json(), [
        { message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' },
      ]);
      const oldVersion = await raw(emulator, org, 'GET', `/services/data/v41.0/sobjects`);
      assert.equal(oldVersion.status, 404);
    },
  );

  await t.test('an unexpected failure answers 500 UNKNOWN_EXCEPTION without a stack trace', async () => {
    const res = await raw(
      emulator,
      org,
      'POST',
      `${data}/sobjects/Widget__c`,
      JSON.stringify({ Name: 'boom' }),
    );
    assert.equal(res.status, 500);
    const [error] = res.json as Array<Record<string, string>>;
    assert.equal(error?.['errorCode'], 'UNKNOWN_EXCEPTION');
    assert.doesNotMatch(res.text, /at |\.ts:|SyntaxError/);
  });
});

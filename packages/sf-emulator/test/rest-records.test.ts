import { test } from 'node:test';
import assert from 'node:assert/strict';
import { API_VERSION, emulatorFor, freshOrg, raw, rejection } from './helpers.js';

const schema = {
  objects: [],
  extend: {
    Contact: {
      fields: [{ name: 'External_Id__c', type: 'string' as const, length: 40, externalId: true }],
      validationRules: [],
    },
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

test('REST sObject resources', async (t) => {
  const emulator = await emulatorFor(t, { schema });

  await t.test(
    'create answers 201, retrieve (all fields and ?fields=) returns it, update 204, delete 204; collection retrieve reads back',
    async () => {
      const { conn, org } = freshOrg(emulator);
      const created = await conn
        .sobject('Contact')
        .create({ FirstName: 'Ada', LastName: 'Lovelace', Email: 'ada@example.com' });
      assert.equal(created.success, true);
      assert.match(created.id!, /^003[A-Za-z0-9]{15}$/);

      const direct = await raw(
        emulator,
        org,
        'GET',
        `/services/data/v${API_VERSION}/sobjects/Contact/${created.id}?fields=Name,Email`,
      );
      assert.deepEqual(direct.json, {
        attributes: { type: 'Contact', url: `/services/data/v${API_VERSION}/sobjects/Contact/${created.id}` },
        Name: 'Ada Lovelace',
        Email: 'ada@example.com',
        Id: created.id,
      });
      assert.match(direct.headers.get('sforce-limit-info') ?? '', /^api-usage=\d+\/15000$/);

      const updated = await conn.sobject('Contact').update({ Id: created.id!, Title: 'Analyst' });
      assert.equal(updated.success, true);
      const [viaCollection] = await conn.sobject('Contact').retrieve([created.id!]);
      assert.equal(viaCollection?.['Title'], 'Analyst');
      assert.equal(viaCollection?.['LastModifiedById'], org.integrationUserId);
      assert.ok(String(viaCollection?.['SystemModstamp']) > String(viaCollection?.['CreatedDate']));
      assert.match(String(viaCollection?.['CreatedDate']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);

      const deleted = await conn.sobject('Contact').destroy(created.id!);
      assert.equal(deleted.success, true);
      const [afterDelete] = await conn.sobject('Contact').retrieve([created.id!]);
      assert.equal(afterDelete, null);
      assert.equal(org.store.getById(created.id!)?.['IsDeleted'], true, 'kept in the recycle bin');
    },
  );

  await t.test('a 15-character id is accepted and answered with the 18-character form', async () => {
    const { conn } = freshOrg(emulator);
    const created = await conn.sobject('Account').create({ Name: 'Short Id' });
    const record = await conn.sobject('Account').retrieve(created.id!.slice(0, 15));
    assert.equal(record.Id, created.id);
  });

  await t.test(
    'upsert by external id: 201 created, 200 created:false, 300 MULTIPLE_CHOICES with record URLs',
    async () => {
      const { conn, org } = freshOrg(emulator);
      const first = await conn
        .sobject('Contact')
        .upsert({ LastName: 'Upsert', External_Id__c: 'ext/1 a' }, 'External_Id__c');
      assert.deepEqual(
        { ...first, id: undefined },
        { id: undefined, success: true, errors: [], created: true },
      );
      const second = await conn
        .sobject('Contact')
        .upsert({ LastName: 'Upserted', External_Id__c: 'ext/1 a' }, 'External_Id__c');
      assert.deepEqual(second, { id: first.id, success: true, errors: [], created: false });
      const [readBack] = await conn.sobject('Contact').retrieve([first.id!]);
      assert.equal(readBack?.['LastName'], 'Upserted');
      assert.equal(readBack?.['External_Id__c'], 'ext/1 a', 'the path value is decoded');

      await conn.sobject('Contact').create([
        { LastName: 'Twin A', External_Id__c: 'twin' },
        { LastName: 'Twin B', External_Id__c: 'TWIN' },
      ]);
      const err = await rejection(() =>
        conn.sobject('Contact').upsert({ LastName: 'x', External_Id__c: 'twin' }, 'External_Id__c'),
      );
      assert.equal(err.errorCode, 'MULTIPLE_CHOICES');
      assert.equal((err.data as string[]).length, 2);
      assert.ok(
        (err.data as string[]).every((u) =>
          u.startsWith(`/services/data/v${API_VERSION}/sobjects/Contact/003`),
        ),
      );
      assert.equal(emulator.control.writes(org.orgId, [first.id!]).records[first.id!]?.total, 2);
    },
  );

  await t.test('retrieve by external id and the not-an-id path answer as Salesforce does', async () => {
    const { conn, org } = freshOrg(emulator);
    const created = await conn.sobject('Account').create({ Name: 'Coded', Code__c: 'ACME-1' });
    const byExt = await raw(
      emulator,
      org,
      'GET',
      `/services/data/v${API_VERSION}/sobjects/Account/Code__c/ACME-1`,
    );
    assert.equal((byExt.json as Record<string, unknown>)['Id'], created.id);
    const notId = await raw(emulator, org, 'GET', `/services/data/v${API_VERSION}/sobjects/Account/23foo`);
    assert.equal(notId.status, 404);
    assert.deepEqual(notId.json, [
      {
        message: 'Provided external ID field does not exist or is not accessible: 23foo',
        errorCode: 'NOT_FOUND',
      },
    ]);
    const badChecksum = await raw(
      emulator,
      org,
      'GET',
      `/services/data/v${API_VERSION}/sobjects/Account/${created.id!.slice(0, 15)}ZZZ`,
    );
    assert.equal(badChecksum.status, 400);
    assert.equal((badChecksum.json as Array<Record<string, string>>)[0]?.['errorCode'], 'MALFORMED_ID');
    const missing = await raw(
      emulator,
      org,
      'GET',
      `/services/data/v${API_VERSION}/sobjects/Account/001A1000000zzzzIAA`,
    );
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json, [
      { message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' },
    ]);
    const wrongField = await rejection(() =>
      conn.sobject('Account').upsert({ Name: 'x', Namez: 'y' }, 'Namez'),
    );
    assert.equal(wrongField.errorCode, 'NOT_FOUND');
    assert.match(wrongField.message, /Provided external ID field does not exist or is not accessible: Namez/);
  });

  await t.test(
    'describeGlobal, basic info, describe and the versions and resources lists have Salesforce shapes',
    async () => {
      const { conn, org } = freshOrg(emulator);
      const global = await conn.describeGlobal();
      const names = global.sobjects.map((s) => s.name);
      for (const n of [
        'Account',
        'Contact',
        'Lead',
        'Opportunity',
        'OpportunityContactRole',
        'Task',
        'Event',
        'EventRelation',
        'Note',
        'User',
      ])
        assert.ok(names.includes(n), n);
      assert.ok(global.sobjects.every((s) => !('fields' in s)));

      const contact = await conn.describe('contact');
      const field = (name: string) => contact.fields.find((f) => f.name === name)!;
      assert.equal(contact.name, 'Contact');
      assert.equal(contact.keyPrefix, '003');
      assert.equal(field('Email').type, 'email');
      assert.equal(field('Email').length, 80);
      assert.equal(field('LastName').nillable, false);
      assert.equal(field('External_Id__c').externalId, true);
      assert.deepEqual(field('AccountId').referenceTo, ['Account']);
      assert.equal(field('AccountId').relationshipName, 'Account');
      assert.ok(field('LeadSource').picklistValues!.some((p) => p.value === 'Web'));
      assert.equal(field('LeadSource').restrictedPicklist, false);
      for (const key of [
        'byteLength',
        'calculated',
        'soapType',
        'defaultValueFormula',
        'inlineHelpText',
        'writeRequiresMasterRead',
        'deprecatedAndHidden',
      ])
        assert.ok(key in field('OwnerId'), key);
      assert.deepEqual(
        contact.recordTypeInfos[0] && {
          name: contact.recordTypeInfos[0].name,
          id: contact.recordTypeInfos[0].recordTypeId,
        },
        { name: 'Master', id: '012000000000000AAA' },
      );

      const opp = await conn.describe('Opportunity');
      const stage = opp.fields.find((f) => f.name === 'StageName')!;
      assert.equal(stage.restrictedPicklist, true);
      assert.ok(stage.picklistValues!.some((p) => p.value === 'Closed Won'));
      const task = await conn.describe('Task');
      for (const n of [
        'TaskSubtype',
        'CallDurationInSeconds',
        'CallType',
        'CallDisposition',
        'WhoId',
        'WhatId',
      ])
        assert.ok(
          task.fields.some((f) => f.name === n),
          n,
        );

      const basic = await raw(emulator, org, 'GET', `/services/data/v${API_VERSION}/sobjects/Lead`);
      assert.equal(
        (basic.json as Record<string, Record<string, unknown>>)['objectDescribe']?.['keyPrefix'],
        '00Q',
      );
      const versions = await fetch(`${emulator.url}/services/data/`);
      assert.equal(versions.headers.get('sforce-limit-info'), null);
      assert.ok(
        ((await versions.json()) as Array<{ version: string }>).some((v) => v.version === API_VERSION),
      );
      const resources = await raw(emulator, org, 'GET', `/services/data/v${API_VERSION}/`);
      assert.equal(
        (resources.json as Record<string, string>)['identity'],
        `${emulator.url}/id/${org.orgId}/${org.integrationUserId}`,
      );
    },
  );
});

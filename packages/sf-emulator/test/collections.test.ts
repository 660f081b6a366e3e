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
  },
};

type Result = {
  id?: string;
  success: boolean;
  created?: boolean;
  errors: Array<{ statusCode: string; message: string; fields: string[] }>;
};

test('sObject Collections', async (t) => {
  const emulator = await emulatorFor(t, { schema });

  await t.test(
    'more than 200 records: allowRecursive splits into calls of 200; without it the request fails with EXCEEDED_ID_LIMIT',
    async () => {
      const { conn, org } = freshOrg(emulator);
      const records = Array.from({ length: 450 }, (_, i) => ({
        LastName: `Bulk ${i}`,
        External_Id__c: `E-${i}`,
      }));
      const refused = await rejection(() => conn.sobject('Contact').create(records));
      assert.equal(refused.errorCode, 'EXCEEDED_ID_LIMIT');
      assert.equal(
        refused.message,
        'record limit reached. cannot submit more than 200 records into this call',
      );
      assert.equal(org.store.countLive('Contact'), 0, 'nothing was written');

      emulator.control.resetRequests(org.orgId);
      const results = (await conn.sobject('Contact').create(records, { allowRecursive: true })) as Result[];
      assert.equal(results.length, 450);
      assert.ok(results.every((r) => r.success));
      assert.equal(emulator.control.requests(org.orgId).byEndpoint['POST /composite/sobjects'], 3);
      const sample = await raw(
        emulator,
        org,
        'GET',
        `/services/data/v${API_VERSION}/sobjects/Contact/${results[449]!.id}?fields=LastName`,
      );
      assert.equal((sample.json as Record<string, unknown>)['LastName'], 'Bulk 449');
    },
  );

  await t.test(
    'allOrNone: one bad record rolls back the rest with ALL_OR_NONE_OPERATION_ROLLED_BACK',
    async () => {
      const { conn, org } = freshOrg(emulator);
      const results = (await conn
        .sobject('Contact')
        .create([{ LastName: 'Good 1' }, { FirstName: 'Bad' }, { LastName: 'Good 2' }], {
          allOrNone: true,
        })) as Result[];
      assert.deepEqual(results, [
        {
          success: false,
          errors: [
            {
              statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
              message:
                'Record rolled back because not all records were valid and the request was using AllOrNone header',
              fields: [],
            },
          ],
        },
        {
          success: false,
          errors: [
            {
              statusCode: 'REQUIRED_FIELD_MISSING',
              message: 'Required fields are missing: [LastName]',
              fields: ['LastName'],
            },
          ],
        },
        {
          success: false,
          errors: [
            {
              statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
              message:
                'Record rolled back because not all records were valid and the request was using AllOrNone header',
              fields: [],
            },
          ],
        },
      ]);
      assert.equal(org.store.countLive('Contact'), 0);
      assert.equal(
        emulator.control.writes(org.orgId).totals['Contact']?.create ?? 0,
        0,
        'rolled-back writes are not counted',
      );

      const upserts = (await conn.sobject('Contact').upsert(
        [
          { LastName: 'U1', External_Id__c: 'u-1' },
          { LastName: 'U2', External_Id__c: 'u-2', OwnerId: 'INVALID_OWNER' },
        ],
        'External_Id__c',
        { allOrNone: true },
      )) as Result[];
      assert.equal(upserts[0]?.success, false);
      assert.equal(upserts[0]?.created, true);
      assert.equal(upserts[0]?.errors[0]?.statusCode, 'ALL_OR_NONE_OPERATION_ROLLED_BACK');
      assert.equal(upserts[1]?.errors[0]?.statusCode, 'MALFORMED_ID');
    },
  );

  await t.test(
    'update, upsert (created true/false), delete and retrieve with null for missing and deleted ids',
    async () => {
      const { conn, org } = freshOrg(emulator);
      const created = (await conn
        .sobject('Contact')
        .create([{ LastName: 'One', External_Id__c: 'x-1' }, { LastName: 'Two' }])) as Result[];
      const [one, two] = created.map((r) => r.id!);
      const updated = (await conn.sobject('Contact').update([
        { Id: one!, Title: 'Boss' },
        { Id: two!, Email: 'bad' },
      ])) as Result[];
      assert.equal(updated[0]?.success, true);
      assert.equal(updated[1]?.errors[0]?.statusCode, 'INVALID_EMAIL_ADDRESS');

      const upserted = (await conn.sobject('Contact').upsert(
        [
          { LastName: 'One again', External_Id__c: 'X-1' },
          { LastName: 'Three', External_Id__c: 'x-3' },
        ],
        'External_Id__c',
      )) as Result[];
      assert.deepEqual(
        upserted.map((r) => [r.success, r.created]),
        [
          [true, false],
          [true, true],
        ],
      );
      assert.equal(upserted[0]?.id, one);

      await conn.sobject('Contact').create([
        { LastName: 'Twin', External_Id__c: 'twin' },
        { LastName: 'Twin', External_Id__c: 'twin' },
      ]);
      const [ambiguous] = (await conn
        .sobject('Contact')
        .upsert([{ LastName: 'Which', External_Id__c: 'twin' }], 'External_Id__c')) as Result[];
      assert.equal(ambiguous?.success, false);
      assert.equal(ambiguous?.errors[0]?.statusCode, 'DUPLICATE_EXTERNAL_ID');
      assert.match(
        ambiguous?.errors[0]?.message ?? '',
        /^External_Id__c: more than one record found for external id field: \[003/,
      );

      const deleted = (await conn.sobject('Contact').destroy([two!])) as Result[];
      assert.deepEqual(deleted, [{ id: two, success: true, errors: [] }]);

      const read = await conn.sobject('Contact').retrieve([one!, two!, '003A1000000zzzzIAA']);
      assert.equal(read[0]?.['LastName'], 'One again');
      assert.equal(read[0]?.['Title'], 'Boss');
      assert.equal(read[1], null);
      assert.equal(read[2], null);

      const get = await raw(
        emulator,
        org,
        'GET',
        `/services/data/v${API_VERSION}/composite/sobjects/Contact?ids=${one}&fields=LastName`,
      );
      assert.deepEqual(get.json, [
        {
          attributes: { type: 'Contact', url: `/services/data/v${API_VERSION}/sobjects/Contact/${one}` },
          LastName: 'One again',
          Id: one,
        },
      ]);
    },
  );

  await t.test(
    'record-level id casing: jsforce sends lower-case "id" and mixed objects in one create',
    async () => {
      const { org } = freshOrg(emulator);
      const body = JSON.stringify({
        allOrNone: false,
        records: [
          { attributes: { type: 'Account' }, name: 'Lower' },
          { attributes: { type: 'contact' }, lastname: 'lower' },
        ],
      });
      const res = await raw(emulator, org, 'POST', `/services/data/v${API_VERSION}/composite/sobjects`, body);
      const results = res.json as Result[];
      assert.ok(results.every((r) => r.success));
      assert.equal(org.store.getById(results[1]!.id!)?.['LastName'], 'lower');
    },
  );
});

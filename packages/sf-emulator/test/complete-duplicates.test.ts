// Duplicate rules: off by default; when configured (createOrg option, schema file or control API)
// REST, collections and Bulk answer DUPLICATES_DETECTED with the duplicateResult details, and the
// Sforce-Duplicate-Rule-Header lets an alert rule's save through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { API_VERSION, emulatorFor, freshOrg, raw, rejection } from './helpers.js';

const ALLOW = { headers: { 'Sforce-Duplicate-Rule-Header': 'allowSave=true' } };
const emailRules = [{ object: 'Contact' }, { object: 'Lead', fields: ['Email'] }];

interface RecordErrorShape {
  statusCode: string;
  message: string;
  fields: string[];
  duplicateResult?: {
    allowSave: boolean;
    duplicateRule: string;
    matchResults: Array<{ size: number; matchRecords: Array<{ record: { Id: string } }> }>;
  };
}

test('duplicate rules', async (t) => {
  const emulator = await emulatorFor(t);

  await t.test('with no rule, records with the same email are both saved', async () => {
    const { conn } = freshOrg(emulator);
    await conn.sobject('Contact').create({ LastName: 'One', Email: 'same@example.com' });
    const second = await conn.sobject('Contact').create({ LastName: 'Two', Email: 'same@example.com' });
    assert.equal(second.success, true);
  });

  await t.test(
    'a REST create matching an existing email (any case) answers 400 DUPLICATES_DETECTED with the duplicateResult',
    async () => {
      const { org, conn } = freshOrg(emulator, { duplicateRules: emailRules });
      const first = await conn.sobject('Contact').create({ LastName: 'Original', Email: 'Pat@Example.com' });
      const res = await raw(
        emulator,
        org,
        'POST',
        `/services/data/v${API_VERSION}/sobjects/Contact`,
        JSON.stringify({ LastName: 'Copy', Email: 'pat@example.COM' }),
      );
      assert.equal(res.status, 400);
      assert.deepEqual(res.json, [
        {
          errorCode: 'DUPLICATES_DETECTED',
          message: "You're creating a duplicate record. We recommend you use an existing record instead.",
          duplicateResult: {
            allowSave: true,
            duplicateRule: 'Standard_Contact_Duplicate_Rule',
            duplicateRuleEntityType: 'Contact',
            errorMessage:
              "You're creating a duplicate record. We recommend you use an existing record instead.",
            matchResults: [
              {
                entityType: 'Contact',
                errors: [],
                matchEngine: 'ExactMatchEngine',
                matchRecords: [
                  {
                    additionalInformation: [],
                    fieldDiffs: [],
                    matchConfidence: 100,
                    record: {
                      attributes: {
                        type: 'Contact',
                        url: `/services/data/v${API_VERSION}/sobjects/Contact/${first.id}`,
                      },
                      Id: first.id,
                    },
                  },
                ],
                rule: 'Standard_Contact_Match_Rule_v1_1',
                size: 1,
                success: true,
              },
            ],
          },
        },
      ]);
      const err = await rejection(() =>
        conn.sobject('Contact').create({ LastName: 'Copy', Email: 'pat@example.com' }),
      );
      assert.equal(err.errorCode, 'DUPLICATES_DETECTED');

      // Leads have their own rule; a lead with a contact's email is not a duplicate of it.
      assert.equal(
        (await conn.sobject('Lead').create({ LastName: 'L', Company: 'C', Email: 'pat@example.com' }))
          .success,
        true,
      );
      assert.equal(
        (
          await rejection(() =>
            conn.sobject('Lead').create({ LastName: 'L2', Company: 'C', Email: 'PAT@example.com' }),
          )
        ).errorCode,
        'DUPLICATES_DETECTED',
      );
      // Blank emails never match.
      await conn.sobject('Contact').create({ LastName: 'No email A' });
      assert.equal((await conn.sobject('Contact').create({ LastName: 'No email B' })).success, true);
    },
  );

  await t.test(
    'Sforce-Duplicate-Rule-Header allowSave=true saves the duplicate on REST and collections',
    async () => {
      const { conn } = freshOrg(emulator, { duplicateRules: emailRules });
      await conn.sobject('Contact').create({ LastName: 'Original', Email: 'dup@example.com' });
      const allowed = await conn
        .sobject('Contact')
        .create({ LastName: 'Copy', Email: 'dup@example.com' }, ALLOW);
      assert.equal(allowed.success, true);
      const many = await conn
        .sobject('Contact')
        .create([{ LastName: 'Copy 2', Email: 'dup@example.com' }], ALLOW);
      assert.equal(many[0]!.success, true);
      assert.equal((await conn.query("SELECT Id FROM Contact WHERE Email = 'dup@example.com'")).totalSize, 3);
    },
  );

  await t.test(
    'collections answer a per-record DUPLICATES_DETECTED statusCode; the other records are saved',
    async () => {
      const { conn } = freshOrg(emulator, { duplicateRules: emailRules });
      const existing = await conn
        .sobject('Contact')
        .create({ LastName: 'Original', Email: 'taken@example.com' });
      const results = (await conn.sobject('Contact').create([
        { LastName: 'Fresh', Email: 'fresh@example.com' },
        { LastName: 'Dup', Email: 'TAKEN@example.com' },
      ])) as unknown as Array<{ success: boolean; errors: RecordErrorShape[] }>;
      assert.deepEqual(
        results.map((r) => r.success),
        [true, false],
      );
      const error = results[1]!.errors[0]!;
      assert.equal(error.statusCode, 'DUPLICATES_DETECTED');
      assert.deepEqual(error.fields, []);
      assert.equal(error.duplicateResult?.matchResults[0]?.matchRecords[0]?.record.Id, existing.id);
    },
  );

  await t.test(
    'an update that changes the email onto another record is refused; other edits of a record are not',
    async () => {
      const { conn } = freshOrg(emulator, { duplicateRules: emailRules });
      await conn.sobject('Contact').create({ LastName: 'A', Email: 'a@example.com' });
      const b = await conn.sobject('Contact').create({ LastName: 'B', Email: 'b@example.com' });
      const err = await rejection(() =>
        conn.sobject('Contact').update({ Id: b.id!, Email: 'A@example.com' }),
      );
      assert.equal(err.errorCode, 'DUPLICATES_DETECTED');
      assert.equal((await conn.sobject('Contact').update({ Id: b.id!, Title: 'Buyer' })).success, true);
      assert.equal(
        (await conn.sobject('Contact').update({ Id: b.id!, Email: 'b@example.com' })).success,
        true,
        'its own email is no duplicate',
      );
    },
  );

  await t.test('Bulk API 2.0 writes DUPLICATES_DETECTED into sf__Error', async () => {
    const { conn } = freshOrg(emulator, { duplicateRules: emailRules });
    await conn.sobject('Contact').create({ LastName: 'Original', Email: 'bulk@example.com' });
    const results = await conn.bulk2.loadAndWaitForResults({
      object: 'Contact',
      operation: 'insert',
      input: 'LastName,Email\nNew,new@example.com\nDup,Bulk@Example.com\n',
      pollInterval: 20,
      pollTimeout: 30_000,
    });
    assert.equal(results.successfulResults.length, 1);
    assert.equal(results.failedResults.length, 1);
    assert.equal(
      results.failedResults[0]!['sf__Error'],
      "DUPLICATES_DETECTED:You're creating a duplicate record. We recommend you use an existing record instead.:--",
    );
  });

  await t.test(
    'a block rule ignores the header; rules set through the control API and the schema file take effect, and an empty list turns them off',
    async () => {
      const { org, conn } = freshOrg(emulator);
      const set = await fetch(`${emulator.url}/__emulator/orgs/${org.orgId}/duplicate-rules`, {
        method: 'PUT',
        body: JSON.stringify({
          rules: [
            { object: 'Account', fields: ['Name', 'BillingCity'], action: 'block', name: 'No_Twin_Accounts' },
          ],
        }),
      });
      assert.equal(set.status, 200);
      await conn.sobject('Account').create({ Name: 'Acme', BillingCity: 'Oslo' });
      assert.equal(
        (await conn.sobject('Account').create({ Name: 'Acme', BillingCity: 'Bergen' })).success,
        true,
        'every rule field must match',
      );
      const blocked = await rejection(() =>
        conn.sobject('Account').create({ Name: 'ACME', BillingCity: 'oslo' }, ALLOW),
      );
      assert.equal(blocked.errorCode, 'DUPLICATES_DETECTED');
      assert.equal(
        (blocked.data as { duplicateResult: { allowSave: boolean; duplicateRule: string } }).duplicateResult
          .allowSave,
        false,
      );

      emulator.control.setDuplicateRules(org.orgId, []);
      assert.equal(
        (await conn.sobject('Account').create({ Name: 'Acme', BillingCity: 'Oslo' })).success,
        true,
      );

      const bad = await fetch(`${emulator.url}/__emulator/orgs/${org.orgId}/duplicate-rules`, {
        method: 'PUT',
        body: JSON.stringify({ rules: [{ object: 'Contact', fields: ['Nope'] }] }),
      });
      assert.equal(bad.status, 400);

      const fromSchema = freshOrg(emulator, { schema: { duplicateRules: [{ object: 'Lead' }] } });
      await fromSchema.conn.sobject('Lead').create({ LastName: 'L', Company: 'C', Email: 'x@example.com' });
      assert.equal(
        (
          await rejection(() =>
            fromSchema.conn.sobject('Lead').create({ LastName: 'L', Company: 'C', Email: 'x@example.com' }),
          )
        ).errorCode,
        'DUPLICATES_DETECTED',
      );
      assert.deepEqual(
        emulator.control.duplicateRules(fromSchema.org.orgId).map((r) => [r.object, r.fields, r.action]),
        [['Lead', ['Email'], 'alert']],
      );
    },
  );
});

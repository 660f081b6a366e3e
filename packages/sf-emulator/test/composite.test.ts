import { test } from 'node:test';
import assert from 'node:assert/strict';
import { API_VERSION, emulatorFor, freshOrg } from './helpers.js';

const base = `/services/data/v${API_VERSION}`;
interface SubResponse {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
}

test('Composite', async (t) => {
  const emulator = await emulatorFor(t);

  await t.test(
    'references (@{ref.id} and @{ref.records[0].Id}) chain subrequests, and the whole call counts as one API request',
    async () => {
      const { conn, org } = freshOrg(emulator);
      const usedBefore = emulator.control.describeOrg(org.orgId)['apiUsage'] as { used: number };
      const answer = await conn.requestPost<{ compositeResponse: SubResponse[] }>(`${base}/composite`, {
        allOrNone: true,
        compositeRequest: [
          { method: 'POST', url: `${base}/sobjects/Account`, referenceId: 'acct', body: { Name: 'Acme' } },
          {
            method: 'POST',
            url: `${base}/sobjects/Contact`,
            referenceId: 'ct',
            body: { LastName: 'Smith', AccountId: '@{acct.id}' },
          },
          {
            method: 'GET',
            url: `${base}/composite/sobjects/Contact?ids=@{ct.id}&fields=Id,AccountId`,
            referenceId: 'read',
          },
          {
            method: 'PATCH',
            url: `${base}/sobjects/Account/@{read[0].AccountId}`,
            referenceId: 'touch',
            body: { Website: 'acme.example' },
          },
        ],
      });
      const [acct, ct, read, touch] = answer.compositeResponse;
      assert.equal(acct?.httpStatusCode, 201);
      assert.equal(
        acct?.httpHeaders['Location'],
        `${base}/sobjects/Account/${(acct?.body as { id: string }).id}`,
      );
      assert.equal(ct?.httpStatusCode, 201);
      assert.equal(read?.httpStatusCode, 200);
      assert.equal(touch?.httpStatusCode, 204);
      const contactId = (ct?.body as { id: string }).id;
      const [contact] = await conn.sobject('Contact').retrieve([contactId]);
      assert.equal(contact?.['AccountId'], (acct?.body as { id: string }).id);
      const [account] = await conn.sobject('Account').retrieve([(acct?.body as { id: string }).id]);
      assert.equal(account?.['Website'], 'acme.example');
      const usedAfter = emulator.control.describeOrg(org.orgId)['apiUsage'] as { used: number };
      // Each counted request (the composite and the reads after it) moved the budget by exactly one.
      const requests = emulator.control.requests(org.orgId).byEndpoint;
      assert.equal(requests['POST /composite'], 1);
      assert.equal(requests['POST /sobjects/{type}'], undefined, 'subrequests are not counted as requests');
      assert.equal(usedAfter.used - usedBefore.used, emulator.control.requests(org.orgId).counted);
    },
  );

  await t.test(
    'allOrNone with a failing subrequest rolls everything back; the others answer PROCESSING_HALTED',
    async () => {
      const { conn, org } = freshOrg(emulator);
      const answer = await conn.requestPost<{ compositeResponse: SubResponse[] }>(`${base}/composite`, {
        allOrNone: true,
        compositeRequest: [
          {
            method: 'POST',
            url: `${base}/sobjects/Account`,
            referenceId: 'acct',
            body: { Name: 'Rolled Back' },
          },
          {
            method: 'POST',
            url: `${base}/sobjects/Contact`,
            referenceId: 'bad',
            body: { FirstName: 'No Last Name', AccountId: '@{acct.id}' },
          },
          {
            method: 'POST',
            url: `${base}/sobjects/Contact`,
            referenceId: 'never',
            body: { LastName: 'Never' },
          },
        ],
      });
      const halted = [
        {
          errorCode: 'PROCESSING_HALTED',
          message: 'The transaction was rolled back since another operation in the same transaction failed.',
        },
      ];
      assert.deepEqual(
        answer.compositeResponse.map((r) => [r.referenceId, r.httpStatusCode]),
        [
          ['acct', 400],
          ['bad', 400],
          ['never', 400],
        ],
      );
      assert.deepEqual(answer.compositeResponse[0]?.body, halted);
      assert.deepEqual(answer.compositeResponse[2]?.body, halted);
      assert.equal(
        (answer.compositeResponse[1]?.body as Array<{ errorCode: string }>)[0]?.errorCode,
        'REQUIRED_FIELD_MISSING',
      );
      assert.equal(org.store.countLive('Account'), 0);
      assert.equal(org.store.countLive('Contact'), 0);
    },
  );

  await t.test(
    'without allOrNone, independent subrequests commit and dependents of a failure are halted with "Invalid reference specified."',
    async () => {
      const { conn, org } = freshOrg(emulator);
      const answer = await conn.requestPost<{ compositeResponse: SubResponse[] }>(`${base}/composite`, {
        allOrNone: false,
        compositeRequest: [
          { method: 'POST', url: `${base}/sobjects/Contact`, referenceId: 'bad', body: { FirstName: 'x' } },
          {
            method: 'POST',
            url: `${base}/sobjects/Task`,
            referenceId: 'dependent',
            body: { Subject: 'Call', WhoId: '@{bad.id}' },
          },
          {
            method: 'POST',
            url: `${base}/sobjects/Account`,
            referenceId: 'fine',
            body: { Name: 'Committed' },
          },
        ],
      });
      assert.deepEqual(
        answer.compositeResponse.map((r) => r.httpStatusCode),
        [400, 400, 201],
      );
      const dependent = answer.compositeResponse[1]?.body as Array<{ errorCode: string; message: string }>;
      assert.equal(dependent[0]?.errorCode, 'PROCESSING_HALTED');
      assert.match(dependent[0]?.message ?? '', /^Invalid reference specified\./);
      assert.equal(org.store.countLive('Account'), 1);
    },
  );

  await t.test('more than 25 subrequests are refused before any runs', async () => {
    const { conn, org } = freshOrg(emulator);
    const compositeRequest = Array.from({ length: 26 }, (_, i) => ({
      method: 'POST',
      url: `${base}/sobjects/Account`,
      referenceId: `a${i}`,
      body: { Name: `A${i}` },
    }));
    await assert.rejects(
      () => conn.requestPost(`${base}/composite`, { compositeRequest }),
      (err: Error & { errorCode?: string }) => err.errorCode === 'LIMIT_EXCEEDED',
    );
    assert.equal(org.store.countLive('Account'), 0);
  });
});

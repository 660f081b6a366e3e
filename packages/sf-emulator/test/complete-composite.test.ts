// Composite batch and composite graph through jsforce's request API: batch halting with 412
// BATCH_PROCESSING_HALTED, and graphs that each commit or roll back on their own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { API_VERSION, emulatorFor, freshOrg, rejection } from './helpers.js';

interface BatchAnswer {
  hasErrors: boolean;
  results: Array<{ statusCode: number; result: unknown }>;
}
interface GraphAnswer {
  graphs: Array<{
    graphId: string;
    isSuccessful: boolean;
    graphResponse: {
      compositeResponse: Array<{ referenceId: string; httpStatusCode: number; body: unknown }>;
    };
  }>;
}

const v = `v${API_VERSION}`;

test('composite batch and graph', async (t) => {
  const emulator = await emulatorFor(t);

  await t.test(
    'batch runs version-relative subrequests with richInput; haltOnError answers 412 BATCH_PROCESSING_HALTED after the first failure',
    async () => {
      const { org, conn } = freshOrg(emulator);
      const acct = await conn.sobject('Account').create({ Name: 'Before' });
      const usedBefore = org.org.api.used;
      const answer = await conn.requestPost<BatchAnswer>('/composite/batch', {
        haltOnError: true,
        batchRequests: [
          { method: 'PATCH', url: `${v}/sobjects/Account/${acct.id}`, richInput: { Name: 'After' } },
          { method: 'GET', url: `${v}/sobjects/Account/${acct.id}?fields=Name` },
          { method: 'PATCH', url: `${v}/sobjects/Account/${acct.id}`, richInput: { NoSuchField__c: 1 } },
          { method: 'POST', url: `${v}/sobjects/Account`, richInput: { Name: 'Never made' } },
          { method: 'GET', url: `${v}/limits` },
        ],
      });
      assert.equal(org.org.api.used - usedBefore, 1, 'the batch is one API call');
      assert.equal(answer.hasErrors, true);
      assert.deepEqual(
        answer.results.map((r) => r.statusCode),
        [204, 200, 400, 412, 412],
      );
      assert.equal(answer.results[0]!.result, null);
      assert.equal((answer.results[1]!.result as Record<string, unknown>)['Name'], 'After');
      assert.equal(
        (answer.results[2]!.result as Array<Record<string, string>>)[0]!['errorCode'],
        'INVALID_FIELD',
      );
      assert.deepEqual(answer.results[3]!.result, [
        { errorCode: 'BATCH_PROCESSING_HALTED', message: 'Batch processing halted per request' },
      ]);
      const names = await conn.query<{ Name: string }>('SELECT Name FROM Account');
      assert.deepEqual(
        names.records.map((r) => r.Name),
        ['After'],
        'no transaction: the first PATCH stays, the halted POST never ran',
      );
    },
  );

  await t.test('without haltOnError every subrequest runs and hasErrors reports the failure', async () => {
    const { conn } = freshOrg(emulator);
    const answer = await conn.requestPost<BatchAnswer>('/composite/batch', {
      batchRequests: [
        { method: 'POST', url: `${v}/sobjects/Contact`, richInput: { FirstName: 'No last name' } },
        { method: 'POST', url: `/services/data/${v}/sobjects/Contact`, richInput: { LastName: 'Made' } },
      ],
    });
    assert.equal(answer.hasErrors, true);
    assert.deepEqual(
      answer.results.map((r) => r.statusCode),
      [400, 201],
    );
    assert.equal((await conn.query('SELECT Id FROM Contact')).totalSize, 1);

    const clean = await conn.requestPost<BatchAnswer>('/composite/batch', {
      batchRequests: [{ method: 'GET', url: `${v}/sobjects/Contact/describe` }],
    });
    assert.equal(clean.hasErrors, false);
  });

  await t.test(
    'a batch of more than 25 subrequests, or one holding a composite request, is refused whole',
    async () => {
      const { conn } = freshOrg(emulator);
      const many = Array.from({ length: 26 }, () => ({
        method: 'POST',
        url: `${v}/sobjects/Account`,
        richInput: { Name: 'x' },
      }));
      const tooMany = await rejection(() => conn.requestPost('/composite/batch', { batchRequests: many }));
      assert.equal(tooMany.errorCode, 'LIMIT_EXCEEDED');
      const nested = await rejection(() =>
        conn.requestPost('/composite/batch', {
          batchRequests: [{ method: 'POST', url: `${v}/composite`, richInput: {} }],
        }),
      );
      assert.equal(nested.errorCode, 'INVALID_INPUT');
      assert.equal((await conn.query('SELECT Id FROM Account')).totalSize, 0);
    },
  );

  await t.test(
    'graph: a failing node rolls back its own graph only; the other graph commits with its references resolved',
    async () => {
      const { conn } = freshOrg(emulator);
      const answer = await conn.requestPost<GraphAnswer>('/composite/graph', {
        graphs: [
          {
            graphId: 'good',
            compositeRequest: [
              {
                method: 'POST',
                url: `/services/data/${v}/sobjects/Account`,
                referenceId: 'acct',
                body: { Name: 'Graph Co' },
              },
              {
                method: 'POST',
                url: `/services/data/${v}/sobjects/Contact`,
                referenceId: 'ct',
                body: { LastName: 'Graphson', AccountId: '@{acct.id}' },
              },
            ],
          },
          {
            graphId: 'bad',
            compositeRequest: [
              {
                method: 'POST',
                url: `/services/data/${v}/sobjects/Account`,
                referenceId: 'acct2',
                body: { Name: 'Rolled back Co' },
              },
              {
                method: 'POST',
                url: `/services/data/${v}/sobjects/Contact`,
                referenceId: 'broken',
                body: { FirstName: 'No last name', AccountId: '@{acct2.id}' },
              },
              {
                method: 'POST',
                url: `/services/data/${v}/sobjects/Contact`,
                referenceId: 'later',
                body: { LastName: 'Never' },
              },
            ],
          },
        ],
      });
      const [good, bad] = answer.graphs;
      assert.equal(good!.graphId, 'good');
      assert.equal(good!.isSuccessful, true);
      assert.deepEqual(
        good!.graphResponse.compositeResponse.map((r) => r.httpStatusCode),
        [201, 201],
      );
      assert.equal(bad!.isSuccessful, false);
      const nodes = bad!.graphResponse.compositeResponse;
      assert.deepEqual(
        nodes.map((r) => [r.referenceId, r.httpStatusCode]),
        [
          ['acct2', 400],
          ['broken', 400],
          ['later', 400],
        ],
      );
      assert.equal(
        (nodes[1]!.body as Array<Record<string, string>>)[0]!['errorCode'],
        'REQUIRED_FIELD_MISSING',
      );
      assert.equal((nodes[0]!.body as Array<Record<string, string>>)[0]!['errorCode'], 'PROCESSING_HALTED');

      const accounts = await conn.query<{ Name: string }>('SELECT Name FROM Account');
      assert.deepEqual(
        accounts.records.map((r) => r.Name),
        ['Graph Co'],
      );
      const contacts = await conn.query<Record<string, unknown>>(
        'SELECT LastName, Account.Name FROM Contact',
      );
      assert.equal(contacts.totalSize, 1);
      assert.equal((contacts.records[0]!['Account'] as Record<string, unknown>)['Name'], 'Graph Co');
    },
  );

  await t.test('graph limits: 500 nodes per graph, sObject resources only', async () => {
    const { conn } = freshOrg(emulator);
    const nodes = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        method: 'POST',
        url: `/services/data/${v}/sobjects/Account`,
        referenceId: `a${i}`,
        body: { Name: `A${i}` },
      }));
    const big = await conn.requestPost<GraphAnswer>('/composite/graph', {
      graphs: [{ graphId: 'g', compositeRequest: nodes(500) }],
    });
    assert.equal(big.graphs[0]!.isSuccessful, true);
    assert.equal((await conn.query('SELECT count() FROM Account')).totalSize, 500);
    const tooBig = await rejection(() =>
      conn.requestPost('/composite/graph', { graphs: [{ graphId: 'g', compositeRequest: nodes(501) }] }),
    );
    assert.equal(tooBig.errorCode, 'LIMIT_EXCEEDED');
    const query = await rejection(() =>
      conn.requestPost('/composite/graph', {
        graphs: [
          {
            graphId: 'q',
            compositeRequest: [
              { method: 'GET', url: `/services/data/${v}/query?q=SELECT+Id+FROM+Account`, referenceId: 'q' },
            ],
          },
        ],
      }),
    );
    assert.equal(query.errorCode, 'INVALID_INPUT');
  });
});

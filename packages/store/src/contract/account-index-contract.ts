import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CrmAccountRow } from '@crmsync/core';
import { openFresh, ORG_A, ORG_B, sfId, workspaceDoc, type MakeStore } from './harness.js';

const account = (
  n: number,
  name: string,
  website: string | null,
  stamp = '2026-01-01T00:00:00.000+0000',
): CrmAccountRow => ({
  Id: sfId('001', n),
  Name: name,
  Website: website,
  CreatedDate: `2025-01-0${(n % 9) + 1}T00:00:00.000+0000`,
  LastModifiedDate: stamp,
  SystemModstamp: stamp,
});

/** X2's local Account index: part of the Store contract, run by every driver. */
export function runAccountIndexContract(name: string, makeStore: MakeStore): void {
  describe(`${name}: Account index contract (X2)`, () => {
    test('X2 finds Accounts by registrable website domain (scheme, www, path and subdomains ignored) and by exact name', async (t) => {
      const { store } = await openFresh(t, makeStore);
      await store.workspaces.create(workspaceDoc('w1'));
      await store.transaction('w1', (tx) =>
        tx.accountIndex.upsert(ORG_A, [
          account(1, 'Acme Inc', 'https://www.acme.com/about'),
          account(2, 'Acme EU', 'eu.acme.com'),
          account(3, 'Globex', 'http://globex.io'),
          account(4, '  ACME inc ', null),
          account(5, 'Initech', 'n/a'),
        ]),
      );
      const r = store.workspace('w1').accountIndex;
      assert.deepEqual(
        (await r.findByDomains(ORG_A, ['acme.com'])).map((a) => a.Id),
        [sfId('001', 1), sfId('001', 2)],
      );
      assert.deepEqual(
        (await r.findByDomains(ORG_A, ['https://shop.acme.com/x', 'globex.io'])).map((a) => a.Id),
        [sfId('001', 1), sfId('001', 2), sfId('001', 3)],
      );
      assert.deepEqual(
        (await r.findByNames(ORG_A, ['acme inc'])).map((a) => a.Id),
        [sfId('001', 1), sfId('001', 4)],
      );
      assert.deepEqual(await r.findByNames(ORG_A, ['Acme']), []);
      assert.deepEqual(await r.findByDomains(ORG_A, ['initech.com']), []);
      const [row] = await r.findByNames(ORG_A, ['Globex']);
      assert.deepEqual(row, account(3, 'Globex', 'http://globex.io'));
      assert.equal(await r.count(ORG_A), 5);
    });

    test('X2 upsert replaces a row by Id (its domain moves with it); remove and clear drop rows; counts follow', async (t) => {
      const { store } = await openFresh(t, makeStore);
      await store.workspaces.create(workspaceDoc('w1'));
      await store.transaction('w1', (tx) =>
        tx.accountIndex.upsert(ORG_A, [account(1, 'Acme', 'acme.com'), account(2, 'Globex', 'globex.io')]),
      );
      await store.transaction('w1', (tx) =>
        tx.accountIndex.upsert(ORG_A, [
          account(1, 'Acme Renamed', 'acme.org', '2026-02-01T00:00:00.000+0000'),
        ]),
      );
      const r = store.workspace('w1').accountIndex;
      assert.deepEqual(await r.findByDomains(ORG_A, ['acme.com']), []);
      assert.equal((await r.findByDomains(ORG_A, ['acme.org']))[0]?.Name, 'Acme Renamed');
      assert.equal(await r.count(ORG_A), 2);
      assert.equal(
        await store.transaction('w1', (tx) =>
          tx.accountIndex.remove(ORG_A, [sfId('001', 2), sfId('001', 9)]),
        ),
        1,
      );
      assert.deepEqual(await r.findByNames(ORG_A, ['Globex']), []);
      assert.equal(await store.transaction('w1', (tx) => tx.accountIndex.clear(ORG_A)), 1);
      assert.equal(await r.count(ORG_A), 0);
    });

    test('X2 the index is per org and per workspace: another org or workspace never sees the rows', async (t) => {
      const { store } = await openFresh(t, makeStore);
      await store.workspaces.create(workspaceDoc('w1'));
      await store.workspaces.create(workspaceDoc('w2'));
      await store.transaction('w1', (tx) => tx.accountIndex.upsert(ORG_A, [account(1, 'Acme', 'acme.com')]));
      await store.transaction('w2', (tx) => tx.accountIndex.upsert(ORG_A, [account(2, 'Acme', 'acme.com')]));
      assert.deepEqual(
        (await store.workspace('w1').accountIndex.findByDomains(ORG_A, ['acme.com'])).map((a) => a.Id),
        [sfId('001', 1)],
      );
      assert.deepEqual(
        (await store.workspace('w2').accountIndex.findByNames(ORG_A, ['acme'])).map((a) => a.Id),
        [sfId('001', 2)],
      );
      assert.deepEqual(await store.workspace('w1').accountIndex.findByDomains(ORG_B, ['acme.com']), []);
      await store.transaction('w1', (tx) => tx.accountIndex.clear(ORG_A));
      assert.equal(await store.workspace('w2').accountIndex.count(ORG_A), 1);
    });
  });
}

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultSettings, type LocalObjectType } from '@crmsync/core';
import { isStoreError } from '../errors.js';
import { company, openFresh, ORG_A, ORG_B, person, sfId, workspaceDoc, type MakeStore } from './harness.js';

const HOUR = 3_600_000;

/**
 * The Store port's contract. Every driver runs it against a real database; nothing is mocked.
 * `makeStore` opens a fresh, empty database per test.
 */
export function runStoreContract(name: string, makeStore: MakeStore): void {
  describe(`${name}: Store contract`, () => {
    test('workspaces: create, get and list; a taken id and an unknown workspace are refused', async (t) => {
      const { store } = await openFresh(t, makeStore);
      await store.workspaces.create(workspaceDoc('w-b'));
      await store.workspaces.create(workspaceDoc('w-a'));
      assert.deepEqual(
        (await store.workspaces.list()).map((w) => w.id),
        ['w-a', 'w-b'],
      );
      assert.equal((await store.workspaces.get('w-a'))?.name, 'Workspace w-a');
      assert.equal(await store.workspaces.get('nope'), null);
      await assert.rejects(store.workspaces.create(workspaceDoc('w-a')), (e) =>
        isStoreError(e, 'workspace_exists'),
      );
      await assert.rejects(
        store.transaction('nope', async () => 1),
        (e) => isStoreError(e, 'workspace_not_found'),
      );
      const updated = await store.workspaces.update({ ...workspaceDoc('w-a'), mailboxDomains: ['acme.com'] });
      assert.deepEqual((await store.workspaces.get('w-a'))?.mailboxDomains, updated.mailboxDomains);
    });

    test('isolation: two workspaces with identical emails, external ids and links never see each other', async (t) => {
      const { store, queue } = await openFresh(t, makeStore);
      for (const ws of ['w1', 'w2']) {
        await store.workspaces.create(workspaceDoc(ws));
        await store.transaction(ws, async (tx) => {
          await tx.records.upsert(
            'person',
            person(ws, { id: 'p1', externalId: 'ext-1', email: 'jane@acme.com', lastName: `Doe of ${ws}` }),
          );
          await tx.records.upsert(
            'company',
            company(ws, { id: 'c1', name: 'Acme', website: 'https://acme.com' }),
          );
          await tx.links.put({
            localType: 'person',
            localId: 'p1',
            orgId: ORG_A,
            sfObject: 'Contact',
            sfId: sfId('003', ws === 'w1' ? 1 : 2),
            snapshot: { LastName: ws },
          });
          await tx.log.append([
            {
              recordType: 'person',
              recordId: 'p1',
              action: 'create',
              rules: ['C1'],
              reason: `created in ${ws}`,
            },
          ]);
          await tx.events.append('link', { ws });
          await tx.cursors.put(ORG_A, 'Contact', { ws });
          await tx.ledger.add(ORG_A, ws === 'w1' ? 3 : 5);
          await tx.jobs.enqueue({ queue: 'push', key: 'person:p1' });
        });
      }
      const w1 = store.workspace('w1');
      const w2 = store.workspace('w2');
      assert.equal((await w1.records.get('person', 'p1'))?.data.lastName, 'Doe of w1');
      assert.equal((await w2.records.get('person', 'p1'))?.data.lastName, 'Doe of w2');
      assert.deepEqual(
        (await w1.records.findPeopleByEmail('JANE@acme.com')).map((r) => r.data.workspaceId),
        ['w1'],
      );
      assert.equal((await w2.records.findByExternalId('person', 'ext-1'))?.data.workspaceId, 'w2');
      assert.deepEqual(
        (await w1.records.findCompaniesByDomain('acme.com')).map((r) => r.data.workspaceId),
        ['w1'],
      );
      assert.equal((await w1.links.get('person', 'p1', ORG_A))?.sfId, sfId('003', 1));
      assert.deepEqual(await w1.links.getBySfIds(ORG_A, [sfId('003', 2)]), []);
      assert.deepEqual(
        (await w2.log.list()).items.map((e) => e.reason),
        ['created in w2'],
      );
      assert.deepEqual(
        (await w1.events.listAfter(0)).map((e) => e.data),
        [{ ws: 'w1' }],
      );
      assert.deepEqual(await w2.cursors.get(ORG_A, 'Contact'), { ws: 'w2' });
      assert.equal(await w1.ledger.sumLast24Hours(ORG_A), 3);
      assert.equal(await w2.ledger.sumLast24Hours(ORG_A), 5);
      const claimed = await queue.claim({
        workspaceId: 'w1',
        queue: 'push',
        limit: 10,
        leaseMs: 60_000,
        workerId: 'a',
      });
      assert.deepEqual(
        claimed.map((j) => j.workspaceId),
        ['w1'],
      );
      assert.equal((await queue.counts('w2')).total.pending, 1);
      // A document that names another workspace cannot be written through this one.
      await assert.rejects(
        store.transaction('w1', (tx) => tx.records.upsert('person', person('w2', { id: 'p9' }))),
        (e) => isStoreError(e, 'workspace_mismatch'),
      );
    });

    test('secrets: a canary token stored as a connection credential is never at rest in clear, and a wrong key is refused clearly', async (t) => {
      const opened = await openFresh(t, makeStore);
      const { store } = opened;
      const canary = `canary-${Math.random().toString(36).slice(2)}-token`;
      await store.workspaces.create(workspaceDoc('w1'));
      await store.transaction('w1', (tx) =>
        tx.connection.put({
          orgId: ORG_A,
          instanceUrl: 'http://127.0.0.1:1',
          loginUrl: 'http://127.0.0.1:1',
          credentials: { accessToken: canary, refreshToken: `${canary}-refresh` },
          integrationUserId: sfId('005', 1),
          state: 'configuring',
          windowEndsAt: new Date('2026-12-01T00:00:00Z'),
          connectedAt: opened.clock.now(),
        }),
      );
      await store.transaction('w1', async (tx) => {
        await tx.connection.updateCredentials({
          accessToken: `${canary}-2`,
          refreshToken: `${canary}-refresh`,
        });
        assert.equal(await tx.connection.updateState('active', { windowEndsAt: null }), true);
      });
      const connection = await store.workspace('w1').connection.get();
      assert.equal(connection?.credentials['accessToken'], `${canary}-2`);
      assert.equal(connection?.state, 'active');
      assert.equal(connection?.windowEndsAt, null);

      const raw = Buffer.from(await opened.rawContents());
      assert.ok(raw.length > 0, 'the database has bytes at rest');
      assert.equal(raw.includes(canary), false, 'the canary token is not in the database in clear');
      assert.equal(raw.includes(Buffer.from(canary, 'utf16le')), false, 'nor in UTF-16');

      const wrongKey = new Uint8Array(32).fill(7);
      const other = await opened.openAnother({ clock: opened.clock, encryptionKey: wrongKey });
      await assert.rejects(
        other.store.workspace('w1').connection.get(),
        (e) => isStoreError(e, 'wrong_encryption_key') && /encryption key/.test((e as Error).message),
      );
    });

    test('atomicity: a throw inside the transaction leaves neither the record, nor its log entry, nor its job', async (t) => {
      const { store, queue } = await openFresh(t, makeStore);
      await store.workspaces.create(workspaceDoc('w1'));
      await assert.rejects(
        store.transaction('w1', async (tx) => {
          await tx.records.upsert('person', person('w1', { id: 'p1' }));
          await tx.log.append([
            { recordType: 'person', recordId: 'p1', action: 'create', rules: [], reason: 'x' },
          ]);
          await tx.jobs.enqueue({ queue: 'push', key: 'person:p1' });
          assert.ok(await tx.records.get('person', 'p1'), 'the transaction sees its own write');
          throw new Error('boom');
        }),
        /boom/,
      );
      const ws = store.workspace('w1');
      assert.equal(await ws.records.get('person', 'p1'), null);
      assert.deepEqual((await ws.log.list()).items, []);
      assert.equal((await queue.counts('w1')).total.pending, 0);
      // The store is usable after a rollback.
      await store.transaction('w1', (tx) => tx.records.upsert('person', person('w1', { id: 'p1' })));
      assert.ok(await ws.records.get('person', 'p1'));
    });

    test('reads outside a transaction see only committed data, and do not wait for an open transaction', async (t) => {
      const { store } = await openFresh(t, makeStore);
      await store.workspaces.create(workspaceDoc('w1'));
      const reader = store.workspace('w1');
      await store.transaction('w1', async (tx) => {
        await tx.records.upsert('person', person('w1', { id: 'p1' }));
        assert.equal(
          await reader.records.get('person', 'p1'),
          null,
          'the uncommitted write is not visible outside',
        );
      });
      assert.equal((await reader.records.get('person', 'p1'))?.id, 'p1');
    });

    test('transactions are not re-entrant: a nested one is refused instead of deadlocking', async (t) => {
      const { store } = await openFresh(t, makeStore);
      await store.workspaces.create(workspaceDoc('w1'));
      await assert.rejects(
        store.transaction('w1', () => store.transaction('w1', async () => 1)),
        (e) => isStoreError(e, 'nested_transaction'),
      );
    });

    test('external ids are unique per workspace and type, and the failed write rolls back', async (t) => {
      const { store } = await openFresh(t, makeStore);
      await store.workspaces.create(workspaceDoc('w1'));
      await store.workspaces.create(workspaceDoc('w2'));
      await store.transaction('w1', async (tx) => {
        await tx.records.upsert('person', person('w1', { id: 'p1', externalId: 'X' }));
        await tx.records.upsert('person', person('w1', { id: 'p1', externalId: 'X', lastName: 'Again' }));
        await tx.records.upsert('company', company('w1', { id: 'c1', externalId: 'X' }));
        await tx.records.upsert('person', person('w1', { id: 'p2', externalId: null }));
        await tx.records.upsert('person', person('w1', { id: 'p3', externalId: null }));
      });
      await store.transaction('w2', (tx) =>
        tx.records.upsert('person', person('w2', { id: 'p2', externalId: 'X' })),
      );
      await assert.rejects(
        store.transaction('w1', async (tx) => {
          await tx.records.upsert('person', person('w1', { id: 'p4' }));
          await tx.records.upsert('person', person('w1', { id: 'p5', externalId: 'X' }));
        }),
        (e) => isStoreError(e, 'external_id_taken') && /p1/.test((e as Error).message),
      );
      const ws = store.workspace('w1');
      assert.equal(await ws.records.get('person', 'p4'), null);
      assert.equal((await ws.records.findByExternalId('person', 'X'))?.id, 'p1');
      assert.equal((await ws.records.findByExternalId('company', 'X'))?.id, 'c1');
    });

    test('records: versions rise on every write, delete is soft, a rewrite undeletes', async (t) => {
      const { store, clock } = await openFresh(t, makeStore);
      await store.workspaces.create(workspaceDoc('w1'));
      const write = (lastName: string) =>
        store.transaction('w1', (tx) => tx.records.upsert('person', person('w1', { id: 'p1', lastName })));
      assert.equal(await write('A'), 1);
      assert.equal(await write('B'), 2);
      clock.advance(1000);
      assert.equal(await store.transaction('w1', (tx) => tx.records.delete('person', 'p1')), 3);
      assert.equal(await store.transaction('w1', (tx) => tx.records.delete('person', 'missing')), null);
      const ws = store.workspace('w1');
      const deleted = await ws.records.get('person', 'p1');
      assert.deepEqual(deleted?.deletedAt, clock.now());
      assert.equal(deleted?.data.lastName, 'B');
      assert.deepEqual((await ws.records.list({ type: 'person' })).items, []);
      assert.equal((await ws.records.list({ type: 'person', includeDeleted: true })).items.length, 1);
      assert.deepEqual(await ws.records.findPeopleByEmail('x@y.com'), []);
      assert.equal(await write('C'), 4);
      const back = await ws.records.get('person', 'p1');
      assert.equal(back?.deletedAt, null);
      assert.equal(back?.version, 4);
    });

    test('records: getMany is one call for a large batch and returns only what exists', async (t) => {
      const { store } = await openFresh(t, makeStore);
      await store.workspaces.create(workspaceDoc('w1'));
      await store.transaction('w1', async (tx) => {
        for (let i = 0; i < 700; i++) await tx.records.upsert('person', person('w1', { id: `p${i}` }));
      });
      const ids = Array.from({ length: 800 }, (_, i) => `p${i}`);
      const found = await store.workspace('w1').records.getMany('person', ids);
      assert.equal(found.length, 700);
      assert.equal(new Set(found.map((r) => r.id)).size, 700);
    });

    test('records: cursor pagination visits every record once, in id order, with filters', async (t) => {
      const { store, clock } = await openFresh(t, makeStore);
      await store.workspaces.create(workspaceDoc('w1'));
      const ids = Array.from({ length: 25 }, (_, i) => `p${String(i).padStart(2, '0')}`);
      await store.transaction('w1', async (tx) => {
        for (const id of ids) await tx.records.upsert('person', person('w1', { id }));
        await tx.records.upsert('company', company('w1', { id: 'c1' }));
      });
      const ws = store.workspace('w1');
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: { items: { id: string }[]; nextCursor: string | null } = await ws.records.list({
          type: 'person',
          limit: 10,
          cursor,
        });
        seen.push(...page.items.map((r) => r.id));
        cursor = page.nextCursor;
        pages++;
        if (pages === 1)
          await store.transaction('w1', (tx) => tx.records.upsert('person', person('w1', { id: 'p99' })));
      } while (cursor !== null);
      assert.equal(pages, 3);
      assert.deepEqual(seen, [...ids, 'p99']);

      const since = clock.advance(1000);
      clock.advance(1000);
      await store.transaction('w1', (tx) =>
        tx.records.upsert('person', person('w1', { id: 'p05', lastName: 'Changed' })),
      );
      assert.deepEqual(
        (await ws.records.list({ type: 'person', updatedAfter: since })).items.map((r) => r.id),
        ['p05'],
      );
    });

    test('records: people are found by email ignoring case and spaces; companies by name and by website domain', async (t) => {
      const { store } = await openFresh(t, makeStore);
      await store.workspaces.create(workspaceDoc('w1'));
      await store.transaction('w1', async (tx) => {
        await tx.records.upsert('person', person('w1', { id: 'p1', email: 'Jane.Doe@Acme.COM' }));
        await tx.records.upsert('person', person('w1', { id: 'p2', email: ' jane.doe@acme.com ' }));
        await tx.records.upsert('person', person('w1', { id: 'p3', email: 'john@acme.com' }));
        await tx.records.upsert(
          'company',
          company('w1', { id: 'c1', name: '  ACME Inc ', website: 'https://www.acme.com/about' }),
        );
        await tx.records.upsert(
          'company',
          company('w1', { id: 'c2', name: 'Other', website: 'eu.acme.com' }),
        );
        await tx.records.upsert('company', company('w1', { id: 'c3', name: 'acme inc', website: null }));
      });
      const ws = store.workspace('w1');
      assert.deepEqual(
        (await ws.records.findPeopleByEmail('JANE.DOE@acme.com')).map((r) => r.id),
        ['p1', 'p2'],
      );
      assert.deepEqual(
        (await ws.records.findCompaniesByName('Acme Inc')).map((r) => r.id),
        ['c1', 'c3'],
      );
      assert.deepEqual(
        (await ws.records.findCompaniesByDomain('http://acme.com')).map((r) => r.id),
        ['c1', 'c2'],
      );
      assert.deepEqual(await ws.records.findCompaniesByDomain('n/a'), []);
      // Many addresses at once: by email key, the same people as one by one; unknown ones absent.
      const many = await ws.records.findPeopleByEmails([
        'JANE.DOE@acme.com',
        'john@ACME.com',
        'nobody@acme.com',
        'not an email',
      ]);
      assert.deepEqual([...many].map(([key, rows]) => [key, rows.map((r) => r.id)]).sort(), [
        ['jane.doe@acme.com', ['p1', 'p2']],
        ['john@acme.com', ['p3']],
      ]);
      const wide = Array.from({ length: 1_200 }, (_, i) => `n${i}@acme.com`).concat('john@acme.com');
      assert.deepEqual([...(await ws.records.findPeopleByEmails(wide)).keys()], ['john@acme.com']);
      // Changing the email moves the key: the old address no longer finds the person.
      await store.transaction('w1', (tx) =>
        tx.records.upsert('person', person('w1', { id: 'p1', email: 'new@acme.com' })),
      );
      assert.deepEqual(
        (await ws.records.findPeopleByEmail('jane.doe@acme.com')).map((r) => r.id),
        ['p2'],
      );
    });

    test('links: put, get by local ids and by Salesforce ids in batches, mark state; keyed by org', async (t) => {
      const { store } = await openFresh(t, makeStore);
      await store.workspaces.create(workspaceDoc('w1'));
      await store.transaction('w1', async (tx) => {
        for (let i = 0; i < 600; i++) {
          await tx.links.put({
            localType: 'person',
            localId: `p${i}`,
            orgId: ORG_A,
            sfObject: 'Contact',
            sfId: sfId('003', i),
            snapshot: { Email: `p${i}@acme.com` },
            systemModstamp: '2026-11-28T10:00:00.000Z',
            state: 'active',
            mergedInto: null,
          });
        }
        await tx.links.put({
          localType: 'person',
          localId: 'p1',
          orgId: ORG_B,
          sfObject: 'Lead',
          sfId: sfId('00Q', 1),
          snapshot: {},
          systemModstamp: null,
          state: 'active',
          mergedInto: null,
        });
      });
      const ws = store.workspace('w1');
      const one = await ws.links.get('person', 'p1', ORG_A);
      assert.equal(one?.sfId, sfId('003', 1));
      assert.deepEqual(one?.snapshot, { Email: 'p1@acme.com' });
      assert.equal((await ws.links.get('person', 'p1', ORG_B))?.sfObject, 'Lead');
      assert.equal(await ws.links.get('company', 'p1', ORG_A), null);
      const many = await ws.links.getMany(
        'person',
        Array.from({ length: 600 }, (_, i) => `p${i}`),
        ORG_A,
      );
      assert.equal(many.length, 600);
      const bySf = await ws.links.getBySfIds(
        ORG_A,
        Array.from({ length: 601 }, (_, i) => sfId('003', i)),
      );
      assert.equal(bySf.length, 600);
      assert.deepEqual(await ws.links.getBySfIds(ORG_B, [sfId('003', 1)]), []);

      await store.transaction('w1', async (tx) => {
        assert.equal(
          await tx.links.markState(
            { localType: 'person', localId: 'p2', orgId: ORG_A },
            'merged',
            sfId('003', 3),
          ),
          true,
        );
        assert.equal(
          await tx.links.markState(
            { localType: 'person', localId: 'nope', orgId: ORG_A },
            'deleted_in_salesforce',
          ),
          false,
        );
      });
      const merged = await ws.links.get('person', 'p2', ORG_A);
      assert.equal(merged?.state, 'merged');
      assert.equal(merged?.mergedInto, sfId('003', 3));
    });

    test('links: putMany writes a Bulk job of links at once, as put would one by one (the later of one key wins, other workspaces untouched)', async (t) => {
      const { store } = await openFresh(t, makeStore);
      await store.workspaces.create(workspaceDoc('w1'));
      await store.workspaces.create(workspaceDoc('w2'));
      const link = (i: number, over: { orgId?: string; sfObject?: 'Contact' | 'Lead'; n?: number } = {}) => ({
        localType: 'person' as const,
        localId: `p${i}`,
        orgId: over.orgId ?? ORG_A,
        sfObject: over.sfObject ?? ('Contact' as const),
        sfId: sfId(over.sfObject === 'Lead' ? '00Q' : '003', over.n ?? i),
        snapshot: { Email: `p${i}@acme.com`, LastName: `Doe ${over.n ?? i}` },
        systemModstamp: null,
        state: 'active' as const,
        mergedInto: null,
      });
      await store.transaction('w2', (tx) => tx.links.put(link(1, { n: 9_001 })));
      await store.transaction('w1', async (tx) => {
        await tx.links.put(link(0, { n: 7_000 }));
        await tx.links.putMany([
          ...Array.from({ length: 1_234 }, (_, i) => link(i)),
          link(1, { orgId: ORG_B, sfObject: 'Lead' }),
          link(5, { n: 5_005 }),
        ]);
        await tx.links.putMany([]);
      });
      const ws = store.workspace('w1');
      const all = await ws.links.getMany(
        'person',
        Array.from({ length: 1_234 }, (_, i) => `p${i}`),
        ORG_A,
      );
      assert.equal(all.length, 1_234);
      assert.equal(
        (await ws.links.get('person', 'p0', ORG_A))?.sfId,
        sfId('003', 0),
        'replaced the earlier put',
      );
      const five = await ws.links.get('person', 'p5', ORG_A);
      assert.equal(five?.sfId, sfId('003', 5_005), 'the later of two links with one key wins');
      assert.deepEqual(five?.snapshot, { Email: 'p5@acme.com', LastName: 'Doe 5005' });
      assert.equal((await ws.links.get('person', 'p1', ORG_B))?.sfObject, 'Lead');
      assert.equal((await store.workspace('w2').links.get('person', 'p1', ORG_A))?.sfId, sfId('003', 9_001));
      assert.equal(await store.workspace('w2').links.get('person', 'p2', ORG_A), null);
    });

    test('push intents: put, list per org and object, clear', async (t) => {
      const { store, clock } = await openFresh(t, makeStore);
      await store.workspaces.create(workspaceDoc('w1'));
      await store.transaction('w1', (tx) =>
        tx.intents.put([
          {
            localType: 'person',
            localId: 'p1',
            orgId: ORG_A,
            sfObject: 'Contact',
            startedAt: clock.now(),
            matchKeys: { email: 'a@b.com' },
          },
          {
            localType: 'person',
            localId: 'p2',
            orgId: ORG_A,
            sfObject: 'Lead',
            startedAt: clock.now(),
            matchKeys: { email: 'c@d.com' },
          },
          {
            localType: 'company',
            localId: 'c1',
            orgId: ORG_B,
            sfObject: 'Account',
            startedAt: clock.now(),
            matchKeys: { name: 'acme' },
          },
        ]),
      );
      const ws = store.workspace('w1');
      assert.deepEqual(
        (await ws.intents.list(ORG_A)).map((i) => i.localId),
        ['p1', 'p2'],
      );
      assert.deepEqual(
        await ws.intents.list(ORG_A, { sfObject: 'Lead' }).then((l) => l.map((i) => i.matchKeys)),
        [{ email: 'c@d.com' }],
      );
      assert.equal(await store.transaction('w1', (tx) => tx.intents.clear(ORG_A, 'person', ['p1', 'p9'])), 1);
      assert.deepEqual(
        (await ws.intents.list(ORG_A)).map((i) => i.localId),
        ['p2'],
      );
      assert.equal((await ws.intents.list(ORG_B)).length, 1);
    });

    test('decision log: filters by record, object, outcome, rule and run; pages newest first; counts a run; purges by age', async (t) => {
      const { store, clock } = await openFresh(t, makeStore);
      await store.workspaces.create(workspaceDoc('w1'));
      const start = clock.now();
      const ids = await store.transaction('w1', (tx) =>
        tx.log.append([
          {
            recordType: 'person',
            recordId: 'p1',
            action: 'create',
            rules: ['C1', 'X1'],
            reason: 'new person',
            sfObject: 'Contact',
            sfId: sfId('003', 1),
            payload: { LastName: 'Doe' },
          },
          {
            recordType: 'person',
            recordId: 'p2',
            action: 'skip',
            rules: ['C10'],
            reason: 'deleted in Salesforce',
            runId: 'run-1',
          },
          {
            recordType: 'person',
            recordId: 'p3',
            action: 'skip',
            rules: ['C10'],
            reason: 'deleted in Salesforce',
            runId: 'run-1',
          },
          {
            recordType: 'company',
            recordId: 'c1',
            action: 'fail',
            rules: ['O4'],
            reason: 'rejected',
            errorCode: 'REQUIRED_FIELD_MISSING',
            errorMessage: 'Name',
            sfObject: 'Account',
            runId: 'run-1',
          },
          {
            recordType: 'company',
            recordId: 'c2',
            action: 'create',
            rules: ['C1'],
            reason: 'new company',
            sfObject: 'Account',
            runId: 'run-1',
          },
        ]),
      );
      assert.equal(ids.length, 5);
      assert.deepEqual(
        ids,
        [...ids].sort((a, b) => a - b),
      );
      const log = store.workspace('w1').log;
      const recordOf = async (filter: Parameters<typeof log.list>[0]) =>
        (await log.list(filter)).items.map((e) => e.recordId);
      assert.deepEqual(await recordOf({ record: { type: 'person', id: 'p1' } }), ['p1']);
      assert.deepEqual(await recordOf({ recordType: 'company' }), ['c2', 'c1']);
      assert.deepEqual(await recordOf({ sfObject: 'Account' }), ['c2', 'c1']);
      assert.deepEqual(await recordOf({ actions: ['skip'] }), ['p3', 'p2']);
      assert.deepEqual(await recordOf({ failed: true }), ['c1']);
      assert.deepEqual(await recordOf({ rule: 'C1' }), ['c2', 'p1'], 'C1 does not match C10');
      assert.deepEqual(await recordOf({ rule: 'X1' }), ['p1']);
      assert.deepEqual(await recordOf({ runId: null }), ['p1']);
      assert.deepEqual(await recordOf({ runId: 'run-1', actions: ['skip', 'create'] }), ['c2', 'p3', 'p2']);
      const first = (await log.list({ record: { type: 'person', id: 'p1' } })).items[0];
      assert.deepEqual(first?.payload, { LastName: 'Doe' });
      assert.deepEqual(first?.rules, ['C1', 'X1']);
      assert.deepEqual(first?.at, start);

      const page1 = await log.list({ limit: 2 });
      const page2 = await log.list({ limit: 2, cursor: page1.nextCursor });
      const page3 = await log.list({ limit: 2, cursor: page2.nextCursor });
      assert.deepEqual(
        [...page1.items, ...page2.items, ...page3.items].map((e) => e.id),
        [...ids].reverse(),
      );
      assert.equal(page3.nextCursor, null);

      assert.deepEqual(await log.countByOutcome('run-1'), [
        { action: 'create', rules: ['C1'], reason: 'new company', count: 1 },
        { action: 'fail', rules: ['O4'], reason: 'rejected', count: 1 },
        { action: 'skip', rules: ['C10'], reason: 'deleted in Salesforce', count: 2 },
      ]);

      clock.advance(48 * HOUR);
      await store.transaction('w1', (tx) =>
        tx.log.append([
          { recordType: 'person', recordId: 'p9', action: 'update', rules: [], reason: 'later' },
        ]),
      );
      const purged = await store.transaction('w1', (tx) =>
        tx.log.purgeOlderThan(new Date(clock.now().getTime() - 24 * HOUR)),
      );
      assert.equal(purged, 5);
      assert.deepEqual(await recordOf({}), ['p9']);
    });

    test('settings: defaults before the first save, then versions with a history of who changed what', async (t) => {
      const { store, clock } = await openFresh(t, makeStore);
      await store.workspaces.create(workspaceDoc('w1'));
      const ws = store.workspace('w1');
      const initial = await ws.settings.get();
      assert.equal(initial.version, 0);
      assert.deepEqual(initial.settings, defaultSettings());
      assert.deepEqual(await ws.settings.history(), []);

      const first = defaultSettings();
      const second = structuredClone(first);
      second.log.retentionDays = 30;
      assert.equal(await store.transaction('w1', (tx) => tx.settings.put(first, 'alice@acme.com')), 1);
      clock.advance(1000);
      assert.equal(await store.transaction('w1', (tx) => tx.settings.put(second, 'bob@acme.com')), 2);

      const current = await ws.settings.get();
      assert.equal(current.version, 2);
      assert.equal(current.settings.log.retentionDays, 30);
      assert.equal(current.updatedBy, 'bob@acme.com');
      assert.deepEqual(current.updatedAt, clock.now());
      const history = await ws.settings.history();
      assert.deepEqual(
        history.map((h) => [h.version, h.by, h.before?.log.retentionDays ?? null, h.after.log.retentionDays]),
        [
          [2, 'bob@acme.com', first.log.retentionDays, 30],
          [1, 'alice@acme.com', null, first.log.retentionDays],
        ],
      );
    });

    test('cursors: null until put, then the last value per org and name', async (t) => {
      const { store } = await openFresh(t, makeStore);
      await store.workspaces.create(workspaceDoc('w1'));
      const cursors = store.workspace('w1').cursors;
      assert.equal(await cursors.get(ORG_A, 'Contact'), null);
      await store.transaction('w1', async (tx) => {
        await tx.cursors.put(ORG_A, 'Contact', { since: '2026-01-01' });
        await tx.cursors.put(ORG_A, 'Contact', { since: '2026-02-01' });
        await tx.cursors.put(ORG_B, 'Contact', 'other-org');
      });
      assert.deepEqual(await cursors.get(ORG_A, 'Contact'), { since: '2026-02-01' });
      assert.equal(await cursors.get(ORG_B, 'Contact'), 'other-org');
      assert.equal(await cursors.get(ORG_A, 'Lead'), null);
      const many = await cursors.getMany(ORG_A, ['Contact', 'Lead', 'Contact']);
      assert.deepEqual([...many], [['Contact', { since: '2026-02-01' }]], 'per org, absent when never put');
      assert.deepEqual([...(await store.workspace('w2').cursors.getMany(ORG_A, ['Contact']))], []);
    });

    test('API ledger: the rolling 24-hour sum counts only buckets inside the window', async (t) => {
      const { store, clock } = await openFresh(t, makeStore);
      await store.workspaces.create(workspaceDoc('w1'));
      const add = (n: number, org = ORG_A) => store.transaction('w1', (tx) => tx.ledger.add(org, n));
      const ledger = store.workspace('w1').ledger;
      const firstMinute = Math.floor(clock.now().getTime() / 60_000) * 60_000;
      await add(10);
      await add(5);
      clock.advance(30_000);
      await add(1); // same minute bucket
      clock.advance(12 * HOUR);
      const secondMinute = Math.floor(clock.now().getTime() / 60_000) * 60_000;
      await add(100);
      await add(7, ORG_B);
      assert.equal(await ledger.sumLast24Hours(ORG_A), 116);
      assert.equal(await ledger.sumLast24Hours(ORG_B), 7);
      assert.deepEqual(
        (await ledger.bucketsLast24Hours(ORG_A)).map((b) => [b.leavesAt.toISOString(), b.requests]),
        [
          [new Date(firstMinute + 24 * HOUR).toISOString(), 16],
          [new Date(secondMinute + 24 * HOUR).toISOString(), 100],
        ],
        'O3: the buckets, oldest first, with the instant each leaves the window',
      );
      clock.advance(12 * HOUR - 60_000);
      assert.equal(
        await ledger.sumLast24Hours(ORG_A),
        116,
        'the first bucket is still inside the window 23h59m later',
      );
      clock.advance(60_000);
      assert.equal(
        await ledger.sumLast24Hours(ORG_A),
        100,
        'the first bucket left the window after 24 hours',
      );
      clock.advance(12 * HOUR);
      assert.equal(await ledger.sumLast24Hours(ORG_A), 0);
      await assert.rejects(add(-1), RangeError);
    });

    test('events: appended in order and read after a cursor', async (t) => {
      const { store } = await openFresh(t, makeStore);
      await store.workspaces.create(workspaceDoc('w1'));
      const ids = await store.transaction('w1', async (tx) => {
        const out: number[] = [];
        for (let i = 0; i < 5; i++) out.push(await tx.events.append('person.linked', { n: i }));
        return out;
      });
      const events = store.workspace('w1').events;
      const firstTwo = await events.listAfter(0, 2);
      assert.deepEqual(
        firstTwo.map((e) => e.data['n']),
        [0, 1],
      );
      const rest = await events.listAfter(firstTwo.at(-1)?.id ?? 0);
      assert.deepEqual(
        rest.map((e) => e.id),
        ids.slice(2),
      );
      assert.deepEqual(await events.listAfter(ids.at(-1) ?? 0), []);
      assert.equal(rest[0]?.type, 'person.linked');
    });

    test('events: appendMany appends in order with ascending ids, mixed with single appends, and only in its workspace', async (t) => {
      const { store } = await openFresh(t, makeStore);
      await store.workspaces.create(workspaceDoc('w1'));
      await store.workspaces.create(workspaceDoc('w2'));
      const many = Array.from({ length: 1_203 }, (_, n) => ({ type: n % 2 === 0 ? 'a' : 'b', data: { n } }));
      const { first, ids, last } = await store.transaction('w1', async (tx) => ({
        first: await tx.events.append('first', {}),
        ids: await tx.events.appendMany(many),
        last: await tx.events.append('last', { n: -1 }),
      }));
      assert.deepEqual(await store.transaction('w1', (tx) => tx.events.appendMany([])), []);
      await store.transaction('w2', (tx) => tx.events.appendMany([{ type: 'other', data: {} }]));
      assert.equal(ids.length, many.length);
      assert.ok(
        [first, ...ids, last].every((id, i, all) => i === 0 || id > all[i - 1]!),
        'ids ascend in the order given',
      );
      const seen = [];
      for (let after = 0; ;) {
        const page = await store.workspace('w1').events.listAfter(after, 500);
        if (page.length === 0) break;
        seen.push(...page);
        after = page.at(-1)!.id;
      }
      assert.deepEqual(
        seen.map((e) => e.id),
        [first, ...ids, last],
      );
      assert.deepEqual(
        seen.slice(1, -1).map((e) => [e.type, e.data['n']]),
        many.map((e) => [e.type, e.data.n]),
      );
    });

    test('events: concurrent writers commit ids in order, so an `after` cursor never skips an event (O5)', async (t) => {
      const { store } = await openFresh(t, makeStore);
      await store.workspaces.create(workspaceDoc('w1'));
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let signal!: () => void;
      const appendedA = new Promise<void>((r) => (signal = r));
      const a = store.transaction('w1', async (tx) => {
        await tx.events.append('a', {});
        signal();
        await gate;
      });
      await appendedA;
      const b = store.transaction('w1', async (tx) => {
        await tx.events.append('b', {});
      });
      // Give the second writer every chance to commit ahead of the first, if nothing orders them.
      await new Promise((r) => setTimeout(r, 150));
      const seen = await store.workspace('w1').events.listAfter(0);
      release();
      await Promise.all([a, b]);
      const all = await store.workspace('w1').events.listAfter(0);
      assert.deepEqual(
        all.map((e) => e.type),
        ['a', 'b'],
      );
      assert.deepEqual(
        seen.map((e) => e.id),
        all.slice(0, seen.length).map((e) => e.id),
        'what a reader saw mid-way is a prefix of the final order',
      );
    });

    test('bulk jobs: the job id is kept with its records so a re-run can resume it', async (t) => {
      const { store, clock } = await openFresh(t, makeStore);
      await store.workspaces.create(workspaceDoc('w1'));
      await store.transaction('w1', async (tx) => {
        await tx.bulkJobs.put({
          orgId: ORG_A,
          sfJobId: '750000000000001AAA',
          object: 'Contact',
          operation: 'insert',
          state: 'Open',
          localIds: ['p1', 'p2'],
          runId: 'run-1',
          createdAt: clock.now(),
        });
        await tx.bulkJobs.put({
          orgId: ORG_A,
          sfJobId: '750000000000002AAA',
          object: 'Account',
          operation: 'upsert',
          state: 'JobComplete',
          localIds: [],
          runId: 'run-2',
          createdAt: clock.now(),
        });
      });
      await store.transaction('w1', async (tx) => {
        assert.equal(await tx.bulkJobs.updateState(ORG_A, '750000000000001AAA', 'UploadComplete'), true);
        assert.equal(await tx.bulkJobs.updateState(ORG_B, '750000000000001AAA', 'UploadComplete'), false);
      });
      const bulk = store.workspace('w1').bulkJobs;
      const job = await bulk.get(ORG_A, '750000000000001AAA');
      assert.equal(job?.state, 'UploadComplete');
      assert.deepEqual(job?.localIds, ['p1', 'p2']);
      assert.deepEqual(
        (await bulk.list({ runId: 'run-1' })).map((j) => j.sfJobId),
        ['750000000000001AAA'],
      );
      assert.deepEqual(
        (await bulk.list({ states: ['Open', 'UploadComplete', 'InProgress'] })).map((j) => j.object),
        ['Contact'],
      );
    });

    test('concurrency: two store instances on one database write at once without a busy error or a lost update', async (t) => {
      const opened = await openFresh(t, makeStore);
      const second = await opened.openAnother({ clock: opened.clock, encryptionKey: opened.encryptionKey });
      await opened.store.workspaces.create(workspaceDoc('w1'));
      const writes = (store: typeof opened.store, tag: string) =>
        Array.from({ length: 40 }, (_, i) =>
          store.transaction('w1', async (tx) => {
            // Read-modify-write of one shared record: a lost update would show as a version below 80.
            await tx.records.upsert('person', person('w1', { id: 'shared', lastName: `${tag}${i}` }));
            await tx.records.upsert('person', person('w1', { id: `${tag}${i}` }));
            await tx.jobs.enqueue({ queue: 'push', key: `person:${tag}${i}` });
            await tx.log.append([
              {
                recordType: 'person' as LocalObjectType,
                recordId: `${tag}${i}`,
                action: 'create',
                rules: [],
                reason: tag,
              },
            ]);
          }),
        );
      await Promise.all([...writes(opened.store, 'a'), ...writes(second.store, 'b')]);
      const ws = opened.store.workspace('w1');
      assert.equal((await ws.records.get('person', 'shared'))?.version, 80);
      assert.equal((await ws.records.list({ type: 'person', limit: 1000 })).items.length, 81);
      assert.equal((await opened.queue.counts('w1')).total.pending, 80);
      assert.equal((await ws.log.list({ limit: 1000 })).items.length, 80);
    });

    test('concurrency: racing read-modify-writes from two instances keep every settings version, refuse duplicates with the contract errors, and lose no count', async (t) => {
      const opened = await openFresh(t, makeStore);
      const second = await opened.openAnother({ clock: opened.clock, encryptionKey: opened.encryptionKey });
      const stores = [opened.store, second.store, opened.store, second.store];
      const outcomes = <T>(results: PromiseSettledResult<T>[], code: Parameters<typeof isStoreError>[1]) => {
        const refused = results.filter((r) => r.status === 'rejected');
        for (const r of refused) assert.ok(isStoreError(r.reason, code), `refused with ${String(r.reason)}`);
        return results.length - refused.length;
      };

      const created = await Promise.allSettled(stores.map((s) => s.workspaces.create(workspaceDoc('w1'))));
      assert.equal(
        outcomes(created, 'workspace_exists'),
        1,
        'one creation wins, the others are told it exists',
      );

      // The first saves race too: every save gets its own version and history keeps each change once.
      const saves = await Promise.all(
        Array.from({ length: 24 }, (_, i) =>
          (stores[i % stores.length] ?? opened.store).transaction('w1', (tx) => {
            const settings = defaultSettings();
            settings.log.retentionDays = i + 1;
            return tx.settings.put(settings, `user${i}`);
          }),
        ),
      );
      assert.deepEqual(
        [...saves].sort((a, b) => a - b),
        Array.from({ length: 24 }, (_, i) => i + 1),
      );
      const history = [...(await opened.store.workspace('w1').settings.history(100))].reverse();
      assert.deepEqual(
        history.map((h) => h.version),
        Array.from({ length: 24 }, (_, i) => i + 1),
      );
      history.forEach((h, i) =>
        assert.equal(
          h.before?.log.retentionDays ?? null,
          i === 0 ? null : history[i - 1]?.after.log.retentionDays,
          `version ${h.version} records the document it replaced`,
        ),
      );
      const current = await opened.store.workspace('w1').settings.get();
      assert.equal(current.version, 24);
      assert.equal(current.settings.log.retentionDays, history.at(-1)?.after.log.retentionDays);

      const claims = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) =>
          (stores[i % stores.length] ?? opened.store).transaction('w1', (tx) =>
            tx.records.upsert('person', person('w1', { id: `p${i}`, externalId: 'X' })),
          ),
        ),
      );
      assert.equal(outcomes(claims, 'external_id_taken'), 1, 'one record gets the external id');

      await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          (stores[i % stores.length] ?? opened.store).transaction('w1', async (tx) => {
            await tx.ledger.add(ORG_A, 1);
            await tx.jobs.enqueue({ queue: 'push', key: 'person:hot' });
          }),
        ),
      );
      assert.equal(await opened.store.workspace('w1').ledger.sumLast24Hours(ORG_A), 30);
      assert.equal(
        (await opened.queue.counts('w1')).total.pending,
        1,
        'the racing edits of one record coalesce',
      );
    });
  });
}

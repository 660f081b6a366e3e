// Store and queue throughput on a real SQLite file (figures only, never asserted).
// Usage: npx tsx packages/store/bench/store-bench.ts [RECORDS=20000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Person, Workspace } from '@crmsync/core';
import { ManualClock } from '../src/contract/index.js';
import { openSqliteStore } from '../src/sqlite/index.js';

const records = Number(process.argv[2] ?? 20_000);
const BATCH = 200;
const dir = mkdtempSync(join(tmpdir(), 'crmsync-store-bench-'));
const clock = new ManualClock();
const { store, queue, close } = await openSqliteStore({
  file: join(dir, 'bench.db'),
  clock,
  encryptionKey: new Uint8Array(32),
});
await store.workspaces.create(Workspace.parse({ id: 'w1', name: 'Bench' }));

async function timed(
  name: string,
  operations: number,
  work: () => Promise<void>,
): Promise<Record<string, unknown>> {
  const start = performance.now();
  await work();
  const ms = performance.now() - start;
  return { name, operations, ms: Math.round(ms), perSecond: Math.round((operations / ms) * 1000) };
}

const ids = Array.from({ length: records }, (_, i) => `p${i}`);
const results = [
  // Ingest as the engine does it: record, log entry and job in one transaction per batch.
  await timed('ingest (record + log + job) in transactions of 200', records, async () => {
    for (let b = 0; b < records; b += BATCH) {
      await store.transaction('w1', async (tx) => {
        const part = ids.slice(b, b + BATCH);
        for (const id of part) {
          await tx.records.upsert(
            'person',
            Person.parse({
              id,
              workspaceId: 'w1',
              lastName: 'Doe',
              email: `${id}@acme.com`,
              emailStatus: 'verified',
            }),
          );
        }
        await tx.log.append(
          part.map((id) => ({
            recordType: 'person' as const,
            recordId: id,
            action: 'queued',
            rules: ['C1'],
            reason: 'changed',
          })),
        );
        await tx.jobs.enqueue(part.map((id) => ({ queue: 'push-person', key: `person:${id}` })));
      });
    }
  }),
  await timed('getMany of 200 records', records, async () => {
    for (let b = 0; b < records; b += BATCH)
      await store.workspace('w1').records.getMany('person', ids.slice(b, b + BATCH));
  }),
  await timed('findPeopleByEmail', 2000, async () => {
    for (let i = 0; i < 2000; i++)
      await store.workspace('w1').records.findPeopleByEmail(`P${i * 7}@Acme.com`);
  }),
  await timed('claim 200 + complete', records, async () => {
    for (;;) {
      const jobs = await queue.claim({
        workspaceId: 'w1',
        queue: 'push-person',
        limit: BATCH,
        leaseMs: 60_000,
        workerId: 'bench',
      });
      if (jobs.length === 0) break;
      await queue.complete(
        jobs.map((j) => j.id),
        { workerId: 'bench' },
      );
    }
  }),
];
console.log(
  JSON.stringify({ records, results, rssMb: Math.round(process.memoryUsage().rss / 1e6) }, null, 2),
);
await close();
rmSync(dir, { recursive: true, force: true });

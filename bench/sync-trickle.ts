// Trickle: 1,000 people arriving at 50 per second, half net-new and half updates of linked people,
// into an org pre-seeded with 10% email matches (of the net-new people) and some duplicate
// Accounts, with `crmsync worker`-style processing running (push batches in a loop, idle wait
// when nothing is due). Latency per person is ingest -> the record's SystemModstamp in Salesforce;
// apiCalls come from the emulator's request counter (the pre-linking push-all is not counted).
// Run alone: npx tsx bench/sync-trickle.ts   (BENCH_TRICKLE_PEOPLE, BENCH_TRICKLE_RATE)
import { pathToFileURL } from 'node:url';
import { Connection } from 'jsforce';
import { WORKER_PUSH_OPTIONS } from '@crmsync/engine';
import {
  benchEmail,
  benchWorkspace,
  createBenchOrg,
  emulatorRequests,
  ingestPeople,
  naiveFigures,
  reportEndpoints,
  startBenchEmulator,
  type BenchOrg,
  type BenchWorkspace,
} from './sync-backfill.js';

type Row = Record<string, number | string | boolean | null>;

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

/** `crmsync worker`'s loop for one workspace: push batches back to back, idle 1 s when nothing was due. */
function startWorker(ws: BenchWorkspace, idleMs: number): { stop: () => Promise<void> } {
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const r = await ws.engine.runPushBatch(ws.workspaceId);
      if (r.claimed === 0) await new Promise((ok) => setTimeout(ok, idleMs));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

async function contactsByEmail(
  org: BenchOrg,
  emails: ReadonlySet<string>,
): Promise<Map<string, { modstamp: number; title: string | null }[]>> {
  const conn = new Connection({
    instanceUrl: org.instanceUrl,
    accessToken: org.accessToken,
    version: '62.0',
  });
  const rows = (await conn.bulk2
    .query('SELECT Id, Email, Title, SystemModstamp FROM Contact', {
      pollInterval: 200,
      pollTimeout: 600_000,
    })
    .then((r) => r.toArray())) as {
    Email?: string;
    Title?: string;
    SystemModstamp?: string;
  }[];
  const out = new Map<string, { modstamp: number; title: string | null }[]>();
  for (const r of rows) {
    const email = String(r.Email).toLowerCase();
    if (!emails.has(email)) continue;
    out.set(email, [
      ...(out.get(email) ?? []),
      {
        modstamp: Date.parse(String(r.SystemModstamp)),
        title: r.Title === undefined || r.Title === '' ? null : r.Title,
      },
    ]);
  }
  return out;
}

export async function run(): Promise<Row[]> {
  const total = Number(process.env.BENCH_TRICKLE_PEOPLE ?? 1_000);
  const rate = Number(process.env.BENCH_TRICKLE_RATE ?? 50);
  const half = Math.floor(total / 2);
  const emu = await startBenchEmulator();
  try {
    // 10% of the net-new people already exist in Salesforce by email; 10 companies have two Accounts.
    const matches = Math.floor(half / 10);
    const seed = {
      Contact: Array.from({ length: matches }, (_, i) => ({
        LastName: `Existing ${i}`,
        Email: benchEmail('new', i * 10),
      })),
      Account: Array.from({ length: 20 }, (_, i) => ({ Name: `new Company ${Math.floor(i / 2)}` })),
    };
    const org = await createBenchOrg(emu, seed);
    // As `crmsync worker` runs it (cli runtime): a trickle is gathered into batches (WORKER_PUSH_OPTIONS).
    const ws = await benchWorkspace(org, { contacts: { pushContacts: true } }, WORKER_PUSH_OPTIONS);
    try {
      // The linked half: ingested and pushed before the clock starts.
      await ingestPeople(ws, 'old', half);
      const pre = await ws.engine.pushAll(ws.workspaceId);
      if (pre.created + pre.linked !== half)
        throw new Error(`pre-linking pushed ${pre.created + pre.linked} of ${half}`);
      // Their ingest also queued change jobs, which push all made moot: settle them before the clock starts.
      await ws.engine.runUntilIdle(ws.workspaceId);
      const before = await emulatorRequests(org);

      // This process also ran the earlier scenarios: sample its resident set during the trickle only.
      let peakRss = process.memoryUsage().rss;
      const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
      const worker = startWorker(ws, 1_000);
      const ingestedAt = new Map<string, number>();
      const started = performance.now();
      const companiesNew = Math.max(1, Math.floor(half / 5));
      for (let k = 0; k < total; k++) {
        const due = started + (k * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((ok) => setTimeout(ok, wait));
        const i = Math.floor(k / 2);
        const isNew = k % 2 === 0;
        const email = isNew ? benchEmail('new', i) : benchEmail('old', i);
        const data = isNew
          ? {
              id: `newp${i}`,
              firstName: 'Ada',
              lastName: `New ${i}`,
              email,
              emailStatus: 'verified',
              title: 'Arrived',
            }
          : {
              id: `oldp${i}`,
              firstName: 'Ada',
              lastName: `Bench ${i}`,
              email,
              emailStatus: 'verified',
              title: 'Updated',
              companyId: `oldc${i % Math.max(1, Math.floor(half / 5))}`,
            };
        if (isNew && i < companiesNew) {
          await ws.engine.ingest(ws.workspaceId, {
            type: 'company',
            op: 'upsert',
            data: { id: `newc${i}`, name: `new Company ${i}`, website: `https://new-co-${i}.example` },
          });
        }
        const result = await ws.engine.ingest(ws.workspaceId, {
          type: 'person',
          op: 'upsert',
          data: isNew ? { ...data, companyId: `newc${i % companiesNew}` } : data,
        });
        if (!result.ok) throw new Error(`trickle ingest refused: ${result.message}`);
        ingestedAt.set(email, Date.now());
      }
      const arrivalSeconds = (performance.now() - started) / 1000;
      // Until the queue is empty (or two minutes), then stop the worker.
      for (let i = 0; i < 1_200; i++) {
        const counts = await ws.opened.queue.counts(ws.workspaceId);
        if (counts.total.pending + counts.total.retrying === 0) break;
        await new Promise((ok) => setTimeout(ok, 100));
      }
      await worker.stop();
      clearInterval(sampler);
      const seconds = (performance.now() - started) / 1000;
      const after = await emulatorRequests(org);
      reportEndpoints(`trickle-${total}`, before, after);
      const apiCalls = after.counted - before.counted;
      const httpRequests = after.total - before.total;

      const found = await contactsByEmail(org, new Set(ingestedAt.keys()));
      const latencies: number[] = [];
      let wrong = 0;
      for (const [email, at] of ingestedAt) {
        const rows = found.get(email) ?? [];
        const expectedTitle = email.startsWith('new') ? 'Arrived' : 'Updated';
        if (rows.length !== 1 || rows[0]!.title !== expectedTitle) {
          wrong++;
          continue;
        }
        latencies.push(Math.max(0, rows[0]!.modstamp - at));
      }
      latencies.sort((a, b) => a - b);
      if (wrong > 0)
        console.error(
          `trickle: ${wrong} of ${total} people missing, duplicated or without their latest change in Salesforce`,
        );
      const naive = await naiveFigures(emu);
      const recordsPerSecond = Number((total / seconds).toFixed(1));
      return [
        {
          scenario: `trickle-${total}-at-${rate}-per-s`,
          records: total,
          apiCalls,
          httpRequests,
          apiCallsPer1000: Number(((apiCalls / total) * 1000).toFixed(2)),
          recordsPerSecond,
          p95LatencyMs: percentile(latencies, 95),
          p50LatencyMs: percentile(latencies, 50),
          peakRssMb: Math.round(peakRss / 1024 / 1024),
          seconds: Number(seconds.toFixed(1)),
          arrivalSeconds: Number(arrivalSeconds.toFixed(1)),
          naiveApiCallsPer1000: naive.apiCallsPer1000,
          naiveRecordsPerSecond: naive.recordsPerSecond,
          speedup: Number((recordsPerSecond / naive.recordsPerSecond).toFixed(1)),
          verified: wrong === 0,
        },
      ];
    } finally {
      await ws.close().catch(() => undefined);
    }
  } finally {
    await emu.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const row of await run()) console.log(JSON.stringify(row));
}

// Figures for the Salesforce adapter against the emulator over HTTP (never asserted in tests):
// API calls and records per second for Collections writes, the X1 composite lookup and a Bulk
// ingest. Run: npx tsx packages/salesforce/bench/adapter-calls.ts [--records 2000] [--latency-ms 20]
import { parseArgs } from 'node:util';
import type { Clock } from '@crmsync/core';
import { startEmulator } from '@crmsync/sf-emulator';
import { connectSalesforce } from '../src/index.js';

const { values } = parseArgs({
  options: { records: { type: 'string', default: '2000' }, 'latency-ms': { type: 'string', default: '20' } },
});
const records = Number(values.records);
const latencyMs = Number(values['latency-ms']);

const clock: Clock = { now: () => new Date(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };
const emu = await startEmulator({ latencyMs, log: () => {} });
const orgId = emu.credentials.orgId;
let requests = 0;
const sf = await connectSalesforce({
  credentials: {
    flow: 'token',
    instanceUrl: emu.credentials.instanceUrl,
    accessToken: emu.credentials.accessToken,
  },
  clock,
  onRequest: () => {
    requests += 1;
  },
});

async function measure(scenario: string, n: number, run: () => Promise<unknown>) {
  emu.control.resetRequests(orgId);
  requests = 0;
  const started = performance.now();
  await run();
  const seconds = (performance.now() - started) / 1000;
  const apiCalls = emu.control.requests(orgId).counted;
  return {
    scenario,
    records: n,
    apiCalls,
    httpRequests: requests,
    apiCallsPer1000: Number(((apiCalls * 1000) / n).toFixed(2)),
    recordsPerSecond: Math.round(n / seconds),
  };
}

const people = Array.from({ length: records }, (_, i) => ({
  LastName: `Bench ${i}`,
  Email: `bench${i}@example.com`,
}));
await sf.create(
  'Account',
  Array.from({ length: records }, (_, i) => ({ Name: `Acct ${i}`, Website: `https://acct${i}.example` })),
);
const results = [
  await measure('collections-create', records, () => sf.create('Contact', people)),
  await measure('x1-lookup', records, () => sf.findPeopleByEmail(people.map((p) => p.Email))),
  await measure('bulk-insert', records, () =>
    sf.bulk.runIngest({
      jobId: null,
      object: 'Lead',
      operation: 'insert',
      rows: people.map((p) => ({ ...p, Company: 'Bench' })),
      wait: { intervalMs: 250, timeoutMs: 600_000 },
      onJobCreated: async () => {},
    }),
  ),
  await measure('account-index-load', records, () => sf.loadAccounts()),
];
console.log(JSON.stringify({ latencyMs, results }, null, 2));
await emu.close();

// Figures for P1 vs O3 (never asserted in tests): what one idle scheduled pull's reads cost, one
// call per read (the single-call methods) against `readMany` (composites of up to 5 queries), in
// API calls per run, per day at the default 5-minute interval, and wall time per run.
// Run: npx tsx packages/salesforce/bench/pull-probe-calls.ts [--runs 20] [--latency-ms 20]
import { parseArgs } from 'node:util';
import type { Clock, CrmRead } from '@crmsync/core';
import { startEmulator } from '@crmsync/sf-emulator';
import { connectSalesforce } from '../src/index.js';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '20' }, 'latency-ms': { type: 'string', default: '20' } },
});
const runs = Number(values.runs);
const latencyMs = Number(values['latency-ms']);
const RUNS_PER_DAY = (24 * 60) / 5;

const clock: Clock = { now: () => new Date(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };
const emu = await startEmulator({ latencyMs, log: () => {} });
const orgId = emu.credentials.orgId;
const sf = await connectSalesforce({
  credentials: {
    flow: 'token',
    instanceUrl: emu.credentials.instanceUrl,
    accessToken: emu.credentials.accessToken,
  },
  clock,
});
await sf.create('Account', [{ Name: 'Acme', Website: 'acme.example' }]);
await sf.create('Contact', [{ LastName: 'Known', Email: 'known@acme.example' }]);

const now = new Date(emu.control.describeOrg(orgId).now as string);
const since = new Date(now.getTime() - 10 * 60_000);
const objects = ['Account', 'Contact', 'Lead'] as const;
// Cursors at the present: nothing changed since, as in an idle run.
const cursor = { at: now.toISOString(), id: '000000000000000AAA' };
const reads: CrmRead[] = [
  ...objects.map((object): CrmRead => ({ kind: 'merged', object, since })),
  ...objects.map((object): CrmRead => ({ kind: 'deleted', object, start: since, end: now })),
  { kind: 'converted', since },
  ...objects.map((object): CrmRead => ({
    kind: 'changed',
    object,
    fields: ['Name'].filter(() => object === 'Account'),
    cursor,
  })),
];

async function single(): Promise<void> {
  for (const object of objects) await sf.mergedSince(object, since);
  for (const object of objects) await sf.deletedIds(object, since, now);
  await sf.convertedLeadsSince(since);
  await sf.accountsChangedSince(cursor);
  for (const object of objects) await sf.changedSince(object, object === 'Account' ? ['Name'] : [], cursor);
}

async function measure(scenario: string, run: () => Promise<unknown>) {
  emu.control.resetRequests(orgId);
  const started = performance.now();
  for (let i = 0; i < runs; i++) await run();
  const ms = (performance.now() - started) / runs;
  const perRun = emu.control.requests(orgId).counted / runs;
  return {
    scenario,
    apiCallsPerRun: perRun,
    apiCallsPerDay: Math.round(perRun * RUNS_PER_DAY),
    msPerRun: Math.round(ms),
  };
}

const results = [
  await measure('one call per read (index read separate)', single),
  await measure('readMany (index shares the Account read)', () => sf.readMany(reads)),
];
console.table(results);
console.log(
  `default O3 share: 3000 calls a day (20% of 15,000); latency ${latencyMs} ms per request, ${runs} runs each`,
);
await emu.close();

// SOQL engine latency on an org of 1,000,000 Contacts loaded directly into the store: lookups by
// Id, Email and external id through executeSoql (the planner's index path), a full scan for
// contrast, and the same lookups over HTTP through jsforce for a smaller sample. Prints figures;
// asserts nothing, but throws when a query returns the wrong record (so `npm run bench` fails).
// Run alone: npx tsx packages/sf-emulator/bench/query.ts
// Scale with BENCH_QUERY_CONTACTS (default 1000000) and BENCH_QUERY_SAMPLES (default 1000).
import { pathToFileURL } from 'node:url';
import jsforce from 'jsforce';
import { startEmulator } from '../src/index.js';
import { formatDateTime } from '../src/org/sf-format.js';
import { executeSoql } from '../src/soql/index.js';

type Row = Record<string, number | string>;

function stats(samples: number[]): { medianMs: number; p95Ms: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  const round = (n: number) => Math.round(n * 1000) / 1000;
  return { medianMs: round(at(0.5)), p95Ms: round(at(0.95)) };
}

interface Lookup {
  scenario: string;
  soql: (i: number) => string;
}

export async function run(): Promise<Row[]> {
  const contacts = Number(process.env['BENCH_QUERY_CONTACTS'] ?? 1_000_000);
  const samples = Number(process.env['BENCH_QUERY_SAMPLES'] ?? 1000);
  const httpSamples = Math.min(samples, 300);
  const emulator = await startEmulator({
    log: () => {},
    schema: {
      objects: [],
      extend: {
        Contact: {
          fields: [{ name: 'Bench_Key__c', type: 'string', length: 40, externalId: true, unique: true }],
          validationRules: [],
        },
      },
    },
  });
  const rows: Row[] = [];
  try {
    const org = emulator.defaultOrg;
    const store = org.store;
    const ownerId = org.integrationUserId;
    const loadStarted = performance.now();
    const ids: string[] = new Array<string>(contacts);
    const stamp = formatDateTime(new Date());
    for (let i = 0; i < contacts; i++) {
      const id = store.ids.next('003');
      ids[i] = id;
      store.insertRaw('Contact', {
        Id: id,
        FirstName: `First${i}`,
        LastName: `Last${i}`,
        Name: `First${i} Last${i}`,
        Email: `person${i}@bench.example.com`,
        Bench_Key__c: `bench-${i}`,
        OwnerId: ownerId,
        CreatedById: ownerId,
        LastModifiedById: ownerId,
        CreatedDate: stamp,
        LastModifiedDate: stamp,
        SystemModstamp: stamp,
      });
    }
    rows.push({
      scenario: 'emulator-query-load',
      contacts,
      loadMs: Math.round(performance.now() - loadStarted),
    });

    // A fixed stride walks the whole org, so lookups hit records from every part of the store.
    const pick = (i: number) => (i * 7919 + 13) % contacts;
    const lookups: Lookup[] = [
      {
        scenario: 'emulator-query-by-id',
        soql: (i) => `SELECT Id, Email FROM Contact WHERE Id = '${ids[pick(i)]}'`,
      },
      {
        scenario: 'emulator-query-by-email',
        soql: (i) => `SELECT Id, Email FROM Contact WHERE Email = 'person${pick(i)}@bench.example.com'`,
      },
      {
        scenario: 'emulator-query-by-external-id',
        soql: (i) => `SELECT Id, Email FROM Contact WHERE Bench_Key__c = 'bench-${pick(i)}'`,
      },
    ];
    const check = (scenario: string, i: number, records: Array<Record<string, unknown>>) => {
      if (records.length !== 1 || records[0]?.['Id'] !== ids[pick(i)])
        throw new Error(`${scenario}: query ${i} returned ${records.length} rows, not ${ids[pick(i)]}`);
    };

    for (const lookup of lookups) {
      for (let i = 0; i < 50; i++) executeSoql(store, lookup.soql(samples + i), { includeDeleted: false });
      const times: number[] = [];
      for (let i = 0; i < samples; i++) {
        const soql = lookup.soql(i);
        const started = performance.now();
        const result = executeSoql(store, soql, { includeDeleted: false });
        times.push(performance.now() - started);
        check(lookup.scenario, i, result.records);
      }
      rows.push({ scenario: lookup.scenario, contacts, queries: samples, ...stats(times) });
    }

    const scanTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      const result = executeSoql(store, `SELECT Id FROM Contact WHERE FirstName = 'First${pick(i)}'`, {
        includeDeleted: false,
      });
      scanTimes.push(performance.now() - started);
      check('emulator-query-full-scan', i, result.records);
    }
    rows.push({
      scenario: 'emulator-query-full-scan',
      contacts,
      queries: scanTimes.length,
      ...stats(scanTimes),
    });

    const conn = new jsforce.Connection({
      instanceUrl: emulator.url,
      accessToken: org.accessToken,
      version: '62.0',
    });
    for (const lookup of lookups) {
      for (let i = 0; i < 20; i++) await conn.query(lookup.soql(samples + i));
      const times: number[] = [];
      for (let i = 0; i < httpSamples; i++) {
        const started = performance.now();
        const result = await conn.query(lookup.soql(i));
        times.push(performance.now() - started);
        check(`${lookup.scenario}-http`, i, result.records);
      }
      rows.push({
        scenario: `${lookup.scenario}-http-jsforce`,
        contacts,
        queries: httpSamples,
        ...stats(times),
      });
    }
  } finally {
    await emulator.close();
  }
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const row of await run()) console.log(JSON.stringify(row));
}

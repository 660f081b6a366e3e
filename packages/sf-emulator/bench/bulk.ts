// Emulator throughput for Bulk API 2.0: a 100,000-record Contact upsert through jsforce's bulk2
// client over real HTTP (create job, stream the CSV, close, poll, fetch all three result files),
// first as inserts, then the same records again (the update path). Prints figures; asserts
// nothing, but throws if the org does not hold what the job reported.
// Run alone: npx tsx packages/sf-emulator/bench/bulk.ts   (BENCH_BULK_RECORDS scales it)
import { pathToFileURL } from 'node:url';
import { Connection } from 'jsforce';
import { startEmulator } from '../src/emulator.js';

type Row = Record<string, number | string>;

function contactsCsv(total: number, pass: string): string {
  const lines = ['Bench_Key__c,FirstName,LastName,Email,Title,HasOptedOutOfEmail'];
  for (let i = 0; i < total; i += 1)
    lines.push(`bench-${i},First${i},"Last, ${pass} ${i}",person${i}@bench.example.com,Buyer,${i % 2 === 0}`);
  return lines.join('\n') + '\n';
}

async function upsert(
  conn: Connection,
  input: string,
): Promise<{ seconds: number; ok: number; failed: number }> {
  const started = performance.now();
  const results = await conn.bulk2.loadAndWaitForResults({
    object: 'Contact',
    operation: 'upsert',
    externalIdFieldName: 'Bench_Key__c',
    input,
    pollInterval: 20,
    pollTimeout: 600_000,
  });
  const seconds = (performance.now() - started) / 1000;
  return { seconds, ok: results.successfulResults.length, failed: results.failedResults.length };
}

export async function run(): Promise<Row[]> {
  const total = Number(process.env['BENCH_BULK_RECORDS'] ?? 100_000);
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
  try {
    const conn = new Connection({
      instanceUrl: emulator.url,
      accessToken: emulator.credentials.accessToken,
      version: '62.0',
    });
    // Built before any request, so no pause between jobs lets an idle keep-alive socket expire.
    const inputs = { insert: contactsCsv(total, 'insert'), update: contactsCsv(total, 'update') };
    const rows: Row[] = [];
    for (const [scenario, pass] of [
      ['emulator-bulk-upsert', 'insert'],
      ['emulator-bulk-upsert-again', 'update'],
    ] as const) {
      const result = await upsert(conn, inputs[pass]);
      if (result.ok !== total || result.failed !== 0) {
        throw new Error(
          `${scenario}: expected ${total} successful results, got ${result.ok} (${result.failed} failed)`,
        );
      }
      rows.push({
        scenario,
        path: pass,
        records: total,
        seconds: Number(result.seconds.toFixed(3)),
        recordsPerSecond: Math.round(total / result.seconds),
      });
    }
    const held = (await conn.query(`SELECT COUNT() FROM Contact WHERE LastName LIKE 'Last, update %'`))
      .totalSize;
    if (held !== total)
      throw new Error(`after the update pass the org holds ${held} updated Contacts, expected ${total}`);
    return rows;
  } finally {
    await emulator.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const row of await run()) console.log(JSON.stringify(row));
}

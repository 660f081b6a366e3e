// Emulator throughput: Contacts upserted through jsforce sObject Collections over real HTTP to
// the emulator running in its own process (200 per call, a few calls in flight), then the same
// records again (the update path), then the org's in-memory capacity measured by direct store
// writes. Prints figures; asserts nothing. `verified` checks the org's own write counts.
// Run alone: npx tsx packages/sf-emulator/bench/collections.ts
// Scale with BENCH_EMULATOR_RECORDS (default 20000) and BENCH_EMULATOR_HOLD (default 200000).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import jsforce from 'jsforce';
import { startEmulator } from '../src/index.js';

const BATCH = 200;
const PARALLEL = 4;
const WARM_UP = 2000;
const cliPath = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

type Row = Record<string, number | string | boolean>;

async function upsertAll(
  conn: jsforce.Connection,
  records: Array<Record<string, unknown>>,
): Promise<{ ms: number; failures: number }> {
  const batches: Array<Array<Record<string, unknown>>> = [];
  for (let i = 0; i < records.length; i += BATCH) batches.push(records.slice(i, i + BATCH));
  let next = 0;
  let failures = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++]!;
      const results = await conn.sobject('Contact').upsert(batch as never, 'Bench_Key__c');
      failures += (results as Array<{ success: boolean }>).filter((r) => !r.success).length;
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return { ms: performance.now() - started, failures };
}

/** The emulator in its own process (as a real client meets it), so client and server each get a core. */
async function startEmulatorProcess(
  schemaFile: string,
): Promise<{ url: string; orgId: string; token: string; stop: () => Promise<void> }> {
  const token = `bench-${process.pid}`;
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      cliPath,
      '--port',
      '0',
      '--schema',
      schemaFile,
      '--access-token',
      token,
      '--daily-api-limit',
      '1000000',
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m !== null && /org id\s+(\S+)/.test(out)) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}: ${out}`)));
  });
  const orgId = /org id\s+(\S+)/.exec(out)![1]!;
  return {
    url,
    orgId,
    token,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

async function control<T>(url: string, path: string, method = 'GET'): Promise<T> {
  const res = await fetch(`${url}/__emulator/orgs/${path}`, { method });
  return (await res.json()) as T;
}

const schema = {
  objects: [],
  extend: {
    Contact: {
      fields: [{ name: 'Bench_Key__c', type: 'string' as const, length: 40, externalId: true, unique: true }],
      validationRules: [],
    },
  },
};

async function overHttp(total: number): Promise<Row[]> {
  const dir = await mkdtemp(join(tmpdir(), 'sf-emulator-bench-'));
  const schemaFile = join(dir, 'schema.json');
  await writeFile(schemaFile, JSON.stringify(schema));
  const emulator = await startEmulatorProcess(schemaFile);
  const rows: Row[] = [];
  try {
    const conn = new jsforce.Connection({
      instanceUrl: emulator.url,
      accessToken: emulator.token,
      version: '62.0',
      maxRequest: PARALLEL * 2,
    });
    const records = Array.from({ length: total }, (_, i) => ({
      attributes: { type: 'Contact' },
      Bench_Key__c: `bench-${i}`,
      FirstName: `First${i}`,
      LastName: `Last${i}`,
      Email: `person${i}@bench.example.com`,
      Title: 'Buyer',
    }));
    // Warm both processes' JIT with the same shape of work before timing it.
    await upsertAll(
      conn,
      records.slice(0, WARM_UP).map((r, i) => ({ ...r, Bench_Key__c: `warm-${i}` })),
    );
    await control(emulator.url, `${emulator.orgId}/requests`, 'DELETE');

    const insert = await upsertAll(conn, records);
    const tally = await control<{ byEndpoint: Record<string, number> }>(
      emulator.url,
      `${emulator.orgId}/requests`,
    );
    const calls = tally.byEndpoint['PATCH /composite/sobjects/{type}/{field}'] ?? 0;
    const afterInsert = await control<{ totals: Record<string, { create: number; update: number }> }>(
      emulator.url,
      `${emulator.orgId}/writes`,
    );
    rows.push({
      scenario: 'emulator-collections-upsert',
      path: 'insert',
      records: total,
      seconds: Number((insert.ms / 1000).toFixed(3)),
      recordsPerSecond: Math.round(total / (insert.ms / 1000)),
      apiCalls: calls,
      parallel: PARALLEL,
      failures: insert.failures,
      verified:
        insert.failures === 0 &&
        calls === Math.ceil(total / BATCH) &&
        afterInsert.totals['Contact']?.create === total + WARM_UP,
    });

    const update = await upsertAll(
      conn,
      records.map((r) => ({ ...r, Title: 'Champion' })),
    );
    const afterUpdate = await control<{ totals: Record<string, { create: number; update: number }> }>(
      emulator.url,
      `${emulator.orgId}/writes`,
    );
    rows.push({
      scenario: 'emulator-collections-upsert',
      path: 'update',
      records: total,
      seconds: Number((update.ms / 1000).toFixed(3)),
      recordsPerSecond: Math.round(total / (update.ms / 1000)),
      apiCalls: Math.ceil(total / BATCH),
      parallel: PARALLEL,
      failures: update.failures,
      verified:
        update.failures === 0 &&
        afterUpdate.totals['Contact']?.update === total &&
        afterUpdate.totals['Contact']?.create === total + WARM_UP,
    });
  } finally {
    await emulator.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}

/** Capacity: direct store upserts (no HTTP) into one org, with the heap they took. */
async function inMemory(hold: number): Promise<Row> {
  const emulator = await startEmulator({ log: () => {}, schema });
  try {
    const org = emulator.defaultOrg;
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    let failures = 0;
    for (let i = 0; i < hold; i++) {
      const r = org.store.upsert(
        'Contact',
        'Bench_Key__c',
        { Bench_Key__c: `hold-${i}`, LastName: `Hold${i}`, Email: `hold${i}@bench.example.com` },
        { userId: org.integrationUserId },
      );
      if (!r.success) failures++;
    }
    const ms = performance.now() - started;
    const lookups = 10000;
    const lookupStart = performance.now();
    let hits = 0;
    for (let i = 0; i < lookups; i++) {
      hits +=
        org.store.lookup('Contact', 'Email', [`HOLD${(i * 7919) % hold}@bench.example.com`], false)?.length ??
        0;
    }
    const lookupMicros = ((performance.now() - lookupStart) * 1000) / lookups;
    return {
      scenario: 'emulator-store-hold',
      records: hold,
      seconds: Number((ms / 1000).toFixed(3)),
      recordsPerSecond: Math.round(hold / (ms / 1000)),
      heapMB: Math.round((process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024),
      emailLookupMicros: Number(lookupMicros.toFixed(2)),
      verified: failures === 0 && hits === lookups && org.store.countLive('Contact') === hold,
    };
  } finally {
    await emulator.close();
  }
}

export async function run(): Promise<Row[]> {
  const total = Number(process.env['BENCH_EMULATOR_RECORDS'] ?? 20000);
  const hold = Number(process.env['BENCH_EMULATOR_HOLD'] ?? 200000);
  return [...(await overHttp(total)), await inMemory(hold)];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const row of await run()) console.log(JSON.stringify(row));
}

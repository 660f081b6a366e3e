// `npm run bench`: runs every benchmark scenario, prints its figures and writes
// bench/results/latest.json. Figures are measurements, never assertions; a scenario that
// verifies its results and finds a mismatch makes the run exit 1.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

type Row = Record<string, number | string | boolean | null>;
interface Scenario {
  name: string;
  module: string;
}

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');

const SCENARIOS: Scenario[] = [
  { name: 'emulator collections', module: '../packages/sf-emulator/bench/collections.ts' },
  { name: 'emulator query', module: '../packages/sf-emulator/bench/query.ts' },
  { name: 'emulator bulk', module: '../packages/sf-emulator/bench/bulk.ts' },
  { name: 'sync backfill', module: './sync-backfill.ts' },
  { name: 'sync trickle', module: './sync-trickle.ts' },
  { name: 'sync workers on postgres', module: './sync-workers.ts' },
  { name: 'sync activities', module: './sync-activities.ts' },
];

const only = process.argv.slice(2);
const rows: Row[] = [];
let failed = false;
for (const s of SCENARIOS) {
  if (only.length > 0 && !only.some((o) => s.name.includes(o))) continue;
  process.stdout.write(`\n== ${s.name}\n`);
  try {
    const mod = (await import(s.module)) as { run: () => Promise<Row[]> };
    const result = await mod.run();
    for (const row of result) {
      console.log(JSON.stringify(row));
      if (row.verified === false) failed = true;
    }
    rows.push(...result);
  } catch (err) {
    failed = true;
    console.error(`${s.name} failed:`, err instanceof Error ? err.message : err);
  }
}

const out = join(root, 'bench', 'results', 'latest.json');
mkdirSync(dirname(out), { recursive: true });
// A run of some scenarios (`npm run bench -- trickle`) replaces their rows and keeps the others'.
const keyOf = (r: Row) => JSON.stringify([r.scenario, r.workers ?? null, r.database ?? null]);
const fresh = new Set(rows.map(keyOf));
const kept =
  only.length > 0 && existsSync(out)
    ? (JSON.parse(readFileSync(out, 'utf8')) as Row[]).filter((r) => !fresh.has(keyOf(r)))
    : [];
writeFileSync(out, JSON.stringify([...kept, ...rows], null, 2) + '\n');
console.log(`\nwrote ${out}`);
process.exit(failed ? 1 : 0);

#!/usr/bin/env node
// Runs every test file with node:test through tsx: two files at a time, a per-test timeout and a
// forced exit, so a leaked handle or a hung socket fails fast instead of hanging CI.
// Usage: npm test [-- path-filter ...]   (filters are substrings of the test file paths)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else if (/\.test\.tsx?$/.test(name)) out.push(relative(root, full));
  }
  return out;
}

const files = walk(join(root, 'packages'), [])
  .sort()
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
if (files.length === 0) {
  console.error('run-tests: no test files matched', filters.join(' '));
  process.exit(1);
}

const typecheck = spawnSync('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit'], {
  cwd: root,
  stdio: 'inherit',
});
if (typecheck.status !== 0) {
  console.error('run-tests: the type check failed');
  process.exit(typecheck.status ?? 1);
}

// node:test applies the timeout to each file's process as a whole as well as to each test: the
// 20,000-person crash files take 40-100 s alone and up to two minutes on two busy cores, so a
// file gets five minutes; a hung handle still fails the run instead of hanging CI.
const timeout = process.env.TEST_TIMEOUT_MS ?? '300000';
const nodeTest = (testFiles, env) =>
  spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      '--test-concurrency=2',
      `--test-timeout=${timeout}`,
      '--test-force-exit',
      '--test-reporter=spec',
      ...testFiles,
    ],
    { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test', ...env } },
  ).status ?? 1;

// The engine's end-to-end files and the server's files run a second time on PostgreSQL and the
// pg-boss queue (packages/engine/test/harness.ts and packages/server/test/harness.ts open a scratch
// database per test with CRMSYNC_TEST_STORE): every file under ON_POSTGRES except NOT_ON_POSTGRES.
const ON_POSTGRES = ['packages/engine/test/', 'packages/server/test/'];
const NOT_ON_POSTGRES = [
  // The crash files SIGKILL child processes that open their own SQLite file (test/fixtures/
  // crash-harness.ts, crash-activities.ts): on PostgreSQL they would only run the slowest files twice.
  // Crash (a), killed after an outbox commit. On PostgreSQL: the store contract's atomicity test
  // (record, log entry and pg-boss job in one transaction).
  'packages/engine/test/crash-ingest-outbox.test.ts',
  // Push all killed at seeded points. On PostgreSQL: packages/cli/test/pg-workers.test.ts and
  // pg-push-all.test.ts SIGKILL `crmsync worker` processes during a backfill, on an org with
  // Crmsync_Id__c only (the stock org's intents have no PostgreSQL crash test yet).
  'packages/engine/test/crash-push-all-bulk.test.ts',
  'packages/engine/test/crash-push-all-collections.test.ts',
  'packages/engine/test/crash-push-all-stock.test.ts',
  // E12 under SIGKILL (an email backfill killed twice). No PostgreSQL counterpart yet.
  'packages/engine/test/activities-crash-intents.test.ts',
  'packages/engine/test/activities-crash-upsert.test.ts',
  // The push-all run registry in memory: it opens no store.
  'packages/server/test/push-runs.test.ts',
];
const stale = NOT_ON_POSTGRES.filter((f) => !existsSync(join(root, f)));
if (stale.length > 0) {
  console.error(
    `run-tests: NOT_ON_POSTGRES names files that no longer exist: ${stale.join(', ')}; update the list`,
  );
  process.exit(1);
}

const sqlite = nodeTest(files);
const onPostgres = files.filter(
  (f) => ON_POSTGRES.some((dir) => f.startsWith(dir)) && !NOT_ON_POSTGRES.includes(f),
);
let postgres = 0;
if (onPostgres.length > 0) {
  console.log(
    `\nrun-tests: the engine's end-to-end tests and the server's tests again on PostgreSQL (${onPostgres.length} files)`,
  );
  postgres = nodeTest(onPostgres, { CRMSYNC_TEST_STORE: 'postgres' });
}
process.exit(sqlite !== 0 ? sqlite : postgres);

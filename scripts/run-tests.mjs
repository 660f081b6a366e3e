#!/usr/bin/env node
// Runs every test file with node:test through tsx: two files at a time, a per-test timeout and a
// forced exit, so a leaked handle or a hung socket fails fast instead of hanging CI.
// Usage: npm test [-- path-filter ...]   (filters are substrings of the test file paths)
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
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

// The engine's end-to-end files that run a second time on PostgreSQL and the pg-boss queue
// (packages/engine/test/harness.ts opens a scratch database per test with CRMSYNC_TEST_STORE).
const POSTGRES_E2E = [
  'packages/engine/test/push-rules.test.ts',
  'packages/engine/test/push-manual-all.test.ts',
  'packages/engine/test/ingest-basics.test.ts',
  'packages/engine/test/lifecycle-window.test.ts',
  'packages/engine/test/deals-push.test.ts',
];

const sqlite = nodeTest(files);
const onPostgres = files.filter((f) => POSTGRES_E2E.includes(f));
let postgres = 0;
if (onPostgres.length > 0) {
  console.log(`\nrun-tests: the engine's end-to-end tests again on PostgreSQL (${onPostgres.length} files)`);
  postgres = nodeTest(onPostgres, { CRMSYNC_TEST_STORE: 'postgres' });
}
process.exit(sqlite !== 0 ? sqlite : postgres);

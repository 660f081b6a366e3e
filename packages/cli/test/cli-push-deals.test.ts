import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// `crmsync push --deals` (M1 for deals) as a user runs it: the real command in child processes,
// SQLite under a temp DATA_DIR, the embedded emulator.

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function cli(
  env: NodeJS.ProcessEnv,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

test('M1: crmsync push --deals pushes the chosen deals now as Opportunities, reported per deal; no ids is a usage error (2)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'crmsync-cli-push-deals-'));
  const port = await freePort();
  const env = {
    DATA_DIR: join(dir, 'data'),
    CRMSYNC_EMULATOR_PORT: String(port),
    LOG_LEVEL: 'warn',
    CRMSYNC_WORKSPACE: 'acme',
  };
  t.after(async () => {
    await cli(env, 'emulator', 'stop');
    rmSync(dir, { recursive: true, force: true });
  });
  const created = await cli(
    env,
    'workspace',
    'create',
    'acme',
    '--name',
    'Acme',
    '--deal-stages',
    'Open,Won',
  );
  assert.equal(created.code, 0, created.stderr);
  const connected = await cli(env, 'connect', '--emulator');
  assert.equal(connected.code, 0, connected.stderr);
  assert.equal((await cli(env, 'start-syncing-now')).code, 0);
  const settings = join(dir, 'settings.json');
  writeFileSync(
    settings,
    JSON.stringify({
      version: 2,
      lifecycle: { configurationWindowHours: 0 },
      deals: { dealSync: 'push', stageMapping: { Open: 'Prospecting', Won: 'Closed Won' } },
    }),
  );
  const saved = await cli(env, 'settings', 'set', settings);
  assert.equal(saved.code, 0, saved.stderr + saved.stdout);
  const deals = join(dir, 'deals.csv');
  writeFileSync(deals, ['id,name,stage,amount,closeDate', 'd1,Big deal,Open,1000,2027-03-31'].join('\n'));
  const imported = await cli(env, 'import', 'deals', deals);
  assert.equal(imported.code, 0, imported.stderr + imported.stdout);

  const usage = await cli(env, 'push');
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--deals IDS/);

  const pushed = await cli(env, 'push', '--deals', 'd1');
  assert.equal(pushed.code, 0, pushed.stderr + pushed.stdout);
  assert.match(pushed.stdout, /^deal d1: create Opportunity 006\w+ \[D4,D6/m);
  const again = await cli(env, 'push', '--deal', 'd1');
  assert.equal(again.code, 0, again.stderr + again.stdout);
  assert.match(again.stdout, /^deal d1: (unchanged|update) Opportunity 006\w+/m);
});

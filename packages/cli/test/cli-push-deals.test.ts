import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, cliSandbox } from './cli-harness.js';

// `crmsync push --deals` (M1 for deals) as a user runs it: the real command in child processes,
// SQLite under a temp DATA_DIR, the embedded emulator.

test('M1: crmsync push --deals pushes the chosen deals now as Opportunities, reported per deal; no ids is a usage error (2)', async (t) => {
  const { dir, env } = await cliSandbox(t, 'crmsync-cli-push-deals-');
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

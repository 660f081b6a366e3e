import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI_NODE_FLAGS } from '../src/node-flags.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

test('every way of starting crmsync runs node with CLI_NODE_FLAGS (the heap cap that keeps peak memory flat)', () => {
  const shebang = readFileSync(join(ROOT, 'packages/cli/bin/crmsync.js'), 'utf8').split('\n')[0]!;
  assert.equal(shebang, `#!/usr/bin/env -S node ${CLI_NODE_FLAGS.join(' ')}`);
  const scripts = (
    JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  ).scripts;
  for (const name of ['start', 'crmsync'])
    assert.ok(
      scripts[name]!.startsWith(`node ${CLI_NODE_FLAGS.join(' ')} --import tsx packages/cli/src/main.ts`),
      `npm run ${name}: ${scripts[name]}`,
    );
});

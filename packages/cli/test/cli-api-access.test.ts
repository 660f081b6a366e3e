import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { ManualClock } from '@crmsync/core/testing';
import { registerWebhook, resolveApiKey, verifyWebhookSignature } from '@crmsync/server';
import { openSqliteStore } from '@crmsync/store/sqlite';
import { apiAccessCommands } from '../src/commands/api-access.js';
import type { WithRuntime } from '../src/commands/types.js';
import { runWorkers } from '../src/commands/worker.js';
import { workspaceCommands } from '../src/commands/workspace.js';
import { exitCodeOf } from '../src/exit-codes.js';
import { openRuntime } from '../src/runtime.js';
import { captureOutput } from '../src/output.js';

// CLI parity with the REST API: API keys, webhooks, events and settings history/export/import,
// with the API's error codes behind the exit codes (NOT_FOUND -> 3, INVALID_INPUT -> 2). The first
// test runs the real `crmsync` in child processes; the others run the same commands in this
// process (a child process costs seconds on a loaded machine), SQLite under a temp DATA_DIR.

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

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

/** The commands in this process, as `main.ts` runs them: same runtime, same exit-code mapping. */
async function inProcess(env: NodeJS.ProcessEnv, ...args: string[]) {
  let stderr = '';
  let code = 0;
  const run: WithRuntime =
    (action) =>
    async (...a) => {
      const rt = await openRuntime({ ...process.env, ...env });
      try {
        const result = await action(rt, ...a);
        code = typeof result === 'number' ? result : 0;
      } catch (err) {
        code = exitCodeOf(err);
        stderr += `crmsync: ${(err as Error).message}\n`;
      } finally {
        await rt.close();
      }
    };
  const program = new Command('crmsync').exitOverride();
  workspaceCommands(program, run);
  apiAccessCommands(program, run);
  // Only the command's own output is collected: the test runner's report still reaches stdout.
  const stdout = await captureOutput(async () => {
    await program.parseAsync(['node', 'crmsync', ...args]);
  });
  return { code, stdout, stderr };
}

function setup(t: TestContext): { env: NodeJS.ProcessEnv; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'crmsync-cli-api-'));
  const env: NodeJS.ProcessEnv = {
    DATA_DIR: join(dir, 'data'),
    LOG_LEVEL: 'warn',
    CRMSYNC_EMULATOR_PORT: '1',
  };
  delete process.env.CRMSYNC_WORKSPACE;
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return { env, dir };
}

test('api-keys create, list and revoke from the CLI act on the keys the REST API accepts', async (t) => {
  const { env, dir } = setup(t);
  assert.equal((await cli(env, 'workspace', 'create', 'acme', '--name', 'Acme')).code, 0);
  const created = await cli(env, 'api-keys', 'create', '--label', 'host app');
  assert.equal(created.code, 0, created.stderr);
  const key = created.stdout.trim().split('\n').at(-1)!;
  const keyId = /API key (ak_\w+)/.exec(created.stdout)?.[1];
  assert.match(key, /^csk\./);
  assert.ok(keyId);

  const listed = await cli(env, 'api-keys', 'list', '--json');
  const items = JSON.parse(listed.stdout).items;
  assert.deepEqual(
    items.map((k: Record<string, unknown>) => [k.id, k.label, k.revokedAt]),
    [[keyId, 'host app', null]],
  );
  assert.ok(!listed.stdout.includes(key), 'a listing never shows a key');

  const opened = await openSqliteStore({
    file: join(dir, 'data', 'crmsync.db'),
    clock: new ManualClock(new Date()),
    encryptionKey: new Uint8Array(32),
  });
  t.after(() => opened.close());
  assert.equal((await resolveApiKey(opened.store, key))?.workspaceId, 'acme');

  assert.equal((await cli(env, 'api-keys', 'revoke', keyId!)).code, 0);
  assert.equal(await resolveApiKey(opened.store, key), null, 'a revoked key is refused');
  const again = await cli(env, 'api-keys', 'revoke', keyId!);
  assert.equal(again.code, 3);
  assert.match(again.stderr, new RegExp(`No active API key with id ${keyId} exists in this workspace`));
});

test('webhooks add, list, remove and deliveries; events; a bad URL or an unknown id gets the API error', async (t) => {
  const { env } = setup(t);
  assert.equal((await inProcess(env, 'workspace', 'create', 'acme', '--name', 'Acme')).code, 0);
  const bad = await inProcess(env, 'webhooks', 'add', 'ftp://example.com/x');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /must be an http:\/\/ or https:\/\/ URL/);

  const internal = await inProcess(env, 'webhooks', 'add', 'http://169.254.169.254/latest');
  assert.equal(internal.code, 2);
  assert.match(
    internal.stderr,
    /points at 169\.254\.169\.254, a link-local address .*set CRMSYNC_WEBHOOKS_ALLOW_PRIVATE=1/,
  );
  const allowed = await inProcess(
    { ...env, CRMSYNC_WEBHOOKS_ALLOW_PRIVATE: '1' },
    'webhooks',
    'add',
    'http://10.0.0.1/hook',
  );
  assert.equal(allowed.code, 0, allowed.stderr);

  const added = await inProcess(env, 'webhooks', 'add', 'https://hooks.example/crmsync');
  assert.equal(added.code, 0, added.stderr);
  const id = /webhook (wh_\w+)/.exec(added.stdout)?.[1];
  assert.match(added.stdout, /Signing secret \(shown only now\): whsec_/);
  const unknown = await inProcess(env, 'webhooks', 'remove', 'wh_nope');
  assert.equal(unknown.code, 3);
  assert.match(unknown.stderr, /No webhook with id wh_nope exists in this workspace/);
  assert.equal((await inProcess(env, 'webhooks', 'remove', id!)).code, 0);
  assert.match(
    (await inProcess(env, 'webhooks', 'list')).stdout,
    new RegExp(`${id}\\thttps://hooks.example/crmsync\\tstopped `),
  );

  const events = await inProcess(env, 'events', '--after', '0');
  assert.equal(events.code, 0, events.stderr);
  assert.deepEqual(JSON.parse(events.stdout), { items: [], next: 0 });
});

test('settings history, export and import from the CLI; a file that is not an export is refused', async (t) => {
  const { env, dir } = setup(t);
  for (const ws of ['acme', 'beta'])
    assert.equal(
      (await inProcess(env, 'workspace', 'create', ws, '--name', ws, '--people-stages', 'Cold,Warm')).code,
      0,
    );
  const out = join(dir, 'export.json');
  assert.equal((await inProcess(env, 'settings', 'export', '--workspace', 'acme', '--out', out)).code, 0);
  assert.equal(JSON.parse(readFileSync(out, 'utf8')).format, 'crmsync-settings');
  const imported = await inProcess(env, 'settings', 'import', out, '--workspace', 'beta');
  assert.equal(imported.code, 0, imported.stderr);
  const history = await inProcess(env, 'settings', 'history', '--workspace', 'beta');
  assert.match(history.stdout, /^version 1\t\S+\tby .*\(import\)/);

  const doc = join(dir, 'settings.json');
  writeFileSync(doc, JSON.stringify({ version: 2 }));
  const notExport = await inProcess(env, 'settings', 'import', doc, '--workspace', 'beta');
  assert.equal(notExport.code, 2);
  assert.match(notExport.stderr, /is not a settings export/);
});

test('O5: the workers of `crmsync serve` / `crmsync worker` deliver webhooks, signed, without a Salesforce connection', async (t) => {
  const { env: base } = setup(t);
  // The receiver is on 127.0.0.1: the workers reach it because the environment allows it.
  const env = { ...base, CRMSYNC_WEBHOOKS_ALLOW_PRIVATE: '1' };
  assert.equal((await inProcess(env, 'workspace', 'create', 'acme', '--name', 'Acme')).code, 0);
  const stop = new AbortController();
  const received: { signature: string; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ signature: String(req.headers['crmsync-signature']), body });
      res.end();
      stop.abort();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const rt = await openRuntime({ ...process.env, ...env });
  t.after(() => rt.close());
  const { secret } = await registerWebhook(
    rt.opened.store,
    'acme',
    `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    { allowPrivate: true },
  );
  await rt.engine.ingest('acme', { type: 'person', op: 'upsert', data: { id: 'p1', lastName: 'Lovelace' } });
  await rt.engine.ingest('acme', { type: 'person', op: 'delete', id: 'p1' });
  await runWorkers(rt, stop.signal, 10);

  assert.equal(received.length, 1);
  assert.equal(JSON.parse(received[0]!.body).type, 'person.deleted');
  assert.deepEqual(verifyWebhookSignature(received[0]!.signature, received[0]!.body, secret, new Date()), {
    ok: true,
  });
  const [delivery] = await rt.opened.store.workspace('acme').webhooks.deliveries();
  assert.equal(delivery?.state, 'delivered');
});

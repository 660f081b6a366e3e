import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsforce from 'jsforce';
import { startEmulator } from '../src/index.js';
import { API_VERSION } from './helpers.js';

test('--data keeps orgs, records, deletions and ids across a restart', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sf-emulator-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const dataFile = join(dir, 'orgs.ndjson');

  const first = await startEmulator({ dataFile, log: () => {} });
  const conn = new jsforce.Connection({
    instanceUrl: first.url,
    accessToken: first.credentials.accessToken,
    version: API_VERSION,
  });
  const kept = await conn.sobject('Contact').create({ LastName: 'Persisted', Email: 'kept@example.com' });
  const gone = await conn.sobject('Contact').create({ LastName: 'Deleted' });
  await conn.sobject('Contact').destroy(gone.id!);
  const extra = first.createOrg({ name: 'Second' });
  await first.close();

  const second = await startEmulator({ dataFile, log: () => {} });
  t.after(() => second.close());
  assert.equal(second.credentials.orgId, first.credentials.orgId);
  assert.equal(second.credentials.password, first.credentials.password);
  assert.ok(second.orgs().some((o) => o.orgId === extra.orgId));
  const again = new jsforce.Connection({
    oauth2: {
      loginUrl: second.url,
      clientId: second.credentials.clientId,
      clientSecret: second.credentials.clientSecret,
    },
    version: API_VERSION,
  });
  await again.login(first.credentials.username, first.credentials.password);
  const rows = await again.query<{ Id: string; Email: string }>(
    "SELECT Id, Email FROM Contact WHERE Email = 'kept@example.com'",
  );
  assert.deepEqual(
    rows.records.map((r) => r.Id),
    [kept.id],
  );
  assert.equal(second.defaultOrg.store.getById(gone.id!)?.['IsDeleted'], true);
  const fresh = await again.sobject('Contact').create({ LastName: 'After restart' });
  assert.notEqual(fresh.id, kept.id);
  assert.notEqual(fresh.id, gone.id);
});

test('the CLI prints where it listens and the login, and serves jsforce with the printed token', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'sf-emulator-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const seed = join(dir, 'Contact.csv');
  await writeFile(seed, 'LastName,Email\nCsv One,one@example.com\nCsv Two,two@example.com\n');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'packages/sf-emulator/src/cli.ts',
      '--port',
      '0',
      '--seed',
      seed,
      '--access-token',
      'fixed-token-for-tests',
    ],
    {
      cwd: new URL('../../../', import.meta.url).pathname,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  t.after(async () => {
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    await once(child, 'exit');
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /Salesforce emulator listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m !== null && out.includes('access token')) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`cli exited with ${code}: ${out}`)));
  });
  for (const label of ['username', 'password', 'client id', 'client secret', 'access token'])
    assert.match(out, new RegExp(`${label}\\s+\\S+`));
  const conn = new jsforce.Connection({
    instanceUrl: url,
    accessToken: 'fixed-token-for-tests',
    version: API_VERSION,
  });
  const rows = await conn.query<{ LastName: string }>('SELECT LastName FROM Contact ORDER BY LastName');
  assert.deepEqual(
    rows.records.map((r) => r.LastName),
    ['Csv One', 'Csv Two'],
  );
});

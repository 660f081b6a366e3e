import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { domainToASCII, fileURLToPath } from 'node:url';

// The README's newcomer flow, run as a user runs it: the real `crmsync` command in child
// processes, SQLite under a temp DATA_DIR, and the embedded emulator it starts on its own.

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(env: NodeJS.ProcessEnv, ...args: string[]): Promise<Run> {
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

async function setup(t: TestContext): Promise<{ env: NodeJS.ProcessEnv; dir: string; emulatorUrl: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'crmsync-cli-'));
  const port = await freePort();
  const env = {
    DATA_DIR: join(dir, 'data'),
    CRMSYNC_EMULATOR_PORT: String(port),
    CRMSYNC_WORKSPACE: '',
    LOG_LEVEL: 'warn',
  };
  delete (env as Record<string, unknown>).CRMSYNC_WORKSPACE;
  t.after(async () => {
    await cli(env, 'emulator', 'stop');
    rmSync(dir, { recursive: true, force: true });
  });
  return { env, dir, emulatorUrl: `http://127.0.0.1:${port}` };
}

test('the README flow: create a workspace, connect the built-in emulator, import a CSV with bad rows, push all, read the log', async (t) => {
  const { env, dir, emulatorUrl } = await setup(t);
  assert.equal(
    (await cli(env, 'workspace', 'create', 'acme', '--name', 'Acme Sales', '--people-stages', 'Cold,Warm'))
      .code,
    0,
  );

  const connected = await cli(env, 'connect', '--emulator');
  assert.equal(connected.code, 0, connected.stderr);
  const orgId = /org (00D\w{15})/.exec(connected.stdout)?.[1];
  assert.ok(orgId, connected.stdout);
  assert.match(connected.stdout, /Configuration window until .* \(L1\)/);

  // L1: a manual pull is refused during the window, with exit code 4 and the window's end.
  const pull = await cli(env, 'pull');
  assert.equal(pull.code, 4);
  assert.match(pull.stderr, /configuration window, which ends at/);

  assert.equal((await cli(env, 'start-syncing-now')).code, 0);

  const csv = join(dir, 'people.csv');
  writeFileSync(
    csv,
    [
      'First Name,Last Name,Email,Company,Website,Stage',
      'Ada,Lovelace,ada@acme.example,Acme,https://acme.example,Warm',
      'Grace,Hopper,grace@@bad,Acme,,Cold',
      'Nobody,,nobody@acme.example,Acme,,Cold',
      `Alan,${'T'.repeat(10_000)},alan@turing.example,Turing Ltd,turing.example,Warm`,
      'Ada,Lovelace,ada@acme.example,Acme,https://acme.example,Warm',
      'Zoë,Ñúñez,zoe@ünïcode.example,Ünïcode GmbH,,Warm',
    ].join('\n'),
  );
  const imported = await cli(env, 'import', 'people', csv);
  assert.equal(imported.code, 1, 'a row failed, so the exit code says so');
  assert.match(imported.stdout, /row 3: warning: email "grace@@bad" is not a valid address/);
  assert.match(imported.stdout, /row 4: error: lastName is empty/);
  assert.match(imported.stdout, /row 6: warning: repeats row 2/);
  assert.match(imported.stdout, /Imported \d+ records from 6 rows/);

  // Importing the same file again duplicates nothing.
  await cli(env, 'import', 'people', csv);

  const pushed = await cli(env, 'push-all');
  assert.equal(pushed.code, 0, pushed.stderr + pushed.stdout);
  assert.match(pushed.stdout, /4 people — created 4, linked to existing 0, skipped 0, failed 0/);

  // Outcomes on the Salesforce side, through the emulator's own API, not crmsync's log.
  const orgs = (await (await fetch(`${emulatorUrl}/__emulator/orgs`)).json()) as Array<{
    orgId: string;
    accessToken: string;
  }>;
  const org = orgs.find((o) => o.orgId === orgId)!;
  const q = await fetch(
    `${emulatorUrl}/services/data/v62.0/query?q=${encodeURIComponent('SELECT Email, LastName, Account.Name FROM Contact ORDER BY Email')}`,
    {
      headers: { authorization: `Bearer ${org.accessToken}` },
    },
  );
  const rows = (
    (await q.json()) as {
      records: Array<{ Email: string | null; LastName: string; Account: { Name: string } | null }>;
    }
  ).records;
  assert.deepEqual(
    rows.map((r) => r.Email),
    [null, 'ada@acme.example', 'alan@turing.example', `zoe@${domainToASCII('ünïcode.example')}`].sort(
      (a, b) => (a ?? '').localeCompare(b ?? ''),
    ),
  );
  assert.ok(
    rows.every((r) => r.Account !== null),
    'every Contact got its Account (C7)',
  );
  assert.equal(
    rows.find((r) => r.Email === 'alan@turing.example')!.LastName.length,
    80,
    'a 10,000-character name is cut to the field (X6)',
  );

  const log = await cli(env, 'log', '--limit', '100');
  assert.match(log.stdout, /create -> Contact 003\w+\s+\[C9,C4/);
  assert.match(log.stdout, /not_eligible\s+\[C2\] "Push contacts" is off/);

  const status = await cli(env, 'status');
  assert.equal(status.code, 0);
  assert.match(status.stdout, /state: active/);

  // Security: the key file is private and no token is stored in clear.
  assert.equal(statSync(join(env.DATA_DIR!, 'encryption.key')).mode & 0o777, 0o600);
  const dbFiles = readdirSync(env.DATA_DIR!).filter((f) => f.startsWith('crmsync.db'));
  const password = (await (await fetch(`${emulatorUrl}/__emulator/orgs/${orgId}`)).json()) as {
    password: string;
    clientSecret: string;
  };
  for (const f of dbFiles) {
    const bytes = readFileSync(join(env.DATA_DIR!, f)).toString('latin1');
    assert.ok(
      !bytes.includes(password.password) && !bytes.includes(password.clientSecret),
      `${f} holds a secret in clear`,
    );
  }
});

test('exit codes a script can rely on: usage 2, not configured 3, PostgreSQL without the shared key or a bad DATABASE_URL refused with a clear message', async (t) => {
  const { env } = await setup(t);
  const none = await cli(env, 'status');
  assert.equal(none.code, 3);
  assert.match(none.stderr, /No workspace yet/);
  const bad = await cli(env, 'import', 'animals', 'x.csv');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Import one of people, companies, .*; not "animals"/);
  const pg = await cli({ ...env, DATABASE_URL: 'postgres://crmsync:hunter2@127.0.0.1/db' }, 'status');
  assert.equal(pg.code, 3);
  assert.match(
    pg.stderr,
    /DATABASE_URL points at PostgreSQL, so set CRMSYNC_ENCRYPTION_KEY to the same 32-byte key/,
  );
  const odd = await cli({ ...env, DATABASE_URL: 'mysql://crmsync:hunter2@127.0.0.1/db' }, 'status');
  assert.equal(odd.code, 2);
  assert.match(
    odd.stderr,
    /DATABASE_URL "mysql:\/\/crmsync:\*\*\*@127.0.0.1\/db" is not understood; use sqlite:PATH or postgres:/,
  );
  assert.doesNotMatch(odd.stderr, /hunter2/, 'the password is never printed');
  const unknown = await cli(env, 'frobnicate');
  assert.equal(unknown.code, 2);
});

test('a CSV without the required column, or not in UTF-8, is refused whole', async (t) => {
  const { env, dir } = await setup(t);
  await cli(env, 'workspace', 'create', 'acme', '--name', 'Acme');
  const noLast = join(dir, 'a.csv');
  writeFileSync(noLast, 'First Name,Email\nAda,ada@acme.example\n');
  const r1 = await cli(env, 'import', 'people', noLast);
  assert.equal(r1.code, 2);
  assert.match(r1.stderr, /has no lastName column.*Found columns: First Name, Email.*Nothing was imported/);
  const latin1 = join(dir, 'b.csv');
  writeFileSync(latin1, Buffer.from('Last Name\nNu\xf1ez\n', 'latin1'));
  const r2 = await cli(env, 'import', 'people', latin1);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /is not UTF-8 text/);
});

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';

// The real `crmsync` command in child processes, as a user runs it: SQLite under a temp DATA_DIR
// and the embedded emulator on a free port, both removed when the test ends.

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

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

/** Runs `crmsync ...args` to its end with `env` over the test's own environment. */
export function cli(env: NodeJS.ProcessEnv, ...args: string[]): Promise<CliRun> {
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

/**
 * A temp directory, the emulator's port and the env of workspace `acme` there; after the test the
 * emulator is stopped and the directory removed.
 */
export async function cliSandbox(
  t: TestContext,
  prefix: string,
): Promise<{ dir: string; port: number; env: NodeJS.ProcessEnv }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
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
  return { dir, port, env };
}

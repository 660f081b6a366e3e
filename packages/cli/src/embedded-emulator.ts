import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Clock } from '@crmsync/core';
import { CliError } from './cli-error.js';
import { EXIT } from './exit-codes.js';

/** What a workspace needs to sign in to an emulator org (the same shape as a real org's login). */
export interface EmulatorLogin {
  orgId: string;
  username: string;
  password: string;
  clientId: string;
  clientSecret: string;
  instanceUrl: string;
  loginUrl: string;
}

const EMULATOR_CLI = fileURLToPath(new URL('../../sf-emulator/src/cli.ts', import.meta.url));

async function probe(baseUrl: string): Promise<boolean> {
  try {
    const res = await fetch(`${baseUrl}/__emulator/orgs`, { signal: AbortSignal.timeout(1_000) });
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Embedded mode runs ONE emulator on a fixed local port with its orgs under DATA_DIR, shared by
 * the CLI, the server and a restart: whichever crmsync command needs it first starts it as a
 * detached process, and it keeps running until `crmsync emulator stop`.
 */
export async function ensureEmulator(options: {
  dataDir: string;
  port: number;
  clock: Clock;
}): Promise<string> {
  const baseUrl = `http://127.0.0.1:${options.port}`;
  if (await probe(baseUrl)) return baseUrl;
  mkdirSync(options.dataDir, { recursive: true });
  const logFd = openSync(join(options.dataDir, 'emulator.log'), 'a');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      EMULATOR_CLI,
      '--port',
      String(options.port),
      '--data',
      join(options.dataDir, 'emulator.ndjson'),
    ],
    { detached: true, stdio: ['ignore', logFd, logFd], env: { ...process.env, NODE_ENV: 'production' } },
  );
  child.unref();
  closeSync(logFd);
  if (child.pid !== undefined) writeFileSync(join(options.dataDir, 'emulator.pid'), `${child.pid}\n`);
  for (let i = 0; i < 150; i++) {
    if (await probe(baseUrl)) return baseUrl;
    await options.clock.sleep(100);
  }
  throw new CliError(
    EXIT.salesforce,
    `The built-in Salesforce emulator did not start on port ${options.port}; see ${join(options.dataDir, 'emulator.log')}. Set CRMSYNC_EMULATOR_PORT to use another port.`,
  );
}

/** Creates a fresh org in the emulator for one workspace, so two workspaces never share one. */
export async function createEmulatorOrg(baseUrl: string, name: string): Promise<EmulatorLogin> {
  const res = await fetch(`${baseUrl}/__emulator/orgs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  if (!res.ok)
    throw new CliError(
      EXIT.salesforce,
      `The emulator refused to create an org: ${res.status} ${await res.text()}`,
    );
  const org = (await res.json()) as EmulatorLogin;
  return {
    orgId: org.orgId,
    username: org.username,
    password: org.password,
    clientId: org.clientId,
    clientSecret: org.clientSecret,
    instanceUrl: org.instanceUrl,
    loginUrl: org.loginUrl,
  };
}

export async function stopEmulator(baseUrl: string, pid: number | null): Promise<boolean> {
  if (pid === null || !(await probe(baseUrl))) return false;
  try {
    process.kill(pid, 'SIGTERM');
    return true;
  } catch {
    return false;
  }
}

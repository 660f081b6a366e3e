// Shared setup for the emulator's conformance tests: one emulator per test file, a fresh org per
// test (so tests never share data), and jsforce connections made the ways clients make them.
import type { TestContext } from 'node:test';
import jsforce from 'jsforce';
import { startEmulator, type EmulatorOptions, type OrgHandle, type RunningEmulator } from '../src/index.js';
import type { CreateOrgInput } from '../src/control.js';

export const API_VERSION = '62.0';

export async function emulatorFor(
  t: { after: TestContext['after'] },
  options: EmulatorOptions = {},
): Promise<RunningEmulator> {
  const emulator = await startEmulator({ log: () => {}, ...options });
  t.after(() => emulator.close());
  return emulator;
}

/** A connection that uses the org's ready access token (no login round trip). */
export function tokenConnection(
  emulator: RunningEmulator,
  org: OrgHandle,
  version = API_VERSION,
): jsforce.Connection {
  return new jsforce.Connection({ instanceUrl: emulator.url, accessToken: org.accessToken, version });
}

export interface FreshOrg {
  org: OrgHandle;
  conn: jsforce.Connection;
}

export function freshOrg(emulator: RunningEmulator, input: CreateOrgInput = {}): FreshOrg {
  const org = emulator.createOrg(input);
  return { org, conn: tokenConnection(emulator, org) };
}

/** Raw HTTP against the emulator, for wire details jsforce hides. */
export async function raw(
  emulator: RunningEmulator,
  org: OrgHandle,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; text: string; json: unknown }> {
  const res = await fetch(`${emulator.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${org.accessToken}`, 'Content-Type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Runs fn and returns the error it rejects with (failing when it resolves). */
export async function rejection(
  fn: () => Promise<unknown>,
): Promise<Error & { errorCode?: string; name: string; data?: unknown }> {
  try {
    await fn();
  } catch (err) {
    return err as Error & { errorCode?: string; data?: unknown };
  }
  throw new Error('expected the call to fail, but it succeeded');
}

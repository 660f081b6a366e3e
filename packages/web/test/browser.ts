import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { httpJson, type EmulatorProcess, type OrgSummary } from '../../engine/test/harness.js';
import { startApi, type Api } from '../../server/test/harness.js';

/*
 * Browser tests drive Debian's chromium (/usr/bin/chromium, installed by .ci/run) with
 * playwright-core against the real server: the REST API and the built UI on a real port, a SQLite
 * file, and the Salesforce emulator in its own process. Screenshots go to test-artifacts/web
 * (git-ignored) for review.
 */

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const WEB = join(ROOT, 'packages/web');
export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = join(ROOT, 'test-artifacts/web');

function newest(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    const s = statSync(full);
    t = Math.max(t, s.isDirectory() ? newest(full) : s.mtimeMs);
  }
  return t;
}

const fresh = (): boolean => {
  const index = join(WEB, 'dist/index.html');
  const sources = Math.max(newest(join(WEB, 'src')), statSync(join(WEB, 'index.html')).mtimeMs);
  return existsSync(index) && statSync(index).mtimeMs >= sources;
};

/**
 * Builds the UI when dist is missing or older than its sources (npm install builds it once). Test
 * files run two at a time, so one builds while the other waits on the lock directory.
 */
export function ensureWebBuilt(): void {
  const lock = join(WEB, '.build-lock');
  for (;;) {
    if (fresh()) return;
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock left by a killed run is older than any build takes.
      if (Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now()) > 180_000)
        rmSync(lock, { recursive: true, force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (fresh()) return;
    const built = spawnSync('npm', ['run', 'build', '-w', '@crmsync/web'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(built.status, 0, `building the web UI failed:\n${built.stdout}\n${built.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** A fresh chromium profile for the test; a missing chromium fails the test and says how to install it. */
export async function launchBrowser(t: TestContext): Promise<BrowserContext> {
  assert.ok(
    existsSync(CHROMIUM),
    `Debian's chromium is missing at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (.ci/run does).`,
  );
  const profile = mkdtempSync(join(tmpdir(), 'crmsync-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  context.setDefaultTimeout(30_000);
  t.after(async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  });
  return context;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

export interface Ui {
  /** The server's base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  api: Api;
}

/** The REST API with the built UI, listening on a real port (closed after the test). */
export async function startUi(t: TestContext, emu: EmulatorProcess): Promise<Ui> {
  ensureWebBuilt();
  const api = await startApi(t, emu);
  await api.app.listen({ port: 0, host: '127.0.0.1' });
  const address = api.app.server.address();
  assert.ok(address !== null && typeof address === 'object');
  return { url: `http://127.0.0.1:${address.port}`, api };
}

/** SOQL over HTTP with the org's token, as any Salesforce client would run it. */
export async function soql<T = Record<string, unknown>>(org: OrgSummary, q: string): Promise<T[]> {
  const res = await httpJson(
    'GET',
    `${org.instanceUrl}/services/data/v62.0/query?q=${encodeURIComponent(q)}`,
    undefined,
    {
      authorization: `Bearer ${org.accessToken}`,
    },
  );
  assert.equal(res.status, 200, `SOQL ${q}: ${JSON.stringify(res.body)}`);
  return (res.body as { records: T[] }).records;
}

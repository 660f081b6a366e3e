import { AsyncLocalStorage } from 'node:async_hooks';
import type { Runtime } from './runtime.js';
import { CliError } from './cli-error.js';
import { EXIT } from './exit-codes.js';

/** Where a command's output goes inside `captureOutput` (its async context only); stdout elsewhere. */
const captured = new AsyncLocalStorage<(text: string) => void>();

function write(text: string): void {
  const sink = captured.getStore();
  if (sink === undefined) process.stdout.write(text);
  else sink(text);
}

export function print(line = ''): void {
  write(line + '\n');
}

export function printJson(value: unknown): void {
  write(JSON.stringify(value, null, 2) + '\n');
}

/**
 * Runs `fn` with what it prints collected instead of written (commands run in process, e.g. by
 * tests). Only `fn`'s own async context is captured: other output of the process (a test
 * runner's report) still reaches stdout.
 */
export async function captureOutput(fn: () => Promise<void>): Promise<string> {
  let out = '';
  await captured.run((text) => (out += text), fn);
  return out;
}

/** The workspace a command acts on: --workspace, CRMSYNC_WORKSPACE, or the only one there is. */
export async function resolveWorkspace(rt: Runtime, option: string | undefined): Promise<string> {
  const chosen = option ?? process.env.CRMSYNC_WORKSPACE;
  if (chosen !== undefined) {
    if ((await rt.opened.store.workspaces.get(chosen)) === null) {
      throw new CliError(
        EXIT.notConfigured,
        `There is no workspace "${chosen}". List them with \`crmsync workspace list\`.`,
      );
    }
    return chosen;
  }
  const all = await rt.opened.store.workspaces.list();
  if (all.length === 1) return all[0]!.id;
  if (all.length === 0)
    throw new CliError(
      EXIT.notConfigured,
      'No workspace yet. Create one with `crmsync workspace create ID --name NAME`.',
    );
  throw new CliError(
    EXIT.usage,
    `Several workspaces exist (${all.map((w) => w.id).join(', ')}); choose one with --workspace ID.`,
  );
}

export function splitIds(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

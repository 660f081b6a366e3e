#!/usr/bin/env node
// The `crmsync` command: parses arguments, opens the runtime, maps every error to a plain
// message and a stable exit code (see exit-codes.ts). No stack traces for users.
import { Command, CommanderError } from 'commander';
import { loadConfig } from './config.js';
import { connectCommands } from './commands/connect.js';
import { migrateCommands } from './commands/migrate.js';
import { recordCommands } from './commands/records.js';
import { serveCommands } from './commands/serve.js';
import { apiAccessCommands } from './commands/api-access.js';
import { syncCommands } from './commands/sync.js';
import type { WithConfig, WithRuntime } from './commands/types.js';
import { workerCommands } from './commands/worker.js';
import { workspaceCommands } from './commands/workspace.js';
import { EXIT, exitCodeOf } from './exit-codes.js';
import { openRuntime } from './runtime.js';

/** Runs an action with what `open` gives it; maps every error to a message and an exit code. */
async function guarded<T>(
  open: () => Promise<T>,
  close: (value: T) => Promise<void>,
  action: (value: T) => Promise<void | number>,
): Promise<void> {
  let opened: { value: T } | null = null;
  try {
    opened = { value: await open() };
    const code = await action(opened.value);
    process.exitCode = typeof code === 'number' ? code : EXIT.ok;
  } catch (err) {
    const code = exitCodeOf(err);
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(
      `crmsync: ${code === EXIT.internal ? `unexpected error: ${message}. Please report it with the command you ran.` : message}\n`,
    );
    if (code === EXIT.internal && process.env.CRMSYNC_DEBUG === '1' && err instanceof Error)
      process.stderr.write(`${err.stack}\n`);
    process.exitCode = code;
  } finally {
    if (opened !== null) await close(opened.value).catch(() => undefined);
  }
}

const run: WithRuntime =
  (action, options) =>
  (...args) =>
    guarded(
      () => openRuntime(process.env, options),
      (rt) => rt.close(),
      (rt) => action(rt, ...args),
    );

const withConfig: WithConfig =
  (action) =>
  (...args) =>
    guarded(
      async () => loadConfig(),
      async () => undefined,
      (config) => action(config, ...args),
    );

const program = new Command('crmsync')
  .description("Keeps a sales team's records in step with Salesforce, exactly as the admin configured.")
  .showHelpAfterError()
  .exitOverride();

workspaceCommands(program, run);
apiAccessCommands(program, run);
connectCommands(program, run);
recordCommands(program, run);
syncCommands(program, run);
serveCommands(program, run);
workerCommands(program, run);
migrateCommands(program, withConfig);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  else throw err;
}

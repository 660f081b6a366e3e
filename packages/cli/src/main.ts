#!/usr/bin/env node
// The `crmsync` command: parses arguments, opens the runtime, maps every error to a plain
// message and a stable exit code (see exit-codes.ts). No stack traces for users.
import { CrmsyncError } from '@crmsync/core';
import { Command, CommanderError } from 'commander';
import { CliError } from './cli-error.js';
import { connectCommands } from './commands/connect.js';
import { recordCommands } from './commands/records.js';
import { serveCommands } from './commands/serve.js';
import { syncCommands } from './commands/sync.js';
import type { WithRuntime } from './commands/types.js';
import { workspaceCommands } from './commands/workspace.js';
import { EXIT, type ExitCode } from './exit-codes.js';
import { openRuntime } from './runtime.js';

function exitCodeOf(err: unknown): ExitCode {
  if (err instanceof CliError) return err.exitCode;
  if (err instanceof CrmsyncError) {
    switch (err.code) {
      case 'CONFIGURATION_WINDOW':
      case 'PAUSED':
      case 'DISCONNECTED':
        return EXIT.refused;
      case 'API_BUDGET_EXHAUSTED':
        return EXIT.budget;
      case 'INVALID_INPUT':
      case 'SETTINGS_INVALID':
        return EXIT.usage;
      case 'NOT_FOUND':
        return EXIT.notConfigured;
      default:
        return err.code.startsWith('SALESFORCE_') ? EXIT.salesforce : EXIT.internal;
    }
  }
  if (typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'wrong_encryption_key')
    return EXIT.notConfigured;
  return EXIT.internal;
}

const run: WithRuntime =
  (action) =>
  async (...args) => {
    let rt: Awaited<ReturnType<typeof openRuntime>> | null = null;
    try {
      rt = await openRuntime();
      const code = await action(rt, ...args);
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
      await rt?.close().catch(() => undefined);
    }
  };

const program = new Command('crmsync')
  .description("Keeps a sales team's records in step with Salesforce, exactly as the admin configured.")
  .showHelpAfterError()
  .exitOverride();

workspaceCommands(program, run);
connectCommands(program, run);
recordCommands(program, run);
syncCommands(program, run);
serveCommands(program, run);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exitCode = err.exitCode === 0 ? EXIT.ok : EXIT.usage;
  else throw err;
}

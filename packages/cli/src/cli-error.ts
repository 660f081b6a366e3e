import type { ExitCode } from './exit-codes.js';

/** An error the CLI prints as one plain message and turns into its exit code; no stack trace. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

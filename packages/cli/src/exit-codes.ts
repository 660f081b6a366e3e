import { CrmsyncError } from '@crmsync/core';
import { CliError } from './cli-error.js';

/**
 * Exit codes a script can rely on. They are part of the CLI's contract: never renumber.
 */
export const EXIT = {
  ok: 0,
  /** The command ran, but some records failed (see `crmsync log --failed`). */
  someFailed: 1,
  /** Bad arguments, a bad file or a bad settings document: nothing was changed. */
  usage: 2,
  /** No workspace, no connection, or the wrong encryption key. */
  notConfigured: 3,
  /** Refused by the lifecycle: configuration window, paused or disconnected (L1, L3). */
  refused: 4,
  /** Stopped by the API budget (O3); resumes as the 24-hour window frees. */
  budget: 5,
  /** Salesforce could not be reached or refused the credentials. */
  salesforce: 6,
  /** An unexpected error: a bug. */
  internal: 70,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The exit code for an error a command ended with: catalogue codes map to the same codes everywhere. */
export function exitCodeOf(err: unknown): ExitCode {
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
      case 'PAYLOAD_TOO_LARGE':
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

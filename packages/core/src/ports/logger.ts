/**
 * Structured logging for operators (not the per-record decision log, which is data in the
 * store). Implementations must never write secrets: callers pass tokens only through `redact`ed
 * fields, and the production logger redacts `accessToken`, `refreshToken`, `apiKey`,
 * `clientSecret`, `password` and `authorization` wherever they appear.
 */
export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
  /** A logger that adds `bindings` to every entry (e.g. workspaceId, jobId). */
  child(bindings: Record<string, unknown>): Logger;
}

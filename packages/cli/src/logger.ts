import { pino, type Logger as Pino } from 'pino';
import type { Logger } from '@crmsync/core';

/** Fields that may carry secrets; pino replaces them wherever they appear in an entry. */
const SECRET_PATHS = [
  'accessToken',
  'refreshToken',
  'apiKey',
  'clientSecret',
  'password',
  'authorization',
  'token',
  'credentials',
];
const REDACT = [
  ...SECRET_PATHS,
  ...SECRET_PATHS.map((p) => `*.${p}`),
  ...SECRET_PATHS.map((p) => `*.*.${p}`),
];

class PinoLogger implements Logger {
  constructor(private readonly p: Pino) {}
  debug(fields: Record<string, unknown>, message: string): void {
    this.p.debug(fields, message);
  }
  info(fields: Record<string, unknown>, message: string): void {
    this.p.info(fields, message);
  }
  warn(fields: Record<string, unknown>, message: string): void {
    this.p.warn(fields, message);
  }
  error(fields: Record<string, unknown>, message: string): void {
    this.p.error(fields, message);
  }
  child(bindings: Record<string, unknown>): Logger {
    return new PinoLogger(this.p.child(bindings));
  }
}

/** Operator logs as JSON lines on stderr (stdout is the command's own output), secrets redacted. */
export function createLogger(level: string = process.env.LOG_LEVEL ?? 'warn'): Logger {
  return new PinoLogger(
    pino({ level, redact: { paths: REDACT, censor: '[redacted]' } }, pino.destination(2)),
  );
}

import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { CliError } from './cli-error.js';
import { EXIT } from './exit-codes.js';

/** The environment crmsync reads, parsed once at start (STYLE 2). */
const Env = z.object({
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.string().optional(),
  /** 32 bytes, base64 or hex. Required unless embedded mode generates one under DATA_DIR. */
  CRMSYNC_ENCRYPTION_KEY: z.string().optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** The built-in emulator's fixed port in embedded mode. */
  CRMSYNC_EMULATOR_PORT: z.coerce.number().int().min(1).max(65535).default(4510),
});

export interface Config {
  dataDir: string;
  databaseFile: string;
  encryptionKey: Buffer;
  port: number;
  emulatorPort: number;
  /** True when SQLite under DATA_DIR is in use (the default). */
  embedded: boolean;
}

function decodeKey(raw: string): Buffer {
  const text = raw.trim();
  const key = /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : Buffer.from(text, 'base64');
  if (key.length !== 32) {
    throw new CliError(
      EXIT.notConfigured,
      'CRMSYNC_ENCRYPTION_KEY must be 32 bytes, written as 64 hex characters or base64 (for example: `openssl rand -base64 32`).',
    );
  }
  return key;
}

/**
 * Embedded mode keeps its key in DATA_DIR/encryption.key, created once with mode 0600, so
 * `npm start` works on a fresh machine; elsewhere the key must come from the environment.
 */
function embeddedKey(dataDir: string): Buffer {
  const file = join(dataDir, 'encryption.key');
  if (existsSync(file)) {
    const mode = statSync(file).mode & 0o777;
    if ((mode & 0o077) !== 0) chmodSync(file, 0o600);
    return decodeKey(readFileSync(file, 'utf8'));
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    throw new CliError(EXIT.usage, `Bad environment: ${z.prettifyError(parsed.error)}`);
  }
  const e = parsed.data;
  if (e.DATABASE_URL !== undefined && e.DATABASE_URL !== '' && !e.DATABASE_URL.startsWith('sqlite:')) {
    if (/^postgres(ql)?:/.test(e.DATABASE_URL)) {
      throw new CliError(
        EXIT.notConfigured,
        'DATABASE_URL points at PostgreSQL, which this crmsync release does not support yet (it arrives with the scale-out release). Unset DATABASE_URL to use the embedded SQLite database under DATA_DIR.',
      );
    }
    throw new CliError(
      EXIT.usage,
      `DATABASE_URL "${e.DATABASE_URL.replace(/\/\/[^@]*@/, '//***@')}" is not understood; use sqlite:PATH or leave it unset.`,
    );
  }
  const dataDir = resolve(e.DATA_DIR);
  const databaseFile = e.DATABASE_URL?.startsWith('sqlite:')
    ? resolve(e.DATABASE_URL.slice('sqlite:'.length))
    : join(dataDir, 'crmsync.db');
  const encryptionKey =
    e.CRMSYNC_ENCRYPTION_KEY !== undefined ? decodeKey(e.CRMSYNC_ENCRYPTION_KEY) : embeddedKey(dataDir);
  return {
    dataDir,
    databaseFile,
    encryptionKey,
    port: e.PORT,
    emulatorPort: e.CRMSYNC_EMULATOR_PORT,
    embedded: true,
  };
}

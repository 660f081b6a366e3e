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
  /**
   * How long a worker holds a job before another may take it over (it extends the lease while it
   * works): the delay before a SIGKILLed worker's jobs run elsewhere.
   */
  CRMSYNC_LEASE_SECONDS: z.coerce.number().int().min(3).max(3600).default(300),
  /** 1 lets webhooks reach loopback, private and link-local addresses (development, on-premise receivers). */
  CRMSYNC_WEBHOOKS_ALLOW_PRIVATE: z
    .enum(['0', '1', ''], { error: 'must be 1 (allow) or 0 (refuse, the default)' })
    .default('0'),
});

/** Where the store lives: one SQLite file (embedded) or a PostgreSQL database shared by many processes. */
export type DatabaseTarget = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

export interface Config {
  dataDir: string;
  database: DatabaseTarget;
  /** The SQLite file, or null on PostgreSQL. */
  databaseFile: string | null;
  /** For messages: "SQLite at PATH" or "PostgreSQL at URL" (password hidden). */
  databaseLabel: string;
  encryptionKey: Buffer;
  port: number;
  emulatorPort: number;
  leaseMs: number;
  /** CRMSYNC_WEBHOOKS_ALLOW_PRIVATE=1: webhook URLs may lead to internal addresses. */
  webhooksAllowPrivate: boolean;
  /** True when SQLite under DATA_DIR is in use (the default). */
  embedded: boolean;
}

/** A URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}

/**
 * Parses `sqlite:PATH` or `postgres://...` (also `postgresql://`), as DATABASE_URL and
 * `crmsync migrate --from/--to` take them. Throws a usage error naming `what` otherwise.
 */
export function parseDatabaseUrl(raw: string, what = 'DATABASE_URL'): DatabaseTarget {
  if (raw.startsWith('sqlite:')) {
    const path = raw.slice('sqlite:'.length);
    if (path === '')
      throw new CliError(EXIT.usage, `${what} "sqlite:" names no file; use sqlite:./data/crmsync.db.`);
    return { kind: 'sqlite', file: resolve(path) };
  }
  if (/^postgres(ql)?:\/\//.test(raw)) {
    try {
      new URL(raw);
    } catch {
      throw new CliError(
        EXIT.usage,
        `${what} "${redactUrl(raw)}" is not a valid URL; use postgres://USER@HOST:5432/DATABASE.`,
      );
    }
    return { kind: 'postgres', url: raw };
  }
  throw new CliError(
    EXIT.usage,
    `${what} "${redactUrl(raw)}" is not understood; use sqlite:PATH or postgres://USER@HOST:5432/DATABASE.`,
  );
}

export function describeDatabase(target: DatabaseTarget): string {
  return target.kind === 'sqlite' ? `SQLite at ${target.file}` : `PostgreSQL at ${redactUrl(target.url)}`;
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
  const dataDir = resolve(e.DATA_DIR);
  const database: DatabaseTarget =
    e.DATABASE_URL === undefined || e.DATABASE_URL === ''
      ? { kind: 'sqlite', file: join(dataDir, 'crmsync.db') }
      : parseDatabaseUrl(e.DATABASE_URL);
  if (database.kind === 'postgres' && e.CRMSYNC_ENCRYPTION_KEY === undefined) {
    // Every process on every machine must seal and open tokens with the same key: a key made up
    // on one machine's disk would lock the others out.
    throw new CliError(
      EXIT.notConfigured,
      'DATABASE_URL points at PostgreSQL, so set CRMSYNC_ENCRYPTION_KEY to the same 32-byte key in every crmsync process (after `crmsync migrate`, the key of the SQLite install: `export CRMSYNC_ENCRYPTION_KEY=$(cat data/encryption.key)`).',
    );
  }
  const encryptionKey =
    e.CRMSYNC_ENCRYPTION_KEY !== undefined ? decodeKey(e.CRMSYNC_ENCRYPTION_KEY) : embeddedKey(dataDir);
  return {
    dataDir,
    database,
    databaseFile: database.kind === 'sqlite' ? database.file : null,
    databaseLabel: describeDatabase(database),
    encryptionKey,
    port: e.PORT,
    emulatorPort: e.CRMSYNC_EMULATOR_PORT,
    leaseMs: e.CRMSYNC_LEASE_SECONDS * 1000,
    webhooksAllowPrivate: e.CRMSYNC_WEBHOOKS_ALLOW_PRIVATE === '1',
    embedded: database.kind === 'sqlite',
  };
}

#!/usr/bin/env -S npx tsx
// `npm run emulator -- --port 4000`: runs the emulator alone and prints the login to use.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startEmulator } from './emulator.js';
import { parseSchemaFile } from './schema/custom-schema.js';
import { readSeedFile } from './seed.js';

const usage = `Usage: sf-emulator [options]
  --port N                 port to listen on (default 4000; 0 = any free port)
  --host HOST              interface to bind (default 127.0.0.1)
  --schema FILE            JSON: custom objects, fields and validation rules
  --seed FILE              records to create: JSON {"Contact":[{...}]} or Contact.csv
  --data FILE              keep orgs in this file across restarts (default: memory only)
  --latency-ms N           add N ms to every API request
  --daily-api-limit N      the default org's daily API request limit (default 15000)
  --access-token TOKEN     also accept TOKEN as a session for the default org
  --session-ttl-seconds N  OAuth session lifetime on the org clock (default 7200)
  --refresh-token-on-password  give a refresh token on the password grant (real Salesforce does not)
  --help`;

function positiveInt(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, got "${raw}"`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4000' },
      host: { type: 'string', default: '127.0.0.1' },
      schema: { type: 'string' },
      seed: { type: 'string' },
      data: { type: 'string' },
      'latency-ms': { type: 'string' },
      'daily-api-limit': { type: 'string' },
      'access-token': { type: 'string' },
      'session-ttl-seconds': { type: 'string' },
      'refresh-token-on-password': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help === true) {
    process.stdout.write(usage + '\n');
    return;
  }
  const latencyMs = positiveInt('latency-ms', values['latency-ms']);
  const dailyApiLimit = positiveInt('daily-api-limit', values['daily-api-limit']);
  const sessionTtlSeconds = positiveInt('session-ttl-seconds', values['session-ttl-seconds']);
  const emulator = await startEmulator({
    port: positiveInt('port', values.port) ?? 4000,
    host: values.host ?? '127.0.0.1',
    ...(values.schema === undefined
      ? {}
      : { schema: parseSchemaFile(JSON.parse(readFileSync(values.schema, 'utf8'))) }),
    ...(values.seed === undefined ? {} : { seed: readSeedFile(values.seed) }),
    ...(values.data === undefined ? {} : { dataFile: values.data }),
    ...(latencyMs === undefined ? {} : { latencyMs }),
    ...(dailyApiLimit === undefined ? {} : { dailyApiLimit }),
    ...(values['access-token'] === undefined ? {} : { accessToken: values['access-token'] }),
    ...(sessionTtlSeconds === undefined ? {} : { sessionTtlSeconds }),
    ...(values['refresh-token-on-password'] === true ? { refreshTokenOnPasswordGrant: true } : {}),
  });
  const c = emulator.credentials;
  process.stdout.write(
    [
      `Salesforce emulator listening on ${emulator.url}`,
      '',
      `  org id         ${c.orgId}`,
      `  login URL      ${c.loginUrl}   (OAuth token endpoint: ${c.loginUrl}/services/oauth2/token)`,
      `  username       ${c.username}`,
      `  password       ${c.password}`,
      `  client id      ${c.clientId}`,
      `  client secret  ${c.clientSecret}`,
      `  access token   ${values['access-token'] ?? c.accessToken}`,
      `  instance URL   ${c.instanceUrl}`,
      `  sales users    ${c.salesUsers.map((u) => u.username).join(', ')}`,
      '',
      `Control API: ${emulator.url}/__emulator/orgs   (Ctrl-C to stop${values.data === undefined ? '' : `; data kept in ${values.data}`})`,
      '',
    ].join('\n'),
  );
  const stop = () => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`sf-emulator: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

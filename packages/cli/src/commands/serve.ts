import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CrmsyncError, parseSettings } from '@crmsync/core';
import {
  buildServer,
  issueApiKey,
  resolveApiKey,
  type CsvPlanner,
  type SalesforceConnector,
} from '@crmsync/server';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { planImport, readCsv } from '../csv-import.js';
import { ensureEmulator, stopEmulator } from '../embedded-emulator.js';
import { EXIT } from '../exit-codes.js';
import { print } from '../output.js';
import type { Runtime } from '../runtime.js';
import { connectWorkspace } from './connect.js';
import { runWorkers, stopSignal } from './worker.js';
import type { WithRuntime } from './types.js';

const DEMO = 'demo';
const FIRST = [
  'Ada',
  'Grace',
  'Alan',
  'Edsger',
  'Barbara',
  'Donald',
  'Margaret',
  'Ken',
  'Radia',
  'Tim',
  'Frances',
  'John',
  'Katherine',
  'Dennis',
  'Hedy',
];
const LAST = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Dijkstra',
  'Liskov',
  'Knuth',
  'Hamilton',
  'Thompson',
  'Perlman',
  'Berners-Lee',
  'Allen',
  'Backus',
  'Johnson',
  'Ritchie',
  'Lamarr',
];
const COMPANIES = [
  'Acme',
  'Globex',
  'Initech',
  'Umbrella',
  'Hooli',
  'Stark Industries',
  'Wayne Enterprises',
  'Soylent',
  'Tyrell',
  'Cyberdyne',
  'Wonka',
  'Gringotts',
  'Oceanic',
  'Vandelay',
  'Pied Piper',
];
const STAGES = ['Cold', 'Approaching', 'Replied', 'Interested', 'Customer'];

/** A demo workspace on the built-in emulator: 300 people across 40 companies, 60 deals and 240 activities, pushed. */
async function ensureDemo(rt: Runtime): Promise<void> {
  const { store } = rt.opened;
  if ((await store.workspaces.get(DEMO)) === null) {
    await store.workspaces.create({
      id: DEMO,
      name: 'Demo sales team',
      mailboxDomains: ['demo-sales.example'],
      users: [{ id: 'u-1', name: 'Sam Seller', email: 'sam@demo-sales.example' }],
      stages: {
        people: STAGES,
        companies: ['Prospect', 'Customer'],
        deals: ['Discovery', 'Proposal', 'Won'],
      },
    });
    const settings = parseSettings({
      version: 2,
      lifecycle: { configurationWindowHours: 0 },
      contacts: { pushContacts: true, pushMode: 'stages', stages: ['Interested', 'Customer'] },
      deals: {
        dealSync: 'bidirectional',
        stageMapping: { Discovery: 'Prospecting', Proposal: 'Proposal/Price Quote', Won: 'Closed Won' },
      },
      activities: {
        emails: {
          pushEmails: true,
          kinds: { outgoingSentThroughApp: true, outgoingNotSentThroughApp: true, incomingReplyToApp: true },
        },
        notes: { pushNotes: true },
        calls: { pushCalls: true },
        meetings: { pushMeetings: true },
      },
    });
    if (settings.ok) await store.transaction(DEMO, (tx) => tx.settings.put(settings.settings, 'demo'));
  }
  if ((await store.workspace(DEMO).connection.get()) === null) {
    await connectWorkspace(rt, DEMO, { emulator: true });
  }
  const existing = await store.workspace(DEMO).records.list({ type: 'person', limit: 1 });
  if (existing.items.length > 0) return;
  const changes = [];
  for (let c = 0; c < 40; c++) {
    const name = `${COMPANIES[c % COMPANIES.length]}${c >= COMPANIES.length ? ` ${Math.floor(c / COMPANIES.length) + 1}` : ''}`;
    changes.push({
      type: 'company' as const,
      op: 'upsert' as const,
      data: {
        id: `demo-c-${c}`,
        workspaceId: DEMO,
        name,
        website: `https://www.${name.toLowerCase().replace(/[^a-z0-9]+/g, '')}.example`,
        stage: c % 5 === 0 ? 'Customer' : 'Prospect',
      },
    });
  }
  for (let p = 0; p < 300; p++) {
    const first = FIRST[p % FIRST.length]!;
    const last = LAST[(p * 7) % LAST.length]!;
    const company = p % 40;
    changes.push({
      type: 'person' as const,
      op: 'upsert' as const,
      data: {
        id: `demo-p-${p}`,
        workspaceId: DEMO,
        firstName: first,
        lastName: last,
        title: ['VP Sales', 'CTO', 'Head of RevOps', 'Engineer', 'CEO'][p % 5],
        email:
          `${first}.${last}.${p}@${(changes[company]!.data as { website: string }).website.replace('https://www.', '')}`.toLowerCase(),
        emailStatus: p % 9 === 0 ? 'guessed' : 'verified',
        companyId: `demo-c-${company}`,
        stage: STAGES[p % STAGES.length],
        ownerId: 'u-1',
      },
    });
  }
  await rt.engine.ingestMany(DEMO, changes);
  await rt.engine.ingestMany(DEMO, demoDeals());
  await rt.engine.ingestActivities(DEMO, demoActivities(changes));
}

const DEAL_STAGES = ['Discovery', 'Proposal', 'Won'];

/** 60 deals on the demo companies, each with one of the company's people (D6: contact roles). */
function demoDeals() {
  return Array.from({ length: 60 }, (_, d) => ({
    type: 'deal' as const,
    op: 'upsert' as const,
    data: {
      id: `demo-d-${d}`,
      workspaceId: DEMO,
      name: `${['Pilot', 'Annual plan', 'Expansion'][d % 3]} ${d + 1}`,
      amount: 5_000 + ((d * 7_919) % 95_000),
      stage: DEAL_STAGES[d % DEAL_STAGES.length],
      closeDate: `2027-0${(d % 9) + 1}-15`,
      companyId: `demo-c-${d % 40}`,
      personIds: [`demo-p-${d % 300}`],
      ownerId: 'u-1',
    },
  }));
}

/** Emails both ways, calls and notes with the demo's people (E1, E7, E9), dated over the last weeks. */
function demoActivities(people: { type: string; data: unknown }[]) {
  const emailOf = (p: number) =>
    (
      people.find((c) => c.type === 'person' && (c.data as { id: string }).id === `demo-p-${p}`)?.data as {
        email: string;
      }
    ).email;
  const day = (n: number) => new Date(Date.UTC(2026, 9, 1 + (n % 56), 9 + (n % 8))).toISOString();
  const out: { type: 'email' | 'call' | 'note'; op: 'upsert'; data: Record<string, unknown> }[] = [];
  for (let i = 0; i < 150; i++) {
    const p = (Math.floor(i / 3) * 11) % 300;
    const outgoing = i % 3 !== 2;
    out.push({
      type: 'email',
      op: 'upsert',
      data: {
        id: `demo-e-${i}`,
        workspaceId: DEMO,
        personId: `demo-p-${p}`,
        messageId: `<demo-${i}@demo-sales.example>`,
        // Every third email is the person's reply, in the thread of the two before it (E1: a reply to the app).
        threadId: `demo-thread-${Math.floor(i / 3)}`,
        direction: outgoing ? 'outgoing' : 'incoming',
        sentThroughApp: outgoing,
        from: outgoing ? 'sam@demo-sales.example' : emailOf(p),
        to: [outgoing ? emailOf(p) : 'sam@demo-sales.example'],
        subject: outgoing ? 'Following up on our call' : 'Re: Following up on our call',
        body: outgoing ? 'Hi, here is the deck we talked about.' : 'Thanks, we will review it this week.',
        sentAt: day(i),
        ownerId: 'u-1',
      },
    });
  }
  for (let i = 0; i < 60; i++)
    out.push({
      type: 'call',
      op: 'upsert',
      data: {
        id: `demo-call-${i}`,
        workspaceId: DEMO,
        personId: `demo-p-${(i * 13) % 300}`,
        direction: i % 4 === 0 ? 'inbound' : 'outbound',
        durationSeconds: 60 + ((i * 37) % 900),
        outcome: ['Connected', 'Left voicemail', 'No answer'][i % 3],
        calledAt: day(i + 3),
        ownerId: 'u-1',
      },
    });
  for (let i = 0; i < 30; i++)
    out.push({
      type: 'note',
      op: 'upsert',
      data: {
        id: `demo-n-${i}`,
        workspaceId: DEMO,
        personId: `demo-p-${(i * 17) % 300}`,
        title: 'Discovery notes',
        body: 'Budget approved for next quarter; wants a security review first.',
        createdAt: day(i + 5),
        ownerId: 'u-1',
      },
    });
  return out;
}

/** A CliError as the API's error: same words, a catalogue code instead of an exit code. */
function asApiError(err: unknown): unknown {
  if (!(err instanceof CliError)) return err;
  const code =
    err.exitCode === EXIT.usage
      ? 'INVALID_INPUT'
      : err.message.startsWith('Could not sign in')
        ? 'SALESFORCE_AUTH_FAILED'
        : 'SALESFORCE_UNAVAILABLE';
  return new CrmsyncError(code, { problem: err.message }, { message: err.message, cause: err });
}

/** The REST API's ports, served by the CLI's own code (connect and CSV import behave the same in both). */
export function serverPorts(rt: Pick<Runtime, 'config' | 'clock' | 'logger' | 'engine'>): {
  connector: SalesforceConnector;
  csv: CsvPlanner;
} {
  return {
    connector: {
      connect: (workspaceId, request) =>
        connectWorkspace(rt as Runtime, workspaceId, request).catch((err: unknown) =>
          Promise.reject(asApiError(err)),
        ),
    },
    csv: {
      async plan(kind, workspaceId, reader, file, fileName) {
        try {
          return await planImport(kind, workspaceId, reader, readCsv(kind, file, fileName));
        } catch (err) {
          throw asApiError(err);
        }
      },
    },
  };
}

/** A secret kept in DATA_DIR (mode 0600) so a restart prints the same one; created on first use. */
function keptSecret(file: string, create: () => Promise<string>): Promise<string> {
  if (existsSync(file)) return Promise.resolve(readFileSync(file, 'utf8').trim());
  return create().then((value) => {
    writeFileSync(file, `${value}\n`, { mode: 0o600 });
    return value;
  });
}

/** Starts the REST API on $PORT and prints its URL, then the admin key and the demo workspace's API key. */
async function startApi(rt: Runtime, demo: boolean): Promise<() => Promise<void>> {
  const adminKey =
    process.env.CRMSYNC_ADMIN_KEY ??
    (await keptSecret(
      join(rt.config.dataDir, 'admin.key'),
      async () => `csa.${randomBytes(24).toString('base64url')}`,
    ));
  const app = await buildServer({
    store: rt.opened.store,
    queue: rt.opened.queue,
    engine: rt.engine,
    clock: rt.clock,
    logger: rt.logger,
    adminKey,
    ...serverPorts(rt),
    // On PostgreSQL `crmsync worker` processes run push all; the API only queues it.
    pushAll: rt.config.database.kind === 'postgres' ? 'queued' : 'in-process',
    webhookTargets: { allowPrivate: rt.config.webhooksAllowPrivate },
  });
  await app.listen({ port: rt.config.port, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : rt.config.port}`;
  print(`crmsync UI: ${url}/ (sign in with one of the keys below)`);
  print(`crmsync API: ${url}/api/v1 (OpenAPI: ${url}/docs)`);
  print(`Admin key (signs in to every workspace; creates workspaces and API keys): ${adminKey}`);
  if (demo) {
    const file = join(rt.config.dataDir, 'demo-api-key');
    // The clear key is kept in DATA_DIR only for the demo; the store holds its hash.
    let key = existsSync(file) ? readFileSync(file, 'utf8').trim() : null;
    if (key === null || (await resolveApiKey(rt.opened.store, key)) === null) {
      key = (await issueApiKey(rt.opened.store, DEMO, 'demo')).key;
      writeFileSync(file, `${key}\n`, { mode: 0o600 });
    }
    print(`Demo workspace API key: ${key}`);
    print(`  curl -H "Authorization: Bearer ${key}" ${url}/api/v1/people?limit=5`);
  }
  return () => app.close();
}

export function serveCommands(program: Command, run: WithRuntime): void {
  program
    .command('serve')
    .description('run crmsync: the built-in emulator when no org is connected, and the workers')
    .option(
      '--demo',
      'create and connect the demo workspace on the built-in emulator (what `npm start` does)',
    )
    .option('--no-workers', 'serve the API only; run `crmsync worker` processes for the pushes and pulls')
    .action(
      run(
        async (rt, o: { demo?: boolean; workers: boolean }) => {
          const emulator = await ensureEmulator({
            dataDir: rt.config.dataDir,
            port: rt.config.emulatorPort,
            clock: rt.clock,
          });
          if (o.demo === true) await ensureDemo(rt);
          const closeApi = await startApi(rt, o.demo === true);
          print(`crmsync is running on ${rt.config.databaseLabel}`);
          print(
            `Built-in Salesforce emulator: ${emulator} (see what crmsync wrote: ${emulator}/__emulator/ui)`,
          );
          print('The CLI works too, from another terminal, e.g.:');
          print('  npx crmsync status --workspace demo');
          print('  npx crmsync log --workspace demo');
          print('  npx crmsync push-all --workspace demo --dry-run');
          const signal = stopSignal();
          if (o.workers) {
            print('Workers are pushing and pulling now. Ctrl-C stops them (queued work is kept).');
            await runWorkers(rt, signal);
          } else {
            print('No workers in this process (--no-workers): start `crmsync worker` to push and pull.');
            await new Promise<void>((ok) => signal.addEventListener('abort', () => ok(), { once: true }));
          }
          await closeApi();
        },
        { maintenance: true },
      ),
    );

  const emu = program
    .command('emulator')
    .description('the built-in Salesforce emulator used in embedded mode');
  emu
    .command('start')
    .description('start it (it keeps running in the background)')
    .action(
      run(async (rt) => {
        print(
          `Salesforce emulator running at ${await ensureEmulator({ dataDir: rt.config.dataDir, port: rt.config.emulatorPort, clock: rt.clock })}`,
        );
      }),
    );
  emu.command('stop').action(
    run(async (rt) => {
      let pid: number | null = null;
      try {
        pid = Number(readFileSync(join(rt.config.dataDir, 'emulator.pid'), 'utf8').trim()) || null;
      } catch {
        pid = null;
      }
      print(
        (await stopEmulator(`http://127.0.0.1:${rt.config.emulatorPort}`, pid))
          ? 'Stopped the emulator.'
          : 'The emulator was not running.',
      );
    }),
  );
}

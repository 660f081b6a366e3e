import { connectSalesforce } from '@crmsync/salesforce';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { createEmulatorOrg, ensureEmulator } from '../embedded-emulator.js';
import { EXIT } from '../exit-codes.js';
import { print, resolveWorkspace } from '../output.js';
import type { Runtime } from '../runtime.js';
import type { WithRuntime } from './types.js';

/** X4: the emulator org crmsync creates for a workspace carries the external-id field an admin would add. */
const EMULATOR_SCHEMA = {
  objects: [],
  extend: Object.fromEntries(
    ['Contact', 'Lead', 'Account', 'Opportunity', 'Task', 'Event'].map((object) => [
      object,
      {
        fields: [{ name: 'Crmsync_Id__c', type: 'string', length: 255, externalId: true, unique: true }],
        validationRules: [],
      },
    ]),
  ),
};

export interface ConnectOptions {
  workspace?: string;
  emulator?: boolean;
  loginUrl?: string;
  clientId?: string;
  clientSecret?: string;
  username?: string;
  password?: string;
  clientCredentials?: boolean;
  /** Tokens issued by the OAuth web-server flow (the REST API's Connect Salesforce sign-in). */
  tokens?: {
    loginUrl: string;
    instanceUrl: string;
    accessToken: string;
    refreshToken?: string;
    clientId: string;
    clientSecret?: string;
  };
}

/** Signs in once to learn the org and user, then saves the connection (L1 starts the window). */
export async function connectWorkspace(
  rt: Runtime,
  workspaceId: string,
  o: ConnectOptions,
): Promise<{ orgId: string; windowEndsAt: Date | null }> {
  let credentials: Record<string, string>;
  let loginUrl: string;
  if (o.tokens !== undefined) {
    loginUrl = o.tokens.loginUrl;
    credentials = { flow: 'token', ...o.tokens };
  } else if (o.emulator === true) {
    const base = await ensureEmulator({
      dataDir: rt.config.dataDir,
      port: rt.config.emulatorPort,
      clock: rt.clock,
    });
    const res = await fetch(`${base}/__emulator/orgs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: workspaceId, schema: EMULATOR_SCHEMA }),
    });
    if (!res.ok)
      throw new CliError(
        EXIT.salesforce,
        `The emulator refused to create an org: ${res.status} ${await res.text()}`,
      );
    const org = (await res.json()) as {
      loginUrl: string;
      clientId: string;
      clientSecret: string;
      username: string;
      password: string;
    };
    loginUrl = org.loginUrl;
    credentials = {
      flow: 'password',
      loginUrl,
      clientId: org.clientId,
      clientSecret: org.clientSecret,
      username: org.username,
      password: org.password,
    };
  } else {
    const needed: (keyof ConnectOptions)[] = [
      'loginUrl',
      'clientId',
      'clientSecret',
      ...(o.clientCredentials ? [] : (['username', 'password'] as const)),
    ];
    const missing = needed.filter((k) => o[k] === undefined);
    if (missing.length > 0) {
      throw new CliError(
        EXIT.usage,
        `To connect a Salesforce org give ${missing.map((m) => `--${m.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')} (or use --emulator for the built-in one).`,
      );
    }
    loginUrl = o.loginUrl!;
    credentials = o.clientCredentials
      ? { flow: 'client_credentials', loginUrl, clientId: o.clientId!, clientSecret: o.clientSecret! }
      : {
          flow: 'password',
          loginUrl,
          clientId: o.clientId!,
          clientSecret: o.clientSecret!,
          username: o.username!,
          password: o.password!,
        };
  }
  let signedIn: Record<string, string> = credentials;
  const crm = await connectSalesforce({
    credentials: credentials as never,
    clock: rt.clock,
    logger: rt.logger,
    onCredentials: (c) => {
      signedIn = Object.fromEntries(Object.entries(c).filter(([, v]) => typeof v === 'string')) as Record<
        string,
        string
      >;
    },
  }).catch((err: unknown) => {
    throw new CliError(
      EXIT.salesforce,
      `Could not sign in to Salesforce at ${loginUrl}: ${(err as Error).message}`,
    );
  });
  const identity = await crm.identity();
  const state = await rt.engine.connect(workspaceId, {
    orgId: identity.orgId,
    instanceUrl: identity.instanceUrl,
    loginUrl,
    credentials: { ...signedIn, instanceUrl: identity.instanceUrl },
    integrationUserId: identity.userId,
  });
  return { orgId: identity.orgId, windowEndsAt: state.windowEndsAt };
}

export function connectCommands(program: Command, run: WithRuntime): void {
  program
    .command('connect')
    .description('connect the workspace to Salesforce (a real org, or --emulator for the built-in one)')
    .option('--workspace <id>')
    .option('--emulator', 'use the built-in Salesforce emulator (a fresh org for this workspace)')
    .option(
      '--login-url <url>',
      'https://login.salesforce.com, https://test.salesforce.com or your My Domain',
    )
    .option('--client-id <id>', "the connected app's consumer key")
    .option('--client-secret <secret>', "the connected app's consumer secret")
    .option('--username <username>')
    .option('--password <password>', 'password with the security token appended if your org needs one')
    .option('--client-credentials', 'use the client-credentials flow (login URL must be your My Domain)')
    .action(
      run(async (rt, o: ConnectOptions) => {
        const id = await resolveWorkspace(rt, o.workspace);
        const { orgId, windowEndsAt } = await connectWorkspace(rt, id, o);
        print(`Connected workspace ${id} to Salesforce org ${orgId}.`);
        print(
          windowEndsAt === null
            ? 'Automatic sync is on.'
            : `Configuration window until ${windowEndsAt.toISOString()} (L1): edit settings now; automatic sync starts then, or run \`crmsync start-syncing-now\`.`,
        );
      }),
    );
}

import { CrmsyncError } from '@crmsync/core';
import { apiKeyOut, issueApiKey, registerWebhook, revokeKey, stopWebhook } from '@crmsync/server';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { EXIT } from '../exit-codes.js';
import { print, printJson, resolveWorkspace } from '../output.js';
import type { WithRuntime } from './types.js';

/*
 * What the host application's side of the REST API does, from the command line: API keys,
 * webhooks and their deliveries, and the O5 events. The same store functions as the API's routes,
 * so the answers and error codes are the same (NOT_FOUND for another workspace's id).
 */

const STATES = ['pending', 'delivered', 'failed'] as const;

function positive(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0)
    throw new CliError(EXIT.usage, `${name} must be a whole number, got "${text}".`);
  return n;
}

export function apiAccessCommands(program: Command, run: WithRuntime): void {
  const keys = program.command('api-keys').description("create, list and revoke a workspace's REST API keys");
  keys
    .command('create')
    .description('create an API key; it is printed once (only its hash is stored)')
    .requiredOption('--label <label>', 'who or what uses the key')
    .option('--workspace <id>')
    .action(
      run(async (rt, o: { label: string; workspace?: string }) => {
        const id = await resolveWorkspace(rt, o.workspace);
        const { key, record } = await issueApiKey(rt.opened.store, id, o.label);
        print(`Created API key ${record.id} (${record.label}) for workspace ${id}. It is shown only now:`);
        print(key);
      }),
    );
  keys
    .command('list')
    .description('list the keys: id, prefix, label, created, last used, revoked')
    .option('--workspace <id>')
    .option('--json', 'print JSON as GET /api/v1/api-keys answers')
    .action(
      run(async (rt, o: { workspace?: string; json?: boolean }) => {
        const id = await resolveWorkspace(rt, o.workspace);
        const items = (await rt.opened.store.workspace(id).apiKeys.list()).map(apiKeyOut);
        if (o.json === true) return printJson({ items });
        for (const k of items)
          print(
            [
              k.id,
              `${k.prefix}...`,
              k.label,
              `created ${k.createdAt}`,
              `last used ${k.lastUsedAt ?? 'never'}`,
              k.revokedAt === null ? 'active' : `revoked ${k.revokedAt}`,
            ].join('\t'),
          );
      }),
    );
  keys
    .command('revoke <keyId>')
    .description('revoke a key by its id (ak_...); it answers 401 from then on')
    .option('--workspace <id>')
    .action(
      run(async (rt, keyId: string, o: { workspace?: string }) => {
        const id = await resolveWorkspace(rt, o.workspace);
        const k = await revokeKey(rt.opened.store, id, keyId);
        print(`Revoked API key ${k.id} (${k.label}).`);
      }),
    );

  const hooks = program
    .command('webhooks')
    .description('send every event (O5) to a URL, signed with HMAC-SHA256');
  hooks
    .command('add <url>')
    .description('register a URL; its signing secret is printed once')
    .option('--workspace <id>')
    .action(
      run(async (rt, url: string, o: { workspace?: string }) => {
        const id = await resolveWorkspace(rt, o.workspace);
        const { webhook, secret } = await registerWebhook(rt.opened.store, id, url, {
          allowPrivate: rt.config.webhooksAllowPrivate,
        });
        print(`Registered webhook ${webhook.id} for ${webhook.url}; the workers deliver events from now on.`);
        print(`Signing secret (shown only now): ${secret}`);
      }),
    );
  hooks
    .command('list')
    .option('--workspace <id>')
    .action(
      run(async (rt, o: { workspace?: string }) => {
        const id = await resolveWorkspace(rt, o.workspace);
        for (const w of await rt.opened.store.workspace(id).webhooks.list())
          print(
            [w.id, w.url, w.disabledAt === null ? 'active' : `stopped ${w.disabledAt.toISOString()}`].join(
              '\t',
            ),
          );
      }),
    );
  hooks
    .command('remove <webhookId>')
    .description('stop a webhook; its deliveries stay listed')
    .option('--workspace <id>')
    .action(
      run(async (rt, webhookId: string, o: { workspace?: string }) => {
        const id = await resolveWorkspace(rt, o.workspace);
        await stopWebhook(rt.opened.store, id, webhookId);
        print(`Stopped webhook ${webhookId}.`);
      }),
    );
  hooks
    .command('deliveries <webhookId>')
    .description("a webhook's deliveries with every attempt, newest first")
    .option('--workspace <id>')
    .option('--state <state>', STATES.join(' | '))
    .option('--limit <n>', 'how many (default 50)')
    .action(
      run(async (rt, webhookId: string, o: { workspace?: string; state?: string; limit?: string }) => {
        const id = await resolveWorkspace(rt, o.workspace);
        if (o.state !== undefined && !(STATES as readonly string[]).includes(o.state))
          throw new CliError(EXIT.usage, `--state must be one of ${STATES.join(', ')}, got "${o.state}".`);
        const reader = rt.opened.store.workspace(id).webhooks;
        if ((await reader.get(webhookId)) === null)
          throw new CrmsyncError('NOT_FOUND', { resource: 'webhook', id: webhookId });
        const items = await reader.deliveries({
          webhookId,
          limit: positive(o.limit, '--limit', 50),
          ...(o.state === undefined ? {} : { state: o.state as (typeof STATES)[number] }),
        });
        for (const d of items) {
          print(
            `#${d.id}\tevent ${d.eventId} ${d.eventType}\t${d.state}\t${d.attempts.length} attempt(s)${d.lastError === null ? '' : `\t${d.lastError}`}`,
          );
        }
      }),
    );

  program
    .command('events')
    .description('events (O5) after a cursor, oldest first, as GET /api/v1/events')
    .option('--workspace <id>')
    .option('--after <id>', 'the last event id already seen (default 0)')
    .option('--limit <n>', 'how many (default 100)')
    .action(
      run(async (rt, o: { workspace?: string; after?: string; limit?: string }) => {
        const id = await resolveWorkspace(rt, o.workspace);
        const after = positive(o.after, '--after', 0);
        const events = await rt.opened.store
          .workspace(id)
          .events.listAfter(after, positive(o.limit, '--limit', 100));
        printJson({
          items: events.map((e) => ({ ...e, at: e.at.toISOString() })),
          next: events.at(-1)?.id ?? after,
        });
      }),
    );
}

import { randomBytes } from 'node:crypto';
import { CrmsyncError, type Store, type Webhook } from '@crmsync/core';
import { z } from 'zod';
import {
  checkWebhookTarget,
  DENY_PRIVATE,
  WebhookTargetRefused,
  type WebhookTargetPolicy,
} from './target-guard.js';

/** Registering and stopping webhooks: one implementation for the REST API and the CLI. */

export const WebhookUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
  .max(2000)
  .describe('Receives a POST per event; answer 2xx within 10 s');

/**
 * Creates a webhook that receives the events from now on; the secret is returned once. Throws
 * INVALID_INPUT for a URL that is not http(s) or that leads into crmsync's own network (unless
 * `targets` allows private addresses).
 */
export async function registerWebhook(
  store: Store,
  workspaceId: string,
  url: string,
  targets: WebhookTargetPolicy = DENY_PRIVATE,
): Promise<{ webhook: Webhook; secret: string }> {
  const parsed = WebhookUrl.safeParse(url);
  if (!parsed.success)
    throw new CrmsyncError('INVALID_INPUT', {
      problem: `the webhook URL ${JSON.stringify(url)} ${parsed.error.issues[0]?.message ?? 'is not valid'}`,
    });
  try {
    await checkWebhookTarget(parsed.data, targets);
  } catch (err) {
    if (!(err instanceof WebhookTargetRefused)) throw err;
    throw new CrmsyncError('INVALID_INPUT', { problem: err.message, url: parsed.data, address: err.address });
  }
  const secret = `whsec_${randomBytes(24).toString('base64url')}`;
  const webhook = await store.transaction(workspaceId, (tx) =>
    tx.webhooks.create({ id: `wh_${randomBytes(8).toString('hex')}`, url: parsed.data, secret }),
  );
  return { webhook, secret };
}

/** Stops a webhook of the workspace (its deliveries stay listed); NOT_FOUND when it is not one. */
export async function stopWebhook(store: Store, workspaceId: string, id: string): Promise<Webhook> {
  const exists = await store.workspace(workspaceId).webhooks.get(id);
  if (exists === null) throw new CrmsyncError('NOT_FOUND', { resource: 'webhook', id });
  await store.transaction(workspaceId, (tx) => tx.webhooks.disable(id));
  return (await store.workspace(workspaceId).webhooks.get(id))!;
}

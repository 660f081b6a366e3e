import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Clock, Logger, Store, StoredEvent, WebhookDelivery } from '@crmsync/core';
import { signWebhook, SIGNATURE_HEADER } from './signature.js';
import {
  DENY_PRIVATE,
  guardedLookup,
  literalTargetRefusal,
  WebhookTargetRefused,
  type WebhookTargetPolicy,
} from './target-guard.js';

/*
 * Delivers O5 events to the workspace's webhooks. Runs in the workers (`crmsync serve`,
 * `crmsync worker`), never in a request: each round first gives every enabled webhook a pending
 * delivery per new event (one transaction per webhook, cursor moved with the rows), then sends
 * the due ones. A delivery is claimed before it is sent so two workers never send it at once;
 * a receiver that fails or does not answer is retried with backoff and, after the last attempt,
 * the delivery is marked failed with the reason, visible through the deliveries route.
 * Deliveries are at least once and not ordered (a retried one arrives after later events): each
 * carries its event id, and `GET /api/v1/events` gives the order. A URL that is, or resolves to,
 * an internal address is refused at each delivery (see target-guard.ts): that delivery is marked
 * failed at once with the reason, nothing sent.
 */

export interface WebhookDispatcherOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** Attempts before a delivery is marked failed (default 6). */
  maxAttempts?: number;
  /** Wait after the n-th failed attempt (1-based), ms (default 30 s doubling, at most 1 hour). */
  backoffMs?: (attempt: number) => number;
  /** How long a receiver may take to answer (default 10 s). */
  timeoutMs?: number;
  /** Deliveries sent per workspace and round (default 50). */
  batch?: number;
  /** Which addresses receivers may have (default: public ones only). */
  targets?: WebhookTargetPolicy;
}

export interface DeliveryRound {
  enqueued: number;
  delivered: number;
  retrying: number;
  failed: number;
}

export interface WebhookDispatcher {
  /** One round for one workspace. Never throws for a receiver's failure; store failures propagate. */
  run(workspaceId: string): Promise<DeliveryRound>;
}

const defaultBackoffMs = (attempt: number): number => Math.min(30_000 * 2 ** (attempt - 1), 3_600_000);

/** The JSON a receiver gets: the event as `GET /events` shows it, plus its workspace. */
function webhookBody(workspaceId: string, event: StoredEvent): string {
  return JSON.stringify({
    id: event.id,
    type: event.type,
    at: event.at.toISOString(),
    workspaceId,
    data: event.data,
  });
}

type PostOutcome =
  | { kind: 'answered'; status: number }
  | { kind: 'no-answer'; error: string }
  /** The URL leads into crmsync's own network: nothing was sent, and retrying would not help. */
  | { kind: 'refused'; error: string };

/**
 * One POST, on a connection of its own (no pool shared with other code, so no socket connected
 * without the guard is reused) that connects only to addresses the guard checked. Redirects are
 * never followed: a 3xx is an answer that is not 2xx.
 */
function post(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  targets: WebhookTargetPolicy,
): Promise<PostOutcome> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve({ kind: 'refused', error: `the webhook URL ${url} is not a valid URL` });
  }
  const literal = literalTargetRefusal(target, targets);
  if (literal !== null) return Promise.resolve({ kind: 'refused', error: literal.message });
  const signal = AbortSignal.timeout(timeoutMs);
  return new Promise((resolve) => {
    const request = (target.protocol === 'https:' ? httpsRequest : httpRequest)(
      target,
      {
        method: 'POST',
        agent: false,
        lookup: guardedLookup(url, targets),
        signal,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'crmsync-webhooks/1',
          ...headers,
        },
      },
      (res) => {
        // Only the status matters; the body is not read.
        res.destroy();
        resolve({ kind: 'answered', status: res.statusCode ?? 0 });
      },
    );
    request.on('error', (err: NodeJS.ErrnoException) => {
      if (err instanceof WebhookTargetRefused) resolve({ kind: 'refused', error: err.message });
      else if (signal.aborted)
        resolve({
          kind: 'no-answer',
          error: `the URL did not answer within ${Math.round(timeoutMs / 1000)} s`,
        });
      else resolve({ kind: 'no-answer', error: `the URL did not answer (${err.code ?? err.message})` });
    });
    request.end(body);
  });
}

/** What an attempt leaves: the delivery's next state, and the attempt's status and error. */
function settle(
  answer: PostOutcome,
  attempt: number,
  maxAttempts: number,
  url: string,
): { state: 'delivered' | 'pending' | 'failed'; status: number | null; error: string | null } {
  if (answer.kind === 'refused') return { state: 'failed', status: null, error: `not sent: ${answer.error}` };
  const status = answer.kind === 'answered' ? answer.status : null;
  if (status !== null && status >= 200 && status < 300) return { state: 'delivered', status, error: null };
  const why = answer.kind === 'answered' ? `the receiver answered HTTP ${status}, not 2xx` : answer.error;
  if (attempt < maxAttempts) return { state: 'pending', status, error: why };
  return {
    state: 'failed',
    status,
    error: `gave up after ${attempt} attempts: ${why}. Check that ${url} is reachable from crmsync and answers 2xx; the event stays readable through GET /api/v1/events.`,
  };
}

export function createWebhookDispatcher(o: WebhookDispatcherOptions): WebhookDispatcher {
  const maxAttempts = o.maxAttempts ?? 6;
  const backoff = o.backoffMs ?? defaultBackoffMs;
  const timeoutMs = o.timeoutMs ?? 10_000;
  const batch = o.batch ?? 50;
  const targets = o.targets ?? DENY_PRIVATE;

  async function enqueueNew(workspaceId: string): Promise<number> {
    let enqueued = 0;
    const reader = o.store.workspace(workspaceId);
    for (const hook of await reader.webhooks.list()) {
      if (hook.disabledAt !== null) continue;
      const events = await reader.events.listAfter(hook.eventCursor, 500);
      if (events.length === 0) continue;
      await o.store.transaction(workspaceId, (tx) =>
        tx.webhooks.enqueue(
          hook.id,
          events.map((e) => ({ id: e.id, type: e.type })),
        ),
      );
      enqueued += events.length;
    }
    return enqueued;
  }

  async function deliver(
    workspaceId: string,
    d: WebhookDelivery,
  ): Promise<'delivered' | 'pending' | 'failed' | null> {
    const now = o.clock.now();
    // The claim outlives the POST, so a worker that dies mid-send leaves it due again later.
    const claimed = await o.store.transaction(workspaceId, (tx) =>
      tx.webhooks.claim(d.id, new Date(now.getTime() + timeoutMs + 60_000)),
    );
    if (!claimed) return null;
    const reader = o.store.workspace(workspaceId);
    const [hook, [event]] = await Promise.all([
      reader.webhooks.get(d.webhookId),
      reader.events.listAfter(d.eventId - 1, 1),
    ]);
    if (hook === null || event === undefined || event.id !== d.eventId) {
      await o.store.transaction(workspaceId, (tx) =>
        tx.webhooks.recordAttempt(
          d.id,
          { at: now, status: null, error: 'the event is no longer stored (purged); nothing was sent' },
          { state: 'failed', nextAttemptAt: null },
        ),
      );
      return 'failed';
    }
    const body = webhookBody(workspaceId, event);
    const sentAt = o.clock.now();
    const answer = await post(
      hook.url,
      body,
      {
        [SIGNATURE_HEADER]: signWebhook(hook.secret, sentAt, body),
        'crmsync-event-id': String(event.id),
        'crmsync-delivery-id': String(d.id),
      },
      timeoutMs,
      targets,
    );
    const attempt = d.attempts.length + 1;
    const { state, status, error } = settle(answer, attempt, maxAttempts, hook.url);
    const at = o.clock.now();
    await o.store.transaction(workspaceId, (tx) =>
      tx.webhooks.recordAttempt(
        d.id,
        { at, status, error },
        { state, nextAttemptAt: state === 'pending' ? new Date(at.getTime() + backoff(attempt)) : null },
      ),
    );
    if (state === 'failed')
      o.logger.warn({ workspaceId, webhookId: hook.id, deliveryId: d.id, error }, 'webhook delivery failed');
    return state;
  }

  return {
    async run(workspaceId) {
      const round: DeliveryRound = {
        enqueued: await enqueueNew(workspaceId),
        delivered: 0,
        retrying: 0,
        failed: 0,
      };
      const due = await o.store.workspace(workspaceId).webhooks.due(o.clock.now(), batch);
      for (const d of due) {
        const outcome = await deliver(workspaceId, d);
        if (outcome === 'delivered') round.delivered++;
        else if (outcome === 'pending') round.retrying++;
        else if (outcome === 'failed') round.failed++;
      }
      return round;
    },
  };
}

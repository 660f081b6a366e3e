import type { Webhook, WebhookAttempt, WebhookDelivery, WebhookReader, WebhookWriter } from '@crmsync/core';
import type { Selectable } from 'kysely';
import { parseJsonColumn, toDate, toNumber, toText } from '../codec.js';
import type { WebhookDeliveriesTable, WebhooksTable } from '../schema.js';
import type { RepositoryContext } from './context.js';

const DEFAULT_PAGE = 100;

function toWebhook(ctx: RepositoryContext, row: Selectable<WebhooksTable>): Webhook {
  return {
    id: row.id,
    url: row.url,
    secret: ctx.secrets.open(row.secret),
    createdAt: toDate(row.created_at),
    eventCursor: toNumber(row.event_cursor),
    disabledAt: toDate(row.disabled_at),
  };
}

function toDelivery(row: Selectable<WebhookDeliveriesTable>): WebhookDelivery {
  const attempts = parseJsonColumn(row.attempts, `webhook delivery ${row.id}`) as {
    at: string;
    status: number | null;
    error: string | null;
  }[];
  return {
    id: toNumber(row.id),
    webhookId: row.webhook_id,
    eventId: toNumber(row.event_id),
    eventType: row.event_type,
    state: row.state as WebhookDelivery['state'],
    attempts: attempts.map((a) => ({ at: new Date(a.at), status: a.status, error: a.error })),
    nextAttemptAt: toDate(row.next_attempt_at),
    lastError: row.last_error,
    createdAt: toDate(row.created_at),
  };
}

export function webhookReader(ctx: RepositoryContext): WebhookReader {
  const { db, workspaceId } = ctx;
  const hooks = () => db.selectFrom('webhooks').selectAll().where('workspace_id', '=', workspaceId);
  const deliveries = () =>
    db.selectFrom('webhook_deliveries').selectAll().where('workspace_id', '=', workspaceId);
  return {
    async get(id) {
      const row = await hooks().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : toWebhook(ctx, row);
    },
    async list() {
      return (await hooks().orderBy('created_at').orderBy('id').execute()).map((r) => toWebhook(ctx, r));
    },
    async deliveries(filter = {}) {
      let q = deliveries();
      if (filter.webhookId !== undefined) q = q.where('webhook_id', '=', filter.webhookId);
      if (filter.state !== undefined) q = q.where('state', '=', filter.state);
      if (filter.beforeId !== undefined) q = q.where('id', '<', filter.beforeId);
      const rows = await q
        .orderBy('id', 'desc')
        .limit(Math.max(1, filter.limit ?? DEFAULT_PAGE))
        .execute();
      return rows.map(toDelivery);
    },
    async due(now, limit = DEFAULT_PAGE) {
      const enabled = db
        .selectFrom('webhooks')
        .select('id')
        .where('workspace_id', '=', workspaceId)
        .where('disabled_at', 'is', null);
      const rows = await deliveries()
        .where('state', '=', 'pending')
        .where('next_attempt_at', '<=', toText(now))
        .where('webhook_id', 'in', enabled)
        .orderBy('id')
        .limit(Math.max(1, limit))
        .execute();
      return rows.map(toDelivery);
    },
  };
}

export function webhookWriter(ctx: RepositoryContext): WebhookWriter {
  const { db, workspaceId } = ctx;
  return {
    ...webhookReader(ctx),
    async create(webhook) {
      const newest = await db
        .selectFrom('events')
        .select((eb) => eb.fn.max('id').as('id'))
        .where('workspace_id', '=', workspaceId)
        .executeTakeFirst();
      const row = {
        workspace_id: workspaceId,
        id: webhook.id,
        url: webhook.url,
        secret: ctx.secrets.seal(webhook.secret),
        created_at: toText(ctx.now()),
        event_cursor: newest?.id === null || newest?.id === undefined ? 0 : toNumber(newest.id),
        disabled_at: null,
      };
      await db.insertInto('webhooks').values(row).execute();
      return toWebhook(ctx, row);
    },
    async disable(id) {
      const result = await db
        .updateTable('webhooks')
        .set({ disabled_at: toText(ctx.now()) })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', id)
        .where('disabled_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async enqueue(webhookId, events) {
      if (events.length === 0) return;
      const now = toText(ctx.now());
      await db
        .insertInto('webhook_deliveries')
        .values(
          events.map((e) => ({
            workspace_id: workspaceId,
            webhook_id: webhookId,
            event_id: e.id,
            event_type: e.type,
            state: 'pending',
            attempts: '[]',
            next_attempt_at: now,
            last_error: null,
            created_at: now,
            updated_at: now,
          })),
        )
        .onConflict((oc) => oc.columns(['workspace_id', 'webhook_id', 'event_id']).doNothing())
        .execute();
      // Never backwards: a second worker that read an older page cannot undo a newer cursor.
      const last = Math.max(...events.map((e) => e.id));
      await db
        .updateTable('webhooks')
        .set({ event_cursor: last })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', webhookId)
        .where('event_cursor', '<', last)
        .execute();
    },
    async claim(deliveryId, until) {
      const result = await db
        .updateTable('webhook_deliveries')
        .set({ next_attempt_at: toText(until), updated_at: toText(ctx.now()) })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', deliveryId)
        .where('state', '=', 'pending')
        .where('next_attempt_at', '<=', toText(ctx.now()))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async recordAttempt(deliveryId, attempt: WebhookAttempt, outcome) {
      const row = await db
        .selectFrom('webhook_deliveries')
        .select('attempts')
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', deliveryId)
        .executeTakeFirst();
      if (row === undefined) return;
      const attempts = parseJsonColumn(row.attempts, `webhook delivery ${deliveryId}`) as unknown[];
      attempts.push({ at: attempt.at.toISOString(), status: attempt.status, error: attempt.error });
      await db
        .updateTable('webhook_deliveries')
        .set({
          attempts: JSON.stringify(attempts),
          state: outcome.state,
          next_attempt_at: outcome.nextAttemptAt === null ? null : toText(outcome.nextAttemptAt),
          last_error: attempt.error,
          updated_at: toText(ctx.now()),
        })
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', deliveryId)
        .execute();
    },
  };
}

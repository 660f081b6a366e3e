import type { Connection, ConnectionReader, ConnectionState, ConnectionWriter } from '@crmsync/core';
import { parseJsonColumn, toDate, toText } from '../codec.js';
import { StoreError } from '../errors.js';
import type { RepositoryContext } from './context.js';

/** Credentials are a flat map of strings (tokens, client id and secret). */
function asCredentials(value: unknown): Record<string, string> | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const entries = Object.entries(value);
  return entries.every(([, v]) => typeof v === 'string')
    ? (Object.fromEntries(entries) as Record<string, string>)
    : null;
}
const STATES: readonly ConnectionState[] = ['configuring', 'active', 'paused', 'disconnected'];

function toState(value: string): ConnectionState {
  const state = STATES.find((s) => s === value);
  if (state === undefined)
    throw new StoreError(
      'corrupt_document',
      `The stored connection state ${JSON.stringify(value)} is unknown; reconnect the workspace.`,
    );
  return state;
}

/** Credentials are sealed with the store's key before they reach SQL and opened only here, on read. */
export function connectionReader(ctx: RepositoryContext): ConnectionReader {
  const { db, workspaceId } = ctx;
  return {
    async get() {
      const row = await db
        .selectFrom('connections')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .executeTakeFirst();
      if (row === undefined) return null;
      const credentials = asCredentials(
        parseJsonColumn(ctx.secrets.open(row.credentials), 'Salesforce credentials'),
      );
      if (credentials === null)
        throw new StoreError(
          'corrupt_document',
          'The stored Salesforce credentials are not valid; reconnect the workspace.',
        );
      return {
        orgId: row.org_id,
        instanceUrl: row.instance_url,
        loginUrl: row.login_url,
        credentials,
        integrationUserId: row.integration_user_id,
        state: toState(row.state),
        windowEndsAt: toDate(row.window_ends_at),
        connectedAt: new Date(row.connected_at),
      } satisfies Connection;
    },
  };
}

export function connectionWriter(ctx: RepositoryContext): ConnectionWriter {
  const { db, workspaceId } = ctx;
  const update = async (values: { state?: string; window_ends_at?: string | null; credentials?: string }) => {
    const result = await db
      .updateTable('connections')
      .set(values)
      .where('workspace_id', '=', workspaceId)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  };
  return {
    ...connectionReader(ctx),
    async put(connection) {
      const values = {
        org_id: connection.orgId,
        instance_url: connection.instanceUrl,
        login_url: connection.loginUrl,
        credentials: ctx.secrets.seal(JSON.stringify(connection.credentials)),
        integration_user_id: connection.integrationUserId,
        state: connection.state,
        window_ends_at: connection.windowEndsAt === null ? null : toText(connection.windowEndsAt),
        connected_at: toText(connection.connectedAt),
      };
      await db
        .insertInto('connections')
        .values({ workspace_id: workspaceId, ...values })
        .onConflict((oc) => oc.column('workspace_id').doUpdateSet(values))
        .execute();
    },
    async updateState(state, changes = {}) {
      return update({
        state,
        ...(changes.windowEndsAt === undefined
          ? {}
          : { window_ends_at: changes.windowEndsAt === null ? null : toText(changes.windowEndsAt) }),
      });
    },
    async updateCredentials(credentials) {
      return update({ credentials: ctx.secrets.seal(JSON.stringify(credentials)) });
    },
  };
}

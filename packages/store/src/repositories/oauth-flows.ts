import type { OAuthFlowWriter } from '@crmsync/core';
import { parseJsonColumn, toText } from '../codec.js';
import type { RepositoryContext } from './context.js';

/** Pending OAuth sign-ins: sealed at rest, consumed by a delete so two callbacks cannot both take one. */
export function oauthFlowWriter(ctx: RepositoryContext): OAuthFlowWriter {
  const { db, workspaceId } = ctx;
  return {
    async put(stateHash, flow, expiresAt) {
      const now = toText(ctx.now());
      await db
        .deleteFrom('oauth_flows')
        .where('workspace_id', '=', workspaceId)
        .where('expires_at', '<', now)
        .execute();
      await db
        .insertInto('oauth_flows')
        .values({
          workspace_id: workspaceId,
          state_hash: stateHash,
          sealed: ctx.secrets.seal(JSON.stringify(flow)),
          expires_at: toText(expiresAt),
        })
        .execute();
    },
    async take(stateHash) {
      // DELETE ... RETURNING: of two concurrent takes, only one gets the row (SQLite and Postgres).
      const row = await db
        .deleteFrom('oauth_flows')
        .where('workspace_id', '=', workspaceId)
        .where('state_hash', '=', stateHash)
        .returning(['sealed', 'expires_at'])
        .executeTakeFirst();
      if (row === undefined || row.expires_at < toText(ctx.now())) return null;
      return parseJsonColumn(ctx.secrets.open(row.sealed), 'oauth flow') as Record<string, unknown>;
    },
  };
}

import {
  defaultSettings,
  parseSettings,
  type Settings,
  type SettingsReader,
  type SettingsWriter,
} from '@crmsync/core';
import { parseJsonColumn, toText } from '../codec.js';
import { StoreError } from '../errors.js';
import type { RepositoryContext } from './context.js';

/** Stored documents go through `parseSettings`, so a document saved by an older release is upgraded on read. */
function toSettings(text: string, what: string): Settings {
  const parsed = parseSettings(parseJsonColumn(text, what));
  if (!parsed.ok) {
    const first = parsed.problems[0];
    throw new StoreError(
      'corrupt_document',
      `The stored ${what} is not valid (${first === undefined ? 'unknown problem' : `${first.path}: ${first.message}`}); save the settings again with \`crmsync settings set\`.`,
    );
  }
  return parsed.settings;
}

export function settingsReader(ctx: RepositoryContext): SettingsReader {
  const { db, workspaceId } = ctx;
  return {
    async get() {
      const row = await db
        .selectFrom('settings')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .executeTakeFirst();
      if (row === undefined)
        return { settings: defaultSettings(), version: 0, updatedAt: null, updatedBy: null };
      return {
        settings: toSettings(row.document, 'settings'),
        version: row.version,
        updatedAt: new Date(row.updated_at),
        updatedBy: row.updated_by,
      };
    },
    async history(limit = 50) {
      const rows = await db
        .selectFrom('settings_history')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .orderBy('version', 'desc')
        .limit(Math.max(1, limit))
        .execute();
      return rows.map((row) => ({
        version: row.version,
        at: new Date(row.at),
        by: row.by,
        before:
          row.before_document === null
            ? null
            : toSettings(row.before_document, `settings before version ${row.version}`),
        after: toSettings(row.after_document, `settings of version ${row.version}`),
      }));
    },
  };
}

export function settingsWriter(ctx: RepositoryContext): SettingsWriter {
  const { db, workspaceId } = ctx;
  const history = (version: number, before: string | null, after: string, at: string, by: string) =>
    db
      .insertInto('settings_history')
      .values({ workspace_id: workspaceId, version, at, by, before_document: before, after_document: after })
      .execute();
  return {
    ...settingsReader(ctx),
    async put(settings, by) {
      const at = toText(ctx.now());
      const document = JSON.stringify(settings);
      // Bump the version first: on Postgres that UPDATE row-locks the settings until commit, so
      // concurrent saves queue up and each gets its own version and the true "before" document
      // (the UPDATE leaves `document` as it was, so RETURNING gives the old one on both dialects).
      for (;;) {
        const bumped = await db
          .updateTable('settings')
          .set((eb) => ({ version: eb(eb.ref('version'), '+', 1), updated_at: at, updated_by: by }))
          .where('workspace_id', '=', workspaceId)
          .returning(['version', 'document'])
          .executeTakeFirst();
        if (bumped !== undefined) {
          await db
            .updateTable('settings')
            .set({ document })
            .where('workspace_id', '=', workspaceId)
            .execute();
          await history(bumped.version, bumped.document, document, at, by);
          return bumped.version;
        }
        // First save. Another transaction may make its first save at the same moment: the loser
        // inserts nothing and goes round again to take the next version.
        const inserted = await db
          .insertInto('settings')
          .values({ workspace_id: workspaceId, document, version: 1, updated_at: at, updated_by: by })
          .onConflict((oc) => oc.column('workspace_id').doNothing())
          .returning('version')
          .executeTakeFirst();
        if (inserted !== undefined) {
          await history(1, null, document, at, by);
          return 1;
        }
      }
    },
  };
}

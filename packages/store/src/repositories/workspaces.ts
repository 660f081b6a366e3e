import { Workspace, type WorkspaceAdmin } from '@crmsync/core';
import type { Kysely } from 'kysely';
import { parseJsonColumn, toText } from '../codec.js';
import { StoreError } from '../errors.js';
import type { Database } from '../schema.js';

export interface WorkspaceAdminDeps {
  db: Kysely<Database>;
  /** Runs a write on the store's serialised write path. */
  write: <T>(work: (db: Kysely<Database>, now: Date) => Promise<T>) => Promise<T>;
}

function toWorkspace(document: string, id: string): Workspace {
  const parsed = Workspace.safeParse(parseJsonColumn(document, `workspace ${id}`));
  if (!parsed.success)
    throw new StoreError('corrupt_document', `The stored workspace ${id} is not valid; save it again.`, {
      cause: parsed.error,
    });
  return parsed.data;
}

/** The admin's view: the only repository that is not bound to one workspace. */
export function workspaceAdmin({ db, write }: WorkspaceAdminDeps): WorkspaceAdmin {
  return {
    async create(input) {
      const workspace = Workspace.parse(input);
      return write(async (tx, now) => {
        // ON CONFLICT, not a read first: two processes creating one id at once get one row and one refusal.
        const inserted = await tx
          .insertInto('workspaces')
          .values({
            workspace_id: workspace.id,
            name: workspace.name,
            document: JSON.stringify(workspace),
            created_at: toText(now),
          })
          .onConflict((oc) => oc.column('workspace_id').doNothing())
          .returning('workspace_id')
          .executeTakeFirst();
        if (inserted === undefined)
          throw new StoreError(
            'workspace_exists',
            `A workspace with id ${JSON.stringify(workspace.id)} already exists; pick another id.`,
          );
        return workspace;
      });
    },
    async update(input) {
      const workspace = Workspace.parse(input);
      return write(async (tx) => {
        const result = await tx
          .updateTable('workspaces')
          .set({ name: workspace.name, document: JSON.stringify(workspace) })
          .where('workspace_id', '=', workspace.id)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0)
          throw new StoreError(
            'workspace_not_found',
            `There is no workspace ${JSON.stringify(workspace.id)}; create it first.`,
          );
        return workspace;
      });
    },
    async get(workspaceId) {
      const row = await db
        .selectFrom('workspaces')
        .select('document')
        .where('workspace_id', '=', workspaceId)
        .executeTakeFirst();
      return row === undefined ? null : toWorkspace(row.document, workspaceId);
    },
    async list() {
      const rows = await db
        .selectFrom('workspaces')
        .select(['workspace_id', 'document'])
        .orderBy('workspace_id')
        .execute();
      return rows.map((row) => toWorkspace(row.document, row.workspace_id));
    },
  };
}

import {
  Call,
  Company,
  Deal,
  Email,
  Meeting,
  MeetingSummary,
  Note,
  Person,
  Task,
  type LocalObjectType,
  type Page,
  type RecordDocuments,
  type RecordListFilter,
  type RecordReader,
  type RecordWriter,
  type StoredRecord,
} from '@crmsync/core';
import type { Selectable } from 'kysely';
import { parseJsonColumn, toDate, toText } from '../codec.js';
import { StoreError } from '../errors.js';
import type { RecordsTable } from '../schema.js';
import { domainKey, emailKey, nameKey, searchKeysOf } from '../search-keys.js';
import { chunks, type RepositoryContext } from './context.js';

/** The core schema each stored document is parsed with on the way out (parse at the edge). */
const SCHEMAS: {
  [T in LocalObjectType]: {
    safeParse(
      input: unknown,
    ): { success: true; data: RecordDocuments[T] } | { success: false; error: unknown };
  };
} = {
  person: Person,
  company: Company,
  deal: Deal,
  email: Email,
  note: Note,
  task: Task,
  call: Call,
  meeting: Meeting,
  meeting_summary: MeetingSummary,
};

const DEFAULT_PAGE = 100;

// Searches sort in memory (few rows): an ORDER BY id would lead SQLite's planner to walk the
// primary key over every record of the type instead of using the search-key index.
const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function toRecord<T extends LocalObjectType>(type: T, row: Selectable<RecordsTable>): StoredRecord<T> {
  const parsed = SCHEMAS[type].safeParse(parseJsonColumn(row.document, `${type} ${row.id}`));
  if (!parsed.success) {
    throw new StoreError(
      'corrupt_document',
      `The stored ${type} ${row.id} no longer matches the ${type} schema; re-import it or restore a backup.`,
      {
        cause: parsed.error,
      },
    );
  }
  return {
    type,
    id: row.id,
    externalId: row.external_id,
    data: parsed.data,
    version: row.version,
    updatedAt: new Date(row.updated_at),
    deletedAt: toDate(row.deleted_at),
  };
}

export function recordReader(ctx: RepositoryContext): RecordReader {
  const { db, workspaceId } = ctx;
  const base = () => db.selectFrom('records').selectAll().where('workspace_id', '=', workspaceId);

  return {
    async get(type, id) {
      const row = await base().where('type', '=', type).where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : toRecord(type, row);
    },
    async getMany(type, ids) {
      const out = [];
      for (const part of chunks([...new Set(ids)])) {
        const rows = await base().where('type', '=', type).where('id', 'in', part).execute();
        out.push(...rows.map((row) => toRecord(type, row)));
      }
      return out;
    },
    async findByExternalId(type, externalId) {
      const row = await base()
        .where('type', '=', type)
        .where('external_id', '=', externalId)
        .executeTakeFirst();
      return row === undefined ? null : toRecord(type, row);
    },
    async list<T extends LocalObjectType>(filter: RecordListFilter<T>): Promise<Page<StoredRecord<T>>> {
      const limit = Math.max(1, filter.limit ?? DEFAULT_PAGE);
      let query = base().where('type', '=', filter.type);
      if (filter.includeDeleted !== true) query = query.where('deleted_at', 'is', null);
      if (filter.updatedAfter !== undefined)
        query = query.where('updated_at', '>', toText(filter.updatedAfter));
      if (filter.cursor !== undefined && filter.cursor !== null)
        query = query.where('id', '>', filter.cursor);
      const rows = await query
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map((row) => toRecord(filter.type, row)),
        nextCursor: rows.length > limit && last !== undefined ? last.id : null,
      };
    },
    async findPeopleByEmail(email) {
      const key = emailKey(email);
      if (key === null) return [];
      const rows = await base()
        .where('email_key', '=', key)
        .where('type', '=', 'person')
        .where('deleted_at', 'is', null)
        .execute();
      return rows.map((row) => toRecord('person', row)).sort(byId);
    },
    async findPeopleByEmails(emails) {
      const keys = [...new Set(emails.flatMap((e) => emailKey(e) ?? []))];
      const out = new Map<string, StoredRecord<'person'>[]>();
      for (const chunk of chunks(keys)) {
        const rows = await base()
          .where('email_key', 'in', chunk)
          .where('type', '=', 'person')
          .where('deleted_at', 'is', null)
          .execute();
        for (const row of rows) {
          const key = row.email_key!;
          out.set(key, [...(out.get(key) ?? []), toRecord('person', row)]);
        }
      }
      for (const list of out.values()) list.sort(byId);
      return out;
    },
    async findCompaniesByName(name) {
      const key = nameKey(name);
      if (key === null) return [];
      const rows = await base()
        .where('name_key', '=', key)
        .where('type', '=', 'company')
        .where('deleted_at', 'is', null)
        .execute();
      return rows.map((row) => toRecord('company', row)).sort(byId);
    },
    async findCompaniesByDomain(domainOrUrl) {
      const key = domainKey(domainOrUrl);
      if (key === null) return [];
      const rows = await base()
        .where('domain_key', '=', key)
        .where('type', '=', 'company')
        .where('deleted_at', 'is', null)
        .execute();
      return rows.map((row) => toRecord('company', row)).sort(byId);
    },
  };
}

export function recordWriter(ctx: RepositoryContext): RecordWriter {
  const { db, workspaceId } = ctx;
  return {
    ...recordReader(ctx),
    async upsert(type, data) {
      if (data.workspaceId !== workspaceId) {
        throw new StoreError(
          'workspace_mismatch',
          `The ${type} ${data.id} belongs to workspace ${data.workspaceId} but was written through workspace ${workspaceId}; write it through its own workspace.`,
        );
      }
      if (data.externalId !== null) {
        const holder = await db
          .selectFrom('records')
          .select('id')
          .where('workspace_id', '=', workspaceId)
          .where('type', '=', type)
          .where('external_id', '=', data.externalId)
          .where('id', '!=', data.id)
          .executeTakeFirst();
        if (holder !== undefined) {
          throw new StoreError(
            'external_id_taken',
            `The external id ${JSON.stringify(data.externalId)} already belongs to ${type} ${holder.id} in this workspace; use another external id or update ${holder.id}.`,
          );
        }
      }
      const now = toText(ctx.now());
      const values = {
        document: JSON.stringify(data),
        external_id: data.externalId,
        ...searchKeysOf(type, data as unknown as Record<string, unknown>),
        updated_at: now,
        deleted_at: null,
      };
      try {
        const row = await db
          .insertInto('records')
          .values({ workspace_id: workspaceId, type, id: data.id, version: 1, ...values })
          .onConflict((oc) =>
            oc
              .columns(['workspace_id', 'type', 'id'])
              .doUpdateSet((eb) => ({ ...values, version: eb(eb.ref('records.version'), '+', 1) })),
          )
          .returning('version')
          .executeTakeFirstOrThrow();
        return row.version;
      } catch (error) {
        // The check above cannot see a concurrent transaction's uncommitted record (Postgres): the
        // unique index has the last word, and its refusal is the same error.
        if (isExternalIdClash(error))
          throw new StoreError(
            'external_id_taken',
            `The external id ${JSON.stringify(data.externalId)} was just taken by another ${type} in this workspace; use another external id or update that record.`,
            { cause: error },
          );
        throw error;
      }
    },
    async delete(type, id) {
      const now = toText(ctx.now());
      const row = await db
        .updateTable('records')
        .set((eb) => ({
          deleted_at: eb.fn.coalesce('deleted_at', eb.val(now)),
          updated_at: now,
          version: eb(eb.ref('version'), '+', 1),
        }))
        .where('workspace_id', '=', workspaceId)
        .where('type', '=', type)
        .where('id', '=', id)
        .returning('version')
        .executeTakeFirst();
      return row === undefined ? null : row.version;
    },
  };
}

/** The `records_external_id` unique index refused a row: Postgres names the constraint, SQLite its columns. */
function isExternalIdClash(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, constraint, message } = error as { code?: unknown; constraint?: unknown; message?: unknown };
  return (
    (code === '23505' && constraint === 'records_external_id') ||
    (code === 'SQLITE_CONSTRAINT_UNIQUE' &&
      typeof message === 'string' &&
      message.includes('records.external_id'))
  );
}

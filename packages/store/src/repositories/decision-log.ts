import type {
  DecisionLogReader,
  DecisionLogWriter,
  LocalObjectType,
  LogEntry,
  SalesforceObject,
} from '@crmsync/core';
import { sql, type Selectable } from 'kysely';
import { parseJsonColumn, toNumber, toText } from '../codec.js';
import type { DecisionLogTable } from '../schema.js';
import { chunks, type RepositoryContext } from './context.js';

const DEFAULT_PAGE = 100;

function splitRules(rules: string): string[] {
  return rules === '' ? [] : rules.split(',');
}

function toEntry(row: Selectable<DecisionLogTable>): LogEntry {
  return {
    id: toNumber(row.id),
    at: new Date(row.at),
    recordType: row.record_type as LocalObjectType,
    recordId: row.record_id,
    action: row.action,
    rules: splitRules(row.rules),
    reason: row.reason,
    payload:
      row.payload === null
        ? null
        : (parseJsonColumn(row.payload, `log entry ${row.id}`) as Record<string, unknown>),
    sfObject: row.sf_object as SalesforceObject | null,
    sfId: row.sf_id,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    runId: row.run_id,
  };
}

export function decisionLogReader(ctx: RepositoryContext): DecisionLogReader {
  const { db, workspaceId } = ctx;
  return {
    async list(filter = {}) {
      const limit = Math.max(1, filter.limit ?? DEFAULT_PAGE);
      let query = db.selectFrom('decision_log').selectAll().where('workspace_id', '=', workspaceId);
      if (filter.record !== undefined)
        query = query.where('record_type', '=', filter.record.type).where('record_id', '=', filter.record.id);
      if (filter.recordType !== undefined) query = query.where('record_type', '=', filter.recordType);
      if (filter.sfObject !== undefined) query = query.where('sf_object', '=', filter.sfObject);
      if (filter.actions !== undefined)
        query =
          filter.actions.length === 0
            ? query.where((eb) => eb.val(1), '=', 0)
            : query.where('action', 'in', filter.actions);
      if (filter.failed === true) query = query.where('error_code', 'is not', null);
      // Rules are stored `C3,X1`: wrapping both sides in commas matches whole ids only (C1 never matches C10).
      if (filter.rule !== undefined)
        query = query.where((eb) =>
          eb(eb.fn('concat', [sql.lit(','), eb.ref('rules'), sql.lit(',')]), 'like', `%,${filter.rule},%`),
        );
      if (filter.runId !== undefined)
        query =
          filter.runId === null
            ? query.where('run_id', 'is', null)
            : query.where('run_id', '=', filter.runId);
      if (filter.since !== undefined) query = query.where('at', '>=', toText(filter.since));
      if (filter.cursor !== undefined && filter.cursor !== null)
        query = query.where('id', '<', filter.cursor);
      const rows = await query
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      const items = rows.slice(0, limit).map(toEntry);
      const last = items.at(-1);
      return { items, nextCursor: rows.length > limit && last !== undefined ? last.id : null };
    },
    async countByOutcome(runId) {
      const rows = await db
        .selectFrom('decision_log')
        .select((eb) => ['action', 'rules', 'reason', eb.fn.countAll<number | bigint | string>().as('count')])
        .where('workspace_id', '=', workspaceId)
        .where('run_id', '=', runId)
        .groupBy(['action', 'rules', 'reason'])
        .orderBy('action')
        .orderBy('rules')
        .orderBy('reason')
        .execute();
      return rows.map((row) => ({
        action: row.action,
        rules: splitRules(row.rules),
        reason: row.reason,
        count: toNumber(row.count),
      }));
    },
  };
}

export function decisionLogWriter(ctx: RepositoryContext): DecisionLogWriter {
  const { db, workspaceId } = ctx;
  return {
    ...decisionLogReader(ctx),
    async append(entries) {
      const ids: number[] = [];
      const now = ctx.now();
      for (const part of chunks(entries, 200)) {
        if (part.length === 0) continue;
        const rows = await db
          .insertInto('decision_log')
          .values(
            part.map((entry) => ({
              workspace_id: workspaceId,
              at: toText(entry.at ?? now),
              record_type: entry.recordType,
              record_id: entry.recordId,
              action: entry.action,
              rules: entry.rules.join(','),
              reason: entry.reason,
              payload:
                entry.payload === undefined || entry.payload === null ? null : JSON.stringify(entry.payload),
              sf_object: entry.sfObject ?? null,
              sf_id: entry.sfId ?? null,
              error_code: entry.errorCode ?? null,
              error_message: entry.errorMessage ?? null,
              run_id: entry.runId ?? null,
            })),
          )
          .returning('id')
          .execute();
        // Multi-row RETURNING order is the VALUES order on both SQLite and Postgres for a plain insert; sort to be certain.
        ids.push(...rows.map((row) => toNumber(row.id)).sort((a, b) => a - b));
      }
      return ids;
    },
    async purgeOlderThan(before) {
      const result = await db
        .deleteFrom('decision_log')
        .where('workspace_id', '=', workspaceId)
        .where('at', '<', toText(before))
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

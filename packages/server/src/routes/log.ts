import { CrmsyncError, LocalObjectType, type LogEntry, type LogFilter } from '@crmsync/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../auth.js';
import type { ServerDeps } from '../deps.js';
import { IsoDate, Limit, QueryBoolean } from '../schemas.js';

/** The sync log (O1): every decision with the rules that applied and why, newest first; CSV export. */

const Filters = {
  recordType: LocalObjectType.optional(),
  recordId: z.string().optional().describe('With recordType: one record'),
  sfObject: z.string().optional().describe('Salesforce object, e.g. Contact'),
  outcome: z
    .string()
    .optional()
    .describe('Actions, comma separated: create, update, link, delete, skip, fail ...'),
  rule: z.string().optional().describe('Entries where this rule applied, e.g. C3'),
  failed: QueryBoolean.optional(),
  runId: z.string().optional(),
  since: z.iso.datetime({ offset: true }).optional(),
};
const ListQuery = z
  .object({ ...Filters, limit: Limit(500, 100), cursor: z.coerce.number().int().positive().optional() })
  .strict();
const CsvQuery = z.object({ ...Filters, limit: Limit(100_000, 10_000) }).strict();

const EntryOut = z.object({
  id: z.number().int(),
  at: IsoDate,
  recordType: z.string(),
  recordId: z.string(),
  outcome: z.string(),
  rules: z.array(z.string()),
  why: z.string().describe('The reason in plain words'),
  sfObject: z.string().nullable(),
  sfId: z.string().nullable(),
  errorCode: z.string().nullable(),
  errorMessage: z.string().nullable(),
  runId: z.string().nullable(),
});

function filterOf(q: z.infer<typeof CsvQuery>): LogFilter {
  if (q.recordId !== undefined && q.recordType === undefined) {
    throw new CrmsyncError('INVALID_INPUT', { problem: 'recordId needs recordType (person, company, ...)' });
  }
  return {
    ...(q.recordId !== undefined && q.recordType !== undefined
      ? { record: { type: q.recordType, id: q.recordId } }
      : q.recordType === undefined
        ? {}
        : { recordType: q.recordType }),
    ...(q.sfObject === undefined ? {} : { sfObject: q.sfObject as NonNullable<LogFilter['sfObject']> }),
    ...(q.outcome === undefined
      ? {}
      : {
          actions: q.outcome
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== ''),
        }),
    ...(q.rule === undefined ? {} : { rule: q.rule }),
    ...(q.failed === undefined ? {} : { failed: q.failed }),
    ...(q.runId === undefined ? {} : { runId: q.runId }),
    ...(q.since === undefined ? {} : { since: new Date(q.since) }),
  };
}

const entryOut = (e: LogEntry): z.infer<typeof EntryOut> => ({
  id: e.id,
  at: e.at.toISOString(),
  recordType: e.recordType,
  recordId: e.recordId,
  outcome: e.action,
  rules: e.rules,
  why: e.reason,
  sfObject: e.sfObject,
  sfId: e.sfId,
  errorCode: e.errorCode,
  errorMessage: e.errorMessage,
  runId: e.runId,
});

const CSV_COLUMNS = [
  'id',
  'at',
  'recordType',
  'recordId',
  'outcome',
  'rules',
  'why',
  'sfObject',
  'sfId',
  'errorCode',
  'errorMessage',
  'runId',
] as const;

/** RFC 4180 quoting; a leading =, +, - or @ is prefixed with ' so a spreadsheet does not run it as a formula. */
function csvCell(value: unknown): string {
  let text =
    value === null || value === undefined ? '' : Array.isArray(value) ? value.join(' ') : String(value);
  if (/^[=+\-@]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const logRoutes: FastifyPluginAsyncZod<{ deps: ServerDeps }> = async (app, { deps }) => {
  app.get(
    '/log',
    {
      schema: {
        tags: ['log'],
        summary: 'Sync log entries, newest first, filtered by record, object, outcome and rule',
        querystring: ListQuery,
        response: { 200: z.object({ items: z.array(EntryOut), nextCursor: z.number().int().nullable() }) },
      },
    },
    async (request) => {
      const page = await deps.store.workspace(callerOf(request).workspaceId).log.list({
        ...filterOf(request.query),
        limit: request.query.limit,
        cursor: request.query.cursor ?? null,
      });
      return { items: page.items.map(entryOut), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/log.csv',
    {
      schema: {
        tags: ['log'],
        summary: 'The sync log as CSV (same filters), newest first',
        querystring: CsvQuery,
        produces: ['text/csv'],
        response: { 200: z.string().describe('CSV with a header line') },
      },
    },
    async (request, reply) => {
      const log = deps.store.workspace(callerOf(request).workspaceId).log;
      const filter = filterOf(request.query);
      const lines = [CSV_COLUMNS.join(',')];
      let cursor: number | null = null;
      let left = request.query.limit;
      do {
        const page: Awaited<ReturnType<typeof log.list>> = await log.list({
          ...filter,
          cursor,
          limit: Math.min(1000, left),
        });
        for (const e of page.items) {
          const row = entryOut(e);
          lines.push(CSV_COLUMNS.map((c) => csvCell(row[c])).join(','));
        }
        left -= page.items.length;
        cursor = page.nextCursor;
      } while (cursor !== null && left > 0);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="crmsync-sync-log.csv"')
        .send(`${lines.join('\r\n')}\r\n`);
    },
  );
};

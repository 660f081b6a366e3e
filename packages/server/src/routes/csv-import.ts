import { CrmsyncError } from '@crmsync/core';
import type { IngestChange } from '@crmsync/engine';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../auth.js';
import type { CsvKind, ServerDeps } from '../deps.js';

/*
 * CSV import with a result per row: the file is planned by the CLI's importer (same columns, same
 * stable ids, importing twice changes nothing), then ingested; a file refused whole (not UTF-8,
 * a required column missing) imports nothing.
 */

const RowResult = z.object({
  row: z.number().int().describe('1-based line of the file (the header is line 1)'),
  status: z.enum(['imported', 'skipped', 'failed']),
  type: z.enum(['person', 'company']).nullable(),
  id: z.string().nullable(),
  messages: z.array(z.object({ level: z.enum(['error', 'warning']), message: z.string() })),
});
const ImportOut = z.object({
  rows: z.number().int(),
  imported: z.number().int(),
  skipped: z.number().int(),
  failed: z.number().int(),
  results: z.array(RowResult),
});

type Row = z.infer<typeof RowResult>;

export const importRoutes: FastifyPluginAsyncZod<{ deps: ServerDeps }> = async (app, { deps }) => {
  for (const kind of ['people', 'companies'] as const satisfies readonly CsvKind[]) {
    app.post(
      `/${kind}/import`,
      {
        schema: {
          tags: [kind],
          summary: `Import ${kind} from a CSV file (Content-Type: text/csv, UTF-8), with a result per row`,
          consumes: ['text/csv'],
          body: z.any().describe('The CSV file, UTF-8; the first line names the columns'),
          querystring: z.object({ fileName: z.string().max(200).default('upload.csv') }).strict(),
          response: { 200: ImportOut },
        },
      },
      async (request) => {
        const { workspaceId } = callerOf(request);
        if (!Buffer.isBuffer(request.body)) {
          throw new CrmsyncError('INVALID_INPUT', {
            problem: 'the body must be a CSV file sent with Content-Type: text/csv',
          });
        }
        const plan = await deps.csv.plan(
          kind,
          workspaceId,
          deps.store.workspace(workspaceId),
          request.body,
          request.query.fileName,
        );
        const results = new Map<number, Row>();
        const rowOf = (row: number): Row => {
          let r = results.get(row);
          if (r === undefined)
            results.set(row, (r = { row, status: 'imported', type: null, id: null, messages: [] }));
          return r;
        };
        for (const note of plan.notes) {
          const r = rowOf(note.row);
          r.messages.push({ level: note.level, message: note.message });
          if (note.level === 'error') r.status = 'skipped';
        }
        const changes: IngestChange[] = plan.changes.map((c) => ({
          type: c.type,
          op: 'upsert',
          data: c.data,
        }));
        const ingested = await deps.engine.ingestMany(workspaceId, changes);
        plan.changes.forEach((c, i) => {
          const result = ingested[i]!;
          // A company created for a person's row is reported on that row only when the person is not.
          const r = rowOf(c.row);
          const isRowRecord = (kind === 'people') === (c.type === 'person');
          if (!result.ok) {
            r.status = 'failed';
            r.messages.push({ level: 'error', message: result.message });
          } else if (isRowRecord || r.id === null) {
            r.type = c.type;
            r.id = result.id;
          }
        });
        const all = [...results.values()].sort((a, b) => a.row - b.row);
        const count = (s: Row['status']) => all.filter((r) => r.status === s).length;
        return {
          rows: plan.rows,
          imported: count('imported'),
          skipped: count('skipped'),
          failed: count('failed'),
          results: all,
        };
      },
    );
  }
};

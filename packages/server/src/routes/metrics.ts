import type { LogFilter, WorkspaceReader } from '@crmsync/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ServerDeps } from '../deps.js';

/** Prometheus text exposition (version 0.0.4), admin key only: it covers every workspace. */

const PUSH_ACTIONS = ['create', 'update', 'link', 'delete'] as const;
const DAY_MS = 24 * 60 * 60 * 1000;

async function countLog(reader: WorkspaceReader, filter: LogFilter): Promise<number> {
  let n = 0;
  let cursor: number | null = null;
  do {
    const page: Awaited<ReturnType<WorkspaceReader['log']['list']>> = await reader.log.list({
      ...filter,
      cursor,
      limit: 1000,
    });
    n += page.items.length;
    cursor = page.nextCursor;
  } while (cursor !== null);
  return n;
}

const label = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export const metricsRoutes: FastifyPluginAsyncZod<{ deps: ServerDeps }> = async (app, { deps }) => {
  app.get(
    '/metrics',
    {
      schema: {
        tags: ['health'],
        summary:
          'Prometheus metrics: queue counts, pushes, failures and API calls in the last 24 hours, per workspace',
        produces: ['text/plain'],
        response: { 200: z.string().describe('Prometheus text format 0.0.4') },
      },
    },
    async (_request, reply) => {
      const since = new Date(deps.clock.now().getTime() - DAY_MS);
      const lines: string[] = [
        '# HELP crmsync_queue_jobs Push and pull jobs by queue and state.',
        '# TYPE crmsync_queue_jobs gauge',
      ];
      const pushes: string[] = [
        '# HELP crmsync_pushes_24h Records written to Salesforce in the last 24 hours.',
        '# TYPE crmsync_pushes_24h gauge',
      ];
      const failures: string[] = [
        '# HELP crmsync_failures_24h Push failures in the last 24 hours.',
        '# TYPE crmsync_failures_24h gauge',
      ];
      const calls: string[] = [
        '# HELP crmsync_api_calls_24h Salesforce API requests in the last 24 hours (O3 ledger).',
        '# TYPE crmsync_api_calls_24h gauge',
      ];
      for (const ws of await deps.store.workspaces.list()) {
        const w = `workspace="${label(ws.id)}"`;
        const reader = deps.store.workspace(ws.id);
        const counts = await deps.queue.counts(ws.id);
        for (const row of counts.byQueue) {
          for (const state of ['pending', 'retrying', 'leased', 'failed'] as const) {
            lines.push(`crmsync_queue_jobs{${w},queue="${label(row.queue)}",state="${state}"} ${row[state]}`);
          }
        }
        pushes.push(`crmsync_pushes_24h{${w}} ${await countLog(reader, { since, actions: PUSH_ACTIONS })}`);
        failures.push(`crmsync_failures_24h{${w}} ${await countLog(reader, { since, failed: true })}`);
        const connection = await reader.connection.get();
        calls.push(
          `crmsync_api_calls_24h{${w}} ${connection === null ? 0 : await reader.ledger.sumLast24Hours(connection.orgId)}`,
        );
      }
      return reply
        .type('text/plain; version=0.0.4; charset=utf-8')
        .send([...lines, ...pushes, ...failures, ...calls, ''].join('\n'));
    },
  );
};

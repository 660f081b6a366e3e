import { randomUUID } from 'node:crypto';
import { CrmsyncError } from '@crmsync/core';
import type { PushAllRunStatus } from '@crmsync/engine';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../auth.js';
import type { ServerDeps } from '../deps.js';
import { toHttpError } from '../http-errors.js';
import type { PushRun, PushRuns } from '../push-runs.js';
import { IsoDate } from '../schemas.js';

/** Manual push (M1, deals too), push all (C9) with progress, its dry run (O2), pull now, and retry of failures (O4). */

const Ids = z.array(z.string().min(1)).max(1000);
const Progress = z.object({
  total: z.number(),
  done: z.number(),
  created: z.number(),
  linked: z.number(),
  skipped: z.number(),
  failed: z.number(),
});
const RunOut = z.object({
  runId: z.string(),
  status: z.enum(['running', 'done', 'failed']),
  startedAt: IsoDate,
  progress: Progress,
  result: z
    .object({
      bulk: z.boolean(),
      byReason: z.array(
        z.object({ action: z.string(), rules: z.array(z.string()), reason: z.string(), count: z.number() }),
      ),
    })
    .optional(),
  error: z
    .object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() })
    .optional(),
  chunks: z
    .object({
      total: z.number(),
      queued: z.number(),
      running: z.number(),
      retrying: z.number(),
      done: z.number(),
    })
    .optional()
    .describe('A run queued for workers (PostgreSQL): its chunk jobs by state'),
});

/** A run queued for workers, as GET /push-all/{runId} shows it. */
function queuedRunOut(run: PushAllRunStatus): z.infer<typeof RunOut> {
  const { total, done, created, linked, skipped, failed } = run.progress;
  return {
    runId: run.runId,
    status: run.state,
    startedAt: run.startedAt.toISOString(),
    progress: { total, done, created, linked, skipped, failed },
    chunks: run.chunks,
    ...(run.state === 'done' ? { result: { bulk: run.bulk, byReason: run.byReason } } : {}),
  };
}

function runOut(run: PushRun): z.infer<typeof RunOut> {
  const base = {
    runId: run.runId,
    status: run.status,
    startedAt: run.startedAt.toISOString(),
    progress: run.progress,
  };
  if (run.status === 'done')
    return { ...base, result: { bulk: run.result.bulk, byReason: run.result.byReason } };
  if (run.status === 'failed') return { ...base, error: run.error };
  return base;
}

const RetryBody = z.union([
  z.object({ all: z.literal(true) }).strict(),
  z
    .object({ record: z.object({ type: z.enum(['person', 'company']), id: z.string().min(1) }).strict() })
    .strict(),
  z
    .object({
      sfObject: z.enum(['Contact', 'Lead', 'Account']).optional(),
      errorCode: z
        .string()
        .min(1)
        .optional()
        .describe('Salesforce error code or catalogue code recorded on the failure'),
    })
    .strict()
    .refine(
      (f) => f.sfObject !== undefined || f.errorCode !== undefined,
      'give all, record, sfObject or errorCode',
    ),
]);

export const pushRoutes: FastifyPluginAsyncZod<{ deps: ServerDeps; runs: PushRuns }> = async (
  app,
  { deps, runs },
) => {
  app.post(
    '/push',
    {
      schema: {
        tags: ['sync'],
        summary: 'Push chosen people, companies and deals now (M1), reported per record',
        body: z
          .object({ people: Ids.optional(), companies: Ids.optional(), deals: Ids.optional() })
          .strict()
          .refine(
            (b) => (b.people?.length ?? 0) + (b.companies?.length ?? 0) + (b.deals?.length ?? 0) > 0,
            'name at least one person, company or deal',
          ),
        response: {
          200: z.object({
            results: z.array(
              z.object({
                type: z.enum(['person', 'company', 'deal']),
                id: z.string(),
                outcome: z.record(z.string(), z.unknown()),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const { workspaceId } = callerOf(request);
      const records = deps.store.workspace(workspaceId).records;
      const people = request.body.people ?? [];
      const companies = request.body.companies ?? [];
      const deals = request.body.deals ?? [];
      // Unknown ids (or another workspace's) are refused before anything is sent.
      for (const [type, ids] of [
        ['person', people],
        ['company', companies],
        ['deal', deals],
      ] as const) {
        const found = new Set(
          (await records.getMany(type, ids)).filter((r) => r.deletedAt === null).map((r) => r.id),
        );
        const missing = ids.filter((id) => !found.has(id));
        if (missing.length > 0)
          throw new CrmsyncError('NOT_FOUND', { resource: type, id: missing.join(', '), ids: missing });
      }
      // People and companies first, so a deal's Account and contact roles can find them linked.
      const results = [
        ...(people.length + companies.length > 0
          ? await deps.engine.pushNow(workspaceId, { people, companies })
          : []),
        ...(deals.length > 0 ? await deps.engine.pushDealsNow(workspaceId, deals) : []),
      ];
      return { results: results.map((r) => ({ type: r.type, id: r.id, outcome: { ...r.outcome } })) };
    },
  );

  app.post(
    '/push-all',
    {
      schema: {
        tags: ['sync'],
        summary: 'Start "push all contacts" (C9); read progress with GET /push-all/{runId}',
        response: { 202: RunOut },
      },
    },
    async (request, reply) => {
      const { workspaceId } = callerOf(request);
      const gate = await deps.engine.gate(workspaceId, 'manual_push');
      if (gate.connection === null) throw new CrmsyncError('DISCONNECTED', { workspaceId });
      if (!gate.allowed)
        throw new CrmsyncError(gate.code, { workspaceId, rule: gate.rule }, { message: gate.reason });
      if (deps.pushAll === 'queued') {
        // The workers run it; the CONFLICT for a run still going names that run.
        const queued = await deps.engine.enqueuePushAll(workspaceId);
        const status = await deps.engine.pushAllRun(workspaceId, queued.runId);
        if (status === null)
          throw new CrmsyncError('NOT_FOUND', { resource: 'push-all run', id: queued.runId });
        return reply.status(202).send(queuedRunOut(status));
      }
      const current = runs.running(workspaceId);
      if (current !== undefined) {
        throw new CrmsyncError(
          'CONFLICT',
          { resource: 'push-all run', id: current.runId },
          {
            message: `A push-all run (${current.runId}) is already running; follow it with GET /api/v1/push-all/${current.runId}.`,
          },
        );
      }
      const runId = `push-all-${randomUUID()}`;
      const run = runs.start(
        { runId, workspaceId, startedAt: deps.clock.now() },
        (onProgress) => deps.engine.pushAll(workspaceId, { runId, onProgress }),
        (err) => toHttpError(err, deps.logger).body.error,
      );
      return reply.status(202).send(runOut(run));
    },
  );

  app.get(
    '/push-all/:runId',
    {
      schema: {
        tags: ['sync'],
        summary: 'Progress of a push-all run',
        params: z.object({ runId: z.string() }),
        response: { 200: RunOut },
      },
    },
    async (request) => {
      const { workspaceId } = callerOf(request);
      if (deps.pushAll === 'queued') {
        const status = await deps.engine.pushAllRun(workspaceId, request.params.runId);
        if (status === null)
          throw new CrmsyncError('NOT_FOUND', { resource: 'push-all run', id: request.params.runId });
        return queuedRunOut(status);
      }
      const run = runs.get(workspaceId, request.params.runId);
      if (run === undefined)
        throw new CrmsyncError('NOT_FOUND', { resource: 'push-all run', id: request.params.runId });
      return runOut(run);
    },
  );

  app.post(
    '/push-all/preview',
    {
      schema: {
        tags: ['sync'],
        summary:
          'Dry run of push all (O2): counts of what it would create, link, update or skip; nothing is sent',
        response: {
          200: z.object({
            total: z.number(),
            created: z.number(),
            linked: z.number(),
            updated: z.number(),
            deleted: z.number(),
            skipped: z.number(),
            skippedByReason: z.record(z.string(), z.number()),
            ambiguous: z.number(),
          }),
        },
      },
    },
    async (request) => deps.engine.dryRunPushAll(callerOf(request).workspaceId),
  );

  app.post(
    '/pull',
    {
      schema: {
        tags: ['sync'],
        summary: 'Pull changes from Salesforce now (P1-P4), or one record (P3)',
        body: z
          .object({ record: z.string().min(1).optional().describe('A Salesforce id to pull alone') })
          .strict()
          .optional(),
        response: { 200: z.record(z.string(), z.unknown()) },
      },
    },
    async (request) => {
      const { workspaceId } = callerOf(request);
      const record = request.body?.record;
      const report = await deps.engine.pull(workspaceId, {
        trigger: 'manual',
        ...(record === undefined ? {} : { record }),
      });
      return report.status === 'gated'
        ? { ...report, retryAt: report.retryAt?.toISOString() ?? null }
        : { ...report };
    },
  );

  app.post(
    '/retry',
    {
      schema: {
        tags: ['sync'],
        summary: 'Retry failed records (O4): one record, a filter (Salesforce object, error code), or all',
        body: RetryBody,
        response: { 200: z.object({ retried: z.number().int().describe('Parked jobs made due now') }) },
      },
    },
    async (request) => {
      const { workspaceId } = callerOf(request);
      const body = request.body;
      if ('record' in body) {
        const r = await deps.store.workspace(workspaceId).records.get(body.record.type, body.record.id);
        if (r === null)
          throw new CrmsyncError('NOT_FOUND', { resource: body.record.type, id: body.record.id });
      }
      const filter =
        'all' in body
          ? { all: true as const }
          : 'record' in body
            ? { record: body.record }
            : {
                ...(body.sfObject === undefined ? {} : { sfObject: body.sfObject }),
                ...(body.errorCode === undefined ? {} : { errorCode: body.errorCode }),
              };
      return { retried: await deps.engine.retryFailed(workspaceId, filter) };
    },
  );
};

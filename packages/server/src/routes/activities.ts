import { Call, Email, LocalId, Meeting, MeetingSummary, Note, Task, type StoredRecord } from '@crmsync/core';
import type { ActivityType } from '@crmsync/engine';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../auth.js';
import type { ServerDeps } from '../deps.js';
import { Limit, QueryBoolean } from '../schemas.js';
import {
  externalIdPage,
  idForCreate,
  idForExternalId,
  liveRecord,
  refusedIngest,
  storedRecordOut,
  storedRecordSchema,
} from './stored-records.js';

/*
 * Activities as the host feeds them (emails, notes, tasks, calls, meetings, meeting summaries):
 * create, replace, upsert by external id, delete, get, and list with filters and cursor pagination. Every
 * write goes through the engine's activity ingest (E1-E12: the record, its log entry and its push
 * job commit together; a duplicate email is kept but not pushed twice, E6). Ids are looked up in
 * the caller's workspace only, so another workspace's id is a 404.
 */

const KINDS = {
  email: { path: 'emails', noun: 'email', schema: Email, prefix: 'e' },
  note: { path: 'notes', noun: 'note', schema: Note, prefix: 'n' },
  task: { path: 'tasks', noun: 'task', schema: Task, prefix: 't' },
  call: { path: 'calls', noun: 'call', schema: Call, prefix: 'k' },
  meeting: { path: 'meetings', noun: 'meeting', schema: Meeting, prefix: 'm' },
  meeting_summary: {
    path: 'meeting-summaries',
    noun: 'meeting summary',
    schema: MeetingSummary,
    prefix: 'ms',
  },
} as const satisfies Record<ActivityType, unknown>;

const ActivityOut = storedRecordSchema(['email', 'note', 'task', 'call', 'meeting', 'meeting_summary']);
const WriteOut = z.object({
  record: ActivityOut,
  change: z.enum(['created', 'updated']),
  queued: z.boolean().describe('A push job was enqueued'),
  duplicateOf: z
    .string()
    .nullable()
    .describe('E6: the email first seen with this message; this one is kept but not pushed again'),
  rules: z.array(z.string()).describe('The rules that decided whether it is pushed'),
  reason: z.string(),
});

const activityOut = (r: StoredRecord) => storedRecordOut<ActivityType>(r);

/**
 * The host's document: the core schema's fields without what the server sets, unknown fields
 * refused. Cross-field checks (an email needs a recipient) run in the ingest, with the field named.
 */
function bodyShape(type: ActivityType): z.ZodRawShape {
  const { workspaceId: _w, id: _i, ...shape } = KINDS[type].schema.shape as z.ZodRawShape;
  return shape;
}

export const activityRoutes: FastifyPluginAsyncZod<{ deps: ServerDeps }> = async (app, { deps }) => {
  for (const type of Object.keys(KINDS) as ActivityType[]) {
    const spec = KINDS[type];
    const shape = bodyShape(type);
    const Body = z.object(shape).strict();
    const CreateBody = z
      .object({ ...shape, id: LocalId.optional().describe('Generated when left out') })
      .strict();
    const { externalId: _e, ...withoutExternal } = shape;
    const ExternalBody = z.object(withoutExternal).strict();
    const IdParams = z.object({ id: z.string() });
    const tags = ['activities'];

    async function write(workspaceId: string, data: Record<string, unknown>) {
      const [result] = await deps.engine.ingestActivities(workspaceId, [
        { type, op: 'upsert', data: { ...data, workspaceId } },
      ]);
      if (result === undefined || !result.ok) throw refusedIngest(result);
      if (result.change === 'deleted') throw new Error(`an upsert of ${type} ${result.id} reported a delete`);
      const stored = await deps.store.workspace(workspaceId).records.get(type, result.id);
      if (stored === null) throw new Error(`ingested ${type} ${result.id} is not readable`);
      return {
        record: activityOut(stored),
        change: result.change,
        queued: result.queued,
        duplicateOf: result.duplicateOf,
        rules: result.rules,
        reason: result.reason,
      };
    }
    const existing = (workspaceId: string, id: string) => liveRecord(deps, workspaceId, type, spec, id);

    app.post(
      `/${spec.path}`,
      {
        schema: {
          tags,
          summary: `Create a ${spec.noun} (409 when the id or external id is taken)`,
          body: CreateBody,
          response: { 201: WriteOut },
        },
      },
      async (request, reply) => {
        const { workspaceId } = callerOf(request);
        const body = request.body as Record<string, unknown> & { id?: string };
        const id = await idForCreate(deps, workspaceId, type, spec, body.id);
        return reply.status(201).send(await write(workspaceId, { ...body, id }));
      },
    );

    app.get(
      `/${spec.path}/:id`,
      { schema: { tags, summary: `One ${spec.noun}`, params: IdParams, response: { 200: ActivityOut } } },
      async (request) => activityOut(await existing(callerOf(request).workspaceId, request.params.id)),
    );

    app.put(
      `/${spec.path}/:id`,
      {
        schema: {
          tags,
          summary: `Replace a ${spec.noun} (404 when unknown)`,
          params: IdParams,
          body: Body,
          response: { 200: WriteOut },
        },
      },
      async (request) => {
        const { workspaceId } = callerOf(request);
        await existing(workspaceId, request.params.id);
        return write(workspaceId, { ...(request.body as Record<string, unknown>), id: request.params.id });
      },
    );

    app.put(
      `/${spec.path}/by-external-id/:externalId`,
      {
        schema: {
          tags,
          summary: `Create or replace the ${spec.noun} with this external id`,
          params: z.object({ externalId: z.string().min(1).max(255) }),
          body: ExternalBody,
          response: { 200: WriteOut, 201: WriteOut },
        },
      },
      async (request, reply) => {
        const { workspaceId } = callerOf(request);
        const { externalId } = request.params;
        const { id, created } = await idForExternalId(deps, workspaceId, type, spec, externalId);
        const out = await write(workspaceId, {
          ...(request.body as Record<string, unknown>),
          externalId,
          id,
        });
        return reply.status(created ? 201 : 200).send(out);
      },
    );

    app.delete(
      `/${spec.path}/:id`,
      {
        schema: {
          tags,
          summary: `Delete a ${spec.noun} in crmsync (404 when unknown)`,
          description:
            'The local record is deleted (soft: the log and its link keep naming it). Its Salesforce record is never deleted; its link is marked deleted locally, and a push still queued for it sends nothing.',
          params: IdParams,
          response: { 204: z.null().describe('Deleted; no body') },
        },
      },
      async (request, reply) => {
        const { workspaceId } = callerOf(request);
        await existing(workspaceId, request.params.id);
        const [result] = await deps.engine.ingestActivities(workspaceId, [
          { type, op: 'delete', id: request.params.id },
        ]);
        if (result === undefined || !result.ok) throw refusedIngest(result);
        return reply.status(204).send(null);
      },
    );

    app.get(
      `/${spec.path}`,
      {
        schema: {
          tags,
          summary: `List ${spec.path}, ordered by id, a page at a time`,
          querystring: z
            .object({
              limit: Limit(500, 100),
              cursor: z.string().optional().describe('nextCursor of the previous page'),
              updatedAfter: z.iso.datetime({ offset: true }).optional(),
              includeDeleted: QueryBoolean.optional(),
              externalId: z.string().optional(),
              personId: z
                .string()
                .optional()
                .describe('Only activities of this person (filters within each page)'),
              companyId: z
                .string()
                .optional()
                .describe('Only activities of this company (filters within each page)'),
              dealId: z
                .string()
                .optional()
                .describe('Only activities of this deal (filters within each page)'),
            })
            .strict(),
          response: { 200: z.object({ items: z.array(ActivityOut), nextCursor: z.string().nullable() }) },
        },
      },
      async (request) => {
        const { workspaceId } = callerOf(request);
        const q = request.query;
        if (q.externalId !== undefined)
          return externalIdPage(deps, workspaceId, type, { ...q, externalId: q.externalId }, activityOut);
        const page = await deps.store.workspace(workspaceId).records.list({
          type,
          limit: q.limit,
          cursor: q.cursor ?? null,
          ...(q.updatedAfter === undefined ? {} : { updatedAfter: new Date(q.updatedAfter) }),
          ...(q.includeDeleted === undefined ? {} : { includeDeleted: q.includeDeleted }),
        });
        const about = (r: StoredRecord) =>
          r.data as { personId?: string | null; companyId?: string | null; dealId?: string | null };
        const items = page.items.filter(
          (r) =>
            (q.personId === undefined || about(r).personId === q.personId) &&
            (q.companyId === undefined || about(r).companyId === q.companyId) &&
            (q.dealId === undefined || about(r).dealId === q.dealId),
        );
        return { items: items.map(activityOut), nextCursor: page.nextCursor };
      },
    );
  }
};

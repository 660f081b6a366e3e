import { Company, Deal, isDealHidden, LocalId, Person, type StoredRecord } from '@crmsync/core';
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
 * People, companies and deals as the host feeds them: create, replace, upsert by the host's external id,
 * delete, get, and list with filters and cursor pagination. Every write goes through the engine's
 * ingest (the record, its log entry and its push job commit together). Ids are looked up in the
 * caller's workspace only, so another workspace's id is a 404.
 */

type RecordType = 'person' | 'company' | 'deal';

const SPEC = {
  person: { path: 'people', noun: 'person', schema: Person, prefix: 'p' },
  company: { path: 'companies', noun: 'company', schema: Company, prefix: 'c' },
  deal: { path: 'deals', noun: 'deal', schema: Deal, prefix: 'd' },
} as const;

const RecordOut = storedRecordSchema(['person', 'company', 'deal']);
const WriteOut = z.object({
  record: RecordOut,
  change: z.string().describe('What the write changed (created, updated, unchanged, deleted)'),
  eligibility: z.unknown().describe('Whether and why the record can be pushed (C2, C3, A1, A2)'),
  queued: z.boolean().describe('A push job was enqueued'),
});

const recordOut = (r: StoredRecord) => storedRecordOut<RecordType>(r);

type Doc = Record<string, unknown>;

/** Most records read to answer one filtered page, so a rare match never turns a request into a full scan. */
const SCAN_LIMIT = 5_000;

const SEARCHED: Record<RecordType, string> = {
  person: 'name or email',
  company: 'name or website',
  deal: 'name',
};

/** The text `q=` looks in, lower-cased. */
function searchText(type: RecordType, r: StoredRecord): string {
  const d = r.data as Record<string, unknown>;
  const fields =
    type === 'person'
      ? [[d.firstName, d.lastName].filter((v) => typeof v === 'string').join(' '), d.email]
      : type === 'company'
        ? [d.name, d.website]
        : [d.name];
  return fields
    .filter((v): v is string => typeof v === 'string')
    .join('\n')
    .toLowerCase();
}

/** The store list options the query carries through unchanged. */
function listOptions(q: { updatedAfter?: string | undefined; includeDeleted?: boolean | undefined }) {
  return {
    ...(q.updatedAfter === undefined ? {} : { updatedAfter: new Date(q.updatedAfter) }),
    ...(q.includeDeleted === undefined ? {} : { includeDeleted: q.includeDeleted }),
  };
}

/**
 * A filtered page: reads the store's pages from `cursor` until `limit` records pass `keep` or
 * SCAN_LIMIT were read; nextCursor is where reading stopped (null at the end), so a client
 * following it sees every match exactly once.
 */
async function scan(
  limit: number,
  cursor: string | null,
  list: (
    cursor: string | null,
    limit: number,
  ) => Promise<{ items: StoredRecord[]; nextCursor: string | null }>,
  keep: (r: StoredRecord) => boolean,
): Promise<{ items: z.infer<typeof RecordOut>[]; nextCursor: string | null }> {
  const items: z.infer<typeof RecordOut>[] = [];
  let read = 0;
  let at = cursor;
  while (read < SCAN_LIMIT) {
    const page = await list(at, Math.min(500, SCAN_LIMIT - read));
    for (const [i, r] of page.items.entries()) {
      read += 1;
      at = r.id;
      if (!keep(r)) continue;
      items.push(recordOut(r));
      if (items.length === limit) {
        const more = i < page.items.length - 1 || page.nextCursor !== null;
        return { items, nextCursor: more ? at : null };
      }
    }
    if (page.nextCursor === null) return { items, nextCursor: null };
  }
  return { items, nextCursor: at };
}

/** The host's document: the core schema without what the server sets (workspace, origin); unknown fields refused. */
function bodySchemas(type: RecordType): {
  Body: z.ZodType<Doc>;
  CreateBody: z.ZodType<Doc & { id?: string | undefined }>;
  ExternalBody: z.ZodType<Doc>;
} {
  switch (type) {
    case 'person':
      return shapes(Person.omit({ workspaceId: true, origin: true, id: true }));
    case 'company':
      return shapes(Company.omit({ workspaceId: true, origin: true, id: true }));
    case 'deal':
      return shapes(Deal.omit({ workspaceId: true, origin: true, id: true }));
  }
}

function shapes<S extends z.ZodRawShape & { externalId: z.ZodType }>(base: z.ZodObject<S>) {
  return {
    Body: base.strict() as unknown as z.ZodType<Doc>,
    CreateBody: base
      .extend({ id: LocalId.optional().describe('Generated when left out') })
      .strict() as unknown as z.ZodType<Doc & { id?: string | undefined }>,
    ExternalBody: base.omit({ externalId: true } as never).strict() as unknown as z.ZodType<Doc>,
  };
}

export const recordRoutes: FastifyPluginAsyncZod<{ deps: ServerDeps; type: RecordType }> = async (
  app,
  { deps, type },
) => {
  const spec = SPEC[type];
  const schemas = bodySchemas(type);
  const { Body, CreateBody, ExternalBody } = schemas;
  const IdParams = z.object({ id: z.string() });
  const tags = [spec.path];

  async function write(workspaceId: string, data: Record<string, unknown>) {
    const result = await deps.engine.ingest(workspaceId, {
      type,
      op: 'upsert',
      data: { ...data, workspaceId },
    });
    if (!result.ok) throw refusedIngest(result);
    const stored = await deps.store.workspace(workspaceId).records.get(type, result.id);
    if (stored === null) throw new Error(`ingested ${type} ${result.id} is not readable`);
    return {
      record: recordOut(stored),
      change: String(result.change),
      eligibility: result.eligibility,
      queued: result.queued,
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
      const id = await idForCreate(deps, workspaceId, type, spec, request.body.id);
      return reply.status(201).send(await write(workspaceId, { ...request.body, id }));
    },
  );

  app.get(
    `/${spec.path}/:id`,
    { schema: { tags, summary: `One ${spec.noun}`, params: IdParams, response: { 200: RecordOut } } },
    async (request) => recordOut(await existing(callerOf(request).workspaceId, request.params.id)),
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
      return write(workspaceId, { ...request.body, id: request.params.id });
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
      const out = await write(workspaceId, { ...request.body, externalId, id });
      return reply.status(created ? 201 : 200).send(out);
    },
  );

  app.delete(
    `/${spec.path}/:id`,
    {
      schema: {
        tags,
        summary: `Delete a ${spec.noun} (soft: links and the log keep referring to it)`,
        params: IdParams,
        response: { 200: RecordOut },
      },
    },
    async (request) => {
      const { workspaceId } = callerOf(request);
      await existing(workspaceId, request.params.id);
      const result = await deps.engine.ingest(workspaceId, { type, op: 'delete', id: request.params.id });
      if (!result.ok) throw refusedIngest(result);
      const stored = await deps.store.workspace(workspaceId).records.get(type, request.params.id);
      return recordOut(stored!);
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
            q: z
              .string()
              .trim()
              .min(1)
              .max(200)
              .optional()
              .describe(`Text the ${spec.noun}'s ${SEARCHED[type]} contains, case-insensitive`),
            stage: z.string().optional().describe('Only this stage'),
            externalId: z.string().optional(),
            ...(type === 'person'
              ? { email: z.string().optional().describe('Exact email, case-insensitive (one page)') }
              : {}),
            ...(type === 'deal'
              ? {
                  companyId: z.string().optional().describe("Only this company's deals"),
                  hidden: z
                    .enum(['exclude', 'include', 'only'])
                    .default('exclude')
                    .describe(
                      'Deals hidden by D5 (hideDeals: deals that came from Salesforce) are left out unless included',
                    ),
                }
              : {}),
          })
          .strict(),
        response: {
          200: z.object({
            items: z.array(RecordOut),
            nextCursor: z
              .string()
              .nullable()
              .describe(
                `With filters a page may hold fewer than limit ${spec.path} (at most ${SCAN_LIMIT} are read per page); follow nextCursor until null`,
              ),
          }),
        },
      },
    },
    async (request) => {
      const { workspaceId } = callerOf(request);
      const q = request.query as typeof request.query & {
        email?: string;
        companyId?: string;
        hidden?: 'exclude' | 'include' | 'only';
      };
      const reader = deps.store.workspace(workspaceId);
      const records = reader.records;
      if (q.externalId !== undefined)
        return externalIdPage(deps, workspaceId, type, { ...q, externalId: q.externalId }, recordOut);
      if (q.email !== undefined) {
        return { items: (await records.findPeopleByEmail(q.email)).map(recordOut), nextCursor: null };
      }
      const settings =
        type === 'deal' && q.hidden !== 'include' ? (await reader.settings.get()).settings : null;
      const needle = q.q?.toLowerCase();
      const keep = (r: StoredRecord): boolean => {
        const data = r.data as { stage?: string | null; companyId?: string | null };
        if (q.stage !== undefined && data.stage !== q.stage) return false;
        if (q.companyId !== undefined && data.companyId !== q.companyId) return false;
        if (settings !== null && isDealHidden(r.data as Deal, settings) !== (q.hidden === 'only'))
          return false;
        return needle === undefined || searchText(type, r).includes(needle);
      };
      const filtered =
        q.stage !== undefined || q.companyId !== undefined || settings !== null || needle !== undefined;
      if (!filtered) {
        const page = await records.list({
          type,
          limit: q.limit,
          cursor: q.cursor ?? null,
          ...listOptions(q),
        });
        return { items: page.items.map(recordOut), nextCursor: page.nextCursor };
      }
      return scan(
        q.limit,
        q.cursor ?? null,
        (cursor, limit) => records.list({ type, limit, cursor, ...listOptions(q) }),
        keep,
      );
    },
  );
};

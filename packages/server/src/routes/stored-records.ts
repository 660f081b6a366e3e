import { randomUUID } from 'node:crypto';
import { CrmsyncError, type LocalObjectType, type StoredRecord } from '@crmsync/core';
import type { ActivityIngestResult, IngestResult } from '@crmsync/engine';
import { z } from 'zod';
import type { ServerDeps } from '../deps.js';
import { iso, IsoDate } from '../schemas.js';

/*
 * The parts the record routes (people, companies, deals) and the activity routes share: how a
 * stored record travels, a refused ingest as the API's error, and the id checks of create,
 * replace and upsert by external id. Every read is in the caller's workspace only, so another
 * workspace's id is a 404.
 */

/** A stored record as the API returns it, for the record types `types`. */
export function storedRecordSchema<const T extends readonly [string, ...string[]]>(types: T) {
  return z.object({
    type: z.enum(types),
    id: z.string(),
    externalId: z.string().nullable(),
    version: z.number().int(),
    updatedAt: IsoDate,
    deletedAt: IsoDate.nullable(),
    data: z.record(z.string(), z.unknown()),
  });
}

/** The record as the API returns it: its document without the workspace (the caller's own). */
export function storedRecordOut<T extends string>(r: StoredRecord) {
  const { workspaceId: _w, ...data } = r.data as Record<string, unknown>;
  return {
    type: r.type as T,
    id: r.id,
    externalId: r.externalId,
    version: r.version,
    updatedAt: r.updatedAt.toISOString(),
    deletedAt: iso(r.deletedAt),
    data,
  };
}

/** A refused ingest as the API's error (the catalogue code the engine chose, the field named). */
export function refusedIngest(
  result: Extract<IngestResult | ActivityIngestResult, { ok: false }> | undefined,
): CrmsyncError {
  if (result === undefined) return new CrmsyncError('INTERNAL', {});
  return new CrmsyncError(
    result.code,
    { problems: result.problems, ...(result.id === null ? {} : { id: result.id }) },
    { message: result.message },
  );
}

/** The names a route family gives one record type. */
export interface RecordNames {
  /** The URL segment: `people`. */
  path: string;
  /** The word in messages: `person`. */
  noun: string;
  /** Generated ids start with `${prefix}_`. */
  prefix: string;
}

/** The live record `id`; NOT_FOUND (404) when it is unknown or deleted. */
export async function liveRecord(
  deps: ServerDeps,
  workspaceId: string,
  type: LocalObjectType,
  names: RecordNames,
  id: string,
): Promise<StoredRecord> {
  const r = await deps.store.workspace(workspaceId).records.get(type, id);
  if (r === null || r.deletedAt !== null) throw new CrmsyncError('NOT_FOUND', { resource: names.noun, id });
  return r;
}

/** The id a create writes (the given one or a new one); CONFLICT (409) when a live record has it. */
export async function idForCreate(
  deps: ServerDeps,
  workspaceId: string,
  type: LocalObjectType,
  names: RecordNames,
  given: string | undefined,
): Promise<string> {
  const id = given ?? `${names.prefix}_${randomUUID()}`;
  const taken = await deps.store.workspace(workspaceId).records.get(type, id);
  if (taken !== null && taken.deletedAt === null) {
    throw new CrmsyncError(
      'CONFLICT',
      { resource: names.noun, id },
      { message: `A ${names.noun} with id ${id} already exists; update it with PUT /${names.path}/${id}.` },
    );
  }
  return id;
}

/** The id an upsert by external id writes: the record that has it, else a new one (`created`). */
export async function idForExternalId(
  deps: ServerDeps,
  workspaceId: string,
  type: LocalObjectType,
  names: RecordNames,
  externalId: string,
): Promise<{ id: string; created: boolean }> {
  const found = await deps.store.workspace(workspaceId).records.findByExternalId(type, externalId);
  return found === null
    ? { id: `${names.prefix}_${randomUUID()}`, created: true }
    : { id: found.id, created: false };
}

/** A list filtered by external id: the one record that has it (a deleted one only when asked), no more pages. */
export async function externalIdPage<O>(
  deps: ServerDeps,
  workspaceId: string,
  type: LocalObjectType,
  q: { externalId: string; includeDeleted?: boolean | undefined },
  out: (r: StoredRecord) => O,
): Promise<{ items: O[]; nextCursor: null }> {
  const r = await deps.store.workspace(workspaceId).records.findByExternalId(type, q.externalId);
  return {
    items: r === null || (r.deletedAt !== null && q.includeDeleted !== true) ? [] : [out(r)],
    nextCursor: null,
  };
}

import {
  checkEligibility,
  Company,
  Deal,
  Person,
  type ChangeKind,
  type Eligibility,
  type StoreTransaction,
} from '@crmsync/core';
import type { EngineDeps } from './deps.js';
import { appendEvent } from './events.js';
import { dealEligibility, type DealEligibility } from './push/deals/eligibility.js';
import { DEAL_QUEUE, dealJobKey, jobKey, PUSH_QUEUE } from './push/jobs.js';

/*
 * Ingest: a change from the host (API, CSV import, UI, CLI) becomes, in ONE transaction, the
 * stored record, its eligibility log entry and, when it could be pushed, a job naming the record
 * (transactional outbox). The job carries no payload, so rapid edits of one record coalesce and
 * the worker decides on what is current when it runs.
 */

export type IngestType = 'person' | 'company' | 'deal';

const LABEL: Record<IngestType, string> = { person: 'Person', company: 'Company', deal: 'Deal' };

/** One change as the host sends it. `data` is parsed here with the core schema. */
export type IngestChange =
  { type: IngestType; op: 'upsert'; data: unknown } | { type: IngestType; op: 'delete'; id: string };

export interface IngestProblem {
  /** The field path the problem is about (`email`, `phones.0.number`), or '' for the whole record. */
  field: string;
  message: string;
}

export type IngestResult =
  | {
      ok: true;
      type: IngestType;
      id: string;
      version: number | null;
      change: ChangeKind;
      eligibility: Eligibility | DealEligibility;
      /** A push job was enqueued (or coalesced into the pending one). */
      queued: boolean;
    }
  | {
      ok: false;
      type: IngestType;
      /** The record's id when the input had one. */
      id: string | null;
      /** Index of the change in a bulk ingest. */
      row: number | null;
      code: 'INVALID_INPUT' | 'CONFLICT' | 'NOT_FOUND';
      /** Names the record and the field: what went wrong and what to do. */
      message: string;
      problems: IngestProblem[];
    };

const SCHEMAS = { person: Person, company: Company, deal: Deal } as const;

function idOf(data: unknown): string | null {
  return typeof data === 'object' && data !== null && typeof (data as { id?: unknown }).id === 'string'
    ? (data as { id: string }).id
    : null;
}

function invalid(
  type: IngestType,
  id: string | null,
  row: number | null,
  problems: IngestProblem[],
): IngestResult {
  const what = `${LABEL[type]}${id === null ? '' : ` ${id}`}${row === null ? '' : ` (row ${row + 1})`}`;
  const list = problems.map((p) => (p.field === '' ? p.message : `${p.field}: ${p.message}`)).join('; ');
  return {
    ok: false,
    type,
    id,
    row,
    code: 'INVALID_INPUT',
    message: `${what} was not saved: ${list}. Fix the value and send it again; nothing else was affected.`,
    problems,
  };
}

type Parsed =
  | { ok: true; change: IngestChange; record: Person | Company | Deal | null }
  | { ok: false; result: IngestResult };

/** Parses one change at the edge, before any transaction. */
function parseChange(workspaceId: string, change: IngestChange, row: number | null): Parsed {
  const type = change.type;
  if (type !== 'person' && type !== 'company' && type !== 'deal') {
    return {
      ok: false,
      result: invalid('person', null, row, [
        { field: 'type', message: `must be "person", "company" or "deal", got ${JSON.stringify(type)}` },
      ]),
    };
  }
  if (change.op === 'delete') {
    if (typeof change.id !== 'string' || change.id === '') {
      return {
        ok: false,
        result: invalid(type, null, row, [{ field: 'id', message: 'a delete needs the id of the record' }]),
      };
    }
    return { ok: true, change, record: null };
  }
  if (change.op !== 'upsert') {
    return {
      ok: false,
      result: invalid(type, idOf((change as { data?: unknown }).data), row, [
        { field: 'op', message: 'must be "upsert" or "delete"' },
      ]),
    };
  }
  const data = change.data;
  const withWorkspace =
    typeof data === 'object' &&
    data !== null &&
    !Array.isArray(data) &&
    (data as { workspaceId?: unknown }).workspaceId === undefined
      ? { ...data, workspaceId }
      : data;
  const parsed =
    type === 'person'
      ? SCHEMAS.person.safeParse(withWorkspace)
      : type === 'company'
        ? SCHEMAS.company.safeParse(withWorkspace)
        : SCHEMAS.deal.safeParse(withWorkspace);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => ({
      field: i.path.map(String).join('.'),
      message: i.message,
    }));
    return { ok: false, result: invalid(type, idOf(data), row, problems) };
  }
  if (parsed.data.workspaceId !== workspaceId) {
    return {
      ok: false,
      result: invalid(type, parsed.data.id, row, [
        {
          field: 'workspaceId',
          message: `belongs to workspace ${parsed.data.workspaceId}, not ${workspaceId}`,
        },
      ]),
    };
  }
  return { ok: true, change, record: parsed.data };
}

/** Applies one parsed change inside `tx`: record, log entry, link mark, job. */
async function applyChange(
  tx: StoreTransaction,
  orgId: string,
  parsed: Extract<Parsed, { ok: true }>,
  row: number | null,
): Promise<IngestResult> {
  const { change } = parsed;
  const type = change.type;
  const id = change.op === 'delete' ? change.id : parsed.record!.id;
  const previousRow = await tx.records.get(type, id);
  const link = await tx.links.get(type, id, orgId);
  let kind: ChangeKind;
  let version: number | null;
  if (change.op === 'delete') {
    if (previousRow === null || previousRow.deletedAt !== null) {
      return {
        ok: false,
        type,
        id,
        row,
        code: 'NOT_FOUND',
        message: `${LABEL[type]} ${id} was not deleted: crmsync has no such record${previousRow === null ? '' : ' (it was deleted already)'}.`,
        problems: [{ field: 'id', message: 'no such record' }],
      };
    }
    kind = 'deleted';
    version = await tx.records.delete(type, id);
  } else {
    kind = previousRow === null || previousRow.deletedAt !== null ? 'created' : 'updated';
    version = await tx.records.upsert(type, parsed.record as never);
  }
  const settings = (await tx.settings.get()).settings;
  const record = (change.op === 'delete' ? previousRow!.data : parsed.record) as Person & Company;
  const previous = kind === 'updated' ? (previousRow!.data as Person & Company) : null;
  const eligibility =
    type === 'deal'
      ? dealEligibility({ dealId: id, change: kind, link, settings, orgId })
      : type === 'person'
        ? checkEligibility({ kind: 'person', record, previous, link, change: kind, settings, orgId })
        : checkEligibility({ kind: 'company', record, previous, link, change: kind, settings, orgId });
  await tx.log.append([
    {
      recordType: type,
      recordId: id,
      action: eligibility.eligible
        ? eligibility.effect === 'delete'
          ? 'queue_delete'
          : 'queue_push'
        : 'not_eligible',
      rules: eligibility.rules,
      reason: eligibility.reason,
      payload: { change: kind, code: eligibility.code },
    },
  ]);
  if (!eligibility.eligible && eligibility.markLink !== null && link !== null) {
    await tx.links.markState({ localType: type, localId: id, orgId }, eligibility.markLink);
    await appendEvent(tx, 'link.state_changed', {
      localType: type,
      localId: id,
      sfObject: link.sfObject,
      sfId: link.sfId,
      state: eligibility.markLink,
    });
  }
  if (kind === 'deleted') await appendEvent(tx, `${type}.deleted`, { id, source: 'local' });
  if (eligibility.eligible)
    await tx.jobs.enqueue(
      type === 'deal'
        ? { queue: DEAL_QUEUE, key: dealJobKey(id) }
        : { queue: PUSH_QUEUE[type], key: jobKey(type, id) },
    );
  return { ok: true, type, id, version, change: kind, eligibility, queued: eligibility.eligible };
}

function isExternalIdTaken(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'external_id_taken';
}

export interface IngestOptions {
  /** Records per transaction in a bulk ingest (default 500). */
  chunkSize?: number;
}

/**
 * Ingests changes; one result per change, in order. Invalid input fails alone with a message that
 * names the record and the field; the other changes are saved. A chunk of `chunkSize` changes
 * commits as one transaction; a record refused by the store (an external id another record holds)
 * is retried alone so it never takes its chunk with it.
 */
export async function ingestMany(
  deps: Pick<EngineDeps, 'store'>,
  workspaceId: string,
  changes: readonly IngestChange[],
  options: IngestOptions = {},
): Promise<IngestResult[]> {
  const size = Math.max(1, options.chunkSize ?? 500);
  const results: IngestResult[] = new Array<IngestResult>(changes.length);
  const orgId = (await deps.store.workspace(workspaceId).connection.get())?.orgId ?? '';
  const row = (i: number) => (changes.length === 1 ? null : i);
  for (let start = 0; start < changes.length; start += size) {
    const ready: { index: number; parsed: Extract<Parsed, { ok: true }> }[] = [];
    for (let i = start; i < Math.min(changes.length, start + size); i++) {
      const parsed = parseChange(workspaceId, changes[i]!, row(i));
      if (parsed.ok) ready.push({ index: i, parsed });
      else results[i] = parsed.result;
    }
    try {
      await deps.store.transaction(workspaceId, async (tx) => {
        for (const { index, parsed } of ready)
          results[index] = await applyChange(tx, orgId, parsed, row(index));
      });
    } catch (err) {
      if (!isExternalIdTaken(err) || ready.length === 0) throw err;
      // One record's external id is taken: save the chunk one record per transaction so only it fails.
      for (const { index, parsed } of ready) {
        try {
          results[index] = await deps.store.transaction(workspaceId, (tx) =>
            applyChange(tx, orgId, parsed, row(index)),
          );
        } catch (e) {
          if (!isExternalIdTaken(e)) throw e;
          const rec = parsed.record!;
          results[index] = {
            ok: false,
            type: parsed.change.type,
            id: rec.id,
            row: row(index),
            code: 'CONFLICT',
            message: `${LABEL[parsed.change.type]} ${rec.id} was not saved: externalId ${JSON.stringify(rec.externalId)} already belongs to another ${parsed.change.type} of this workspace; use a unique externalId.`,
            problems: [{ field: 'externalId', message: 'already used by another record' }],
          };
        }
      }
    }
  }
  return results;
}

/** Ingests one change (see `ingestMany`). */
export async function ingest(
  deps: Pick<EngineDeps, 'store'>,
  workspaceId: string,
  change: IngestChange,
): Promise<IngestResult> {
  const [result] = await ingestMany(deps, workspaceId, [change]);
  return result!;
}

import type {
  LocalObjectType,
  LogEntryInput,
  RecordDocuments,
  Settings,
  StoreTransaction,
} from '@crmsync/core';
import type { EngineDeps } from '../../deps.js';
import { appendEvent } from '../../events.js';
import type { IngestProblem } from '../../ingest.js';
import {
  ACTIVITY_QUEUE,
  ACTIVITY_SCHEMAS,
  activityJobKey,
  activityLabel,
  emailDedupeKey,
  isActivityType,
  kindToggle,
  MESSAGE_INDEX_ORG,
  messageIndexName,
  threadIndexName,
  type ActivityType,
  type MessageIndexEntry,
} from './kinds.js';

/*
 * Ingest of activities (emails, notes, tasks, calls, meetings, meeting summaries), as people and
 * companies are ingested: parsed at the edge, then in one transaction the record, its log entry
 * and its push job (transactional outbox). Two things are activity-specific:
 * - E6/E12: an email whose message was seen before (sent through the app, later synced from the
 *   mailbox) is kept but not pushed again: its job re-queues the first email, so the one Task
 *   is updated, never doubled.
 * - Bad references are refused here, naming the record and the field: an activity naming a
 *   person, company, deal or meeting that is not of this workspace never gets stored.
 * A delete removes the local record only: the spec has no deletion sync for activities, so the
 * Salesforce Task, Event or Note stays, its link is marked deleted locally, and a push job still
 * queued for it finds no record and completes without sending (the worker's 'missing' outcome).
 */

export type ActivityIngestChange =
  { type: ActivityType; op: 'upsert'; data: unknown } | { type: ActivityType; op: 'delete'; id: string };

export type ActivityIngestResult =
  | {
      ok: true;
      type: ActivityType;
      id: string;
      version: number;
      change: 'created' | 'updated' | 'deleted';
      /** A push job was enqueued (or coalesced into the pending one). */
      queued: boolean;
      /** E6: the email first seen with this message, when it is not this one. */
      duplicateOf: string | null;
      rules: string[];
      reason: string;
    }
  | {
      ok: false;
      type: string;
      id: string | null;
      row: number | null;
      code: 'INVALID_INPUT' | 'CONFLICT' | 'NOT_FOUND';
      message: string;
      problems: IngestProblem[];
    };

type Doc = RecordDocuments[ActivityType];
interface Ready {
  index: number;
  type: ActivityType;
  record: Doc;
}
interface Deleting {
  index: number;
  type: ActivityType;
  id: string;
}

const idOf = (data: unknown): string | null =>
  typeof data === 'object' && data !== null && typeof (data as { id?: unknown }).id === 'string'
    ? (data as { id: string }).id
    : null;

function refused(
  type: string,
  id: string | null,
  row: number | null,
  problems: IngestProblem[],
  code: 'INVALID_INPUT' | 'CONFLICT' = 'INVALID_INPUT',
): ActivityIngestResult {
  const what = isActivityType(type) ? activityLabel(type, id, row) : `Record${id === null ? '' : ` ${id}`}`;
  const list = problems.map((p) => (p.field === '' ? p.message : `${p.field}: ${p.message}`)).join('; ');
  return {
    ok: false,
    type,
    id,
    row,
    code,
    message: `${what} was not saved: ${list}. Fix the value and send it again; nothing else was affected.`,
    problems,
  };
}

function parse(
  workspaceId: string,
  change: ActivityIngestChange,
  index: number,
  row: number | null,
): Ready | Deleting | ActivityIngestResult {
  const type: unknown = change.type;
  const given = change as { data?: unknown; id?: unknown };
  const changeId = typeof given.id === 'string' ? given.id : idOf(given.data);
  if (!isActivityType(type))
    return refused(String(type), changeId, row, [
      {
        field: 'type',
        message: `must be one of email, note, task, call, meeting, meeting_summary, got ${JSON.stringify(type)}`,
      },
    ]);
  if (change.op === 'delete') {
    if (typeof change.id !== 'string' || change.id === '')
      return refused(type, null, row, [{ field: 'id', message: 'a delete needs the id of the record' }]);
    return { index, type, id: change.id };
  }
  if (change.op !== 'upsert')
    return refused(type, changeId, row, [{ field: 'op', message: 'must be "upsert" or "delete"' }]);
  const data = change.data;
  const withWorkspace =
    typeof data === 'object' && data !== null && !Array.isArray(data) && !('workspaceId' in data)
      ? { ...data, workspaceId }
      : data;
  const parsed = ACTIVITY_SCHEMAS[type].safeParse(withWorkspace);
  if (!parsed.success)
    return refused(
      type,
      idOf(data),
      row,
      parsed.error.issues.map((i) => ({ field: i.path.map(String).join('.'), message: i.message })),
    );
  if (parsed.data.workspaceId !== workspaceId)
    return refused(type, parsed.data.id, row, [
      {
        field: 'workspaceId',
        message: `belongs to workspace ${parsed.data.workspaceId}, not ${workspaceId}`,
      },
    ]);
  return { index, type, record: parsed.data };
}

/** The local records an activity names, by field. */
function references(
  type: ActivityType,
  r: Doc,
): { field: string; type: 'person' | 'company' | 'deal' | 'meeting'; id: string }[] {
  const refs: { field: string; type: 'person' | 'company' | 'deal' | 'meeting'; id: string }[] = [];
  if (r.personId !== null) refs.push({ field: 'personId', type: 'person', id: r.personId });
  if (r.companyId !== null) refs.push({ field: 'companyId', type: 'company', id: r.companyId });
  if (r.dealId !== null) refs.push({ field: 'dealId', type: 'deal', id: r.dealId });
  if (type === 'meeting_summary')
    refs.push({
      field: 'meetingId',
      type: 'meeting',
      id: (r as RecordDocuments['meeting_summary']).meetingId,
    });
  return refs;
}

/** Applies one parsed activity inside `tx`. */
/**
 * What a chunk's rows are checked against, read once per chunk (one query per type) so a large
 * import costs a few statements per row: the settings, the live records the rows name or are
 * (`type:id`), and the activities already linked. The chunk's log entries are appended at its end.
 */
interface Chunk {
  settings: Settings;
  live: Set<string>;
  linked: Set<string>;
  log: LogEntryInput[];
}

async function readChunk(
  tx: StoreTransaction,
  orgId: string,
  ready: readonly (Ready | Deleting)[],
): Promise<Chunk> {
  const ids = new Map<string, Set<string>>();
  const want = (type: string, id: string) => ids.set(type, (ids.get(type) ?? new Set()).add(id));
  for (const r of ready) {
    if (!('record' in r)) {
      want(r.type, r.id);
      continue;
    }
    want(r.type, r.record.id);
    for (const ref of references(r.type, r.record)) want(ref.type, ref.id);
  }
  const live = new Set<string>();
  const linked = new Set<string>();
  for (const [type, set] of ids) {
    const list = [...set];
    for (const rec of await tx.records.getMany(type as LocalObjectType, list))
      if (rec.deletedAt === null) live.add(`${type}:${rec.id}`);
    if (isActivityType(type))
      for (const l of await tx.links.getMany(type, list, orgId)) linked.add(`${type}:${l.localId}`);
  }
  return { settings: (await tx.settings.get()).settings, live, linked, log: [] };
}

/**
 * E6: the first copy of a message was deleted before it was ever logged, so a later copy carries
 * the message instead (a logged one keeps it: its Task stays in Salesforce, logged once).
 */
async function neverLoggedAndDeleted(tx: StoreTransaction, orgId: string, emailId: string): Promise<boolean> {
  const first = await tx.records.get('email', emailId);
  return (
    (first === null || first.deletedAt !== null) && (await tx.links.get('email', emailId, orgId)) === null
  );
}

async function apply(
  tx: StoreTransaction,
  orgId: string,
  chunk: Chunk,
  ready: Ready,
  row: number | null,
): Promise<ActivityIngestResult> {
  const { settings, live, linked: linkedSet } = chunk;
  const { type, record } = ready;
  const label = activityLabel(type, record.id, row);
  for (const ref of references(type, record)) {
    if (!live.has(`${ref.type}:${ref.id}`))
      return refused(type, record.id, row, [
        {
          field: ref.field,
          message: `names ${ref.type} ${ref.id}, which is not a ${ref.type} of this workspace (or was deleted); import it first or correct the id`,
        },
      ]);
  }

  let duplicateOf: string | null = null;
  /** The message turned out to be sent through the app: its first copy is decided again (E1). */
  let becameAppSent = false;
  if (type === 'email') {
    const email = record as RecordDocuments['email'];
    const name = messageIndexName(emailDedupeKey(email));
    const seen = (await tx.cursors.get(MESSAGE_INDEX_ORG, name)) as MessageIndexEntry | null;
    if (
      seen !== null &&
      seen.emailId !== email.id &&
      !(await neverLoggedAndDeleted(tx, orgId, seen.emailId))
    ) {
      duplicateOf = seen.emailId;
      // E1: the message was sent through the app even when its first copy came from the mailbox.
      becameAppSent = email.sentThroughApp && !seen.sentThroughApp;
      if (becameAppSent) await tx.cursors.put(MESSAGE_INDEX_ORG, name, { ...seen, sentThroughApp: true });
    } else
      await tx.cursors.put(MESSAGE_INDEX_ORG, name, {
        emailId: email.id,
        sentThroughApp: email.sentThroughApp || seen?.sentThroughApp === true,
      });
    if (email.sentThroughApp && email.threadId !== null)
      await tx.cursors.put(MESSAGE_INDEX_ORG, threadIndexName(email.threadId), true);
  }

  const change = live.has(`${type}:${record.id}`) ? 'updated' : 'created';
  const version = await tx.records.upsert(type, record as never);
  live.add(`${type}:${record.id}`);

  if (duplicateOf !== null) {
    // The first email carries the Task; a re-sync of the message refreshes it (E12).
    const queued = becameAppSent || (await tx.links.get('email', duplicateOf, orgId)) !== null;
    if (queued) await tx.jobs.enqueue({ queue: ACTIVITY_QUEUE, key: activityJobKey('email', duplicateOf) });
    const reason = `${label} is the same message as email ${duplicateOf} (same Message-ID), which carries its Task; the message is logged once (E6, E12).`;
    chunk.log.push({
      recordType: type,
      recordId: record.id,
      action: 'duplicate',
      rules: ['E6', 'E12'],
      reason,
      payload: { duplicateOf },
    });
    return {
      ok: true,
      type,
      id: record.id,
      version,
      change,
      queued: false,
      duplicateOf,
      rules: ['E6', 'E12'],
      reason,
    };
  }

  const toggle = kindToggle(type, settings);
  const linked = linkedSet.has(`${type}:${record.id}`);
  const eligible = linked || toggle.on;
  const rules = linked ? [toggle.rule, 'E12'] : [toggle.rule];
  const reason = linked
    ? `${label} is linked to a Salesforce record, so the change is pushed to it (E12).`
    : toggle.on
      ? `"${toggle.name}" is on, so ${label} is queued; the worker decides with the settings in force then.`
      : `${label} is not pushed: "${toggle.name}" is off (${toggle.rule}).`;
  chunk.log.push({
    recordType: type,
    recordId: record.id,
    action: eligible ? 'queue_push' : 'not_eligible',
    rules,
    reason,
    payload: { change },
  });
  if (eligible) await tx.jobs.enqueue({ queue: ACTIVITY_QUEUE, key: activityJobKey(type, record.id) });
  return {
    ok: true,
    type,
    id: record.id,
    version,
    change,
    queued: eligible,
    duplicateOf: null,
    rules,
    reason,
  };
}

/**
 * Deletes one activity inside `tx`: the local record (soft, so the log and the link keep naming
 * it), never its Salesforce record; an active link is marked deleted locally.
 */
async function applyDelete(
  tx: StoreTransaction,
  orgId: string,
  chunk: Chunk,
  d: Deleting,
  row: number | null,
): Promise<ActivityIngestResult> {
  const key = `${d.type}:${d.id}`;
  const label = activityLabel(d.type, d.id, row);
  if (!chunk.live.has(key))
    return {
      ok: false,
      type: d.type,
      id: d.id,
      row,
      code: 'NOT_FOUND',
      message: `${label} was not deleted: this workspace has no such record (or it was deleted already). Check the id.`,
      problems: [{ field: 'id', message: 'no such record' }],
    };
  const version = await tx.records.delete(d.type, d.id);
  chunk.live.delete(key);
  const link = chunk.linked.has(key) ? await tx.links.get(d.type, d.id, orgId) : null;
  const marks = link !== null && link.state === 'active';
  if (marks) {
    await tx.links.markState({ localType: d.type, localId: d.id, orgId }, 'deleted_locally');
    await appendEvent(tx, 'link.state_changed', {
      localType: d.type,
      localId: d.id,
      sfObject: link.sfObject,
      sfId: link.sfId,
      state: 'deleted_locally',
    });
  }
  await appendEvent(tx, `${d.type}.deleted`, { id: d.id, source: 'local' });
  const reason =
    link === null
      ? `${label} was deleted in crmsync. It was never logged in Salesforce, so nothing there changes; a push still queued for it sends nothing.`
      : `${label} was deleted in crmsync. Its Salesforce ${link.sfObject} ${link.sfId} is kept (deleting an activity never deletes it in Salesforce)${marks ? ' and its link is marked deleted locally' : ''}; a push still queued for it sends nothing.`;
  chunk.log.push({
    recordType: d.type,
    recordId: d.id,
    action: 'delete_local',
    rules: [],
    reason,
    payload: { change: 'deleted', ...(link === null ? {} : { sfObject: link.sfObject, sfId: link.sfId }) },
  });
  return {
    ok: true,
    type: d.type,
    id: d.id,
    version: version!,
    change: 'deleted',
    queued: false,
    duplicateOf: null,
    rules: [],
    reason,
  };
}

const isExternalIdTaken = (err: unknown): boolean =>
  typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'external_id_taken';

/**
 * Ingests activities; one result per change, in order. Refused ones fail alone with a message
 * naming the record and the field; the others are saved, `chunkSize` per transaction.
 */
export async function ingestActivities(
  deps: Pick<EngineDeps, 'store'>,
  workspaceId: string,
  changes: readonly ActivityIngestChange[],
  options: { chunkSize?: number } = {},
): Promise<ActivityIngestResult[]> {
  const size = Math.max(1, options.chunkSize ?? 500);
  const results = new Array<ActivityIngestResult>(changes.length);
  const orgId = (await deps.store.workspace(workspaceId).connection.get())?.orgId ?? '';
  const rowOf = (i: number) => (changes.length === 1 ? null : i);
  for (let start = 0; start < changes.length; start += size) {
    const ready: (Ready | Deleting)[] = [];
    for (let i = start; i < Math.min(changes.length, start + size); i++) {
      const parsed = parse(workspaceId, changes[i]!, i, rowOf(i));
      if ('ok' in parsed) results[i] = parsed;
      else ready.push(parsed);
    }
    const applyOne = (tx: StoreTransaction, chunk: Chunk, r: Ready | Deleting) =>
      'record' in r
        ? apply(tx, orgId, chunk, r, rowOf(r.index))
        : applyDelete(tx, orgId, chunk, r, rowOf(r.index));
    try {
      await deps.store.transaction(workspaceId, async (tx) => {
        const chunk = await readChunk(tx, orgId, ready);
        for (const r of ready) results[r.index] = await applyOne(tx, chunk, r);
        if (chunk.log.length > 0) await tx.log.append(chunk.log);
      });
    } catch (err) {
      if (!isExternalIdTaken(err)) throw err;
      // One record's external id is taken: one transaction per record, so only it fails.
      for (const r of ready) {
        try {
          results[r.index] = await deps.store.transaction(workspaceId, async (tx) => {
            const chunk = await readChunk(tx, orgId, [r]);
            const result = await applyOne(tx, chunk, r);
            if (chunk.log.length > 0) await tx.log.append(chunk.log);
            return result;
          });
        } catch (e) {
          if (!isExternalIdTaken(e) || !('record' in r)) throw e;
          results[r.index] = refused(
            r.type,
            r.record.id,
            rowOf(r.index),
            [
              {
                field: 'externalId',
                message: `${JSON.stringify(r.record.externalId)} already belongs to another ${r.type} of this workspace; use a unique externalId`,
              },
            ],
            'CONFLICT',
          );
        }
      }
    }
  }
  return results;
}

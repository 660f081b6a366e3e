import {
  decideActivityPush,
  emailDedupeKey,
  emailKey,
  linkInOrg,
  onMailboxDomain,
  bareAddress,
  threadContext,
  type ActivityContext,
  type ActivityDecision,
  type ActivityObject,
  type ActivityPushInput,
  type Company,
  type Deal,
  type Link,
  type LinkedRecord,
  type ObjectDescribe,
  type Person,
  type PersonCandidate,
  type RecordDocuments,
  type StoredRecord,
} from '@crmsync/core';
import type { PushContext } from '../context.js';
import {
  MESSAGE_INDEX_ORG,
  messageIndexName,
  threadIndexName,
  type ActivityType,
  type MessageIndexEntry,
} from './kinds.js';

/*
 * The activity planner: re-reads a batch of activities with everything their decisions need (the
 * people, companies, deals and meetings they name, the people behind their addresses, the X1
 * candidates of the addresses crmsync has no linked person for, in ONE lookup per batch, the
 * thread facts of E1, the Task/Event/Note describes) and asks core's `decideActivityPush` about
 * each. It writes nothing.
 */

export interface ActivityRef {
  type: ActivityType;
  id: string;
}

export interface PlannedActivity {
  type: ActivityType;
  id: string;
  record: StoredRecord<ActivityType> | null;
  link: Link | null;
  /** Null only when the record does not exist (or was deleted). */
  decision: ActivityDecision | null;
}

const OBJECT_OF: Record<ActivityType, ActivityObject> = {
  email: 'Task',
  task: 'Task',
  call: 'Task',
  meeting: 'Event',
  note: 'Note',
  meeting_summary: 'Note',
};

export const activityObject = (type: ActivityType): ActivityObject => OBJECT_OF[type];

type Rec<T extends ActivityType> = RecordDocuments[T];

/** The addresses whose people an activity may be logged on (E6 From/To, E10 attendees). */
function addressesOf(type: ActivityType, data: Rec<ActivityType>): string[] {
  if (type === 'email') {
    const e = data as Rec<'email'>;
    return [e.from, ...e.to];
  }
  if (type === 'meeting') return (data as Rec<'meeting'>).attendees;
  return [];
}

/** Message ids an In-Reply-To header names, as `emailDedupeKey` writes them. */
function replyKeys(header: string): string[] {
  const bracketed = [...header.matchAll(/<([^<>]+)>/g)].map((m) => m[1] ?? '');
  return (bracketed.length > 0 ? bracketed : [header])
    .map((id) => emailDedupeKey({ messageId: id }))
    .filter((k) => k !== '');
}

const isLive = <T extends { deletedAt: Date | null }>(r: T | undefined): r is T =>
  r !== undefined && r.deletedAt === null;

export async function planActivities(
  ctx: PushContext,
  refs: readonly ActivityRef[],
): Promise<PlannedActivity[]> {
  const reader = ctx.deps.store.workspace(ctx.workspaceId);
  const idsOf = new Map<ActivityType, string[]>();
  for (const r of refs) idsOf.set(r.type, [...new Set([...(idsOf.get(r.type) ?? []), r.id])]);

  const records = new Map<string, StoredRecord<ActivityType>>();
  const links = new Map<string, Link>();
  for (const [type, ids] of idsOf) {
    const [rows, ls] = await Promise.all([
      reader.records.getMany(type, ids),
      reader.links.getMany(type, ids, ctx.orgId),
    ]);
    for (const r of rows) records.set(`${type}:${r.id}`, r as StoredRecord<ActivityType>);
    for (const l of ls) links.set(`${type}:${l.localId}`, l);
  }
  const live = refs.flatMap((r) => {
    const rec = records.get(`${r.type}:${r.id}`);
    return isLive(rec) ? [{ ...r, data: rec.data }] : [];
  });

  // E11: the summaries' meetings, for their deals.
  const meetingIds = live.flatMap((r) =>
    r.type === 'meeting_summary' ? [(r.data as Rec<'meeting_summary'>).meetingId] : [],
  );
  const meetings = new Map(
    (meetingIds.length === 0 ? [] : await reader.records.getMany('meeting', [...new Set(meetingIds)]))
      .filter((m) => m.deletedAt === null)
      .map((m) => [m.id, m.data]),
  );
  const dealIdOf = (r: (typeof live)[number]): string | null =>
    r.type === 'meeting_summary'
      ? (meetings.get((r.data as Rec<'meeting_summary'>).meetingId)?.dealId ?? r.data.dealId)
      : r.data.dealId;

  // People by id and by address; companies and deals by id; all with their links.
  const people = new Map<string, Person>();
  const personIds = new Set(live.flatMap((r) => (r.data.personId === null ? [] : [r.data.personId])));
  if (personIds.size > 0)
    for (const p of await reader.records.getMany('person', [...personIds]))
      if (p.deletedAt === null) people.set(p.id, p.data);
  const addresses = new Map<string, string>();
  for (const r of live)
    for (const a of addressesOf(r.type, r.data)) {
      const key = emailKey(bareAddress(a));
      if (key !== null && !onMailboxDomain(key, ctx.workspace)) addresses.set(key, a);
    }
  const byAddress = new Map<string, Person>();
  for (const [key, found] of await reader.records.findPeopleByEmails([...addresses.keys()])) {
    const first = found[0];
    if (first === undefined) continue;
    for (const p of found) people.set(p.id, p.data);
    byAddress.set(key, first.data);
  }
  const personLinks = new Map(
    (people.size === 0 ? [] : await reader.links.getMany('person', [...people.keys()], ctx.orgId)).map(
      (l) => [l.localId, l],
    ),
  );

  const companyIds = new Set<string>();
  for (const r of live) {
    const own =
      r.data.companyId ?? (r.data.personId === null ? null : people.get(r.data.personId)?.companyId);
    if (own !== null && own !== undefined) companyIds.add(own);
  }
  const companies = new Map<string, LinkedRecord<Company>>();
  if (companyIds.size > 0) {
    const [rows, ls] = await Promise.all([
      reader.records.getMany('company', [...companyIds]),
      reader.links.getMany('company', [...companyIds], ctx.orgId),
    ]);
    const linkOf = new Map(ls.map((l) => [l.localId, l]));
    for (const c of rows)
      if (c.deletedAt === null) companies.set(c.id, { record: c.data, link: linkOf.get(c.id) ?? null });
  }
  const dealIds = new Set(live.flatMap((r) => (dealIdOf(r) === null ? [] : [dealIdOf(r)!])));
  const deals = new Map<string, LinkedRecord<Deal>>();
  if (dealIds.size > 0) {
    const [rows, ls] = await Promise.all([
      reader.records.getMany('deal', [...dealIds]),
      reader.links.getMany('deal', [...dealIds], ctx.orgId),
    ]);
    const linkOf = new Map(ls.map((l) => [l.localId, l]));
    for (const d of rows)
      if (d.deletedAt === null) deals.set(d.id, { record: d.data, link: linkOf.get(d.id) ?? null });
  }

  // X1: one lookup for the addresses crmsync knows no linked person for.
  const unknown = [...addresses.keys()].filter((key) => {
    const p = byAddress.get(key);
    const l = p === undefined ? null : linkInOrg(personLinks.get(p.id) ?? null, ctx.orgId);
    return l === null || l.state !== 'active';
  });
  const candidates: PersonCandidate[] = unknown.length === 0 ? [] : await ctx.crm.findPeopleByEmail(unknown);

  // E1: threads and messages of emails sent through the app.
  const threadIds = new Set<string>();
  const messageKeys = new Set<string>();
  /** Outgoing emails whose message another copy says was sent through the app (E6: one message, one kind). */
  const appSent = new Set<string>();
  const emails = live.flatMap((r) => (r.type === 'email' ? [r.data as Rec<'email'>] : []));
  // The message index entries these emails ask about, read at once.
  const names = emails.flatMap((e) => [
    ...(e.direction === 'outgoing' && !e.sentThroughApp ? [messageIndexName(emailDedupeKey(e))] : []),
    ...(e.direction === 'incoming' && e.threadId !== null ? [threadIndexName(e.threadId)] : []),
    ...(e.direction === 'incoming' && e.inReplyTo !== null
      ? replyKeys(e.inReplyTo).map(messageIndexName)
      : []),
  ]);
  const index =
    names.length === 0 ? new Map<string, unknown>() : await reader.cursors.getMany(MESSAGE_INDEX_ORG, names);
  const appSentMessage = (name: string) =>
    (index.get(name) as MessageIndexEntry | undefined)?.sentThroughApp === true;
  for (const e of emails) {
    if (
      e.direction === 'outgoing' &&
      !e.sentThroughApp &&
      appSentMessage(messageIndexName(emailDedupeKey(e)))
    )
      appSent.add(e.id);
    if (e.direction !== 'incoming') continue;
    if (e.threadId !== null && index.has(threadIndexName(e.threadId))) threadIds.add(e.threadId);
    for (const key of e.inReplyTo === null ? [] : replyKeys(e.inReplyTo))
      if (appSentMessage(messageIndexName(key))) messageKeys.add(key);
  }
  const sent = { threadIds, messageKeys };

  // The objects' describes and X4 field, once per adapter.
  const objects = new Set(live.map((r) => OBJECT_OF[r.type]));
  const describes = new Map<ActivityObject, ObjectDescribe>();
  const externalId = new Map<ActivityObject, boolean>();
  for (const o of objects) {
    describes.set(o, await ctx.crm.describe(o));
    externalId.set(o, await ctx.crm.hasExternalIdField(o));
  }

  const withLink = (p: Person): LinkedRecord<Person> => ({ record: p, link: personLinks.get(p.id) ?? null });
  return refs.map((ref): PlannedActivity => {
    const key = `${ref.type}:${ref.id}`;
    const stored = records.get(key) ?? null;
    const link = links.get(key) ?? null;
    if (!isLive(stored ?? undefined)) return { ...ref, record: stored, link, decision: null };
    const data = stored!.data;
    const named = new Map<string, Person>();
    if (data.personId !== null && people.has(data.personId))
      named.set(data.personId, people.get(data.personId)!);
    for (const a of addressesOf(ref.type, data)) {
      const k = emailKey(bareAddress(a));
      const p = k === null ? undefined : byAddress.get(k);
      if (p !== undefined) named.set(p.id, p);
    }
    const companyId =
      data.companyId ?? (data.personId === null ? null : (people.get(data.personId)?.companyId ?? null));
    const dealId = ref.type === 'meeting_summary' ? dealIdOf({ ...ref, data }) : data.dealId;
    const object = OBJECT_OF[ref.type];
    const base: ActivityContext = {
      settings: ctx.settings,
      orgId: ctx.orgId,
      workspace: ctx.workspace,
      link,
      people: [...named.values()].map(withLink),
      company: companyId === null ? null : (companies.get(companyId) ?? null),
      deal: dealId === null ? null : (deals.get(dealId) ?? null),
      candidates,
      describe: describes.get(object) ?? null,
      hasExternalIdField: externalId.get(object) ?? false,
      owners: ctx.owners,
    };
    const own = ref.type === 'email' && appSent.has(ref.id) ? { ...data, sentThroughApp: true } : data;
    const input = inputOf(ref.type, own, base, sent, meetings);
    return { ...ref, record: stored, link, decision: decideActivityPush(input) };
  });
}

function inputOf(
  type: ActivityType,
  data: Rec<ActivityType>,
  base: ActivityContext,
  sent: { threadIds: Set<string>; messageKeys: Set<string> },
  meetings: Map<string, Rec<'meeting'>>,
): ActivityPushInput {
  switch (type) {
    case 'email': {
      const record = data as Rec<'email'>;
      return { ...base, kind: 'email', record, thread: threadContext(record, sent) };
    }
    case 'note':
      return { ...base, kind: 'note', record: data as Rec<'note'> };
    case 'task':
      return { ...base, kind: 'task', record: data as Rec<'task'> };
    case 'call':
      return { ...base, kind: 'call', record: data as Rec<'call'> };
    case 'meeting':
      return { ...base, kind: 'meeting', record: data as Rec<'meeting'> };
    case 'meeting_summary': {
      const record = data as Rec<'meeting_summary'>;
      return { ...base, kind: 'meeting_summary', record, meeting: meetings.get(record.meetingId) ?? null };
    }
  }
}

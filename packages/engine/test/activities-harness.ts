import type { TestContext } from 'node:test';
import type { LogEntry } from '@crmsync/core';
import { ingestActivities, type ActivityIngestChange } from '../src/push/activities/ingest.js';
import type { ActivityType } from '../src/push/activities/kinds.js';
import {
  connectedWorkspace,
  externalIdSchema,
  type EmulatorProcess,
  type Harness,
  type WorkspaceOptions,
} from './harness.js';

/*
 * Helpers of the activity tests (E1-E12): an org whose Task, Event and Note also carry
 * Crmsync_Id__c (X4 upserts), activity rows as ingest takes them, and SOQL-side reads.
 */

const X4_FIELD = { name: 'Crmsync_Id__c', type: 'string', length: 255, externalId: true, unique: true };

/** Crmsync_Id__c on Contact, Lead, Account and on the activity objects. */
export const activitySchema = () =>
  externalIdSchema({
    Task: { fields: [X4_FIELD] },
    Event: { fields: [X4_FIELD] },
    Note: { fields: [X4_FIELD] },
  });

export function activityWorkspace(
  t: TestContext,
  emu: EmulatorProcess,
  o: WorkspaceOptions = {},
): Promise<Harness> {
  return connectedWorkspace(t, emu, {
    ...(o.externalId === false ? {} : { schema: activitySchema() }),
    ...o,
  });
}

export const SENT_AT = '2026-11-20T10:00:00Z';

export function email(id: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    messageId: `<${id}@mail.acme.test>`,
    direction: 'outgoing',
    sentThroughApp: true,
    from: 'rep@acme.test',
    to: ['buyer@customer.test'],
    subject: `Subject ${id}`,
    body: `Body of ${id}`,
    sentAt: SENT_AT,
    ...over,
  };
}

/** Ingests activities and fails the test on a refused one. */
export async function ingestActs(
  h: Harness,
  type: ActivityType,
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  const results = await ingestActivities(
    h.deps,
    h.workspaceId,
    rows.map((data): ActivityIngestChange => ({ type, op: 'upsert', data })),
  );
  const bad = results.filter((r) => !r.ok);
  if (bad.length > 0) throw new Error(`ingest refused: ${JSON.stringify(bad)}`);
}

export async function activityLog(h: Harness, type: ActivityType, id: string): Promise<LogEntry[]> {
  return (await h.store.workspace(h.workspaceId).log.list({ record: { type, id }, limit: 100 })).items;
}

export type Row = Record<string, unknown> & { Id: string };

export const tasksWithSubject = (h: Harness, subject: string) =>
  h.soql<Row>(
    `SELECT Id, Subject, WhoId, WhatId, TaskSubtype, Status, Description, ActivityDate, CallDurationInSeconds, CallType, CallDisposition, Priority FROM Task WHERE Subject = '${subject.replace(/'/g, "\\'")}'`,
  );

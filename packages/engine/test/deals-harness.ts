import type { LogEntry, Link } from '@crmsync/core';
import { ingestMany } from '../src/ingest.js';
import { drain, type Harness } from './harness.js';

/*
 * Deal helpers over the engine harness: deals as ingest takes them, their log and link, the
 * Opportunity Crmsync_Id__c field for X4, and a drain that lets scheduled retries come due.
 */

export const STAGES = { Open: 'Prospecting', Won: 'Closed Won', Lost: 'Closed Lost' } as const;

export function deal(id: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, name: `Deal ${id}`, stage: 'Open', closeDate: '2027-03-31', amount: 1000, ...over };
}

/** Ingests deal upserts and fails the test on a refused one. */
export async function ingestDeals(h: Harness, rows: readonly Record<string, unknown>[]): Promise<void> {
  const results = await ingestMany(
    h.deps,
    h.workspaceId,
    rows.map((data) => ({ type: 'deal' as const, op: 'upsert' as const, data })),
  );
  const bad = results.filter((r) => !r.ok);
  if (bad.length > 0) throw new Error(`ingest refused: ${JSON.stringify(bad)}`);
}

export async function dealLog(h: Harness, id: string): Promise<LogEntry[]> {
  return (await h.store.workspace(h.workspaceId).log.list({ record: { type: 'deal', id }, limit: 100 }))
    .items;
}

export function dealLink(h: Harness, id: string): Promise<Link | null> {
  return h.store.workspace(h.workspaceId).links.get('deal', id, h.org.orgId);
}

export async function localDeal(h: Harness, id: string) {
  return (await h.store.workspace(h.workspaceId).records.get('deal', id))?.data ?? null;
}

/** `Crmsync_Id__c` on Opportunity too (X4 upserts for deals). */
export const OPPORTUNITY_EXTERNAL_ID = {
  Opportunity: {
    fields: [{ name: 'Crmsync_Id__c', type: 'string', length: 255, externalId: true, unique: true }],
  },
};

/** Drains the push queues, moving the clock past each scheduled retry. */
export async function drainWithRetries(h: Harness, rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await drain(h);
    const counts = await h.queue.counts(h.workspaceId);
    if (counts.total.pending === 0) return;
    await h.clock.advance(16 * 60_000);
  }
  throw new Error('retries did not settle');
}

export type OppRow = {
  Id: string;
  Name: string;
  StageName: string;
  Amount: number | null;
  CloseDate: string;
  AccountId: string | null;
  SystemModstamp: string;
};

export const OPP_FIELDS = 'Id, Name, StageName, Amount, CloseDate, AccountId, SystemModstamp';

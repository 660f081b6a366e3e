import type { CrmCursor } from '@crmsync/core';

/*
 * P1 cursors. A change feed is read by (SystemModstamp, Id), but a transaction that commits late
 * can carry a SystemModstamp older than rows already read. So every incremental read starts
 * `overlapMs` before the stored position, and the rows of that overlap which were already
 * applied (same id, same stamp) are dropped: a late commit is seen, nothing is applied twice.
 * The cursor is stored per org and object, so it survives restarts and never serves another org.
 */

export interface ChangeCursor {
  /** The furthest row applied, as Salesforce wrote its SystemModstamp. */
  at: string;
  id: string;
  /** Rows applied within `overlapMs` of `at`: id -> SystemModstamp. */
  recent: Record<string, string>;
}

/** Sorts before every real Salesforce id (they start with a 3-character key prefix such as 001). */
const LOWEST_ID = '000000000000000AAA';

/** Salesforce's `2026-11-28T10:00:00.000+0000` (or ISO) as epoch ms; NaN when unreadable. */
export function stampMs(stamp: string): number {
  return Date.parse(stamp.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

export function parseChangeCursor(value: unknown): ChangeCursor | null {
  if (typeof value !== 'object' || value === null) return null;
  const { at, id, recent } = value as Partial<Record<keyof ChangeCursor, unknown>>;
  if (typeof at !== 'string' || typeof id !== 'string' || Number.isNaN(stampMs(at))) return null;
  const seen: Record<string, string> = {};
  if (typeof recent === 'object' && recent !== null) {
    for (const [k, v] of Object.entries(recent)) if (typeof v === 'string') seen[k] = v;
  }
  return { at, id, recent: seen };
}

/** Where the next read starts: `overlapMs` before the stored position, or the beginning (full first pull). */
export function readFrom(cursor: ChangeCursor | null, overlapMs: number): CrmCursor | null {
  if (cursor === null) return null;
  return { at: new Date(stampMs(cursor.at) - overlapMs).toISOString(), id: LOWEST_ID };
}

/** Rows not applied before: a row whose id was applied with the same stamp is a re-read of the overlap. */
export function unseen<T extends { Id: string; SystemModstamp: string }>(
  cursor: ChangeCursor | null,
  rows: readonly T[],
): T[] {
  if (cursor === null) return [...rows];
  return rows.filter((r) => cursor.recent[r.Id] !== r.SystemModstamp);
}

const after = (a: { at: string; id: string }, b: { at: string; id: string }): boolean => {
  const d = stampMs(a.at) - stampMs(b.at);
  return d > 0 || (d === 0 && a.id > b.id);
};

/** The cursor once `rows` are applied: the furthest position (never backwards) and the overlap's seen rows. */
export function advance(
  cursor: ChangeCursor | null,
  rows: readonly { Id: string; SystemModstamp: string }[],
  overlapMs: number,
): ChangeCursor | null {
  let position: { at: string; id: string } | null = cursor === null ? null : { at: cursor.at, id: cursor.id };
  const recent: Record<string, string> = { ...(cursor?.recent ?? {}) };
  for (const r of rows) {
    recent[r.Id] = r.SystemModstamp;
    const here = { at: r.SystemModstamp, id: r.Id };
    if (position === null || after(here, position)) position = here;
  }
  if (position === null) return null;
  const floor = stampMs(position.at) - overlapMs;
  for (const [id, stamp] of Object.entries(recent)) if (stampMs(stamp) < floor) delete recent[id];
  return { at: position.at, id: position.id, recent };
}

/** Orders two change-feed positions by (SystemModstamp, Id); null, the beginning, comes first. */
export function compareCursors(a: CrmCursor | null, b: CrmCursor | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  const d = stampMs(a.at) - stampMs(b.at);
  if (d !== 0) return d;
  return a.id === b.id ? 0 : a.id > b.id ? 1 : -1;
}

export const laterCursor = (a: CrmCursor | null, b: CrmCursor | null): CrmCursor | null =>
  compareCursors(a, b) >= 0 ? a : b;
export const earlierCursor = (a: CrmCursor | null, b: CrmCursor | null): CrmCursor | null =>
  compareCursors(a, b) <= 0 ? a : b;

/** The row lies strictly after `position` (everything does after the beginning). */
export const isAfter = (row: { Id: string; SystemModstamp: string }, position: CrmCursor | null): boolean =>
  compareCursors({ at: row.SystemModstamp, id: row.Id }, position) > 0;

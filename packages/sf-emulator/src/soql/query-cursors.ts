// Open query cursors ("query locators"), one store per org, held in memory. A locator reads
// `01g<15 chars>-<row offset>`; the cursor keeps the finished run, so later pages are a snapshot
// of the rows as they were when the query ran. Cursors expire after a quiet period and the oldest
// are dropped past a cap, as Salesforce limits open cursors per user. A cursor stays open after
// its last page, so a client retrying that GET gets the same page again.
import type { QueryRun } from './execute-soql.js';

export interface CursorOptions {
  /** Milliseconds since some epoch; cursors expire on this clock. Default Date.now. */
  clock?: () => number;
  /** Idle time after which a cursor is gone; default 15 minutes. */
  ttlMs?: number;
  /** Open cursors per org; the least recently used goes first. Default 50. */
  maxCursors?: number;
}

export interface Cursor {
  run: QueryRun;
  batchSize: number;
  lastUsedMs: number;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export class CursorStore {
  private readonly cursors = new Map<string, Cursor>();
  private counter = 0;
  private readonly clock: () => number;
  private readonly ttlMs: number;
  private readonly maxCursors: number;

  constructor(options: CursorOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.ttlMs = options.ttlMs ?? 15 * 60_000;
    this.maxCursors = options.maxCursors ?? 50;
  }

  /** Opens a cursor and returns its id (the locator without the offset). */
  open(run: QueryRun, batchSize: number): string {
    this.expire();
    while (this.cursors.size >= this.maxCursors) {
      const oldest = this.cursors.keys().next().value;
      if (oldest === undefined) break;
      this.cursors.delete(oldest);
    }
    const id = this.nextId();
    this.cursors.set(id, { run, batchSize, lastUsedMs: this.clock() });
    return id;
  }

  /** The cursor behind an id, refreshed as recently used; undefined when unknown or expired. */
  get(id: string): Cursor | undefined {
    this.expire();
    const cursor = this.cursors.get(id);
    if (cursor === undefined) return undefined;
    cursor.lastUsedMs = this.clock();
    this.cursors.delete(id);
    this.cursors.set(id, cursor);
    return cursor;
  }

  get size(): number {
    return this.cursors.size;
  }

  private expire(): void {
    const cutoff = this.clock() - this.ttlMs;
    for (const [id, cursor] of this.cursors) {
      if (cursor.lastUsedMs > cutoff) break;
      this.cursors.delete(id);
    }
  }

  private nextId(): string {
    let n = ++this.counter;
    let tail = '';
    for (let i = 0; i < 15; i++) {
      tail = BASE62[n % 62] + tail;
      n = Math.floor(n / 62);
    }
    // The counter is per store; a random middle keeps ids of different orgs and restarts apart.
    const random = Math.floor(Math.random() * 62 ** 5);
    let salt = '';
    for (let i = 0, r = random; i < 5; i++, r = Math.floor(r / 62)) salt = BASE62[r % 62] + salt;
    return `01g${salt}${tail.slice(5)}`;
  }
}

export function parseLocator(locator: string): { id: string; offset: number } | undefined {
  const m = /^(01g[A-Za-z0-9]{12,15})-(\d+)$/.exec(locator);
  if (m === null) return undefined;
  return { id: m[1] as string, offset: Number(m[2]) };
}

// Injected faults for one org: latency, a seeded share of lock failures or 503s, dropped write
// responses (the write commits, then the socket dies before any byte: an unknown outcome), all
// targeted by method and path prefix. Decisions come from a seeded PRNG so runs repeat.
import { z } from 'zod';

export const faultRuleSchema = z.strictObject({
  /** Only requests with this method (any when absent). */
  method: z.string().toUpperCase().optional(),
  /** Only paths starting with this, matched against both the full path and the path after /services/data/vNN.0. */
  pathPrefix: z.string().optional(),
  latencyMs: z.number().int().min(0).max(600000).optional(),
  /** Share (0..1) of matching requests that fail. */
  failureRate: z.number().min(0).max(1).optional(),
  failureKind: z.enum(['lock', 'unavailable']).default('lock'),
  /** Drop the responses of the next N matching write requests after they commit. */
  dropWriteResponses: z.number().int().min(0).optional(),
  /** Drop the responses of the next N matching requests, reads included (a write still commits first). */
  dropResponses: z.number().int().min(0).optional(),
  seed: z.number().int().optional(),
});

export type FaultRuleInput = z.input<typeof faultRuleSchema>;
export type FaultRule = z.infer<typeof faultRuleSchema> & { id: number };

export interface FaultDecision {
  latencyMs: number;
  failure: 'lock' | 'unavailable' | null;
  dropResponse: boolean;
}

const WRITE_METHODS = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

/**
 * Whether a request can change data: by its method, except that a composite (or composite batch)
 * whose subrequests are all GETs only reads — it takes no row lock and commits nothing.
 */
export function requestWrites(method: string, dataPath: string, body: Buffer): boolean {
  if (!WRITE_METHODS.has(method)) return false;
  if (method !== 'POST' || !/^\/composite(\/batch)?\/?$/.test(dataPath)) return true;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
    const subs = parsed['compositeRequest'] ?? parsed['batchRequests'];
    if (!Array.isArray(subs)) return true;
    return subs.some(
      (s) =>
        typeof s !== 'object' ||
        s === null ||
        String((s as { method?: unknown }).method).toUpperCase() !== 'GET',
    );
  } catch {
    return true;
  }
}

/** mulberry32: small, fast and good enough to pick a share of requests repeatably. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class FaultSet {
  private rules: FaultRule[] = [];
  private nextId = 1;
  private random: () => number;

  constructor(private readonly defaultSeed: number) {
    this.random = prng(defaultSeed);
  }

  add(input: FaultRuleInput): FaultRule {
    const parsed = faultRuleSchema.parse(input);
    const rule: FaultRule = { ...parsed, id: this.nextId++ };
    if (parsed.seed !== undefined) this.random = prng(parsed.seed);
    this.rules.push(rule);
    return rule;
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  clear(): void {
    this.rules = [];
    this.random = prng(this.defaultSeed);
  }

  /**
   * Decides (and consumes drop counters) for one incoming request. `writes` says whether it can
   * change data (default: by its method); a composite of GET subrequests only is a read.
   */
  decide(
    method: string,
    fullPath: string,
    dataPath: string | null,
    writes = WRITE_METHODS.has(method),
  ): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0, failure: null, dropResponse: false };
    for (const rule of this.rules) {
      if (rule.method !== undefined && rule.method !== method) continue;
      if (
        rule.pathPrefix !== undefined &&
        !fullPath.startsWith(rule.pathPrefix) &&
        !(dataPath ?? '').startsWith(rule.pathPrefix)
      )
        continue;
      decision.latencyMs += rule.latencyMs ?? 0;
      if (decision.failure === null && rule.failureRate !== undefined && rule.failureRate > 0) {
        const applies = rule.failureKind === 'unavailable' || writes;
        if (applies && this.random() < rule.failureRate) decision.failure = rule.failureKind;
      }
      if (!decision.dropResponse && writes && (rule.dropWriteResponses ?? 0) > 0) {
        rule.dropWriteResponses = (rule.dropWriteResponses ?? 0) - 1;
        decision.dropResponse = true;
      }
      if (!decision.dropResponse && (rule.dropResponses ?? 0) > 0) {
        rule.dropResponses = (rule.dropResponses ?? 0) - 1;
        decision.dropResponse = true;
      }
    }
    // A rule whose only effect was dropping answers ends when its counts are spent.
    this.rules = this.rules.filter(
      (r) =>
        (r.dropWriteResponses ?? 0) > 0 ||
        (r.dropResponses ?? 0) > 0 ||
        r.latencyMs !== undefined ||
        r.failureRate !== undefined,
    );
    return decision;
  }
}

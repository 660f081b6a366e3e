import {
  checkBudget,
  CrmsyncError,
  type Connection,
  type CrmAdapter,
  type CrmApiUsage,
  type CrmIdentity,
  type CrmRequestEvent,
  type Settings,
} from '@crmsync/core';
import type { EngineDeps } from './deps.js';

/*
 * One CRM adapter per workspace, with the O3 budget governor wired into every HTTP request.
 *
 * The adapter's `onRequest` hook is synchronous (it runs inside jsforce's transport), so the
 * governor keeps the ledger's minute buckets of the last 24 hours in memory: loaded from the store
 * when the session opens and again at every `refreshBudget()` (the workers call it once per run),
 * plus every request counted since, and buckets leave as the window moves on. Each request is
 * checked against them and counted in memory before it is sent; its ledger row is written by a
 * small transaction of its own, chained so they land in order, and `flushLedger()` awaits them (a
 * run ends with it). A veto carries when to try again: the instant enough counted requests leave
 * the window, or, when the org's own usage is what stands in the way, a recheck a little later.
 */

/** When the window alone says nothing (the org's reserve, or no bucket frees enough), look at the budget again after this long. */
const BUDGET_RECHECK_MS = 15 * 60_000;

/** The ledger's bucket width and window, as the store keeps them (`sumLast24Hours`). */
const MINUTE_MS = 60_000;
const WINDOW_MS = 24 * 3_600_000;

/** Requests that never count against Salesforce's daily allocation and are needed to learn it. */
const FREE_PATHS = [/\/limits\/?(\?|$)/, /\/services\/oauth2\//];

export interface CrmSession {
  readonly workspaceId: string;
  readonly crm: CrmAdapter;
  /** The connection the adapter was made from (as read when the session opened). */
  readonly connection: Connection;
  readonly identity: CrmIdentity;
  /**
   * Awaits the ledger writes started so far, then reloads the window's buckets and the settings;
   * once the recheck time of a veto for the org's reserve has come, it also reads the org's usage
   * again (`/limits`, free): no request goes out meanwhile to bring it in a response header.
   */
  refreshBudget(): Promise<void>;
  /** Awaits the ledger writes started so far. */
  flushLedger(): Promise<void>;
  /** The governor's view now: crmsync's requests in the window (counted ones included) and the org's usage last seen. */
  budget(): { usedLast24h: number; orgUsage: CrmApiUsage | null };
}

/** A budget veto: thrown by the hook, it stops the request unsent. `resumeAt` says when to try again. */
export function budgetResumeAt(error: unknown, now: Date): Date | null {
  if (!(error instanceof CrmsyncError) || error.code !== 'API_BUDGET_EXHAUSTED') return null;
  const at = error.details.resumeAt;
  // The governor always says; a veto made elsewhere without a time is looked at again later.
  return typeof at === 'string' ? new Date(at) : new Date(now.getTime() + BUDGET_RECHECK_MS);
}

export function isBudgetVeto(error: unknown): error is CrmsyncError {
  return error instanceof CrmsyncError && error.code === 'API_BUDGET_EXHAUSTED';
}

/** One ledger bucket held by the governor: mutable so that counting a request allocates nothing. */
interface Bucket {
  leavesAt: Date;
  requests: number;
}

class Governor {
  /** The window's buckets, oldest first; they leave it at `leavesAt`. */
  #buckets: Bucket[] = [];
  orgUsage: CrmApiUsage | null = null;
  settings: Settings | null = null;
  chain: Promise<void> = Promise.resolve();
  /** Reads the org's usage (`/limits`, free); set once the adapter exists. */
  readOrgUsage: (() => Promise<CrmApiUsage>) | null = null;
  /** After a veto the window cannot lift (the reserve): from then on a refresh reads the org's usage again. */
  #orgUsageRecheckAt: Date | null = null;

  constructor(
    private readonly deps: EngineDeps,
    private readonly workspaceId: string,
    private readonly orgId: string,
  ) {}

  /** crmsync's requests inside the window at `now`; buckets that left it are dropped. */
  usedLast24h(now: Date): number {
    while (this.#buckets.length > 0 && this.#buckets[0]!.leavesAt.getTime() <= now.getTime())
      this.#buckets.shift();
    return this.#buckets.reduce((sum, b) => sum + b.requests, 0);
  }

  /** Counts one request in the bucket of `now`'s minute, which leaves the window 24 hours after that minute. */
  #count(now: Date): void {
    const leavesAt = Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS + WINDOW_MS;
    const last = this.#buckets.at(-1);
    // A clock that stepped back counts into the newest bucket: it leaves later, never too early.
    if (last !== undefined && last.leavesAt.getTime() >= leavesAt) last.requests += 1;
    else this.#buckets.push({ leavesAt: new Date(leavesAt), requests: 1 });
  }

  onRequest = (event: CrmRequestEvent): void => {
    const free = FREE_PATHS.some((p) => p.test(event.url));
    const now = this.deps.clock.now();
    if (!free && this.settings !== null && this.orgUsage !== null) {
      const used = this.usedLast24h(now);
      const decision = checkBudget(
        { usedLast24h: used, orgMax: this.orgUsage.max, orgUsed: this.orgUsage.used, window: this.#buckets },
        this.settings,
      );
      if (!decision.allowed) {
        const resumeAt = decision.resumeAt ?? new Date(now.getTime() + BUDGET_RECHECK_MS);
        if (decision.resumeAt === null) this.#orgUsageRecheckAt ??= resumeAt;
        throw new CrmsyncError(
          'API_BUDGET_EXHAUSTED',
          {
            rule: 'O3',
            resumeAt: resumeAt.toISOString(),
            usedLast24h: used,
            orgMax: this.orgUsage.max,
            orgUsed: this.orgUsage.used,
          },
          { message: decision.reason },
        );
      }
    }
    this.#count(now);
    // The org's own counter moves with ours: count it now so the reserve check of the next request sees it.
    if (!free && this.orgUsage !== null) this.orgUsage = { ...this.orgUsage, used: this.orgUsage.used + 1 };
    const write = () => this.deps.store.transaction(this.workspaceId, (tx) => tx.ledger.add(this.orgId, 1));
    this.chain = this.chain.then(write, write).catch((err: unknown) => {
      this.deps.logger.error(
        { workspaceId: this.workspaceId, error: String(err) },
        'could not count a Salesforce request in the API ledger',
      );
    });
  };

  onUsage(usage: CrmApiUsage | null): void {
    if (usage !== null) this.orgUsage = usage;
  }

  async refresh(): Promise<void> {
    await this.chain;
    const reader = this.deps.store.workspace(this.workspaceId);
    const [buckets, settings] = await Promise.all([
      reader.ledger.bucketsLast24Hours(this.orgId),
      reader.settings.get(),
    ]);
    this.#buckets = buckets.map((b) => ({ leavesAt: b.leavesAt, requests: b.requests }));
    this.settings = settings.settings;
    const recheckAt = this.#orgUsageRecheckAt;
    if (recheckAt !== null && this.readOrgUsage !== null && this.deps.clock.now() >= recheckAt) {
      this.#orgUsageRecheckAt = null;
      this.onUsage(await this.readOrgUsage());
    }
  }
}

/**
 * The per-workspace adapter cache. A session is reused while the workspace's connection points at
 * the same org and instance; `forget` drops it (reconnect, disconnect, credentials replaced).
 */
export class CrmSessions {
  readonly #deps: EngineDeps;
  readonly #open = new Map<string, Promise<CrmSession>>();

  constructor(deps: EngineDeps) {
    this.#deps = deps;
  }

  /** The adapter for a workspace, budget-governed. Throws NOT_FOUND when the workspace has no connection. */
  async getCrm(workspaceId: string): Promise<CrmAdapter> {
    return (await this.session(workspaceId)).crm;
  }

  async session(workspaceId: string): Promise<CrmSession> {
    const connection = await this.#deps.store.workspace(workspaceId).connection.get();
    if (connection === null) {
      throw new CrmsyncError(
        'NOT_FOUND',
        { workspaceId },
        {
          message: `Workspace ${workspaceId} is not connected to Salesforce; connect it first (crmsync connect).`,
        },
      );
    }
    const cached = this.#open.get(workspaceId);
    if (cached !== undefined) {
      const session = await cached.catch(() => null);
      if (
        session !== null &&
        session.connection.orgId === connection.orgId &&
        session.connection.instanceUrl === connection.instanceUrl
      )
        return session;
      this.#open.delete(workspaceId);
    }
    const opening = this.#openSession(workspaceId, connection);
    this.#open.set(workspaceId, opening);
    opening.catch(() => this.#open.delete(workspaceId));
    return opening;
  }

  forget(workspaceId: string): void {
    this.#open.delete(workspaceId);
  }

  async #openSession(workspaceId: string, connection: Connection): Promise<CrmSession> {
    const deps = this.#deps;
    const governor = new Governor(deps, workspaceId, connection.orgId);
    await governor.refresh();
    const crm = await deps.connectCrm({
      workspaceId,
      connection,
      onRequest: governor.onRequest,
      onResponse: (event) => governor.onUsage(event.apiUsage),
      onCredentials: (credentials) => {
        void deps.store
          .transaction(workspaceId, (tx) => tx.connection.updateCredentials(credentials))
          .catch((err: unknown) =>
            deps.logger.error(
              { workspaceId, error: String(err) },
              'could not store refreshed Salesforce credentials',
            ),
          );
      },
    });
    // The org's allocation before the first counted request, so the reserve check never flies blind (/limits is free).
    governor.readOrgUsage = () => crm.dailyApiLimit();
    if (governor.orgUsage === null) governor.onUsage(await crm.dailyApiLimit());
    const identity = await crm.identity();
    return {
      workspaceId,
      crm,
      connection,
      identity,
      refreshBudget: () => governor.refresh(),
      flushLedger: () => governor.chain,
      budget: () => ({
        usedLast24h: governor.usedLast24h(deps.clock.now()),
        orgUsage: governor.orgUsage,
      }),
    };
  }
}

import {
  companyMatchKeys,
  nameKey,
  normalizeWebsite,
  SalesforceUser,
  type AccountCandidate,
  type Company,
  type CrmAdapter,
  type CrmIdentity,
  type ObjectDescribe,
  type OwnerContext,
  type PushObject,
  type Settings,
  type Workspace,
  CRMSYNC_ID_FIELD,
} from '@crmsync/core';
import { DEFAULT_ENGINE_OPTIONS, type EngineDeps, type EngineOptions } from '../deps.js';
import type { CrmSession } from '../crm-session.js';
import type { PeopleCandidateSource } from './people-prefetch.js';

/*
 * Everything a push batch decides and sends with, loaded once per run: the settings in force now,
 * the org's describes, its Users (X7) and a source of Account candidates (X2). Caches live as long
 * as the run or the session, never in a module.
 */

/** The external-id field of X4: upserts on it when the org has it. */
/** X4's field: the one name, from core. */
export const EXTERNAL_ID_FIELD = CRMSYNC_ID_FIELD;

/**
 * X2 candidates for a batch of companies. The pull side keeps a local Account index
 * (`src/account-index.ts`); until a run is given one, `loadedAccountSource` loads the org's
 * Accounts once per run through `crm.loadAccounts()`.
 */
export interface AccountCandidateSource {
  find(companies: readonly CompanyKeys[]): Promise<AccountCandidate[]>;
  /** Accounts this run created or linked, so later batches of the run see them. */
  remember(rows: readonly AccountCandidate[]): void;
}

/** What X2 matches a company on. */
type CompanyKeys = Pick<Company, 'name' | 'website'>;

/** Accounts by registrable website domain and by name, for the candidates of a batch. */
class AccountKeys {
  readonly #byDomain = new Map<string, AccountCandidate[]>();
  readonly #byName = new Map<string, AccountCandidate[]>();

  add(row: AccountCandidate): void {
    const domain = row.Website === null ? null : normalizeWebsite(row.Website);
    const name = nameKey(row.Name);
    if (domain !== null) AccountKeys.#push(this.#byDomain, domain, row);
    if (name !== null) AccountKeys.#push(this.#byName, name, row);
  }

  static #push(map: Map<string, AccountCandidate[]>, key: string, row: AccountCandidate): void {
    const list = map.get(key);
    if (list === undefined) map.set(key, [row]);
    else list.push(row);
  }

  find(
    companies: readonly CompanyKeys[],
    into: Map<string, AccountCandidate> = new Map(),
  ): Map<string, AccountCandidate> {
    for (const c of companies) {
      const keys = companyMatchKeys(c);
      const rows = [
        ...(keys.domain === null ? [] : (this.#byDomain.get(keys.domain) ?? [])),
        ...(keys.name === null ? [] : (this.#byName.get(keys.name) ?? [])),
      ];
      for (const row of rows) into.set(row.Id, row);
    }
    return into;
  }
}

/** Loads every Account once (`crm.loadAccounts()`), indexes it by registrable domain and by name. */
export function loadedAccountSource(crm: CrmAdapter): AccountCandidateSource {
  let loading: Promise<void> | null = null;
  const keys = new AccountKeys();
  return {
    async find(companies) {
      loading ??= crm.loadAccounts().then(({ rows }) => rows.forEach((r) => keys.add(r)));
      await loading;
      return [...keys.find(companies).values()];
    },
    remember(rows) {
      rows.forEach((r) => keys.add(r));
    },
  };
}

/** How long the worker reuses Accounts loaded without an index before loading them again. */
const LOADED_ACCOUNTS_TTL_MS = 5 * 60_000;
const loadedBySession = new WeakMap<object, { at: number; source: AccountCandidateSource }>();

/** The worker's default X2 source: loaded once per session and reused for a few minutes. */
export function sessionAccountSource(session: CrmSession, now: Date): AccountCandidateSource {
  const cached = loadedBySession.get(session);
  if (cached !== undefined && now.getTime() - cached.at < LOADED_ACCOUNTS_TTL_MS) return cached.source;
  const source = loadedAccountSource(session.crm);
  loadedBySession.set(session, { at: now.getTime(), source });
  return source;
}

export interface PushContext {
  deps: EngineDeps;
  options: EngineOptions;
  workspaceId: string;
  orgId: string;
  crm: CrmAdapter;
  identity: CrmIdentity;
  session: CrmSession;
  settings: Settings;
  workspace: Workspace;
  describes: Partial<Record<PushObject, ObjectDescribe>>;
  owners: OwnerContext;
  /** X4 per object: upsert on `Crmsync_Id__c`, or intent-then-reconcile. */
  externalId: Record<PushObject, boolean>;
  accounts: AccountCandidateSource;
  /** X1 candidates: the adapter's per-batch lookup, or a large push all's prefetched index. */
  people: PeopleCandidateSource;
  /** Push-all or dry-run id written with every log entry of the run. */
  runId: string | null;
}

const usersBySession = new WeakMap<CrmAdapter, Promise<SalesforceUser[]>>();

/** X7: the org's Users, queried once per adapter. */
function salesforceUsers(crm: CrmAdapter): Promise<SalesforceUser[]> {
  let users = usersBySession.get(crm);
  if (users === undefined) {
    users = crm.query('SELECT Id, Email, IsActive FROM User').then((rows) =>
      rows.flatMap((r) => {
        const parsed = SalesforceUser.safeParse(r);
        return parsed.success ? [parsed.data] : [];
      }),
    );
    users.catch(() => usersBySession.delete(crm));
    usersBySession.set(crm, users);
  }
  return users;
}

export function engineOptions(deps: EngineDeps): EngineOptions {
  return { ...DEFAULT_ENGINE_OPTIONS, ...deps.options };
}

/** Loads the run's context. Reads only; the describes and Users are cached on the adapter. */
export async function loadPushContext(
  deps: EngineDeps,
  session: CrmSession,
  extra: { runId?: string | null; accounts?: AccountCandidateSource; settings?: Settings } = {},
): Promise<PushContext> {
  const { crm, workspaceId } = session;
  const reader = deps.store.workspace(workspaceId);
  const [settingsState, workspace] = await Promise.all([
    reader.settings.get(),
    deps.store.workspaces.get(workspaceId),
  ]);
  if (workspace === null) throw new Error(`workspace ${workspaceId} does not exist`);
  const objects: PushObject[] = ['Contact', 'Lead', 'Account'];
  const describes: Partial<Record<PushObject, ObjectDescribe>> = {};
  const externalId = { Contact: false, Lead: false, Account: false } as Record<PushObject, boolean>;
  // Asked together: the adapter answers describes of one tick with one call.
  const described = await Promise.all(objects.map((o) => crm.describe(o)));
  const withField = await Promise.all(objects.map((o) => crm.hasExternalIdField(o)));
  objects.forEach((object, i) => {
    describes[object] = described[i]!;
    externalId[object] = withField[i]!;
  });
  const users = await salesforceUsers(crm);
  return {
    deps,
    options: engineOptions(deps),
    workspaceId,
    orgId: session.connection.orgId,
    crm,
    identity: session.identity,
    session,
    settings: extra.settings ?? settingsState.settings,
    workspace,
    describes,
    owners: {
      workspaceUsers: workspace.users,
      salesforceUsers: users,
      integrationUserId: session.connection.integrationUserId ?? session.identity.userId,
    },
    externalId,
    accounts: extra.accounts ?? sessionAccountSource(session, deps.clock.now()),
    people: crm,
    runId: extra.runId ?? null,
  };
}

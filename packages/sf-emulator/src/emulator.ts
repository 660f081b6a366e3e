// The composition root of the emulator: orgs, sessions, the route table (REST, collections,
// composite, feeds, limits, SOQL, Bulk), the HTTP server, persistence and the control API.
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { registerBulkRoutes, type BulkScheduler } from './bulk/index.js';
import { registerCollectionRoutes } from './collections.js';
import { registerCompositeRoutes, type InternalDispatch } from './composite.js';
import type { EmuRequest, EmuResponse } from './contracts.js';
import { EmulatorControl, type CreateOrgInput, type OrgSummary } from './control.js';
import { registerFeedRoutes } from './feeds.js';
import { apiErrors } from './http/api-errors.js';
import { RouteTable } from './http/router.js';
import { createEmulatorServer, MAX_API_VERSION, MIN_API_VERSION, runHandler } from './http/server.js';
import { SessionStore } from './http/sessions.js';
import { registerLimitsRoutes } from './limits.js';
import { EmulatedOrg, orgSpecFor, type CreateOrgOptions } from './org/emulated-org.js';
import type { OrgStore } from './org/org-store.js';
import { DebouncedSaver, loadState, saveState } from './persistence.js';
import { registerSObjectRoutes } from './rest/sobject-routes.js';
import type { SchemaFile } from './schema/custom-schema.js';
import { seedOrg, type SeedData } from './seed.js';
import { registerQueryRoutes, runSoql } from './soql/index.js';
import { registerCompositeBatchRoutes } from './composite-batch.js';
import { registerCompositeGraphRoutes } from './composite-graph.js';
import { registerContentRoutes } from './content-routes.js';
import { handleFrontDoor } from './front-door.js';
import { AuthorizationCodes } from './oauth-web.js';
import { registerSearchRoutes } from './search.js';

export interface EmulatorOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Custom objects, fields and validation rules for the default org (and orgs made without their own). */
  schema?: SchemaFile;
  /** Records created in the default org at start (only when it is new, not restored from `dataFile`). */
  seed?: SeedData;
  /** Persist orgs to this NDJSON file (debounced, and on close). Memory only when absent. */
  dataFile?: string;
  /** Latency added to every data request. */
  latencyMs?: number;
  dailyApiLimit?: number;
  /** A fixed token valid for the default org's integration user. */
  accessToken?: string;
  sessionTtlSeconds?: number;
  /** Real Salesforce gives no refresh token on the password grant; true makes the default org give one. */
  refreshTokenOnPasswordGrant?: boolean;
  /** Options for the default org (username, client id/secret...). */
  defaultOrg?: CreateOrgOptions;
  /** Base clock for every org (epoch ms); default Date.now. Org clocks move relative to it. */
  clock?: () => number;
  /** How injected latency waits; tests may pass an instant one. */
  delay?: (ms: number) => Promise<void>;
  /** Largest accepted request body; default 150 MB (Bulk API 2.0's upload limit). */
  maxBodyBytes?: number;
  /** Bulk API 2.0 job scheduling (tests pass a manual scheduler). */
  bulkScheduler?: BulkScheduler;
  /** Where unexpected errors are logged (never bodies or tokens); default stderr. */
  log?: (line: string) => void;
  /** Debounce for --data writes; default 1000 ms. */
  saveDebounceMs?: number;
}

export interface OrgHandle extends OrgSummary {
  /** The org's store: WritableOrg plus recycle bin, merge support and write counts. */
  store: OrgStore;
  org: EmulatedOrg;
}

export interface RunningEmulator {
  url: string;
  close(): Promise<void>;
  orgs: () => OrgHandle[];
  defaultOrg: OrgHandle;
  /** The default org's login: username, password, client id/secret, a ready access token, instanceUrl, loginUrl. */
  credentials: OrgSummary;
  createOrg(options?: CreateOrgInput): OrgHandle;
  control: EmulatorControl;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const baseClock = options.clock ?? Date.now;
  const log = options.log ?? ((line: string) => process.stderr.write(`[sf-emulator] ${line}\n`));
  const orgs = new Map<string, EmulatedOrg>();
  const sessions = new SessionStore();
  const authorizationCodes = new AuthorizationCodes();
  let nextOrgNumber = 1;
  let baseUrl = '';

  const restored = options.dataFile === undefined ? undefined : await loadState(options.dataFile, baseClock);
  if (restored !== undefined) {
    nextOrgNumber = restored.nextOrgNumber;
    for (const org of restored.orgs) orgs.set(org.orgId, org);
  }

  const addOrg = (createOptions: CreateOrgOptions): EmulatedOrg => {
    const org = new EmulatedOrg(
      orgSpecFor(nextOrgNumber++, { schema: options.schema ?? null, ...createOptions }),
      baseClock,
    );
    org.createPeople();
    orgs.set(org.orgId, org);
    sessions.registerFixed(org.spec.accessToken, org, org.integrationUser.id);
    return org;
  };
  for (const org of orgs.values()) sessions.registerFixed(org.spec.accessToken, org, org.integrationUser.id);

  let defaultOrg = orgs.values().next().value;
  if (defaultOrg === undefined) {
    defaultOrg = addOrg({
      ...(options.dailyApiLimit === undefined ? {} : { dailyApiLimit: options.dailyApiLimit }),
      ...(options.sessionTtlSeconds === undefined ? {} : { sessionTtlSeconds: options.sessionTtlSeconds }),
      ...(options.refreshTokenOnPasswordGrant === undefined
        ? {}
        : { refreshTokenOnPasswordGrant: options.refreshTokenOnPasswordGrant }),
      ...options.defaultOrg,
    });
    if (options.seed !== undefined) {
      const result = seedOrg(defaultOrg.store, options.seed, defaultOrg.integrationUser.id);
      for (const e of result.errors.slice(0, 20))
        log(
          `seed: ${e.object} #${e.index + 1} was not created: ${e.errors.map((x) => `${x.statusCode} ${x.message}`).join('; ')}`,
        );
    }
  } else if (options.dailyApiLimit !== undefined) defaultOrg.api.max = options.dailyApiLimit;
  if (options.accessToken !== undefined)
    sessions.registerFixed(options.accessToken, defaultOrg, defaultOrg.integrationUser.id);

  const saver =
    options.dataFile === undefined
      ? undefined
      : new DebouncedSaver(
          () => saveState(options.dataFile!, nextOrgNumber, orgs.values()),
          options.saveDebounceMs ?? 1000,
          (err) =>
            log(`saving ${options.dataFile} failed: ${err instanceof Error ? err.message : String(err)}`),
        );

  const control = new EmulatorControl({
    orgs: () => orgs.values(),
    orgById: (id) => orgs.get(id) ?? [...orgs.values()].find((o) => o.orgId.slice(0, 15) === id.slice(0, 15)),
    createOrg: (o) => {
      const org = addOrg(o);
      saver?.markDirty();
      return org;
    },
    sessions,
    baseUrl: () => baseUrl,
  });

  const routes = new RouteTable();
  const dispatch: InternalDispatch = async (parent, method, url, body, headers) => {
    const parsed = new URL(url, parent.baseUrl);
    const m = /^\/services\/data\/v(\d+)\.(\d)(\/.*)?$/.exec(parsed.pathname);
    const notFound = apiErrors.notFound();
    if (m === null || Number(m[1]) < MIN_API_VERSION || Number(m[1]) > MAX_API_VERSION)
      return { status: 404, body: notFound.toBody() };
    const path = m[3] ?? '/';
    const match = routes.match(method, path);
    if (match.kind === 'none') return { status: 404, body: notFound.toBody() };
    if (match.kind === 'wrong-method') {
      const e = apiErrors.methodNotAllowed(method, match.allowed);
      return { status: e.status, body: e.toBody() };
    }
    const sub: EmuRequest = {
      ...parent,
      method,
      path,
      params: match.params,
      query: parsed.searchParams,
      headers: {
        ...parent.headers,
        ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])),
      },
      body: body === undefined || body === null ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body)),
      apiVersion: `${m[1]}.${m[2]}`,
    };
    const answer: EmuResponse = await runHandler(match.route, sub, log);
    return answer;
  };

  // Order matters: feeds, describe and the ContentNote blob before `/sobjects/{T}/{id}`.
  registerFeedRoutes(routes);
  registerContentRoutes(routes);
  registerSObjectRoutes(routes, (req) => {
    const org = orgs.get(req.org.orgId);
    return org === undefined ? [] : org.store.schema.all().map((s) => s.meta);
  });
  registerCollectionRoutes(routes);
  registerCompositeRoutes(routes, dispatch);
  registerCompositeBatchRoutes(routes, dispatch);
  registerCompositeGraphRoutes(routes, dispatch);
  registerSearchRoutes(routes);
  registerLimitsRoutes(routes, (orgId) => orgs.get(orgId)!.api);
  registerQueryRoutes(routes);
  registerBulkRoutes(routes, {
    executeSoql: (org, soql, opts) => {
      const run = runSoql(org, soql, { includeDeleted: opts.includeDeleted });
      return {
        records: run.slice(0, run.size),
        totalSize: run.totalSize,
        objectName: run.objectName,
        fields: run.fields,
        paths: run.paths,
      };
    },
    ...(options.bulkScheduler === undefined ? {} : { scheduler: options.bulkScheduler }),
  });

  const server = createEmulatorServer({
    routes,
    sessions,
    orgs: { byId: (id) => orgs.get(id), all: () => orgs.values() },
    control: (req) => control.handle(req),
    maxBodyBytes: options.maxBodyBytes ?? 150 * 1024 * 1024,
    latencyMs: options.latencyMs ?? 0,
    delay: options.delay ?? ((ms) => sleep(ms)),
    onDataChanged: () => saver?.markDirty(),
    log,
    front: (req) =>
      handleFrontDoor(req, {
        sessions,
        orgs: () => orgs.values(),
        orgById: (id) =>
          orgs.get(id) ?? [...orgs.values()].find((o) => o.orgId.slice(0, 15) === id.slice(0, 15)),
        codes: authorizationCodes,
      }),
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  baseUrl = `http://${host}:${address.port}`;
  if (saver !== undefined && restored === undefined) saver.markDirty();

  const handle = (org: EmulatedOrg): OrgHandle => ({ ...control.summary(org), store: org.store, org });
  let closed = false;
  return {
    url: baseUrl,
    async close() {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await saver?.flush();
    },
    orgs: () => [...orgs.values()].map(handle),
    defaultOrg: handle(defaultOrg),
    credentials: control.summary(defaultOrg),
    createOrg: (input = {}) => {
      const summary = control.createOrg(input);
      return handle(orgs.get(summary.orgId)!);
    },
    control,
  };
}

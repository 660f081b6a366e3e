// The control API under /__emulator (no Salesforce auth): what a test or a person at the
// keyboard does to an org from outside the API (create orgs, move the clock, merge, convert,
// edit as a sales user, read write and request counts, inject faults). The same operations
// are methods here, so in-process tests skip HTTP.
import { z } from 'zod';
import type { EmuResponse, SObjectRecord } from './contracts.js';
import type { ControlRequest } from './http/server.js';
import { faultRuleSchema, type FaultRule, type FaultRuleInput } from './faults.js';
import type { SessionStore } from './http/sessions.js';
import type { RequestTally } from './http/request-log.js';
import { convertLead, type ConvertOutcome } from './org/convert-lead.js';
import type { CreateOrgOptions, EmulatedOrg, OrgCredentials } from './org/emulated-org.js';
import { mergeRecords, type MergeOutcome } from './org/merge-records.js';
import type { RecordWrites, WriteOperation } from './org/write-log.js';
import { schemaFileSchema } from './schema/custom-schema.js';
import { seedDataSchema, seedOrg, type SeedData, type SeedResult } from './seed.js';
import type { SaveResult } from './contracts.js';
import {
  duplicateRuleSchema,
  unknownRuleTarget,
  type DuplicateRule,
  type DuplicateRuleInput,
} from './duplicate-rules.js';
import { loginHostOf, loginUrlFor } from './login-hosts.js';
import { assertUsableCertificate } from './oauth-jwt.js';
import type { SchemaFile } from './schema/custom-schema.js';
import { applySchemaFile } from './schema/custom-schema.js';
import { SchemaRegistry } from './schema/schema-registry.js';
import { standardObjects } from './schema/standard-objects.js';
import { withContentObjects } from './content-objects.js';

function checkCertificate(pem: string): void {
  try {
    assertUsableCertificate(pem);
  } catch (err) {
    throw new ControlError(
      400,
      `jwtCertificate is not a usable PEM certificate or RSA public key: ${err instanceof Error ? err.message : 'unreadable'}`,
    );
  }
}

/** Rules must name objects and fields the new org will have (its schema file included). */
function checkDuplicateRuleTargets(rules: DuplicateRule[], schema: SchemaFile | undefined): void {
  const objects = withContentObjects(standardObjects());
  const registry = new SchemaRegistry([
    ...objects,
    ...(schema === undefined ? [] : applySchemaFile(schema, objects)),
  ]);
  const problem = unknownRuleTarget(rules, { describe: (name) => registry.get(name)?.meta });
  if (problem !== undefined) throw new ControlError(400, problem);
}

export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const createOrgSchema = z.strictObject({
  name: z.string().optional(),
  username: z.string().optional(),
  password: z.string().optional(),
  clientId: z.string().optional(),
  clientSecret: z.string().optional(),
  accessToken: z.string().optional(),
  dailyApiLimit: z.number().int().positive().optional(),
  sessionTtlSeconds: z.number().int().positive().optional(),
  refreshTokenOnPasswordGrant: z.boolean().optional(),
  schema: schemaFileSchema.optional(),
  seed: seedDataSchema.optional(),
  sandbox: z.boolean().optional(),
  redirectUris: z.array(z.url()).optional(),
  jwtCertificate: z.string().optional(),
  duplicateRules: z.array(duplicateRuleSchema).optional(),
});
const connectedAppSchema = z.strictObject({
  redirectUris: z.array(z.url()).optional(),
  jwtCertificate: z.string().nullable().optional(),
});
const duplicateRulesSchema = z.strictObject({ rules: z.array(duplicateRuleSchema) });
const clockSchema = z.union([
  z.strictObject({ advanceMs: z.number().int() }),
  z.strictObject({ now: z.iso.datetime({ offset: true }) }),
]);
const mergeSchema = z.strictObject({
  object: z.string(),
  masterId: z.string(),
  mergeIds: z.array(z.string()).min(1),
  userId: z.string().optional(),
});
const convertSchema = z.strictObject({
  leadId: z.string(),
  accountId: z.string().optional(),
  contactId: z.string().optional(),
  createOpportunity: z.boolean().optional(),
  opportunityName: z.string().optional(),
  userId: z.string().optional(),
});
const expireSchema = z.strictObject({ includeReadyToken: z.boolean().optional() });
const apiUsageSchema = z.strictObject({
  used: z.number().int().min(0).optional(),
  max: z.number().int().positive().optional(),
});

export type CreateOrgInput = z.input<typeof createOrgSchema>;

export interface OrgSummary extends OrgCredentials {
  instanceUrl: string;
  /** Where this org signs in: the base URL, or `{base}/sandbox` for a sandbox org. */
  loginUrl: string;
  sandbox: boolean;
}

export interface ControlDeps {
  orgs: () => Iterable<EmulatedOrg>;
  orgById: (orgId: string) => EmulatedOrg | undefined;
  createOrg: (options: CreateOrgOptions) => EmulatedOrg;
  sessions: SessionStore;
  baseUrl: () => string;
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new ControlError(400, `invalid request body: ${z.prettifyError(result.error)}`);
  return result.data;
}

function json(body: Buffer): unknown {
  if (body.length === 0) return {};
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new ControlError(400, 'the request body is not valid JSON');
  }
}

export class EmulatorControl {
  constructor(private readonly deps: ControlDeps) {}

  private org(orgId: string): EmulatedOrg {
    const org = this.deps.orgById(orgId);
    if (org === undefined)
      throw new ControlError(404, `no org with id ${orgId}; GET /__emulator/orgs lists them`);
    return org;
  }

  private userId(org: EmulatedOrg, requested: string | undefined): string {
    if (requested === undefined) return org.salesUser.id;
    const user = org.users.find((u) => u.id === requested || u.username === requested);
    if (user === undefined) throw new ControlError(400, `org ${org.orgId} has no user ${requested}`);
    return user.id;
  }

  summary(org: EmulatedOrg): OrgSummary {
    return {
      ...org.credentials(),
      instanceUrl: this.deps.baseUrl(),
      loginUrl: loginUrlFor(this.deps.baseUrl(), loginHostOf(org)),
      sandbox: org.spec.sandbox === true,
    };
  }

  listOrgs(): OrgSummary[] {
    return [...this.deps.orgs()].map((o) => this.summary(o));
  }

  createOrg(input: CreateOrgInput = {}): OrgSummary {
    const { seed, ...options } = parse(createOrgSchema, input);
    if (options.jwtCertificate !== undefined) checkCertificate(options.jwtCertificate);
    if (options.duplicateRules !== undefined)
      checkDuplicateRuleTargets(options.duplicateRules, options.schema);
    const org = this.deps.createOrg(options as CreateOrgOptions);
    if (seed !== undefined) this.seed(org.orgId, seed);
    return this.summary(org);
  }

  describeOrg(orgId: string): Record<string, unknown> {
    const org = this.org(orgId);
    return {
      ...this.summary(org),
      now: org.clock.now().toISOString(),
      apiUsage: { used: org.api.used, max: org.api.max },
      users: org.users.map((u) => ({
        id: u.id,
        username: u.username,
        email: u.email,
        isActive: u.isActive,
        role: u.role,
      })),
    };
  }

  /** Moves the org's clock forward (or back) by `advanceMs`, or to `now`. */
  setClock(orgId: string, input: { advanceMs: number } | { now: string }): { now: string } {
    const org = this.org(orgId);
    const parsed = parse(clockSchema, input);
    if ('advanceMs' in parsed) org.clock.advance(parsed.advanceMs);
    else org.clock.set(new Date(parsed.now));
    return { now: org.clock.now().toISOString() };
  }

  merge(
    orgId: string,
    input: { object: string; masterId: string; mergeIds: string[]; userId?: string },
  ): MergeOutcome {
    const org = this.org(orgId);
    const { userId, ...request } = parse(mergeSchema, input);
    return mergeRecords(org.store, request, { userId: this.userId(org, userId) });
  }

  convertLead(orgId: string, input: z.input<typeof convertSchema>): ConvertOutcome {
    const org = this.org(orgId);
    const { userId, ...request } = parse(convertSchema, input);
    return convertLead(org.store, request, { userId: this.userId(org, userId) });
  }

  createRecord(
    orgId: string,
    objectName: string,
    fields: Record<string, unknown>,
    userId?: string,
  ): SaveResult {
    const org = this.org(orgId);
    return org.store.create(objectName, fields, { userId: this.userId(org, userId) });
  }

  updateRecord(
    orgId: string,
    objectName: string,
    id: string,
    fields: Record<string, unknown>,
    userId?: string,
  ): SaveResult {
    const org = this.org(orgId);
    return org.store.update(objectName, id, fields, { userId: this.userId(org, userId) });
  }

  deleteRecord(orgId: string, id: string, userId?: string): SaveResult {
    const org = this.org(orgId);
    return org.store.delete(id, { userId: this.userId(org, userId) });
  }

  undeleteRecord(orgId: string, id: string, userId?: string): SaveResult {
    const org = this.org(orgId);
    return org.store.undelete(id, { userId: this.userId(org, userId) });
  }

  getRecord(orgId: string, id: string): SObjectRecord | undefined {
    return this.org(orgId).store.getById(id);
  }

  reset(orgId: string, seed?: SeedData): SeedResult | { created: Record<string, string[]>; errors: [] } {
    const org = this.org(orgId);
    org.store.clear();
    org.requests.reset();
    org.faults.clear();
    return seed === undefined ? { created: {}, errors: [] } : this.seed(orgId, seed);
  }

  /** Creates records as the integration user (seeding is setup, not a person's edit). */
  seed(orgId: string, data: SeedData): SeedResult {
    const org = this.org(orgId);
    return seedOrg(org.store, parse(seedDataSchema, data), org.integrationUser.id);
  }

  writes(
    orgId: string,
    ids?: string[],
  ): {
    records: Record<string, RecordWrites | null>;
    totals: Record<string, Record<WriteOperation, number>>;
  } {
    const org = this.org(orgId);
    const records: Record<string, RecordWrites | null> = {};
    for (const id of ids ?? []) {
      const full = org.store.getById(id)?.Id ?? id;
      records[id] = org.store.writes.forRecord(full) ?? null;
    }
    return { records, totals: org.store.writes.totals() };
  }

  requests(orgId: string): RequestTally {
    return this.org(orgId).requests.snapshot();
  }

  resetRequests(orgId: string): void {
    this.org(orgId).requests.reset();
  }

  addFault(orgId: string, rule: FaultRuleInput): FaultRule {
    parse(faultRuleSchema, rule);
    return this.org(orgId).faults.add(rule);
  }

  faults(orgId: string): FaultRule[] {
    return this.org(orgId).faults.list();
  }

  clearFaults(orgId: string): void {
    this.org(orgId).faults.clear();
  }

  /** Ends every OAuth session of the org now; the ready token too when asked. */
  expireSessions(orgId: string, options: { includeReadyToken?: boolean } = {}): { expired: number } {
    const org = this.org(orgId);
    const { includeReadyToken } = parse(expireSchema, options);
    return { expired: this.deps.sessions.expireOrg(org.orgId, includeReadyToken ?? false) };
  }

  /** Spends the rest of today's API budget, so the next counted request answers REQUEST_LIMIT_EXCEEDED. */
  spendApiLimit(orgId: string): { used: number; max: number } {
    const org = this.org(orgId);
    org.api.setUsed(org.api.max);
    return { used: org.api.used, max: org.api.max };
  }

  /** The connected app's web-server callback URLs and the certificate JWT assertions are checked with (null removes it). */
  configureConnectedApp(
    orgId: string,
    input: { redirectUris?: string[]; jwtCertificate?: string | null },
  ): { redirectUris: string[]; jwtCertificate: boolean } {
    const org = this.org(orgId);
    const parsed = parse(connectedAppSchema, input);
    if (parsed.redirectUris !== undefined) org.spec.redirectUris = parsed.redirectUris;
    if (parsed.jwtCertificate === null) delete org.spec.jwtCertificate;
    else if (parsed.jwtCertificate !== undefined) {
      checkCertificate(parsed.jwtCertificate);
      org.spec.jwtCertificate = parsed.jwtCertificate;
    }
    return {
      redirectUris: org.spec.redirectUris ?? [],
      jwtCertificate: org.spec.jwtCertificate !== undefined,
    };
  }

  /** Replaces the org's duplicate rules (an empty list turns them off). */
  setDuplicateRules(orgId: string, rules: DuplicateRuleInput[]): DuplicateRule[] {
    const org = this.org(orgId);
    const parsed = parse(duplicateRulesSchema, { rules }).rules;
    const problem = unknownRuleTarget(parsed, org.store);
    if (problem !== undefined) throw new ControlError(400, problem);
    org.spec.duplicateRules = parsed;
    org.store.duplicateRules.set(parsed);
    return org.store.duplicateRules.list();
  }

  duplicateRules(orgId: string): DuplicateRule[] {
    return this.org(orgId).store.duplicateRules.list();
  }

  setApiUsage(orgId: string, input: { used?: number; max?: number }): { used: number; max: number } {
    const org = this.org(orgId);
    const parsed = parse(apiUsageSchema, input);
    if (parsed.max !== undefined) org.api.max = parsed.max;
    if (parsed.used !== undefined) org.api.setUsed(parsed.used);
    return { used: org.api.used, max: org.api.max };
  }

  /** The HTTP face of the methods above. */
  async handle(req: ControlRequest): Promise<EmuResponse> {
    try {
      return this.route(req);
    } catch (err) {
      if (err instanceof ControlError)
        return {
          status: err.status,
          body: { error: err.status === 404 ? 'not_found' : 'bad_request', message: err.message },
        };
      throw err;
    }
  }

  private route(req: ControlRequest): EmuResponse {
    const ok = (body: unknown, status = 200): EmuResponse => ({ status, body });
    const { method } = req;
    const parts = req.path
      .split('/')
      .filter((p) => p !== '')
      .map(decodeURIComponent);
    if (parts[0] !== 'orgs')
      throw new ControlError(404, `unknown control path ${req.path}; see packages/sf-emulator/README.md`);
    if (parts.length === 1) {
      if (method === 'GET') return ok(this.listOrgs());
      if (method === 'POST') return ok(this.createOrg(json(req.body) as CreateOrgInput), 201);
    }
    const orgId = parts[1] ?? '';
    const rest = parts.slice(2);
    const body = () => json(req.body) as Record<string, unknown>;
    const key = `${method} ${rest[0] ?? ''}`;
    switch (key) {
      case 'GET ':
        return ok(this.describeOrg(orgId));
      case 'POST clock':
        return ok(this.setClock(orgId, body() as { advanceMs: number }));
      case 'POST merge':
        return ok(this.merge(orgId, body() as never));
      case 'POST convert-lead':
        return ok(this.convertLead(orgId, body() as never));
      case 'POST reset': {
        const b = body();
        return ok(this.reset(orgId, b['seed'] === undefined ? undefined : parse(seedDataSchema, b['seed'])));
      }
      case 'POST seed':
        return ok(this.seed(orgId, body() as SeedData));
      case 'GET writes':
        return ok(
          this.writes(
            orgId,
            req.query
              .get('ids')
              ?.split(',')
              .filter((s) => s !== ''),
          ),
        );
      case 'GET requests':
        return ok(this.requests(orgId));
      case 'DELETE requests':
        this.resetRequests(orgId);
        return ok(this.requests(orgId));
      case 'POST api-usage':
        return ok(this.setApiUsage(orgId, body()));
      case 'POST connected-app':
        return ok(this.configureConnectedApp(orgId, body()));
      case 'GET duplicate-rules':
        return ok(this.duplicateRules(orgId));
      case 'PUT duplicate-rules':
        return ok(this.setDuplicateRules(orgId, parse(duplicateRulesSchema, body()).rules));
      default:
        return this.routeRecordsAndFaults(orgId, method, rest, body, req.query);
    }
  }

  private routeRecordsAndFaults(
    orgId: string,
    method: string,
    rest: string[],
    body: () => Record<string, unknown>,
    query: URLSearchParams,
  ): EmuResponse {
    const ok = (b: unknown, status = 200): EmuResponse => ({ status, body: b });
    const asUser = query.get('userId') ?? undefined;
    if (rest[0] === 'faults') {
      if (rest.length === 1 && method === 'GET') return ok(this.faults(orgId));
      if (rest.length === 1 && method === 'POST')
        return ok(this.addFault(orgId, body() as FaultRuleInput), 201);
      if (rest.length === 1 && method === 'DELETE') {
        this.clearFaults(orgId);
        return ok(this.faults(orgId));
      }
      if (rest[1] === 'expire-sessions' && method === 'POST') return ok(this.expireSessions(orgId, body()));
      if (rest[1] === 'spend-api-limit' && method === 'POST') return ok(this.spendApiLimit(orgId));
    }
    if (rest[0] === 'records') {
      const [, objectOrId, id, action] = rest;
      if (rest.length === 2 && method === 'GET') {
        const record = this.getRecord(orgId, objectOrId ?? '');
        if (record === undefined) throw new ControlError(404, `no record ${objectOrId}`);
        return ok(record);
      }
      if (rest.length === 2 && method === 'POST')
        return ok(this.createRecord(orgId, objectOrId ?? '', body(), asUser), 201);
      if (rest.length === 3 && method === 'PATCH')
        return ok(this.updateRecord(orgId, objectOrId ?? '', id ?? '', body(), asUser));
      if (rest.length === 3 && method === 'DELETE') return ok(this.deleteRecord(orgId, id ?? '', asUser));
      if (rest.length === 3 && method === 'POST' && id === 'undelete')
        return ok(this.undeleteRecord(orgId, objectOrId ?? '', asUser));
      if (rest.length === 4 && method === 'POST' && action === 'undelete')
        return ok(this.undeleteRecord(orgId, id ?? '', asUser));
    }
    throw new ControlError(
      404,
      `unknown control request ${method} /__emulator/orgs/${orgId}/${rest.join('/')}; see packages/sf-emulator/README.md`,
    );
  }
}

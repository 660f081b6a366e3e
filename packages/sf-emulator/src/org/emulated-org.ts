// One hosted org: its data store and clock, the people who can log in, its connected app, its
// API budget, fault rules and request tally. Everything an org owns lives here so orgs never
// share state.
import { randomBytes } from 'node:crypto';
import type { SObjectRecord } from '../contracts.js';
import { IdMinter, orgIdFor, podFor } from '../ids.js';
import { applySchemaFile, type SchemaFile } from '../schema/custom-schema.js';
import { SchemaRegistry } from '../schema/schema-registry.js';
import { standardObjects } from '../schema/standard-objects.js';
import { ApiUsage } from '../limits.js';
import { FaultSet } from '../faults.js';
import { RequestLog } from '../http/request-log.js';
import { OrgClock } from './org-clock.js';
import { OrgStore } from './org-store.js';
import { formatDateTime } from './sf-format.js';
import { withContentObjects } from '../content-objects.js';
import { parseDuplicateRules, type DuplicateRuleInput } from '../duplicate-rules.js';

export interface OrgUser {
  id: string;
  username: string;
  email: string;
  firstName: string;
  lastName: string;
  isActive: boolean;
  role: 'integration' | 'sales';
}

/** Everything a client needs to reach this org. Secrets are only ever returned to the caller who made the org. */
export interface OrgCredentials {
  orgId: string;
  name: string;
  username: string;
  password: string;
  clientId: string;
  clientSecret: string;
  /** A token that is valid without logging in (never expires by TTL). */
  accessToken: string;
  integrationUserId: string;
  salesUsers: Array<{ id: string; username: string; email: string; password: string }>;
}

/** What an org is made from; persisted so a restarted emulator rebuilds the same org. */
export interface OrgSpec {
  number: number;
  name: string;
  username: string;
  password: string;
  clientId: string;
  clientSecret: string;
  accessToken: string;
  dailyApiLimit: number;
  sessionTtlSeconds: number;
  refreshTokenOnPasswordGrant: boolean;
  schema: SchemaFile | null;
  /** Signs in on the sandbox login URL (`{base}/sandbox`) instead of the production one. */
  sandbox?: boolean;
  /** Connected-app callback URLs for the web-server flow; none configured = any loopback URL. */
  redirectUris?: string[];
  /** PEM certificate (or public key) that JWT bearer assertions are verified with. */
  jwtCertificate?: string;
  /** Duplicate rules; when absent, the schema file's. */
  duplicateRules?: DuplicateRuleInput[];
}

export interface CreateOrgOptions {
  name?: string;
  username?: string;
  password?: string;
  clientId?: string;
  clientSecret?: string;
  accessToken?: string;
  dailyApiLimit?: number;
  sessionTtlSeconds?: number;
  /** Real Salesforce gives no refresh token on the password grant; set this to get one. */
  refreshTokenOnPasswordGrant?: boolean;
  schema?: SchemaFile | null;
  /** Signs in on the sandbox login URL (`{base}/sandbox`) instead of the production one. */
  sandbox?: boolean;
  /** Connected-app callback URLs for the web-server flow; none configured = any loopback URL. */
  redirectUris?: string[];
  /** PEM certificate (or public key) that JWT bearer assertions are verified with. */
  jwtCertificate?: string;
  /** Duplicate rules; when absent, the schema file's. */
  duplicateRules?: DuplicateRuleInput[];
}

export const DEFAULT_DAILY_API_LIMIT = 15000;
export const DEFAULT_SESSION_TTL_SECONDS = 7200;

const token = (bytes: number) => randomBytes(bytes).toString('base64url').replace(/[-_]/g, 'x');

export function orgSpecFor(number: number, options: CreateOrgOptions): OrgSpec {
  const slug = options.name?.toLowerCase().replace(/[^a-z0-9]+/g, '-') ?? `org${number}`;
  const orgId = orgIdFor(number);
  return {
    number,
    name: options.name ?? `Emulated Org ${number}`,
    username: options.username ?? `integration@${slug}.example.com`,
    password: options.password ?? `pass-${token(9)}`,
    clientId: options.clientId ?? `3MVG9${token(24)}`,
    clientSecret: options.clientSecret ?? token(24),
    accessToken: options.accessToken ?? `${orgId.slice(0, 15)}!AQ${token(60)}`,
    dailyApiLimit: options.dailyApiLimit ?? DEFAULT_DAILY_API_LIMIT,
    sessionTtlSeconds: options.sessionTtlSeconds ?? DEFAULT_SESSION_TTL_SECONDS,
    refreshTokenOnPasswordGrant: options.refreshTokenOnPasswordGrant ?? false,
    schema: options.schema ?? null,
    ...(options.sandbox === undefined ? {} : { sandbox: options.sandbox }),
    ...(options.redirectUris === undefined ? {} : { redirectUris: options.redirectUris }),
    ...(options.jwtCertificate === undefined ? {} : { jwtCertificate: options.jwtCertificate }),
    ...(options.duplicateRules === undefined ? {} : { duplicateRules: options.duplicateRules }),
  };
}

export class EmulatedOrg {
  readonly orgId: string;
  readonly clock: OrgClock;
  readonly store: OrgStore;
  readonly users: OrgUser[] = [];
  readonly api: ApiUsage;
  readonly faults: FaultSet;
  readonly requests = new RequestLog();

  constructor(
    readonly spec: OrgSpec,
    baseClock: () => number,
    minterStart = 1,
  ) {
    this.orgId = orgIdFor(spec.number);
    this.clock = new OrgClock(baseClock);
    const objects = withContentObjects(standardObjects());
    const custom = spec.schema === null ? [] : applySchemaFile(spec.schema, objects);
    this.store = new OrgStore(
      this.orgId,
      new SchemaRegistry([...objects, ...custom]),
      this.clock,
      new IdMinter(podFor(spec.number), minterStart),
    );
    this.api = new ApiUsage(spec.dailyApiLimit, this.clock);
    this.faults = new FaultSet(spec.number);
    this.store.duplicateRules.set(
      parseDuplicateRules(spec.duplicateRules ?? spec.schema?.duplicateRules ?? []),
    );
  }

  /** Creates the standard people of a fresh org; a restored org reloads them from its file instead. */
  createPeople(): void {
    const domain = this.spec.username.split('@')[1] ?? 'example.com';
    const people: Array<Omit<OrgUser, 'id'>> = [
      {
        username: this.spec.username,
        email: `integration@${domain}`,
        firstName: 'Integration',
        lastName: 'User',
        isActive: true,
        role: 'integration',
      },
      {
        username: `sally.sales@${domain}`,
        email: `sally.sales@${domain}`,
        firstName: 'Sally',
        lastName: 'Sales',
        isActive: true,
        role: 'sales',
      },
      {
        username: `sam.seller@${domain}`,
        email: `sam.seller@${domain}`,
        firstName: 'Sam',
        lastName: 'Seller',
        isActive: true,
        role: 'sales',
      },
      {
        username: `olivia.former@${domain}`,
        email: `olivia.former@${domain}`,
        firstName: 'Olivia',
        lastName: 'Former',
        isActive: false,
        role: 'sales',
      },
    ];
    const stamp = formatDateTime(this.clock.stamp());
    for (const person of people) {
      const id = this.store.ids.next('005');
      const record: SObjectRecord = {
        Id: id,
        Username: person.username,
        FirstName: person.firstName,
        LastName: person.lastName,
        Name: `${person.firstName} ${person.lastName}`,
        Email: person.email,
        Alias: (person.firstName.slice(0, 1) + person.lastName.slice(0, 4)).toLowerCase(),
        IsActive: person.isActive,
        UserType: 'Standard',
        TimeZoneSidKey: 'GMT',
        CreatedDate: stamp,
        LastModifiedDate: stamp,
        SystemModstamp: stamp,
      };
      this.store.insertRaw('User', record);
    }
    this.loadPeople();
    for (const user of this.users)
      this.store.insertRaw('User', {
        ...this.store.getById(user.id)!,
        CreatedById: this.integrationUser.id,
        LastModifiedById: this.integrationUser.id,
      });
  }

  /** Rebuilds the people list from the User records. */
  loadPeople(): void {
    this.users.length = 0;
    for (const r of this.store.scan('User', false)) {
      this.users.push({
        id: r.Id,
        username: String(r['Username']),
        email: String(r['Email']),
        firstName: String(r['FirstName'] ?? ''),
        lastName: String(r['LastName']),
        isActive: r['IsActive'] === true,
        role: r['Username'] === this.spec.username ? 'integration' : 'sales',
      });
    }
  }

  get integrationUser(): OrgUser {
    const user = this.users.find((u) => u.role === 'integration');
    if (user === undefined) throw new Error(`org ${this.orgId} has no integration user`);
    return user;
  }

  /** The first active sales user: who "a person in Salesforce" is for control-API edits. */
  get salesUser(): OrgUser {
    const user = this.users.find((u) => u.role === 'sales' && u.isActive);
    if (user === undefined) throw new Error(`org ${this.orgId} has no active sales user`);
    return user;
  }

  passwordFor(user: OrgUser): string {
    return user.role === 'integration'
      ? this.spec.password
      : `${this.spec.password}-${user.username.split('@')[0]}`;
  }

  credentials(): OrgCredentials {
    return {
      orgId: this.orgId,
      name: this.spec.name,
      username: this.spec.username,
      password: this.spec.password,
      clientId: this.spec.clientId,
      clientSecret: this.spec.clientSecret,
      accessToken: this.spec.accessToken,
      integrationUserId: this.integrationUser.id,
      salesUsers: this.users
        .filter((u) => u.role === 'sales')
        .map((u) => ({ id: u.id, username: u.username, email: u.email, password: this.passwordFor(u) })),
    };
  }
}

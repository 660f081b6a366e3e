// A real org store (the emulator's own OrgStore) on a fixed clock, with a few custom Contact
// fields so every SOQL value kind has a field to filter on; and the same org behind the real
// HTTP server for the jsforce conformance tests.
import type { TestContext } from 'node:test';
import { Connection } from 'jsforce';
import type { SObjectRecord, WriteContext } from '../src/contracts.js';
import { startEmulator, type RunningEmulator } from '../src/emulator.js';
import { IdMinter, orgIdFor, podFor } from '../src/ids.js';
import { OrgClock } from '../src/org/org-clock.js';
import { OrgStore } from '../src/org/org-store.js';
import { formatDateTime } from '../src/org/sf-format.js';
import { applySchemaFile, parseSchemaFile, type SchemaFile } from '../src/schema/custom-schema.js';
import { SchemaRegistry } from '../src/schema/schema-registry.js';
import { standardObjects } from '../src/schema/standard-objects.js';

export const FIXED_NOW = '2024-03-15T12:00:00.000Z';
export const TIERS = ['Gold', 'Silver', 'Bronze'];
export const TAGS = ['red', 'green', 'blue', 'Mauve'];

export interface TestOrg {
  store: OrgStore;
  clock: OrgClock;
  ctx: WriteContext;
  userId: string;
  /** Creates a record through the store's validation; throws with the errors when it fails. */
  create(objectName: string, fields: Record<string, unknown>): string;
}

/** Custom Contact fields so every SOQL value kind has a field to filter on. */
export const SOQL_TEST_SCHEMA: SchemaFile = parseSchemaFile({
  extend: {
    Contact: {
      fields: [
        { name: 'External_Id__c', type: 'string', externalId: true, unique: true, length: 64 },
        { name: 'Nickname__c', type: 'string', length: 255 },
        { name: 'Score__c', type: 'double', precision: 18, scale: 4 },
        { name: 'Visits__c', type: 'int', precision: 9 },
        { name: 'Active__c', type: 'boolean' },
        { name: 'Tier__c', type: 'picklist', values: TIERS },
        { name: 'Tags__c', type: 'multipicklist', values: TAGS },
        { name: 'Birth_Date__c', type: 'date' },
        { name: 'Last_Seen__c', type: 'datetime' },
      ],
    },
  },
});

export function makeOrg(options: { nowMs?: number; orgNumber?: number } = {}): TestOrg {
  const objects = standardObjects();
  applySchemaFile(SOQL_TEST_SCHEMA, objects);
  const nowMs = options.nowMs ?? Date.parse(FIXED_NOW);
  const clock = new OrgClock(() => nowMs);
  const orgNumber = options.orgNumber ?? 1;
  const ids = new IdMinter(podFor(orgNumber));
  const store = new OrgStore(orgIdFor(orgNumber), new SchemaRegistry(objects), clock, ids);
  const userId = ids.next('005');
  const stamp = formatDateTime(clock.now());
  store.insertRaw('User', {
    Id: userId,
    Username: 'integration@example.com',
    LastName: 'User',
    FirstName: 'Integration',
    Name: 'Integration User',
    Email: 'integration@example.com',
    Alias: 'iuser',
    IsActive: true,
    CreatedDate: stamp,
    LastModifiedDate: stamp,
    SystemModstamp: stamp,
  });
  const ctx: WriteContext = { userId };
  return {
    store,
    clock,
    ctx,
    userId,
    create(objectName, fields) {
      const result = store.create(objectName, fields, ctx);
      if (!result.success) throw new Error(`create ${objectName} failed: ${JSON.stringify(result.errors)}`);
      return result.id;
    },
  };
}

/** Ids of records, sorted, for order-free comparisons. */
export function idsOf(records: ReadonlyArray<Record<string, unknown>>): string[] {
  return records.map((r) => String(r['Id'])).sort();
}

export function stored(org: TestOrg, id: string): SObjectRecord {
  const record = org.store.getById(id);
  if (record === undefined) throw new Error(`no record ${id}`);
  return record;
}

export interface HttpOrg {
  conn: Connection;
  emulator: RunningEmulator;
  store: OrgStore;
  userId: string;
  create(objectName: string, fields: Record<string, unknown>): string;
}

/** The real emulator on 127.0.0.1:0 with the test schema and a fixed clock; closed after the test. */
export async function startHttpOrg(
  t: TestContext,
  options: { version?: string; nowMs?: number } = {},
): Promise<HttpOrg> {
  const nowMs = options.nowMs ?? Date.parse(FIXED_NOW);
  const emulator = await startEmulator({ schema: SOQL_TEST_SCHEMA, clock: () => nowMs, log: () => {} });
  t.after(() => emulator.close());
  const { store } = emulator.defaultOrg;
  const userId = emulator.credentials.integrationUserId;
  const conn = new Connection({
    instanceUrl: emulator.credentials.instanceUrl,
    accessToken: emulator.credentials.accessToken,
    version: options.version ?? '62.0',
  });
  return {
    conn,
    emulator,
    store,
    userId,
    create(objectName, fields) {
      const result = store.create(objectName, fields, { userId });
      if (!result.success) throw new Error(`create ${objectName} failed: ${JSON.stringify(result.errors)}`);
      return result.id;
    },
  };
}

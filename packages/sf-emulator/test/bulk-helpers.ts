// Shared setup for the Bulk API 2.0 conformance tests: an emulator on 127.0.0.1:0 with an
// external-id field on Account and Contact, and a jsforce connection to it, closed after the test.
import type { TestContext } from 'node:test';
import { Connection } from 'jsforce';
import { startEmulator, type EmulatorOptions, type RunningEmulator } from '../src/emulator.js';
import { parseSchemaFile } from '../src/schema/custom-schema.js';

export const API_VERSION = '62.0';

const externalId = { name: 'Ext_Id__c', type: 'string', externalId: true, unique: true, length: 40 } as const;

export async function startBulkEmulator(
  t: TestContext,
  options: EmulatorOptions = {},
): Promise<{ emulator: RunningEmulator; conn: Connection }> {
  const emulator = await startEmulator({
    schema: parseSchemaFile({
      extend: { Account: { fields: [externalId] }, Contact: { fields: [externalId] } },
    }),
    log: () => {},
    ...options,
  });
  t.after(() => emulator.close());
  const conn = new Connection({
    instanceUrl: emulator.credentials.instanceUrl,
    accessToken: emulator.credentials.accessToken,
    version: API_VERSION,
  });
  return { emulator, conn };
}

/** A raw HTTP call for what jsforce hides (response headers); same token, same server. */
export async function rawGet(conn: Connection, path: string): Promise<Response> {
  return fetch(`${conn.instanceUrl}/services/data/v${API_VERSION}${path}`, {
    headers: { Authorization: `Bearer ${conn.accessToken ?? ''}`, Accept: 'text/csv' },
  });
}

export const load = { pollInterval: 50, pollTimeout: 60_000 } as const;

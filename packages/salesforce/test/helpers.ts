import type { TestContext } from 'node:test';
import type { Clock, CrmRequestEvent, Logger } from '@crmsync/core';
import {
  startEmulator,
  type EmulatorOptions,
  type RunningEmulator,
  type SchemaFile,
} from '@crmsync/sf-emulator';
import { connectSalesforce, type SalesforceAdapter, type SalesforceAdapterOptions } from '../src/index.js';

/** A clock whose sleep moves time at once: Bulk polling runs without waiting. */
export function instantClock(start = Date.parse('2026-03-01T00:00:00Z')): Clock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => new Date(now),
    async sleep(ms: number) {
      slept.push(ms);
      now += ms;
      await new Promise((r) => setImmediate(r));
    },
  };
}

/** A logger that keeps every entry, so tests can search what would have been written. */
export function captureLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const make = (bindings: Record<string, unknown>): Logger => {
    const write = (level: string) => (fields: Record<string, unknown>, message: string) => {
      lines.push(JSON.stringify({ level, ...bindings, ...fields, message }));
    };
    return {
      debug: write('debug'),
      info: write('info'),
      warn: write('warn'),
      error: write('error'),
      child: (b) => make({ ...bindings, ...b }),
    };
  };
  return Object.assign(make({}), { lines });
}

export const X4_SCHEMA: SchemaFile = {
  objects: [],
  extend: Object.fromEntries(
    ['Contact', 'Lead', 'Account'].map((object) => [
      object,
      {
        fields: [
          { name: 'Crmsync_Id__c', type: 'string' as const, length: 255, externalId: true, unique: true },
        ],
        validationRules: [],
      },
    ]),
  ),
};

export async function emulator(t: TestContext, options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emu = await startEmulator({ log: () => {}, ...options });
  t.after(() => emu.close());
  return emu;
}

export interface Connected {
  emu: RunningEmulator;
  sf: SalesforceAdapter;
  orgId: string;
  requests: CrmRequestEvent[];
}

/** An emulator and an adapter on its default org's ready token, counting every request. */
export async function connected(
  t: TestContext,
  options: { emulator?: EmulatorOptions; adapter?: Partial<SalesforceAdapterOptions> } = {},
): Promise<Connected> {
  const emu = await emulator(t, options.emulator);
  const requests: CrmRequestEvent[] = [];
  const { onRequest, ...rest } = options.adapter ?? {};
  const sf = await connectSalesforce({
    credentials: {
      flow: 'token',
      instanceUrl: emu.credentials.instanceUrl,
      accessToken: emu.credentials.accessToken,
    },
    clock: instantClock(),
    retryBaseDelayMs: 0,
    onRequest: (event) => {
      requests.push(event);
      onRequest?.(event);
    },
    ...rest,
  });
  return { emu, sf, orgId: emu.credentials.orgId, requests };
}

/** The emulator's own count of requests to the org (every endpoint, counted or not). */
export function emulatorTotal(c: Connected): number {
  return c.emu.control.requests(c.orgId).total;
}

/** A lead conversion that must have worked. */
export function mustConvert<T extends { success: boolean }>(outcome: T): Extract<T, { success: true }> {
  if (!outcome.success) throw new Error(`conversion failed: ${JSON.stringify(outcome)}`);
  return outcome as Extract<T, { success: true }>;
}

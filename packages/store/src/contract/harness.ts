import { randomBytes } from 'node:crypto';
import type { TestContext } from 'node:test';
import {
  Company,
  Person,
  Workspace,
  type CompanyInput,
  type JobQueue,
  type PersonInput,
  type Store,
} from '@crmsync/core';
import { ManualClock } from './manual-clock.js';

/** One store instance over one database, as a driver opens it. */
export interface StoreInstance {
  store: Store;
  queue: JobQueue;
  close(): Promise<void>;
}

export interface OpenOptions {
  clock: ManualClock;
  encryptionKey: Uint8Array;
}

/** A fresh, empty database with its first store instance. */
export interface StoreUnderTest extends StoreInstance {
  /** Another instance on the SAME database (a second process in production), e.g. with another key. */
  openAnother(options: OpenOptions): Promise<StoreInstance>;
  /** Every byte the database keeps at rest (files, or a dump), to prove secrets are not there in clear. */
  rawContents(): Promise<Uint8Array>;
}

/** What a driver gives the contract suite: how to open a fresh database. */
export type MakeStore = (options: OpenOptions) => Promise<StoreUnderTest>;

export interface Opened extends StoreUnderTest {
  clock: ManualClock;
  encryptionKey: Uint8Array;
}

/** Opens a fresh store for one test and closes every instance when the test ends. */
export async function openFresh(t: TestContext, makeStore: MakeStore): Promise<Opened> {
  const clock = new ManualClock();
  const encryptionKey = new Uint8Array(randomBytes(32));
  const opened = await makeStore({ clock, encryptionKey });
  t.after(() => opened.close());
  return {
    ...opened,
    clock,
    encryptionKey,
    async openAnother(options) {
      const another = await opened.openAnother(options);
      t.after(() => another.close());
      return another;
    },
  };
}

export function workspaceDoc(id: string): Workspace {
  return Workspace.parse({ id, name: `Workspace ${id}` });
}

export function person(workspaceId: string, over: Partial<PersonInput> & { id: string }): Person {
  return Person.parse({ workspaceId, lastName: 'Doe', ...over });
}

export function company(workspaceId: string, over: Partial<CompanyInput> & { id: string }): Company {
  return Company.parse({ workspaceId, name: 'Acme', ...over });
}

/** A plausible 18-character Salesforce id. */
export function sfId(prefix: string, n: number): string {
  return `${prefix}${String(n).padStart(12, '0')}AAA`;
}

export const ORG_A = '00D000000000001AAA';
export const ORG_B = '00D000000000002AAA';

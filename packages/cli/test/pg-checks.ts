// What the scale-out tests check once the workers are done: the Salesforce side (SOQL over HTTP,
// the emulator's per-record write counter), the links, and the queue.
import assert from 'node:assert/strict';
import { crashCompanies, crashEmail, crashPersonId } from '../../engine/test/fixtures/crash-data.js';
import type { PgWorkspace, WorkerProcess } from './pg-harness.js';

export const contactsCreated = async (w: PgWorkspace) => (await w.writes()).totals.Contact?.create ?? 0;

/** Queue empty (nothing pending, held or parked) and `people` Contacts created. */
export async function drained(w: PgWorkspace, people: number): Promise<boolean> {
  const counts = (await w.queue.counts(w.workspaceId)).total;
  return counts.pending + counts.leased === 0 && (await contactsCreated(w)) >= people;
}

/** SIGTERM: the worker finishes its batch, claims nothing new and exits 0. */
export async function stopGracefully(p: WorkerProcess): Promise<void> {
  p.child.kill('SIGTERM');
  const r = await p.exited;
  assert.equal(r.code, 0, `a worker stopped by SIGTERM exits 0: ${r.stderr}`);
  assert.match(r.stdout, /crmsync worker stopped; nothing is held/);
}

/** Every person once in Salesforce under its company's Account, every Account once, every person linked. */
export async function assertExactlyOnce(
  w: PgWorkspace,
  people: number,
  companies: number,
): Promise<string[]> {
  const contacts = await w.soql('SELECT Id, Email, AccountId, Crmsync_Id__c FROM Contact');
  const byEmail = new Map<string, Record<string, unknown>[]>();
  for (const c of contacts) byEmail.set(String(c.Email), [...(byEmail.get(String(c.Email)) ?? []), c]);
  const missing: number[] = [];
  const twice: number[] = [];
  for (let i = 0; i < people; i++) {
    const found = byEmail.get(crashEmail(i)) ?? [];
    if (found.length === 0) missing.push(i);
    if (found.length > 1) twice.push(i);
  }
  assert.deepEqual(
    { missing: missing.slice(0, 5), twice: twice.slice(0, 5), total: contacts.length },
    { missing: [], twice: [], total: people },
  );
  const accounts = await w.soql('SELECT Id, Name FROM Account');
  assert.equal(accounts.length, companies, 'each company has one Account');
  assert.equal(new Set(accounts.map((a) => a.Name)).size, companies);

  // Parent before child (C7): each Contact sits under the Account its company is linked to.
  const reader = w.store.workspace(w.workspaceId);
  const companyLinks = await reader.links.getMany(
    'company',
    crashCompanies(companies).map((c) => String(c.id)),
    w.org.orgId,
  );
  const accountOf = new Map(companyLinks.map((l) => [l.localId, l.sfId]));
  let linked = 0;
  let wrongLink = 0;
  let wrongAccount = 0;
  for (let start = 0; start < people; start += 1_000) {
    const ids = Array.from({ length: Math.min(1_000, people - start) }, (_, j) => crashPersonId(start + j));
    for (const l of await reader.links.getMany('person', ids, w.org.orgId)) {
      if (l.state !== 'active') continue;
      linked++;
      const i = Number(l.localId.slice(1));
      const contact = byEmail.get(crashEmail(i))?.[0];
      if (contact?.Id !== l.sfId) wrongLink++;
      if (contact?.AccountId !== accountOf.get(`c${String(i % companies).padStart(6, '0')}`)) wrongAccount++;
    }
  }
  assert.deepEqual({ linked, wrongLink, wrongAccount }, { linked: people, wrongLink: 0, wrongAccount: 0 });
  const failed = (await w.queue.counts(w.workspaceId)).total.failed;
  assert.equal(failed, 0, 'no job was parked');
  return contacts.map((c) => String(c.Id));
}

/** The emulator's per-record counters of the given Contacts: creates per record, and writes beyond the first. */
export async function writesOf(w: PgWorkspace, ids: readonly string[]) {
  let createdTwice = 0;
  let rewrites = 0;
  let maxWrites = 0;
  for (let start = 0; start < ids.length; start += 400) {
    const page = await w.writes(ids.slice(start, start + 400));
    for (const r of Object.values(page.records)) {
      assert.ok(r !== null && r.total >= 1, 'every Contact was written by crmsync');
      if (r.create > 1) createdTwice++;
      rewrites += r.total - 1;
      maxWrites = Math.max(maxWrites, r.total);
    }
  }
  return { createdTwice, rewrites, maxWrites };
}

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { budgetResumeAt } from '../src/crm-session.js';
import {
  connectedWorkspace,
  drain,
  ingestAll,
  person,
  startEmulatorProcess,
  type EmulatorProcess,
  type Harness,
} from './harness.js';

/*
 * O3 "resumes as the window frees": a budget veto carries the exact instant enough of crmsync's
 * counted requests leave the rolling 24-hour ledger, and the jobs it stopped are due at that
 * instant, not before. Time is the injected clock; the ledger is the store's, on a real org.
 */

let emu: EmulatorProcess;
before(async () => {
  emu = await startEmulatorProcess();
});
after(() => emu.close());

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** When the ledger bucket of `at`'s minute leaves the window. */
const leaves = (at: Date) => new Date(Math.floor(at.getTime() / MINUTE) * MINUTE + 24 * HOUR);

/** 0.3% of the org's 10,000 calls = a share of 30; 0.15% = 15. */
const settings = (sharePercent: number) => ({
  contacts: { pushContacts: true },
  apiBudget: { sharePercent },
});

/** Brings the ledger's bucket of the current minute to `requests`. */
async function fillBucketTo(h: Harness, requests: number): Promise<void> {
  const session = await h.sessions.session(h.workspaceId);
  await session.flushLedger();
  const ledger = h.store.workspace(h.workspaceId).ledger;
  const now = Math.floor(h.clock.now().getTime() / MINUTE) * MINUTE;
  const inBucket = (await ledger.bucketsLast24Hours(h.org.orgId))
    .filter((b) => b.leavesAt.getTime() === now + 24 * HOUR)
    .reduce((n, b) => n + b.requests, 0);
  assert.ok(inBucket <= requests, `the bucket already holds ${inBucket}`);
  await h.store.transaction(h.workspaceId, (tx) => tx.ledger.add(h.org.orgId, requests - inBucket));
}

test('O3: a spent budget stops the push until exactly the instant enough requests leave the window, then it runs', async (t) => {
  const h = await connectedWorkspace(t, emu, { dailyApiLimit: 10_000, settings: settings(0.3) });
  // 5 requests at t0 (the session's own included), 25 two hours later: 30, the whole share.
  const t0 = h.clock.now();
  await fillBucketTo(h, 5);
  await h.clock.advance(2 * HOUR);
  const t1 = h.clock.now();
  await fillBucketTo(h, 25);

  // One more call needs one request to leave: the t0 bucket's leaving is enough.
  const session = await h.sessions.session(h.workspaceId);
  await session.refreshBudget();
  assert.equal(session.budget().usedLast24h, 30);
  const veto = await session.crm.query('SELECT Id FROM User').then(
    () => null,
    (err: unknown) => err,
  );
  assert.equal(budgetResumeAt(veto, h.clock.now())?.toISOString(), leaves(t0).toISOString());

  // With the share at 15, 16 must leave: the t0 bucket (5) is not enough, the t1 one (25) is.
  await h.setSettings(settings(0.15));
  await ingestAll(
    h,
    'person',
    Array.from({ length: 3 }, (_, i) => person(`p${i}`, { email: `resume${i}@acme.test` })),
  );
  const [stopped] = await drain(h);
  assert.equal(stopped?.budgetWaits, 3);
  const resumeAt = [...(stopped?.outcomes.values() ?? [])].map((o) =>
    o.status === 'budget' ? o.resumeAt.toISOString() : o.status,
  );
  assert.deepEqual(resumeAt, Array(3).fill(leaves(t1).toISOString()));
  const landed = () => h.soql("SELECT Id FROM Contact WHERE Email LIKE 'resume%'");
  assert.equal((await landed()).length, 0);

  // The t0 bucket leaves: not enough, and the jobs are not due; a millisecond early, still not.
  await h.clock.advance(leaves(t0).getTime() - h.clock.now().getTime());
  assert.equal((await drain(h))[0]?.claimed, 0);
  await h.clock.advance(leaves(t1).getTime() - 1 - h.clock.now().getTime());
  assert.equal((await drain(h))[0]?.claimed, 0);
  assert.equal((await landed()).length, 0);

  // At that instant the window has room again and the people go out.
  await h.clock.advance(1);
  const resumed = await drain(h);
  assert.equal(resumed[0]?.claimed, 3);
  assert.equal(resumed[0]?.budgetWaits, 0);
  assert.equal((await landed()).length, 3);
});

test('O3: a veto for the org-wide reserve carries the recheck time, and the org usage is read again before the jobs resume', async (t) => {
  const h = await connectedWorkspace(t, emu, { dailyApiLimit: 1_000, settings: settings(50) });
  await h.sessions.session(h.workspaceId); // a running worker: its session is open
  await h.control('POST', '/api-usage', { used: 960 });
  await ingestAll(h, 'person', [person('r1', { email: 'reserve1@acme.test' })]);
  const now = h.clock.now();
  const [stopped] = await drain(h);
  const [outcome] = [...(stopped?.outcomes.values() ?? [])];
  assert.equal(outcome?.status, 'budget');
  const recheck = outcome?.status === 'budget' ? outcome.resumeAt : null;
  assert.equal(recheck?.getTime(), now.getTime() + 15 * MINUTE, 'the recheck, 15 minutes on');

  // The org's other integrations slow down; at the recheck crmsync reads /limits and goes on.
  await h.control('POST', '/api-usage', { used: 100 });
  await h.clock.advance(15 * MINUTE - 1);
  assert.equal((await drain(h))[0]?.claimed, 0);
  await h.clock.advance(1);
  const [resumed] = await drain(h);
  assert.equal(resumed?.budgetWaits, 0);
  assert.equal((await h.soql("SELECT Id FROM Contact WHERE Email = 'reserve1@acme.test'")).length, 1);
});

test('O3: a worker that opens its session with the budget already spent claims nothing and says until when', async (t) => {
  const h = await connectedWorkspace(t, emu, { dailyApiLimit: 10_000, settings: settings(0.3) });
  const t0 = h.clock.now();
  await fillBucketTo(h, 30);
  await ingestAll(h, 'person', [person('s1', { email: 'spent1@acme.test' })]);
  h.sessions.forget(h.workspaceId); // a worker (re)started now: its session is not open yet
  const writesBefore = (await h.requests()).counted;

  const [report] = await drain(h);
  assert.equal(report?.claimed, 0, 'nothing claimed, so no attempt is counted against the jobs');
  assert.equal(report?.budgetWaitUntil?.toISOString(), leaves(t0).toISOString());
  assert.equal((await h.requests()).counted, writesBefore, 'no call reached Salesforce');
  assert.equal((await h.queue.counts(h.workspaceId)).total.pending, 1, 'the job still waits');

  await h.clock.advance(leaves(t0).getTime() - h.clock.now().getTime());
  const [resumed] = await drain(h);
  assert.equal(resumed?.budgetWaitUntil, null);
  assert.equal(resumed?.completed, 1);
  assert.equal((await h.soql("SELECT Id FROM Contact WHERE Email = 'spent1@acme.test'")).length, 1);
});

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createEngine } from '../src/engine.js';
import {
  connectedWorkspace,
  ingestAll,
  person,
  startEmulatorProcess,
  type EmulatorProcess,
  type Harness,
} from './harness.js';

/*
 * The long-running worker gathers a trickle (push/gather.ts): a partial batch waits up to
 * `pushGatherMs` on the injected clock, a full batch goes at once, and draining (`runUntilIdle`)
 * never waits. Calls are counted by the emulator.
 */

let emu: EmulatorProcess;
before(async () => {
  emu = await startEmulatorProcess();
});
after(() => emu.close());

/** API calls the org has counted (a composite counts once, as Salesforce counts it). */
const apiCalls = async (h: Harness) => (await h.requests()).counted;

const engineOf = (h: Harness, pushGatherMs: number) =>
  createEngine({ ...h.deps, options: { ...h.deps.options, pushGatherMs, batchSize: 5 } });

test('O3, P2: a trickle waits up to pushGatherMs for company and then goes out in one write call', async (t) => {
  const h = await connectedWorkspace(t, emu, { settings: { contacts: { pushContacts: true } } });
  const engine = engineOf(h, 2_000);
  // The session's first batch also reads the org (identity, limits, describes, Accounts): not counted below.
  await ingestAll(h, 'person', [person('w1')]);
  assert.equal((await engine.runUntilIdle(h.workspaceId)).pushed, 1);
  await ingestAll(h, 'person', [person('g1'), person('g2')]);
  const before = await apiCalls(h);

  const first = await engine.runPushBatch(h.workspaceId);
  assert.deepEqual([first.gathering, first.claimed], [true, 0]);
  await h.clock.advance(1_000);
  await ingestAll(h, 'person', [person('g3')]);
  const second = await engine.runPushBatch(h.workspaceId);
  assert.deepEqual([second.gathering, second.claimed], [true, 0], 'still inside the window');
  assert.equal(await apiCalls(h), before, 'nothing was sent while gathering');

  await h.clock.advance(1_000);
  const third = await engine.runPushBatch(h.workspaceId);
  assert.deepEqual([third.gathering, third.claimed, third.completed], [false, 3, 3]);
  // P2, X1: one lookup for the three, then their upserts and the SystemModstamp read-back in one composite.
  assert.equal(await apiCalls(h), before + 2, 'the three people went in one write call after one lookup');
  const rows = await h.soql<{ Email: string }>("SELECT Email FROM Contact WHERE Email LIKE 'g%'");
  assert.equal(rows.length, 3);
});

test('O3: a full batch goes at once, and with pushGatherMs 0 or when draining nothing waits', async (t) => {
  const h = await connectedWorkspace(t, emu, { settings: { contacts: { pushContacts: true } } });
  const gathering = engineOf(h, 2_000);
  await ingestAll(
    h,
    'person',
    [1, 2, 3, 4, 5].map((i) => person(`f${i}`)),
  );
  const full = await gathering.runPushBatch(h.workspaceId);
  assert.deepEqual([full.gathering, full.claimed], [false, 5], 'a full batch does not wait');

  await ingestAll(h, 'person', [person('i1')]);
  const immediate = await engineOf(h, 0).runPushBatch(h.workspaceId);
  assert.deepEqual([immediate.gathering, immediate.claimed], [false, 1]);

  await ingestAll(h, 'person', [person('d1')]);
  const drained = await gathering.runUntilIdle(h.workspaceId);
  assert.equal(drained.pushed, 1, 'runUntilIdle sends a partial batch without waiting');
  assert.equal((await h.soql("SELECT Id FROM Contact WHERE Email LIKE '%@example.com'")).length, 7);
});

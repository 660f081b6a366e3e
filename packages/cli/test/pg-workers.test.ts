import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { after, before, test } from 'node:test';
import { WORKER_PUSH_OPTIONS } from '@crmsync/engine';
import { crashCompanies, crashPeople } from '../../engine/test/fixtures/crash-data.js';
import { seededRandom, startEmulatorProcess, type EmulatorProcess } from '../../engine/test/harness.js';
import { assertExactlyOnce, contactsCreated, drained, stopGracefully, writesOf } from './pg-checks.js';
import { seed, pgWorkspace, startWorker, waitFor, type WorkerProcess } from './pg-harness.js';

/*
 * Scale-out on PostgreSQL with the real `crmsync worker` processes: several workers share one
 * database and one org; workers are SIGKILLed at seeded points of progress (CRASH_SEED=n replays
 * them; the seed is printed) and restarted; SIGTERM stops a worker gracefully. Outcomes are
 * checked on the Salesforce side (SOQL, the emulator's per-record write counter) and locally.
 */

const SEED =
  process.env.CRASH_SEED !== undefined && process.env.CRASH_SEED !== ''
    ? Number(process.env.CRASH_SEED)
    : randomInt(1, 2 ** 31);

let emu: EmulatorProcess;
before(async () => {
  console.log(`pg-workers: CRASH_SEED=${SEED} (set CRASH_SEED=${SEED} to replay these kill points)`);
  emu = await startEmulatorProcess();
  process.once('exit', () => void emu.close());
});
after(() => emu.close());

/** Sizes: small enough for the suite on two busy cores; PG_WORKERS_PEOPLE=5000 for a longer run. */
const PEOPLE_ENV = Number(process.env.PG_WORKERS_PEOPLE ?? '') || 0;
const started = Date.now();
const progress = (line: string) =>
  console.log(`pg-workers: ${((Date.now() - started) / 1000).toFixed(1)} s ${line}`);

test(
  'X4, C7, C9: three `crmsync worker` processes on PostgreSQL, SIGKILLed at seeded points and restarted, push a backfill of people: each once in Salesforce under its Account, all linked, nothing lost',
  { timeout: 300_000 },
  async (t) => {
    const PEOPLE = PEOPLE_ENV || 2_000;
    const COMPANIES = Math.max(1, Math.floor(PEOPLE / 20));
    const w = await pgWorkspace(t, emu);
    await seed(w, 'company', crashCompanies(COMPANIES));
    await seed(w, 'person', crashPeople(PEOPLE, COMPANIES));
    progress(`seeded ${PEOPLE} people and their jobs`);

    const random = seededRandom(SEED);
    const workers: WorkerProcess[] = [startWorker(w), startWorker(w), startWorker(w)];
    t.after(() => workers.forEach((p) => p.child.kill('SIGKILL')));
    // Five kill points, each a seeded fraction of the Contacts still to create, and a seeded victim.
    const kills: string[] = [];
    for (let k = 0; k < 5; k++) {
      const at = await contactsCreated(w);
      const target = at + 1 + Math.floor(random() * ((PEOPLE - at) / (6 - k)));
      const victim = Math.floor(random() * workers.length);
      await waitFor(
        async () => (await contactsCreated(w)) >= target || (await drained(w, PEOPLE)),
        180_000,
        async () => `${await contactsCreated(w)} of ${target} Contacts before kill ${k + 1}`,
      );
      if (await drained(w, PEOPLE)) break;
      workers[victim]!.child.kill('SIGKILL');
      await workers[victim]!.exited;
      kills.push(`worker ${victim} at ${await contactsCreated(w)} Contacts`);
      progress(`SIGKILLed ${kills.at(-1)}`);
      workers[victim] = startWorker(w);
    }
    console.log(`pg-workers: seed ${SEED}; SIGKILLed ${kills.join(', ')}`);
    assert.ok(kills.length >= 3, `at least three workers were killed mid-backfill: ${kills.join('; ')}`);

    await waitFor(
      () => drained(w, PEOPLE),
      180_000,
      async () =>
        `${await contactsCreated(w)} Contacts, queue ${JSON.stringify(await w.queue.counts(w.workspaceId))}`,
    );
    progress('drained; stopping the workers with SIGTERM');
    for (const p of workers) await stopGracefully(p);

    const ids = await assertExactlyOnce(w, PEOPLE, COMPANIES);
    const writes = await writesOf(w, ids);
    t.diagnostic(`seed ${SEED}; ${kills.length} kills; Contact writes beyond the first: ${writes.rewrites}`);
    assert.equal(writes.createdTwice, 0, 'no Contact was created twice');
    // A kill can lose at most the batch in flight (a worker claims WORKER_PUSH_OPTIONS.pushClaimSize
    // people at once), written again by the worker that takes it over.
    assert.ok(
      writes.rewrites <= kills.length * WORKER_PUSH_OPTIONS.pushClaimSize,
      `${writes.rewrites} rewrites after ${kills.length} kills`,
    );
  },
);

test(
  'E4, X4: two workers racing on the same records while they are edited never send one record twice at once: one create each, at most one write per edit, the last edit wins',
  { timeout: 240_000 },
  async (t) => {
    const PEOPLE = Math.max(200, Math.floor((PEOPLE_ENV || 2_000) / 4));
    const COMPANIES = Math.max(1, Math.floor(PEOPLE / 20));
    const EDITS = 3;
    const w = await pgWorkspace(t, emu);
    await seed(w, 'company', crashCompanies(COMPANIES));
    await seed(w, 'person', crashPeople(PEOPLE, COMPANIES));
    const workers = [startWorker(w), startWorker(w)];
    t.after(() => workers.forEach((p) => p.child.kill('SIGKILL')));

    // Edit every person while the two workers push: each edit coalesces into the record's one
    // pending job, or waits behind the job a worker holds (one active job per record).
    for (let round = 1; round <= EDITS; round++) {
      await waitFor(
        async () =>
          (await contactsCreated(w)) >= Math.floor((PEOPLE * round) / (EDITS + 1)) ||
          (await drained(w, PEOPLE)),
        120_000,
        async () => `${await contactsCreated(w)} Contacts before edit round ${round}`,
      );
      await seed(
        w,
        'person',
        crashPeople(PEOPLE, COMPANIES).map((p) => ({ ...p, title: `Edit ${round}` })),
      );
      progress(`edit round ${round} at ${await contactsCreated(w)} Contacts`);
    }
    await waitFor(
      async () =>
        (await drained(w, PEOPLE)) &&
        (await w.soql(`SELECT Id FROM Contact WHERE Title = 'Edit ${EDITS}'`)).length === PEOPLE,
      120_000,
      async () => `queue ${JSON.stringify(await w.queue.counts(w.workspaceId))}`,
    );
    for (const p of workers) await stopGracefully(p);

    const ids = await assertExactlyOnce(w, PEOPLE, COMPANIES);
    const writes = await writesOf(w, ids);
    assert.equal(writes.createdTwice, 0, 'no record was created by both workers');
    assert.ok(
      writes.maxWrites <= 1 + EDITS,
      `a record was written ${writes.maxWrites} times for 1 create and ${EDITS} edits`,
    );
  },
);

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import pg from 'pg';
import { Deal, Settings, type BulkJobRecord } from '@crmsync/core';
import { deal, STAGES } from '../../engine/test/deals-harness.js';
import { crashCompanies, crashPeople, crashPersonId } from '../../engine/test/fixtures/crash-data.js';
import { startEmulatorProcess, type EmulatorProcess } from '../../engine/test/harness.js';
import { assertExactlyOnce, stopGracefully, writesOf } from './pg-checks.js';
import {
  pgWorkspace,
  seed,
  startCli,
  startWorker,
  waitFor,
  type PgWorkspace,
  type WorkerProcess,
} from './pg-harness.js';

/*
 * `crmsync push-all` on PostgreSQL: the run is queued in chunk jobs and pushed by real `crmsync
 * worker` processes through Bulk API 2.0, while another command follows it. One worker is
 * SIGKILLed while its chunk's Bulk job is in flight (the job's id is already stored), another is
 * stopped with SIGTERM; the run completes with every person once in Salesforce.
 */

let emu: EmulatorProcess;
before(async () => {
  emu = await startEmulatorProcess();
  process.once('exit', () => void emu.close());
});
after(() => emu.close());

/** Sizes: three chunks, two above the Bulk threshold (2,000); PG_PUSH_ALL_PEOPLE for a longer run. */
const PEOPLE = Number(process.env.PG_PUSH_ALL_PEOPLE ?? '') || 6_000;
const CHUNK = Math.ceil(PEOPLE / 2.4);
const started = Date.now();
const progress = (line: string) =>
  console.log(`pg-push-all: ${((Date.now() - started) / 1000).toFixed(1)} s ${line}`);

/** The Bulk jobs of queued chunks (tagged `<run>#<chunk>`) not yet applied. */
async function chunkBulkJobsInFlight(w: PgWorkspace) {
  const jobs = await w.store.workspace(w.workspaceId).bulkJobs.list({ orgId: w.org.orgId });
  return jobs.filter(
    (j) => (j.runId ?? '').includes('#') && j.state !== 'Applied' && j.state !== 'Abandoned',
  );
}

/** The worker id (`host:pid:...`) holding each active push-all chunk, read from pg-boss's job table. */
async function chunkHolders(w: PgWorkspace): Promise<{ key: string; pid: number }[]> {
  const client = new pg.Client({ connectionString: w.url });
  await client.connect();
  try {
    const rows = await client.query<{ key: string; worker: string }>(
      `select singleton_key as key, output->>'workerId' as worker from pgboss.job
       where name = $1 and state = 'active'`,
      [`crmsync/${w.workspaceId}/push-all`],
    );
    return rows.rows.map((r) => ({ key: r.key, pid: Number(r.worker.split(':')[1]) }));
  } finally {
    await client.end();
  }
}

test(
  'C9, X4, C7: push all queued in chunks on PostgreSQL, one worker SIGKILLed in the middle of a Bulk job and one stopped with SIGTERM: every person once in Salesforce under its Account, all linked, no create sent twice',
  { timeout: 300_000 },
  async (t) => {
    const COMPANIES = Math.max(1, Math.floor(PEOPLE / 20));
    const w = await pgWorkspace(t, emu);
    await seed(w, 'company', crashCompanies(COMPANIES), { jobs: false });
    // Most people were imported with automatic push off; the first 300 still have a change job
    // queued, so the change path and the run race on them (upserts on Crmsync_Id__c, X4).
    await seed(w, 'person', crashPeople(300, COMPANIES));
    await seed(w, 'person', crashPeople(PEOPLE - 300, COMPANIES, 300), { jobs: false });
    progress(`seeded ${PEOPLE} people`);

    const workers: WorkerProcess[] = [startWorker(w), startWorker(w), startWorker(w)];
    const follower = startCli(w, [
      'push-all',
      '--workspace',
      w.workspaceId,
      '--chunk-size',
      String(CHUNK),
      '--json',
    ]);
    t.after(() => [...workers, follower].forEach((p) => p.child.kill('SIGKILL')));

    // Kill the worker holding a chunk whose Bulk job is stored but not yet applied.
    let target: { job: BulkJobRecord; chunk: string; pid: number } | null = null;
    await waitFor(
      async () => {
        const holders = await chunkHolders(w);
        for (const job of await chunkBulkJobsInFlight(w)) {
          const chunk = (job.runId ?? '').split('#')[1]!;
          const holder = holders.find((h) => h.key.split('/')[1] === chunk);
          if (holder !== undefined) target = { job, chunk, pid: holder.pid };
        }
        return target !== null;
      },
      120_000,
      async () => `no chunk Bulk job in flight; follower: ${follower.child.exitCode}`,
    );
    const { job: inFlight, chunk: chunkIndex, pid } = target!;
    const victim = workers.findIndex((p) => p.child.pid === pid);
    assert.ok(victim >= 0, `the holder of chunk ${chunkIndex} is one of the workers`);
    workers[victim]!.child.kill('SIGKILL');
    await workers[victim]!.exited;
    progress(
      `SIGKILLed the worker of chunk ${chunkIndex} during Bulk job ${inFlight.sfJobId} (${inFlight.object})`,
    );

    // Stop another chunk's worker gracefully: it ends its chunk or releases it, and exits 0.
    const other = (await chunkHolders(w)).find((h) => h.pid !== pid);
    const graceful = workers.findIndex((p) => p.child.pid === other?.pid);
    if (graceful >= 0) {
      await stopGracefully(workers[graceful]!);
      progress(`stopped the worker of chunk ${other!.key.split('/')[1]} with SIGTERM`);
      workers[graceful] = startWorker(w);
    }

    let timer: NodeJS.Timeout | undefined;
    const ended = await Promise.race([
      follower.exited,
      new Promise<null>((ok) => (timer = setTimeout(() => ok(null), 240_000))),
    ]);
    clearTimeout(timer);
    assert.ok(ended !== null, 'the follower saw the run end');
    assert.equal(ended.code, 0, `push-all exits 0: ${ended.stderr}`);
    const result = JSON.parse(ended.stdout) as Record<string, unknown>;
    progress(`run done: ${JSON.stringify({ ...result, byReason: undefined })}`);
    assert.equal(result.chunks, 3);
    assert.equal(result.bulk, true, 'the chunks above the threshold went through Bulk API 2.0');
    assert.equal(result.failed, 0);

    for (const p of workers)
      if (p.child.exitCode === null && p.child.signalCode === null) await stopGracefully(p);
    const ids = await assertExactlyOnce(w, PEOPLE, COMPANIES);
    const writes = await writesOf(w, ids);
    t.diagnostic(`Contact writes beyond the first: ${writes.rewrites}`);
    assert.equal(writes.createdTwice, 0, 'no Contact was created twice');
    const open = await chunkBulkJobsInFlight(w);
    assert.deepEqual(open, [], 'the killed chunk’s Bulk job was resumed and applied');
  },
);

test(
  'C9, D4: push-all --detach queues the run and prints its id; a worker pushes the chunks, then the deal backfill; --follow prints the summary; a chunk above 10,000 is a usage error (2)',
  { timeout: 240_000 },
  async (t) => {
    const w = await pgWorkspace(t, emu);
    await w.store.transaction(w.workspaceId, async (tx) => {
      await tx.settings.put(
        Settings.parse({
          version: 2,
          lifecycle: { configurationWindowHours: 0 },
          contacts: { pushContacts: true },
          deals: { dealSync: 'push', stageMapping: STAGES },
        }),
        'test',
      );
      for (let i = 0; i < 3; i++)
        await tx.records.upsert(
          'deal',
          Deal.parse({
            ...deal(`d${i}`, { companyId: 'c000000', personIds: [crashPersonId(i)] }),
            workspaceId: w.workspaceId,
          }),
        );
    });
    await seed(w, 'company', crashCompanies(25), { jobs: false });
    await seed(w, 'person', crashPeople(500, 25), { jobs: false });

    const tooBig = await startCli(w, ['push-all', '--workspace', w.workspaceId, '--chunk-size', '20000'])
      .exited;
    assert.equal(tooBig.code, 2, tooBig.stderr);
    assert.match(
      tooBig.stderr,
      /--chunk-size must be a whole number of people from 1 to 10,000, not "20000"/,
    );

    const queued = await startCli(w, [
      'push-all',
      '--workspace',
      w.workspaceId,
      '--chunk-size',
      '200',
      '--detach',
    ]).exited;
    assert.equal(queued.code, 0, queued.stderr);
    const runId =
      /^Push all (\S+) queued: 500 people in 3 chunks of at most 200, then the deal backfill;/m.exec(
        queued.stdout,
      )?.[1];
    assert.ok(runId !== undefined, queued.stdout);
    assert.equal((await w.soql('SELECT Id FROM Contact')).length, 0, '--detach sends nothing itself');
    const second = await startCli(w, ['push-all', '--workspace', w.workspaceId, '--detach']).exited;
    assert.equal(second.code, 2, 'a second run is refused while the first has chunks left');
    assert.match(
      second.stderr,
      new RegExp(`A push all \\(${runId}\\) is still queued or running in workspace scale, with 3 jobs left`),
    );
    assert.match(second.stderr, new RegExp(`crmsync push-all --follow ${runId}`));

    const worker = startWorker(w);
    t.after(() => worker.child.kill('SIGKILL'));
    const followed = await startCli(w, ['push-all', '--workspace', w.workspaceId, '--follow', runId]).exited;
    assert.equal(followed.code, 0, followed.stderr);
    assert.match(
      followed.stdout,
      new RegExp(
        `^Push all ${runId}: 500 people in 3 chunks — created 500, linked to existing 0, skipped 0, failed 0\\.$`,
        'm',
      ),
    );
    assert.match(followed.stdout, new RegExp(`^Deals ${runId}-deals: 3 — created 3,`, 'm'));
    await stopGracefully(worker);

    await assertExactlyOnce(w, 500, 25);
    const opps = await w.soql('SELECT Id, Name FROM Opportunity');
    assert.deepEqual(opps.map((o) => o.Name).sort(), ['Deal d0', 'Deal d1', 'Deal d2']);
  },
);

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crashEmail, crashPersonId } from './fixtures/crash-data.js';
import {
  FIRST_INGESTED,
  INGESTED,
  PEOPLE,
  ingestWithCrash,
  useCrashEmulator,
} from './fixtures/crash-harness.js';

/*
 * Crash boundary (a) of the backfill: the ingest child (the runtime the CLI's import uses) is
 * SIGKILLed right after an outbox commit, then run again.
 */

useCrashEmulator(INGESTED);

test('Crash (a): an ingest killed right after an outbox commit keeps what it committed, with its outbox jobs, and the rerun completes it', async () => {
  const { first, committed, queuedAfterKill, rerun, lastEmail } = await ingestWithCrash();
  assert.equal(first.signal, 'SIGKILL', `the ingest was to die after its outbox commit: ${first.stderr}`);
  assert.deepEqual(
    committed,
    [crashPersonId(FIRST_INGESTED + 999), null],
    'chunk 0 committed; chunk 1 never started',
  );
  assert.equal(queuedAfterKill, 1_000, "chunk 0's outbox jobs committed with its records");
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.equal(rerun.result?.ingested, INGESTED);
  assert.equal(lastEmail, crashEmail(PEOPLE - 1));
});

import { test } from 'node:test';
import { crashAndRecover, useCrashEmulator } from './fixtures/crash-harness.js';

/*
 * Crash safety of push all (C9, X4), one backfill per file so each file stays within the suite's
 * per-file timeout: 20,000 people in a child process SIGKILLed at five seeded random points of
 * progress (CRASH_SEED=n replays them) and at named boundaries, restarted each time; then every
 * person is in Salesforce exactly once (SOQL over HTTP, the emulator's write counter), linked
 * locally, and no record was written twice beyond one in-flight batch per crash.
 */

useCrashEmulator();

test(
  'C9, X4: a 20,000-person backfill through Bulk API 2.0, killed at seeded random points, after a dropped write response and during a Bulk poll, ends with every person once in Salesforce and linked',
  // A 20,000-person backfill with six kills takes 60-140 s on two busy cores: more than the suite's default per-test limit.
  { timeout: 420_000 },
  async (t) => {
    await crashAndRecover(t, {
      externalId: true,
      bulkThreshold: 2_000,
      bulkJobSize: 1_000,
      inFlight: 1_000,
      bulk: true,
    });
  },
);

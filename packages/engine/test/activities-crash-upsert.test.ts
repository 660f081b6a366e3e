import { test } from 'node:test';
import { activitySchema } from './activities-harness.js';
import { backfillWithKills, useActivityCrashEmulator } from './fixtures/crash-activities.js';

// E12 + X4 under SIGKILL, with Crmsync_Id__c on Task (upserts); see fixtures/crash-activities.ts.

useActivityCrashEmulator();

test('E12, X4: a SIGKILL (twice) during a backfill of 3,000 emails leaves no duplicate Task, with Crmsync_Id__c upserts', async () => {
  await backfillWithKills('upsert', activitySchema());
});

import { test } from 'node:test';
import { backfillWithKills, useActivityCrashEmulator } from './fixtures/crash-activities.js';

// E12 + X4 under SIGKILL on a stock org (intents reconciled); see fixtures/crash-activities.ts.

useActivityCrashEmulator();

test('E12, X4: a SIGKILL (twice) during a backfill of 3,000 emails leaves no duplicate Task on an org without Crmsync_Id__c (intents reconciled)', async () => {
  await backfillWithKills('intents', null);
});

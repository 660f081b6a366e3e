import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PushAllResult } from '@crmsync/engine';
import { PushRuns } from '../src/push-runs.js';

/* The push-all registry: progress while running, one run per workspace, results and failures kept. */

test('a run reports progress, blocks a second run of its workspace only, and keeps its result or error', async () => {
  const runs = new PushRuns();
  let finish!: (r: PushAllResult) => void;
  let report!: (p: PushAllResult) => void;
  runs.start(
    { runId: 'r1', workspaceId: 'a', startedAt: new Date(0) },
    (onProgress) => {
      report = (p) => onProgress(p);
      return new Promise<PushAllResult>((ok) => (finish = ok));
    },
    () => ({ code: 'INTERNAL', message: 'x' }),
  );
  const result: PushAllResult = {
    runId: 'r1',
    bulk: false,
    byReason: [],
    total: 2,
    done: 2,
    created: 2,
    linked: 0,
    skipped: 0,
    failed: 0,
  };
  report({ ...result, done: 1, created: 1 });
  assert.equal(runs.get('a', 'r1')?.progress.done, 1);
  assert.equal(runs.running('a')?.runId, 'r1');
  assert.equal(runs.running('b'), undefined);
  assert.equal(runs.get('b', 'r1'), undefined, "another workspace's run is not found");
  finish(result);
  await runs.settle();
  assert.equal(runs.running('a'), undefined);
  assert.equal(runs.get('a', 'r1')?.status, 'done');

  runs.start(
    { runId: 'r2', workspaceId: 'a', startedAt: new Date(0) },
    () => Promise.reject(new Error('boom')),
    (err) => ({ code: 'INTERNAL', message: String((err as Error).message) }),
  );
  await runs.settle();
  const failed = runs.get('a', 'r2');
  assert.equal(failed?.status, 'failed');
  assert.equal(failed?.status === 'failed' ? failed.error.message : null, 'boom');
});

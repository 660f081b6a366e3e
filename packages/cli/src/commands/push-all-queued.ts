import cliProgress from 'cli-progress';
import { CrmsyncError } from '@crmsync/core';
import { MAX_CHUNK_SIZE, type PushAllRunStatus } from '@crmsync/engine';
import { CliError } from '../cli-error.js';
import { EXIT } from '../exit-codes.js';
import { print, printJson } from '../output.js';
import type { Runtime } from '../runtime.js';

/*
 * `crmsync push-all` on PostgreSQL: the run is queued as chunk jobs for the `crmsync worker`
 * processes (on any machines) and this command follows it until it is done, or returns at once
 * with `--detach`. Following only reads the database: stopping it stops nothing.
 */

/** How often the run's progress is read while following it. */
const POLL_MS = 1_000;
/** After this long with no chunk picked up, say that a worker is needed. */
const NO_WORKER_HINT_MS = 15_000;

export interface QueuedPushAllFlags {
  json?: boolean;
  detach?: boolean;
  chunkSize?: string;
}

/** `--chunk-size`: a whole number from 1 to 10,000. */
export function parseChunkSize(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_CHUNK_SIZE)
    throw new CliError(
      EXIT.usage,
      `--chunk-size must be a whole number of people from 1 to ${MAX_CHUNK_SIZE.toLocaleString('en-US')}, not "${raw}".`,
    );
  return n;
}

export async function queuedPushAll(
  rt: Runtime,
  workspaceId: string,
  o: QueuedPushAllFlags,
): Promise<number> {
  const chunkSize = parseChunkSize(o.chunkSize);
  const queued = await rt.engine
    .enqueuePushAll(workspaceId, chunkSize === undefined ? {} : { chunkSize })
    .catch((err: unknown) => {
      // Nothing was queued: a run is still going.
      if (err instanceof CrmsyncError && err.code === 'CONFLICT') throw new CliError(EXIT.usage, err.message);
      throw err;
    });
  const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
  const line = `Push all ${queued.runId} queued: ${queued.total.toLocaleString('en-US')} ${queued.total === 1 ? 'person' : 'people'} in ${plural(queued.chunks, 'chunk')} of at most ${queued.chunkSize.toLocaleString('en-US')}${queued.deals ? ', then the deal backfill' : ''}; \`crmsync worker\` processes push them.`;
  if (o.detach === true) {
    if (o.json === true) printJson(queued);
    else {
      print(line);
      print(`Follow it with \`crmsync push-all --follow ${queued.runId}\`.`);
    }
    return EXIT.ok;
  }
  if (o.json !== true) print(`${line} Ctrl-C stops following; the run goes on.`);
  return followPushAll(rt, workspaceId, queued.runId, o.json === true);
}

/** Follows a queued run with a progress bar (on a terminal) until it is done; prints its summary. */
export async function followPushAll(
  rt: Runtime,
  workspaceId: string,
  runId: string,
  json: boolean,
): Promise<number> {
  const bar = process.stderr.isTTY
    ? new cliProgress.SingleBar(
        {
          format:
            'push all |{bar}| {value}/{total} people · chunks {chunksDone}/{chunks} · created {created} · linked {linked} · skipped {skipped} · failed {failed}',
        },
        cliProgress.Presets.shades_classic,
      )
    : null;
  const started = Date.now();
  let hinted = false;
  let lastError: string | null = null;
  let status: PushAllRunStatus | null;
  for (;;) {
    status = await rt.engine.pushAllRun(workspaceId, runId);
    if (status === null)
      throw new CliError(
        EXIT.notConfigured,
        `Workspace ${workspaceId} has no queued push-all run ${runId}; check the run id printed when it was queued.`,
      );
    const values = {
      ...status.progress,
      chunks: status.chunks.total,
      chunksDone: status.chunks.done,
    };
    if (bar !== null) {
      if (!bar.isActive) bar.start(Math.max(1, status.progress.total), 0, values);
      bar.setTotal(Math.max(1, status.progress.total));
      bar.update(status.progress.done, values);
    }
    if (status.state === 'done') break;
    if (status.lastError !== null && status.lastError !== lastError)
      process.stderr.write(`\npush all ${runId}: a chunk failed and is tried again: ${status.lastError}\n`);
    lastError = status.lastError;
    const untouched = status.chunks.running + status.chunks.done + status.chunks.retrying === 0;
    if (!hinted && untouched && Date.now() - started > NO_WORKER_HINT_MS) {
      hinted = true;
      process.stderr.write(
        `\npush all ${runId}: no worker has picked the run up yet; start \`crmsync worker\` with this DATABASE_URL (and check that Salesforce traffic is not paused).\n`,
      );
    }
    await rt.clock.sleep(POLL_MS);
  }
  bar?.stop();
  const { progress } = status;
  if (json)
    printJson({
      runId,
      ...progress,
      bulk: status.bulk,
      chunks: status.chunks.total,
      byReason: status.byReason,
      deals: status.deals,
    });
  else {
    print(
      `Push all ${runId}: ${progress.total} people in ${status.chunks.total} chunks — created ${progress.created}, linked to existing ${progress.linked}, skipped ${progress.skipped}, failed ${progress.failed}${status.bulk ? ' (Bulk API 2.0)' : ''}.`,
    );
    for (const r of status.byReason) print(`  ${r.count} × ${r.action} [${r.rules.join(',')}] ${r.reason}`);
    if (status.deals !== null)
      print(
        `Deals ${status.deals.runId}: ${status.deals.total} — created ${status.deals.created}, updated ${status.deals.linked}, skipped ${status.deals.skipped}, failed ${status.deals.failed}.`,
      );
  }
  return progress.failed + (status.deals?.failed ?? 0) > 0 ? EXIT.someFailed : EXIT.ok;
}

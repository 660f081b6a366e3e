import { createWebhookDispatcher } from '@crmsync/server';
import type { Command } from 'commander';
import { print } from '../output.js';
import type { Runtime } from '../runtime.js';
import type { WithRuntime } from './types.js';

/*
 * The workers: every workspace's push batches, push-all chunks and due pulls, in rounds, until
 * stopped. A worker holds one push-all chunk (at most 10,000 people, queued by `crmsync
 * push-all`) at a time, between change batches, so a backfill never starves edits. Any number
 * of worker processes may share one PostgreSQL database (on any machines): each claim takes jobs
 * under `FOR UPDATE SKIP LOCKED` with one active job per record key, so two workers never hold
 * the same record; a worker that dies loses its leases after CRMSYNC_LEASE_SECONDS and another
 * takes the jobs over. On SQLite the same loop runs in one process.
 */

/** How long an idle worker waits before looking for work again. */
const IDLE_MS = 1_000;

/**
 * Runs rounds until `signal` aborts. A stop request is honoured between steps: the batch or pull
 * in flight finishes (its jobs completed, retried or parked as usual), a push-all chunk stops at
 * its next page (after a Bulk job in flight) and is released, and nothing new is claimed, so the
 * process can exit with nothing held. A round that fails (database restarting, network)
 * is logged and tried again after the idle wait.
 */
export async function runWorkers(rt: Runtime, signal: AbortSignal, idleMs = IDLE_MS): Promise<void> {
  const webhooks = createWebhookDispatcher({
    store: rt.opened.store,
    clock: rt.clock,
    logger: rt.logger,
    targets: { allowPrivate: rt.config.webhooksAllowPrivate },
  });
  while (!signal.aborted) {
    let worked = false;
    try {
      for (const w of await rt.opened.store.workspaces.list()) {
        if (signal.aborted) break;
        try {
          // O5 webhooks: events need no Salesforce connection (a local delete is one).
          const sent = await webhooks.run(w.id);
          worked ||= sent.delivered + sent.retrying + sent.failed > 0;
        } catch (err) {
          rt.logger.error(
            { workspaceId: w.id, error: err instanceof Error ? err.message : String(err) },
            'a webhook round failed; it is retried',
          );
        }
        if ((await rt.opened.store.workspace(w.id).connection.get()) === null) continue;
        try {
          const push = await rt.engine.runPushBatch(w.id);
          worked ||= push.claimed > 0;
          if (signal.aborted) break;
          // A stop request ends the chunk between pages; it is released for another worker.
          const chunk = await rt.engine.runPushAllJob(w.id, { signal });
          worked ||= chunk.claimed > 0;
          if (signal.aborted) break;
          const pull = await rt.engine.runDuePull(w.id);
          worked ||= pull.ran;
        } catch (err) {
          rt.logger.error(
            { workspaceId: w.id, error: err instanceof Error ? err.message : String(err) },
            'a worker round failed; it is retried',
          );
        }
      }
    } catch (err) {
      rt.logger.error(
        { error: err instanceof Error ? err.message : String(err) },
        'the workers could not read the workspaces; trying again',
      );
    }
    if (!worked && !signal.aborted) await rt.clock.sleep(idleMs, signal).catch(() => undefined);
  }
}

/**
 * An AbortSignal for SIGINT and SIGTERM. The first signal asks for a graceful stop; a second one
 * exits at once (held jobs then return to the queue when their leases run out).
 */
export function stopSignal(onFirst?: () => void): AbortSignal {
  const stop = new AbortController();
  const handler = (name: NodeJS.Signals) => {
    if (stop.signal.aborted) {
      process.stderr.write(`crmsync: second ${name}, exiting now; held jobs return after their lease.\n`);
      process.exit(130);
    }
    onFirst?.();
    stop.abort();
  };
  for (const s of ['SIGINT', 'SIGTERM'] as const) process.on(s, handler);
  return stop.signal;
}

export function workerCommands(program: Command, run: WithRuntime): void {
  program
    .command('worker')
    .description(
      'run the push, push-all and pull workers for every workspace until stopped; start as many as needed on PostgreSQL (SIGTERM/SIGINT finish the batch in flight, release a push-all chunk, then exit 0)',
    )
    .action(
      run(
        async (rt) => {
          const signal = stopSignal(() =>
            print('crmsync worker stopping: finishing the batch in flight, claiming nothing new.'),
          );
          print(`crmsync worker running on ${rt.config.databaseLabel}; Ctrl-C or SIGTERM to stop.`);
          await runWorkers(rt, signal);
          print('crmsync worker stopped; nothing is held, queued work waits for the next worker.');
        },
        { maintenance: true },
      ),
    );
}

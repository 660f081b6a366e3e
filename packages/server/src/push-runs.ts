import type { ErrorBody } from '@crmsync/core';
import type { PushAllProgress, PushAllResult } from '@crmsync/engine';

/*
 * Push-all runs (C9) started through the API: the request answers at once with a run id and the
 * run continues in this process; progress is read by polling. Kept in memory: a restart forgets
 * the progress, but not the work (the run's log entries carry its id and a new run resumes).
 */

export type PushRun =
  | { runId: string; workspaceId: string; status: 'running'; startedAt: Date; progress: PushAllProgress }
  | {
      runId: string;
      workspaceId: string;
      status: 'done';
      startedAt: Date;
      progress: PushAllProgress;
      result: PushAllResult;
    }
  | {
      runId: string;
      workspaceId: string;
      status: 'failed';
      startedAt: Date;
      progress: PushAllProgress;
      error: ErrorBody['error'];
    };

export class PushRuns {
  readonly #runs = new Map<string, PushRun>();
  readonly #pending = new Set<Promise<unknown>>();

  /** Starts `work` in the background; `onError` turns a throw into the error body kept on the run. */
  start(
    run: { runId: string; workspaceId: string; startedAt: Date },
    work: (onProgress: (p: PushAllProgress) => void) => Promise<PushAllResult>,
    onError: (err: unknown) => ErrorBody['error'],
  ): PushRun {
    const key = `${run.workspaceId}\u0000${run.runId}`;
    const state: PushRun = {
      ...run,
      status: 'running',
      progress: { total: 0, done: 0, created: 0, linked: 0, skipped: 0, failed: 0 },
    };
    this.#runs.set(key, state);
    const p = work((progress) => {
      const cur = this.#runs.get(key);
      if (cur?.status === 'running') this.#runs.set(key, { ...cur, progress });
    }).then(
      (result) => this.#runs.set(key, { ...run, status: 'done', progress: result, result }),
      (err: unknown) =>
        this.#runs.set(key, {
          ...run,
          status: 'failed',
          progress: this.#runs.get(key)!.progress,
          error: onError(err),
        }),
    );
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p));
    return state;
  }

  /** The workspace's run still in progress, if any (one at a time: two would plan the same people). */
  running(workspaceId: string): PushRun | undefined {
    for (const run of this.#runs.values())
      if (run.workspaceId === workspaceId && run.status === 'running') return run;
    return undefined;
  }

  /** A run of this workspace, or undefined (another workspace's run is not found). */
  get(workspaceId: string, runId: string): PushRun | undefined {
    return this.#runs.get(`${workspaceId}\u0000${runId}`);
  }

  /** Resolves when every run started so far has ended (server shutdown, tests). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
  }
}

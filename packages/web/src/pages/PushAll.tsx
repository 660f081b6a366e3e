import { useEffect, useState } from 'react';
import type { DryRunCounts } from '../api.js';
import { useApp } from '../app-context.js';
import { Button, Dialog, ErrorNotice, Notice } from '../ui.js';

/*
 * "Push all people" (C9): first what it would do (the push-all dry run, O2), then the run with its
 * progress, read from GET /push-all/{runId} until it is done.
 */

interface Run {
  runId: string;
  status: 'running' | 'done' | 'failed';
  progress: { total: number; done: number; created: number; linked: number; skipped: number; failed: number };
  result?: { byReason: { action: string; reason: string; count: number }[] };
  error?: { message: string };
}

export function PushAll() {
  const { api } = useApp();
  const [open, setOpen] = useState(false);
  const [preview, setPreview] = useState<DryRunCounts | null>(null);
  const [run, setRun] = useState<Run | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function start() {
    setOpen(true);
    setPreview(null);
    setRun(null);
    setError(null);
    try {
      setPreview(await api.post<DryRunCounts>('/push-all/preview'));
    } catch (e) {
      setError(e);
    }
  }

  async function go() {
    setBusy(true);
    setError(null);
    try {
      setRun(await api.post<Run>('/push-all'));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const runId = run?.status === 'running' ? run.runId : null;
  useEffect(() => {
    if (runId === null) return;
    const t = setInterval(() => {
      api.get<Run>(`/push-all/${encodeURIComponent(runId)}`).then(setRun, setError);
    }, 1000);
    return () => clearInterval(t);
  }, [api, runId]);

  return (
    <>
      <Button onClick={() => void start()}>Push all people…</Button>
      {open && (
        <Dialog title="Push all people" onClose={() => setOpen(false)}>
          {run === null ? (
            preview === null ? (
              error === null && <p role="status">Working out what would be pushed…</p>
            ) : (
              <>
                <p>
                  Every person not yet in Salesforce, as the settings say. Of {preview.total.toLocaleString()}{' '}
                  people, crmsync would:
                </p>
                <ul>
                  <li>create {preview.created.toLocaleString()}</li>
                  <li>link {preview.linked.toLocaleString()} to records already in Salesforce</li>
                  <li>skip {preview.skipped.toLocaleString()}</li>
                </ul>
                {Object.keys(preview.skippedByReason).length > 0 && (
                  <p className="muted">
                    Skipped because:{' '}
                    {Object.entries(preview.skippedByReason)
                      .map(([reason, n]) => `${reason.replace(/_/g, ' ')} (${n})`)
                      .join(', ')}
                    .
                  </p>
                )}
              </>
            )
          ) : (
            <>
              <label className="field">
                <span>
                  {run.status === 'running'
                    ? 'Pushing…'
                    : run.status === 'done'
                      ? 'Push all finished'
                      : 'Push all stopped'}
                </span>
                <progress max={Math.max(run.progress.total, 1)} value={run.progress.done} />
              </label>
              <p role="status">
                {run.progress.done.toLocaleString()} of {run.progress.total.toLocaleString()} done:{' '}
                {run.progress.created} created, {run.progress.linked} linked, {run.progress.skipped} skipped,{' '}
                {run.progress.failed} failed.
              </p>
              {run.error !== undefined && <Notice kind="error">{run.error.message}</Notice>}
            </>
          )}
          <ErrorNotice error={error} />
          <div className="dialog-actions">
            {run === null && (
              <Button variant="primary" disabled={busy || preview === null} onClick={() => void go()}>
                Start push all
              </Button>
            )}
            <Button onClick={() => setOpen(false)}>{run === null ? 'Cancel' : 'Close'}</Button>
          </div>
        </Dialog>
      )}
    </>
  );
}

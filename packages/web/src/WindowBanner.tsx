import { useEffect, useState } from 'react';
import { useApp } from './app-context.js';
import { Button, ErrorNotice, Link } from './ui.js';

/*
 * The sync state at the top of every page: the configuration window (L1) with a live countdown and
 * "Start syncing now" (L2), pause and resume (L3), or a prompt to connect.
 */

function remaining(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return `${h}h ${String(m).padStart(2, '0')}m ${String(sec).padStart(2, '0')}s`;
}

export function WindowBanner() {
  const { api, connection, refreshConnection } = useApp();
  const [now, setNow] = useState(() => Date.now());
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const c = connection?.connection ?? null;
  const counting = c?.state === 'configuring' && c.windowEndsAt !== null;

  useEffect(() => {
    if (!counting) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [counting]);

  async function act(action: 'pause' | 'resume' | 'start-syncing-now') {
    setBusy(true);
    setError(null);
    try {
      await api.post(`/connection/${action}`);
      await refreshConnection();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  if (connection === null) return null;
  let body;
  if (c === null || c.state === 'disconnected') {
    body = (
      <>
        <span>
          <strong>Salesforce is not connected.</strong> Nothing is pushed or pulled.
        </span>
        <Link to="/connect" className="btn btn-primary">
          Connect Salesforce
        </Link>
      </>
    );
  } else if (c.state === 'configuring') {
    const ends = c.windowEndsAt === null ? null : new Date(c.windowEndsAt).getTime();
    body = (
      <>
        <span>
          <strong>Configuration window.</strong>{' '}
          {ends === null
            ? 'Automatic sync starts when you start it.'
            : `Automatic sync starts in ${remaining(ends - now)}.`}{' '}
          Review the settings first; manual pushes work now.
        </span>
        <Button variant="primary" disabled={busy} onClick={() => void act('start-syncing-now')}>
          Start syncing now
        </Button>
      </>
    );
  } else if (c.state === 'paused') {
    body = (
      <>
        <span>
          <strong>Sync is paused.</strong> Nothing is sent or read; queued work is kept.
        </span>
        <Button variant="primary" disabled={busy} onClick={() => void act('resume')}>
          Resume sync
        </Button>
      </>
    );
  } else {
    body = (
      <>
        <span>
          <strong>Syncing</strong> with org {c.orgId}.
        </span>
        <Button disabled={busy} onClick={() => void act('pause')}>
          Pause sync
        </Button>
      </>
    );
  }
  return (
    <section className={`banner banner-${c?.state ?? 'none'}`} aria-label="Sync status">
      <div className="banner-row">{body}</div>
      <ErrorNotice error={error} />
    </section>
  );
}

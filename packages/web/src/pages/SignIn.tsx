import { useState, type FormEvent } from 'react';
import { ApiError, request, type WorkspaceInfo } from '../api.js';
import type { Session } from '../session.js';
import { Button, ErrorNotice, TextField } from '../ui.js';

/*
 * Sign-in with a key. A workspace API key opens its workspace; the admin key lists the workspaces
 * and, once one is chosen, issues a workspace key for this browser session (POST
 * /admin/workspaces/{id}/api-keys), because workspace routes take workspace keys only; signing
 * out revokes it.
 */

type KeyKind = 'workspace' | 'admin';

async function asWorkspace(key: string): Promise<boolean> {
  try {
    await request(key, 'GET', '/connection');
    return true;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return false;
    throw e;
  }
}

async function asAdmin(key: string): Promise<WorkspaceInfo[] | null> {
  try {
    return (await request<{ items: WorkspaceInfo[] }>(key, 'GET', '/admin/workspaces')).items;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

/** Which kind of key this is, asking first as what it looks like (workspace keys start with csk.). */
async function kindOf(key: string): Promise<{ kind: KeyKind; workspaces: WorkspaceInfo[] }> {
  const looksLikeWorkspace = key.startsWith('csk.');
  if (looksLikeWorkspace && (await asWorkspace(key))) return { kind: 'workspace', workspaces: [] };
  const workspaces = await asAdmin(key);
  if (workspaces !== null) return { kind: 'admin', workspaces };
  if (!looksLikeWorkspace && (await asWorkspace(key))) return { kind: 'workspace', workspaces: [] };
  throw new Error(
    'That key was not accepted. Paste the admin key or a workspace API key exactly as `npm start` printed it.',
  );
}

export function SignIn(props: { onSignedIn: (session: Session) => void }) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [workspaces, setWorkspaces] = useState<WorkspaceInfo[] | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const trimmed = key.trim();
      if (trimmed === '') throw new Error('Paste a key first: the admin key or a workspace API key.');
      const found = await kindOf(trimmed);
      if (found.kind === 'workspace')
        props.onSignedIn({
          key: trimmed,
          workspaceId: null,
          workspaceName: null,
          adminKey: null,
          keyId: null,
        });
      else setWorkspaces(found.workspaces);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  async function open(ws: WorkspaceInfo) {
    setBusy(true);
    setError(null);
    try {
      const issued = await request<{ key: string; id: string }>(
        key.trim(),
        'POST',
        `/admin/workspaces/${encodeURIComponent(ws.id)}/api-keys`,
        { label: 'web UI (admin sign-in)' },
      );
      props.onSignedIn({
        key: issued.key,
        workspaceId: ws.id,
        workspaceName: ws.name,
        adminKey: key.trim(),
        keyId: issued.id,
      });
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  return (
    <main className="signin" id="main">
      <div className="signin-card card">
        <p className="brand brand-large" aria-hidden="true">
          <span className="brand-mark" /> crmsync
        </p>
        {workspaces === null ? (
          <form onSubmit={submit} aria-labelledby="signin-title">
            <h1 id="signin-title">Sign in</h1>
            <TextField
              label="Key"
              type="password"
              autoComplete="off"
              spellCheck={false}
              value={key}
              onChange={setKey}
              hint="The admin key or a workspace API key, as `npm start` printed them. It is kept in this tab only."
            />
            <ErrorNotice error={error} />
            <Button type="submit" variant="primary" disabled={busy}>
              {busy ? 'Signing in…' : 'Sign in'}
            </Button>
          </form>
        ) : (
          <section aria-labelledby="choose-title">
            <h1 id="choose-title">Choose a workspace</h1>
            {workspaces.length === 0 ? (
              <p>
                There is no workspace yet. Create one with <code>npx crmsync workspace create</code> or POST
                /api/v1/admin/workspaces.
              </p>
            ) : (
              <ul className="workspace-list">
                {workspaces.map((w) => (
                  <li key={w.id}>
                    <Button variant="secondary" disabled={busy} onClick={() => void open(w)}>
                      Open {w.name}
                    </Button>
                    <span className="muted"> {w.id}</span>
                  </li>
                ))}
              </ul>
            )}
            <ErrorNotice error={error} />
            <Button variant="link" onClick={() => setWorkspaces(null)}>
              Use another key
            </Button>
          </section>
        )}
      </div>
    </main>
  );
}

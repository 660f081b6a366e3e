/*
 * Who is signed in, kept in sessionStorage (gone when the tab closes). `key` is a workspace API key
 * and is what every workspace call sends; an admin who signed in with the admin key also keeps it,
 * to list workspaces; the workspace key issued for that sign-in is revoked on sign-out.
 */

export interface Session {
  key: string;
  workspaceId: string | null;
  workspaceName: string | null;
  adminKey: string | null;
  /** The id of a key issued for this sign-in (admin sign-in), revoked on sign-out. */
  keyId: string | null;
}

const STORAGE_KEY = 'crmsync.session';

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (raw === null) return null;
    const s = JSON.parse(raw) as Partial<Session>;
    if (typeof s.key !== 'string') return null;
    return {
      key: s.key,
      workspaceId: s.workspaceId ?? null,
      workspaceName: s.workspaceName ?? null,
      adminKey: s.adminKey ?? null,
      keyId: s.keyId ?? null,
    };
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session === null) sessionStorage.removeItem(STORAGE_KEY);
  else sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
}

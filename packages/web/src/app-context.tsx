import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { apiFor, request, type Api, type ConnectionStatus, type WorkspaceInfo } from './api.js';
import type { Session } from './session.js';

/*
 * What every signed-in page shares: the API bound to the session's key, the workspace's stage
 * lists, the connection (for the window banner) and the settings in force, each with a reload.
 */

export interface SavedSettings {
  version: number;
  updatedAt: string | null;
  updatedBy: string | null;
  settings: Record<string, unknown>;
}

interface AppState {
  session: Session;
  api: Api;
  workspace: WorkspaceInfo | null;
  connection: ConnectionStatus | null;
  refreshConnection(): Promise<void>;
  settings: SavedSettings | null;
  settingsError: unknown;
  reloadSettings(): Promise<void>;
  signOut(): void;
}

const Ctx = createContext<AppState | null>(null);

export function useApp(): AppState {
  const s = useContext(Ctx);
  if (s === null) throw new Error('useApp outside AppProvider');
  return s;
}

/** The workspace's stages: from the admin's workspace list, or GET /workspace for a workspace key. */
async function loadWorkspace(session: Session, api: Api): Promise<WorkspaceInfo | null> {
  if (session.adminKey !== null && session.workspaceId !== null) {
    const list = await request<{ items: WorkspaceInfo[] }>(session.adminKey, 'GET', '/admin/workspaces');
    return list.items.find((w) => w.id === session.workspaceId) ?? null;
  }
  try {
    return await api.get<WorkspaceInfo>('/workspace');
  } catch {
    return null;
  }
}

export function AppProvider(props: { session: Session; onSignOut: () => void; children: ReactNode }) {
  const { session } = props;
  const api = useMemo(() => apiFor(session.key), [session.key]);
  const [workspace, setWorkspace] = useState<WorkspaceInfo | null>(null);
  const [connection, setConnection] = useState<ConnectionStatus | null>(null);
  const [settings, setSettings] = useState<SavedSettings | null>(null);
  const [settingsError, setSettingsError] = useState<unknown>(null);

  const refreshConnection = useCallback(async () => {
    try {
      setConnection(await api.get<ConnectionStatus>('/connection'));
    } catch {
      setConnection(null);
    }
  }, [api]);
  const reloadSettings = useCallback(async () => {
    try {
      setSettings(await api.get<SavedSettings>('/settings'));
      setSettingsError(null);
    } catch (e) {
      setSettingsError(e);
    }
  }, [api]);

  useEffect(() => {
    void refreshConnection();
    void reloadSettings();
    loadWorkspace(session, api).then(setWorkspace, () => setWorkspace(null));
  }, [api, session, refreshConnection, reloadSettings]);

  const value: AppState = {
    session,
    api,
    workspace,
    connection,
    refreshConnection,
    settings,
    settingsError,
    reloadSettings,
    signOut: props.onSignOut,
  };
  return <Ctx.Provider value={value}>{props.children}</Ctx.Provider>;
}

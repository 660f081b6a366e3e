/*
 * The only way the UI talks to crmsync: the REST API under /api/v1 with `Authorization: Bearer`.
 * Every failure arrives in the API's one error shape and is thrown as ApiError, so a page can show
 * the server's own sentence (and, for settings, every problem with its path).
 */

export const API = '/api/v1';

export interface Problem {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown>,
  ) {
    super(message);
  }

  /** Settings problems (422 SETTINGS_INVALID), or validation problems as path + message. */
  get problems(): Problem[] {
    const raw = this.details['problems'];
    if (!Array.isArray(raw)) return [];
    return raw.map((p: { path?: unknown; field?: unknown; message?: unknown }) => ({
      path: String(p.path ?? p.field ?? ''),
      message: String(p.message ?? ''),
    }));
  }
}

export async function request<T>(key: string, method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${key}`, accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(`${API}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new ApiError(
      0,
      'NETWORK',
      'crmsync did not answer. Check that the server is running, then try again.',
      {},
    );
  }
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text === '' ? null : JSON.parse(text);
  } catch {
    parsed = text;
  }
  if (!res.ok) {
    const e = (parsed as { error?: { code?: string; message?: string; details?: Record<string, unknown> } })
      ?.error;
    throw new ApiError(
      res.status,
      e?.code ?? 'HTTP_' + res.status,
      e?.message ?? `crmsync answered ${res.status}.`,
      e?.details ?? {},
    );
  }
  return parsed as T;
}

export interface Api {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  put<T>(path: string, body: unknown): Promise<T>;
}

export function apiFor(key: string): Api {
  return {
    get: (path) => request(key, 'GET', path),
    post: (path, body) => request(key, 'POST', path, body ?? {}),
    put: (path, body) => request(key, 'PUT', path, body),
  };
}

/** Query string from defined, non-empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s === '' ? '' : `?${s}`;
}

/* Shapes of the API answers the UI reads (see /docs for the full schemas). */

export interface ConnectionState {
  state: 'configuring' | 'active' | 'paused' | 'disconnected';
  orgId: string;
  connectedAt: string;
  windowEndsAt: string | null;
}

export interface ConnectionStatus {
  connected: boolean;
  connection: (ConnectionState & { instanceUrl: string; loginUrl: string }) | null;
  apiUsage: {
    last24Hours: number;
    budgetPercent: number;
    reservePercent: number;
    /** Null while Salesforce has not said (not connected, or unreachable). */
    orgDailyLimit: number | null;
    orgUsed: number | null;
    /** crmsync's budget in requests: budgetPercent of orgDailyLimit. */
    budget: number | null;
  };
}

export interface StoredRecord {
  type: 'person' | 'company' | 'deal';
  id: string;
  externalId: string | null;
  version: number;
  updatedAt: string;
  deletedAt: string | null;
  data: Record<string, unknown>;
}

export interface LogEntry {
  id: number;
  at: string;
  recordType: string;
  recordId: string;
  outcome: string;
  rules: string[];
  why: string;
  sfObject: string | null;
  sfId: string | null;
  errorCode: string | null;
  errorMessage: string | null;
  runId: string | null;
}

export interface WorkspaceInfo {
  id: string;
  name: string;
  mailboxDomains: string[];
  stages: { people: string[]; companies: string[]; deals: string[] };
}

export interface DryRunCounts {
  total: number;
  created: number;
  linked: number;
  updated: number;
  deleted: number;
  skipped: number;
  skippedByReason: Record<string, number>;
  ambiguous: number;
}

export interface SettingsPreview {
  before: Record<string, DryRunCounts>;
  after: Record<string, DryRunCounts>;
  changed: { type: string; id: string; before: string; after: string }[];
  /** What the connected org refuses in the new settings (D6 stage mapping, X5 field maps); a save would be refused. */
  problems: Problem[];
}

export interface PushResult {
  type: 'person' | 'company' | 'deal';
  id: string;
  outcome: Record<string, unknown>;
}

import { Connection, type ConnectionConfig } from 'jsforce';
import { HttpApi } from 'jsforce/lib/http-api.js';
import { Transport } from 'jsforce/lib/transport.js';
import type { HttpRequest, HttpRequestOptions, HttpResponse } from 'jsforce';
import type { Logger } from '@crmsync/core';
import { redactUrl, type SalesforceCredentials } from './credentials.js';
import { retireIdleSockets, watchIdleSockets } from './idle-sockets.js';
import { SalesforceRequestError, failureFromError, failureFromStatus } from './request-error.js';
import type {
  ApiUsage,
  HttpHooks,
  HttpMethod,
  SalesforceHttp,
  HttpCall,
  HttpAnswer,
  OrgIdentity,
} from './http-types.js';

/*
 * The one place that touches jsforce. It builds the Connection (OAuth flows, session refresh),
 * routes every HTTP request of it (REST, OAuth, jsforce's own retries) through a Transport that
 * reports each attempt before it is sent, and normalises jsforce's errors into
 * SalesforceRequestError. The rest of the package speaks `SalesforceHttp`.
 */

export interface JsforceOptions {
  credentials: SalesforceCredentials;
  /** API version; jsforce's own default (50.0) is too old for upsert collections. */
  version: string;
  hooks: HttpHooks;
  logger?: Logger | undefined;
  /** jsforce retries GET/PUT/DELETE on 420/429/5xx and network errors after base * 2^n ms (jsforce's default 500). */
  retryBaseDelayMs: number;
  /** jsforce's retry count for those (its default 5); also the retries of reads sent as POST. */
  maxRetries: number;
  /** Waits between retries of reads sent as POST (the adapter's injected clock). */
  sleep: (ms: number) => Promise<void>;
  /** Abort a request that has not answered after this long. */
  requestTimeoutMs: number;
  /**
   * A keep-alive socket idle for this long (wall clock) is closed instead of reused; below
   * Node's own 5 s, which only applies when the event loop was free to run its timer.
   */
  maxSocketIdleMs?: number | undefined;
  onCredentials?: ((credentials: SalesforceCredentials) => void) | undefined;
}

/** Request option carrying the attempt number of a call retried here (not by jsforce). */
const ATTEMPT = Symbol('crmsync.attempt');
type ObservedOptions = HttpRequestOptions & { [ATTEMPT]?: number };

/** HTTP statuses a read is sent again after: the server or a proxy in front of it was briefly unwell. */
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);

/**
 * Whether a failed read may simply be sent again: the connection broke or timed out, or the
 * answer was a transient 5xx. Writes never come here (X4 decides what to do with them).
 */
export function isTransientReadFailure(err: unknown): boolean {
  if (!(err instanceof SalesforceRequestError)) return false;
  const f = err.failure;
  if (f.kind === 'network' || f.kind === 'timeout') return true;
  const status = f.kind === 'http' ? f.status : f.kind === 'salesforce' ? f.httpStatus : undefined;
  return status !== undefined && TRANSIENT_STATUS.has(status);
}

/** Connection errors that mean the server closed the socket before answering anything. */
const BROKEN_CONNECTION = new Set(['EPIPE', 'ECONNRESET']);

/**
 * Whether a write marked `resendIfUnanswered` may be sent again: the connection broke before any
 * answer. Only for writes whose repeat is harmless (creating an empty Bulk job); never for records.
 */
export function isUnansweredWrite(err: unknown): boolean {
  return (
    err instanceof SalesforceRequestError &&
    err.failure.kind === 'network' &&
    BROKEN_CONNECTION.has(err.failure.code)
  );
}

/**
 * jsforce's Transport with every attempt reported. The first attempt is reported in
 * `httpRequest`; jsforce's own retries happen inside its fetch wrapper, which announces each one
 * with a `retry` event on the request stream just before sending it again (jsforce 3.10.16
 * `lib/request.js`). A hook that throws there stops the call with that error.
 */
class ObservedTransport extends Transport {
  constructor(
    private readonly hooks: HttpHooks,
    private readonly retry: NonNullable<HttpRequestOptions['retry']>,
    private readonly timeoutMs: number,
    private readonly logger: Logger | undefined,
    private readonly maxSocketIdleMs: number,
  ) {
    super();
    watchIdleSockets();
  }

  override httpRequest(req: HttpRequest, options: ObservedOptions = {}) {
    this.before(req, options[ATTEMPT] ?? 1);
    return super.httpRequest(req, {
      ...options,
      retry: { ...this.retry, ...options.retry },
      timeout: this.timeoutMs,
    });
  }

  override getRequestStreamCreator() {
    const create = super.getRequestStreamCreator();
    return (req: HttpRequest, options: ObservedOptions) => {
      const stream = create(req, options);
      let attempt = options[ATTEMPT] ?? 1;
      stream.on('retry', () => {
        attempt += 1;
        this.before(req, attempt);
      });
      stream.on('response', (res: { statusCode: number; headers: Record<string, string> }) => {
        const event = {
          method: req.method,
          url: redactUrl(req.url),
          attempt,
          status: res.statusCode,
          apiUsage: parseLimitInfo(res.headers),
        };
        this.logger?.debug(event, 'salesforce response');
        this.hooks.onResponse?.(event);
      });
      stream.on('error', (err: unknown) => {
        if (isHookError(err)) return;
        const event = { method: req.method, url: redactUrl(req.url), attempt, status: null, apiUsage: null };
        this.logger?.debug(
          { ...event, url: logPath(req.url), error: errorCode(err) },
          'salesforce request failed',
        );
        this.hooks.onResponse?.(event);
      });
      return stream;
    };
  }

  private before(req: HttpRequest, attempt: number): void {
    retireIdleSockets(this.maxSocketIdleMs);
    const event = { method: req.method, url: redactUrl(req.url), attempt };
    this.logger?.debug({ ...event, url: logPath(req.url) }, 'salesforce request');
    try {
      this.hooks.onRequest?.(event);
    } catch (err) {
      markHookError(err);
      throw err;
    }
  }
}

/** Logs carry the path only: query strings hold SOQL with people's emails and names. */
function logPath(url: string): string {
  return url.split('?')[0] ?? url;
}

const hookErrors = new WeakSet<object>();
function markHookError(err: unknown): void {
  if (typeof err === 'object' && err !== null) hookErrors.add(err);
}
function isHookError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && hookErrors.has(err);
}
function errorCode(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string')
    return err.code;
  return err instanceof Error ? err.name : 'unknown';
}

/** `Sforce-Limit-Info: api-usage=25/15000` -> { used: 25, max: 15000 }. */
export function parseLimitInfo(headers: Record<string, string> | undefined): ApiUsage | null {
  const value = headers?.['sforce-limit-info'];
  const m = value === undefined ? null : /api-usage=(\d+)\/(\d+)/.exec(value);
  return m === null ? null : { used: Number(m[1]), max: Number(m[2]) };
}

/** The org and user ids at the end of an OAuth `id` URL (`.../id/00D.../005...`). */
function identityFromIdUrl(idUrl: unknown): OrgIdentity | null {
  if (typeof idUrl !== 'string') return null;
  const parts = idUrl.split(/[/?#]/).filter((p) => p !== '');
  const userId = parts.at(-1);
  const orgId = parts.at(-2);
  return userId !== undefined && orgId !== undefined && /^00D/.test(orgId) ? { orgId, userId } : null;
}

const DEFAULT_MAX_SOCKET_IDLE_MS = 4_000;

type RefreshFn = NonNullable<ConnectionConfig['refreshFn']>;

/** Signs in when needed and returns the HTTP surface the adapter uses. */
export async function connectJsforce(options: JsforceOptions): Promise<SalesforceHttp> {
  const creds = options.credentials;
  const transport = new ObservedTransport(
    options.hooks,
    { maxRetries: options.maxRetries, minTimeout: options.retryBaseDelayMs },
    options.requestTimeoutMs,
    options.logger,
    options.maxSocketIdleMs ?? DEFAULT_MAX_SOCKET_IDLE_MS,
  );
  let identity: OrgIdentity | null = null;
  let current: SalesforceCredentials = creds;
  let apiUsage: ApiUsage | null = null;

  const reauthorize = async (conn: Connection): Promise<void> => {
    if (current.flow === 'password') {
      const res = await conn.oauth2.authenticate(current.username, current.password);
      establish(conn, res);
    } else if (current.flow === 'client_credentials') {
      const res = await conn.oauth2.requestToken({ grant_type: 'client_credentials' });
      establish(conn, res);
    }
  };
  const establish = (
    conn: Connection,
    res: { access_token: string; instance_url: string; id?: string | undefined },
  ): void => {
    conn.accessToken = res.access_token;
    conn.instanceUrl = res.instance_url.replace(/\/+$/, '');
    identity = identityFromIdUrl(res.id) ?? identity;
  };
  const refreshFn: RefreshFn | undefined =
    creds.flow === 'token'
      ? undefined
      : (conn, callback) => {
          reauthorize(conn).then(
            () => callback(null, conn.accessToken ?? undefined),
            (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
          );
        };

  const loginUrl = creds.loginUrl;
  const oauth2 =
    creds.clientId !== undefined
      ? {
          clientId: creds.clientId,
          ...(creds.clientSecret === undefined ? {} : { clientSecret: creds.clientSecret }),
          ...(loginUrl === undefined ? {} : { loginUrl }),
        }
      : undefined;
  const config: ConnectionConfig = {
    version: options.version,
    ...(creds.instanceUrl === undefined ? {} : { instanceUrl: creds.instanceUrl }),
    ...(creds.accessToken === undefined ? {} : { accessToken: creds.accessToken }),
    ...(creds.flow === 'token' && creds.refreshToken !== undefined && oauth2 !== undefined
      ? { refreshToken: creds.refreshToken }
      : {}),
    ...(oauth2 === undefined ? {} : { oauth2 }),
    ...(refreshFn === undefined ? {} : { refreshFn }),
  };
  const conn = new Connection(config);
  conn._transport = transport;
  conn.oauth2._transport = transport;

  // A refresh replaces the access token (and may move the instance); the refresh token and the
  // client's secrets stay as they were handed in.
  const snapshot = (): SalesforceCredentials =>
    ({
      ...current,
      instanceUrl: conn.instanceUrl,
      ...(conn.accessToken ? { accessToken: conn.accessToken } : {}),
    }) as SalesforceCredentials;
  conn.on('refresh', (_token: string, res: unknown) => {
    if (typeof res === 'object' && res !== null && 'id' in res)
      identity = identityFromIdUrl(res.id) ?? identity;
    current = snapshot();
    options.logger?.info({ instanceUrl: conn.instanceUrl }, 'salesforce session refreshed');
    options.onCredentials?.(current);
  });

  if (creds.accessToken === undefined) {
    try {
      await reauthorize(conn);
    } catch (err) {
      throw toRequestError(err, 'read', null);
    }
    current = snapshot();
    options.onCredentials?.(current);
  }

  const base = () => `${conn.instanceUrl}/services/data/v${options.version}`;

  /**
   * jsforce retries GETs itself but never a POST (it streams the body and cannot resend it), so
   * reads sent as POST (composite lookups, Bulk query jobs) are retried here, with the same count
   * and backoff, each attempt reported to the hooks with its number; so are writes marked
   * `resendIfUnanswered`, but only when the connection broke before any answer.
   */
  async function send(call: HttpCall): Promise<HttpAnswer> {
    const retryable =
      call.kind === 'read'
        ? call.method === 'GET'
          ? null
          : isTransientReadFailure
        : call.resendIfUnanswered === true
          ? isUnansweredWrite
          : null;
    if (retryable === null) return sendOnce(call, 1);
    for (let attempt = 1; ; attempt++) {
      try {
        return await sendOnce(call, attempt);
      } catch (err) {
        if (attempt > options.maxRetries || !retryable(err)) throw err;
        await options.sleep(options.retryBaseDelayMs * 2 ** (attempt - 1));
      }
    }
  }

  async function sendOnce(call: HttpCall, attempt: number): Promise<HttpAnswer> {
    const url = call.path.startsWith('/services/') ? conn.instanceUrl + call.path : base() + call.path;
    const headers: Record<string, string> = { ...call.headers };
    let body: string | undefined;
    if (call.json !== undefined) {
      body = JSON.stringify(call.json);
      headers['content-type'] = 'application/json';
    } else if (call.text !== undefined) {
      body = call.text.body;
      headers['content-type'] = call.text.contentType;
    }
    const api = new HttpApi(conn, {
      ...(call.accept === 'text' ? { responseType: 'text/plain' } : {}),
      ...(attempt > 1 ? { [ATTEMPT]: attempt } : {}),
    });
    let last: HttpResponse | null = null;
    api.on('response', (res: HttpResponse) => {
      last = res;
      apiUsage = parseLimitInfo(res.headers) ?? apiUsage;
    });
    const request: HttpRequest = {
      method: call.method,
      url,
      headers,
      ...(body === undefined ? {} : { body }),
    };
    try {
      const result: unknown = await api.request(request);
      const res = last as HttpResponse | null;
      return { status: res?.statusCode ?? 0, headers: res?.headers ?? {}, body: result };
    } catch (err) {
      if (isHookError(err)) throw err;
      const res = last as HttpResponse | null;
      throw toRequestError(err, call.kind, res === null ? null : res.statusCode, call.method, call.path);
    }
  }

  return {
    version: options.version,
    send,
    instanceUrl: () => conn.instanceUrl,
    credentials: () => current,
    apiUsage: () => apiUsage,
    async identity(): Promise<OrgIdentity> {
      if (identity !== null) return identity;
      // Token flows never saw the OAuth answer: ask the version resource for the identity URL.
      const answer = await send({ method: 'GET', path: '/', kind: 'read' });
      const fromResources = identityFromIdUrl((answer.body as Record<string, unknown> | null)?.identity);
      if (fromResources === null)
        throw toRequestError(
          new Error('Salesforce did not say which org and user this connection is'),
          'read',
          answer.status,
        );
      identity = fromResources;
      return identity;
    },
  };
}

function toRequestError(
  err: unknown,
  kind: 'read' | 'write',
  status: number | null,
  method?: HttpMethod,
  path?: string,
): SalesforceRequestError {
  const failure =
    status !== null && status >= 400
      ? (failureFromError(err, status) ?? failureFromStatus(status))
      : (failureFromError(err, null) ?? failureFromStatus(0));
  return new SalesforceRequestError(failure, kind, {
    ...(method === undefined ? {} : { method }),
    ...(path === undefined ? {} : { path: redactUrl(path) }),
  });
}

/*
 * The HTTP surface between the adapter's parts and the jsforce wrapper (`jsforce-api.ts`), so
 * that only the wrapper knows jsforce exists.
 */
import type { SalesforceCredentials } from './credentials.js';
import type { CrmRequestEvent, CrmResponseEvent } from '@crmsync/core';

export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface ApiUsage {
  used: number;
  max: number;
}

export interface HttpHooks {
  /** Before every attempt, retries included; throwing stops the call with that error. */
  onRequest?: ((event: CrmRequestEvent) => void) | undefined;
  /** After the last attempt of a call was answered (status) or failed below HTTP (status null). */
  onResponse?: ((event: CrmResponseEvent) => void) | undefined;
}

export interface HttpCall {
  method: HttpMethod;
  /** `/sobjects/...` (under /services/data/vNN.0) or a whole `/services/...` path, query string included. */
  path: string;
  json?: unknown;
  text?: { body: string; contentType: string };
  headers?: Record<string, string>;
  /** `text` keeps the body as a string (CSV); default parses JSON. */
  accept?: 'json' | 'text';
  /** Whether the call changes data: a write that broke mid-way has an unknown outcome (X4). */
  kind: 'read' | 'write';
  /**
   * A write whose repeat is harmless (it creates an empty Bulk job, no records): sent again when
   * the connection broke before any answer (EPIPE, ECONNRESET). Never set it on record writes.
   */
  resendIfUnanswered?: boolean;
}

export interface HttpAnswer {
  status: number;
  /** Lower-cased header names. */
  headers: Record<string, string>;
  body: unknown;
}

export interface OrgIdentity {
  orgId: string;
  userId: string;
}

export interface SalesforceHttp {
  readonly version: string;
  /** Throws SalesforceRequestError for a failed call, or whatever an onRequest hook threw. */
  send(call: HttpCall): Promise<HttpAnswer>;
  instanceUrl(): string;
  /** The credentials as they are now (a refresh replaces the access token). */
  credentials(): SalesforceCredentials;
  /** The org's API usage from the last Sforce-Limit-Info header seen. */
  apiUsage(): ApiUsage | null;
  identity(): Promise<OrgIdentity>;
}

import type { Clock, JobQueue, Logger, Store, WorkspaceReader } from '@crmsync/core';
import type { Engine } from '@crmsync/engine';
import type { WebhookTargetPolicy } from './webhooks/target-guard.js';

/** How to reach Salesforce when an admin connects a workspace (the CLI's `connectWorkspace`). */
export type ConnectRequest =
  | { emulator: true }
  | {
      /** Tokens from the OAuth web-server flow (PKCE): signed in already, refreshed with the refresh token. */
      tokens: {
        loginUrl: string;
        instanceUrl: string;
        accessToken: string;
        refreshToken?: string;
        clientId: string;
        clientSecret?: string;
      };
    }
  | {
      loginUrl: string;
      clientId: string;
      clientSecret: string;
      username?: string;
      password?: string;
      clientCredentials?: boolean;
    };

/**
 * Connects a workspace: signs in once, then saves the connection (L1 starts the window).
 * Throws CrmsyncError for failures a person can act on (bad credentials, emulator down).
 */
export interface SalesforceConnector {
  connect(
    workspaceId: string,
    request: ConnectRequest,
  ): Promise<{ orgId: string; windowEndsAt: Date | null }>;
}

export type CsvKind = 'people' | 'companies';

/** One row-level note of a CSV import; `error` rows were skipped, `warning` rows imported. */
export interface CsvRowNote {
  row: number;
  level: 'error' | 'warning';
  message: string;
}

export interface CsvPlan {
  changes: Array<{ type: 'person' | 'company'; op: 'upsert'; data: Record<string, unknown>; row: number }>;
  notes: CsvRowNote[];
  rows: number;
}

/**
 * Turns a CSV file into ingest changes (the CLI's `csv-import.ts`). Throws CrmsyncError
 * INVALID_INPUT for a file refused whole (not UTF-8, unreadable, required column missing).
 */
export interface CsvPlanner {
  plan(
    kind: CsvKind,
    workspaceId: string,
    reader: WorkspaceReader,
    file: Buffer,
    fileName: string,
  ): Promise<CsvPlan>;
}

/** Everything the REST API needs, in one named object (STYLE 5). */
export interface ServerDeps {
  store: Store;
  queue: JobQueue;
  engine: Engine;
  clock: Clock;
  logger: Logger;
  /** The admin key in clear (it is compared by hash); it creates workspaces and their API keys. */
  adminKey: string;
  connector: SalesforceConnector;
  csv: CsvPlanner;
  /** Largest JSON body accepted, bytes (default 1 MiB). */
  bodyLimit?: number;
  /** Largest CSV file accepted, bytes (default 20 MiB). */
  csvBodyLimit?: number;
  /** The built web UI served at / (default packages/web/dist); null serves no UI. */
  webDir?: string | null;
  /**
   * How `POST /push-all` runs: in this process (`in-process`, the default, for one machine on
   * SQLite), or cut into chunk jobs that `crmsync worker` processes run (`queued`, PostgreSQL), so
   * the web tier never carries a backfill and a run survives a restart of the API.
   */
  pushAll?: 'in-process' | 'queued';
  /**
   * Which addresses a webhook URL may lead to (default: public ones only; the CLI allows private
   * ones with CRMSYNC_WEBHOOKS_ALLOW_PRIVATE=1). Registration refuses the others.
   */
  webhookTargets?: WebhookTargetPolicy;
}

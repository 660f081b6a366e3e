import type { JobEnqueuer, StoreTransaction, WorkspaceReader } from '@crmsync/core';
import { accountIndexReader, accountIndexWriter } from './account-index.js';
import { apiKeyReader, apiKeyWriter } from './api-keys.js';
import { apiLedgerReader, apiLedgerWriter } from './api-ledger.js';
import { bulkJobReader, bulkJobWriter } from './bulk-jobs.js';
import { connectionReader, connectionWriter } from './connections.js';
import type { RepositoryContext } from './context.js';
import { cursorReader, cursorWriter } from './cursors.js';
import { decisionLogReader, decisionLogWriter } from './decision-log.js';
import { eventReader, eventWriter } from './events.js';
import { linkReader, linkWriter } from './links.js';
import { oauthFlowWriter } from './oauth-flows.js';
import { pushIntentReader, pushIntentWriter } from './push-intents.js';
import { recordReader, recordWriter } from './records.js';
import { settingsReader, settingsWriter } from './settings.js';
import { webhookReader, webhookWriter } from './webhooks.js';

export type { RepositoryContext } from './context.js';
export { workspaceAdmin, type WorkspaceAdminDeps } from './workspaces.js';

/** Every read repository bound to `ctx.workspaceId`: the handle is the only way in, so no call can cross workspaces. */
export function workspaceReader(ctx: RepositoryContext): WorkspaceReader {
  return {
    workspaceId: ctx.workspaceId,
    records: recordReader(ctx),
    links: linkReader(ctx),
    intents: pushIntentReader(ctx),
    log: decisionLogReader(ctx),
    cursors: cursorReader(ctx),
    ledger: apiLedgerReader(ctx),
    events: eventReader(ctx),
    settings: settingsReader(ctx),
    connection: connectionReader(ctx),
    bulkJobs: bulkJobReader(ctx),
    accountIndex: accountIndexReader(ctx),
    apiKeys: apiKeyReader(ctx),
    webhooks: webhookReader(ctx),
  };
}

/** The same, writable, on one transaction's connection, with the job outbox of the driver's queue. */
export function transactionRepositories(
  ctx: RepositoryContext,
  jobs: JobEnqueuer,
  now: Date,
): StoreTransaction {
  return {
    workspaceId: ctx.workspaceId,
    records: recordWriter(ctx),
    links: linkWriter(ctx),
    intents: pushIntentWriter(ctx),
    log: decisionLogWriter(ctx),
    cursors: cursorWriter(ctx),
    ledger: apiLedgerWriter(ctx),
    events: eventWriter(ctx),
    settings: settingsWriter(ctx),
    connection: connectionWriter(ctx),
    bulkJobs: bulkJobWriter(ctx),
    accountIndex: accountIndexWriter(ctx),
    apiKeys: apiKeyWriter(ctx),
    oauthFlows: oauthFlowWriter(ctx),
    webhooks: webhookWriter(ctx),
    jobs,
    now,
  };
}

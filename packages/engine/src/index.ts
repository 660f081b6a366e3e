export * from './engine.js';
export * from './deps.js';
export type { IngestChange, IngestResult, IngestProblem, IngestType } from './ingest.js';
export type { ActivityIngestChange, ActivityIngestResult } from './push/activities/ingest.js';
export type { ActivityType } from './push/activities/kinds.js';
export type { LifecycleState, NewConnection } from './lifecycle.js';
export type { PushAllProgress, PushAllResult } from './push/push-all.js';
export type {
  EnqueuePushAllOptions,
  PushAllJobReport,
  PushAllRunStatus,
  QueuedPushAll,
} from './push/push-all-queue.js';
export { MAX_CHUNK_SIZE, PUSH_ALL_QUEUE } from './push/push-all-queue.js';
export type { ManualPushResult } from './push/manual-push.js';
export type { PushBatchReport } from './push/worker.js';
export type { PullReport, PullRequest } from './pull/run-pull.js';
export type { DryRunCounts, DryRunType, PushAllDryRun, SettingsDryRun } from './dry-run.js';
export type { DealPushAllResult, DealPushResult } from './push/deals/push-all.js';
export { checkSettingsAgainstOrg } from './settings-check.js';
export type { RetryFilter } from './retry.js';

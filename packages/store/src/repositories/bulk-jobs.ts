import type { BulkJobReader, BulkJobRecord, BulkJobWriter, SalesforceObject } from '@crmsync/core';
import type { Selectable } from 'kysely';
import { parseJsonColumn, toText } from '../codec.js';
import type { BulkJobsTable } from '../schema.js';
import type { RepositoryContext } from './context.js';

function toBulkJob(row: Selectable<BulkJobsTable>): BulkJobRecord {
  return {
    orgId: row.org_id,
    sfJobId: row.sf_job_id,
    object: row.object as SalesforceObject,
    operation: row.operation as BulkJobRecord['operation'],
    state: row.state,
    localIds: parseJsonColumn(row.local_ids, `bulk job ${row.sf_job_id}`) as string[],
    runId: row.run_id,
    createdAt: new Date(row.created_at),
  };
}

export function bulkJobReader(ctx: RepositoryContext): BulkJobReader {
  const { db, workspaceId } = ctx;
  return {
    async get(orgId, sfJobId) {
      const row = await db
        .selectFrom('bulk_jobs')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('org_id', '=', orgId)
        .where('sf_job_id', '=', sfJobId)
        .executeTakeFirst();
      return row === undefined ? null : toBulkJob(row);
    },
    async list(filter = {}) {
      let query = db.selectFrom('bulk_jobs').selectAll().where('workspace_id', '=', workspaceId);
      if (filter.orgId !== undefined) query = query.where('org_id', '=', filter.orgId);
      if (filter.runId !== undefined) query = query.where('run_id', '=', filter.runId);
      if (filter.states !== undefined) {
        if (filter.states.length === 0) return [];
        query = query.where('state', 'in', filter.states);
      }
      const rows = await query.orderBy('created_at').orderBy('sf_job_id').execute();
      return rows.map(toBulkJob);
    },
  };
}

export function bulkJobWriter(ctx: RepositoryContext): BulkJobWriter {
  const { db, workspaceId } = ctx;
  return {
    ...bulkJobReader(ctx),
    async put(job) {
      const values = {
        object: job.object,
        operation: job.operation,
        state: job.state,
        local_ids: JSON.stringify(job.localIds),
        run_id: job.runId,
        created_at: toText(job.createdAt),
        updated_at: toText(ctx.now()),
      };
      await db
        .insertInto('bulk_jobs')
        .values({ workspace_id: workspaceId, org_id: job.orgId, sf_job_id: job.sfJobId, ...values })
        .onConflict((oc) => oc.columns(['workspace_id', 'org_id', 'sf_job_id']).doUpdateSet(values))
        .execute();
    },
    async updateState(orgId, sfJobId, state) {
      const result = await db
        .updateTable('bulk_jobs')
        .set({ state, updated_at: toText(ctx.now()) })
        .where('workspace_id', '=', workspaceId)
        .where('org_id', '=', orgId)
        .where('sf_job_id', '=', sfJobId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}

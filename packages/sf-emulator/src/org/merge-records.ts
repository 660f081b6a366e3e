// Merge as Salesforce performs it (reference §4): children of the losers move to the master,
// the losers are deleted with MasterRecordId set, and the master's SystemModstamp moves on.
// All of it is one transaction.
import type { WriteContext } from '../contracts.js';
import { normalizeId } from '../ids.js';
import type { OrgStore } from './org-store.js';

export interface MergeRequest {
  object: string;
  masterId: string;
  mergeIds: string[];
}

export type MergeOutcome =
  | { success: true; id: string; mergedRecordIds: string[]; updatedRelatedIds: string[] }
  | { success: false; errorCode: string; message: string };

const MERGEABLE = new Set(['Account', 'Contact', 'Lead']);

export function mergeRecords(store: OrgStore, request: MergeRequest, ctx: WriteContext): MergeOutcome {
  const meta = store.describe(request.object);
  if (meta === undefined || !MERGEABLE.has(meta.name))
    return {
      success: false,
      errorCode: 'INVALID_TYPE',
      message: `Merge is supported for Account, Contact and Lead, not ${request.object}`,
    };
  const masterId = normalizeId(request.masterId);
  const master = masterId === undefined ? undefined : store.getById(masterId);
  if (
    master === undefined ||
    masterId === undefined ||
    master['IsDeleted'] === true ||
    !masterId.startsWith(meta.keyPrefix)
  ) {
    return {
      success: false,
      errorCode: 'INVALID_CROSS_REFERENCE_KEY',
      message: `master record ${request.masterId} is not a live ${meta.name}`,
    };
  }
  if (request.mergeIds.length === 0 || request.mergeIds.length > 2) {
    return {
      success: false,
      errorCode: 'INVALID_OPERATION',
      message: 'A merge takes one master and one or two records to merge into it',
    };
  }
  const loserIds: string[] = [];
  for (const raw of request.mergeIds) {
    const id = normalizeId(raw);
    const loser = id === undefined ? undefined : store.getById(id);
    if (
      id === undefined ||
      loser === undefined ||
      loser['IsDeleted'] === true ||
      !id.startsWith(meta.keyPrefix) ||
      id === masterId
    ) {
      return {
        success: false,
        errorCode: 'INVALID_CROSS_REFERENCE_KEY',
        message: `record to merge ${raw} is not a live ${meta.name} other than the master`,
      };
    }
    if (meta.name === 'Lead' && loser['IsConverted'] === true)
      return {
        success: false,
        errorCode: 'CANNOT_UPDATE_CONVERTED_LEAD',
        message: 'cannot reference converted lead',
      };
    loserIds.push(id);
  }
  return store.transaction(() => {
    const updatedRelatedIds: string[] = [];
    for (const loserId of loserIds) {
      for (const child of store.referencesTo(loserId)) {
        store.systemUpdate(child.record.Id, { [child.field]: masterId }, ctx, 'update');
        updatedRelatedIds.push(child.record.Id);
      }
      store.deleteAsMergeLoser(loserId, masterId, ctx);
    }
    store.systemUpdate(masterId, {}, ctx, 'merge');
    return {
      commit: true,
      value: { success: true as const, id: masterId, mergedRecordIds: loserIds, updatedRelatedIds },
    };
  });
}

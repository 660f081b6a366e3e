import type { StoreTransaction } from '@crmsync/core';

/*
 * O5: events for the host application, appended in the same transaction as the change they
 * announce (a link, a create, a delete, a merge...), so the host never misses one and never sees
 * one for a change that rolled back. The host reads them with an `after` cursor.
 */

export type EngineEventType =
  | 'link.created'
  | 'link.state_changed'
  | 'record.created_in_salesforce'
  | 'record.updated_in_salesforce'
  | 'record.deleted_in_salesforce'
  | 'person.deleted'
  | 'company.deleted'
  | 'push.failed'
  | (string & {});

/** Appends one event inside `tx`; returns its id. */
export function appendEvent(
  tx: StoreTransaction,
  type: EngineEventType,
  data: Record<string, unknown>,
): Promise<number> {
  return tx.events.append(type, data);
}

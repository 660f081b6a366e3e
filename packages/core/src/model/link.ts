import { z } from 'zod';
import { LocalId } from './common.js';

export const LocalObjectType = z.enum([
  'person',
  'company',
  'deal',
  'email',
  'note',
  'task',
  'call',
  'meeting',
  'meeting_summary',
]);
export type LocalObjectType = z.infer<typeof LocalObjectType>;

export const SalesforceObject = z.enum([
  'Contact',
  'Lead',
  'Account',
  'Opportunity',
  'OpportunityContactRole',
  'Task',
  'Event',
  'Note',
]);
export type SalesforceObject = z.infer<typeof SalesforceObject>;

/**
 * Link state. `active` links are written to; the others record why they are not (C10, C11):
 * a link marked deleted in Salesforce stops pushes until a manual push (M1).
 */
export const LinkState = z.enum(['active', 'deleted_in_salesforce', 'deleted_locally', 'merged']);
export type LinkState = z.infer<typeof LinkState>;

/** Local record <-> Salesforce record, keyed by org id so a switch of org never writes through an old link. */
export const Link = z.object({
  workspaceId: LocalId,
  localType: LocalObjectType,
  localId: LocalId,
  orgId: z.string().min(15).max(18),
  sfObject: SalesforceObject,
  sfId: z.string().length(18),
  /** The values crmsync last wrote, by Salesforce field name (X5 overwrite compares with it). */
  snapshot: z.record(z.string(), z.unknown()).default({}),
  /** SystemModstamp Salesforce returned after crmsync's last write (P2 no-echo). */
  systemModstamp: z.string().nullable().default(null),
  state: LinkState.default('active'),
  /** For `merged`: the surviving Salesforce id. */
  mergedInto: z.string().nullable().default(null),
});
export type Link = z.infer<typeof Link>;

import { z } from 'zod';
import type { WorkspaceUser } from '../model/workspace.js';
import { decisionNote, type DecisionNote } from './decision.js';
import { emailKey } from './match.js';

/** A Salesforce User as the owner lookup returns it (`SELECT Id, Email, IsActive FROM User`). */
export const SalesforceUser = z.object({
  Id: z.string().min(15).max(18),
  Email: z.string().nullable(),
  IsActive: z.boolean(),
});
export type SalesforceUser = z.infer<typeof SalesforceUser>;

/** What X7 needs to know, loaded once per batch by the engine. */
export interface OwnerContext {
  workspaceUsers: readonly WorkspaceUser[];
  salesforceUsers: readonly SalesforceUser[];
  /** The user crmsync connects as; Salesforce makes it the owner when no `OwnerId` is sent. */
  integrationUserId: string | null;
}

export type OwnerResolution =
  /** The local owner's own Salesforce User. */
  | { source: 'matched'; ownerId: string; note: DecisionNote }
  /** `settings.owners.defaultOwnerId`, or the integration user when that is not set. */
  | { source: 'default' | 'integration_user'; ownerId: string | null; note: DecisionNote };

/**
 * X7: the Salesforce owner of a record whose local owner is `localOwnerId`: the active User with
 * the same email (case-insensitive), else the workspace's default owner, else the integration
 * user. The fallbacks say why in their note, so "why is Jane not the owner?" has an answer.
 */
export function resolveOwner(
  localOwnerId: string | null,
  context: OwnerContext,
  defaultOwnerId: string | null,
): OwnerResolution {
  const fallback = (why: string): OwnerResolution =>
    defaultOwnerId !== null
      ? {
          source: 'default',
          ownerId: defaultOwnerId,
          note: decisionNote(
            'X7',
            'owner_fallback',
            `${why}; the workspace's default owner ${defaultOwnerId} owns it.`,
            [defaultOwnerId],
          ),
        }
      : {
          source: 'integration_user',
          ownerId: context.integrationUserId,
          note: decisionNote(
            'X7',
            'owner_fallback',
            `${why} and no default owner is set; the integration user${context.integrationUserId === null ? '' : ` ${context.integrationUserId}`} owns it.`,
            context.integrationUserId === null ? [] : [context.integrationUserId],
          ),
        };

  if (localOwnerId === null) return fallback('The record has no owner in crmsync');
  const user = context.workspaceUsers.find((u) => u.id === localOwnerId);
  if (user === undefined) return fallback(`The owner ${localOwnerId} is not a user of this workspace`);
  const key = emailKey(user.email);
  const same = key === null ? [] : context.salesforceUsers.filter((u) => emailKey(u.Email) === key);
  // Salesforce does not keep User emails unique: the lowest id makes the choice repeatable.
  const active = same.filter((u) => u.IsActive).sort((a, b) => (a.Id < b.Id ? -1 : a.Id > b.Id ? 1 : 0));
  const chosen = active[0];
  if (chosen === undefined) {
    return fallback(
      same.length > 0
        ? `The owner ${user.email}'s Salesforce User is inactive`
        : `The owner ${user.email} has no Salesforce User with that email`,
    );
  }
  return {
    source: 'matched',
    ownerId: chosen.Id,
    note: decisionNote(
      'X7',
      'owner_matched',
      `Owned by ${user.email}'s Salesforce User ${chosen.Id}.`,
      active.map((u) => u.Id),
    ),
  };
}

import { randomUUID } from 'node:crypto';
import {
  assertNever,
  mergeRecordValues,
  type Link,
  type LocalObjectType,
  type PullAction,
  type Settings,
  type StoreTransaction,
} from '@crmsync/core';
import { pulledDocument, snapshotOf } from './pulled-values.js';

/*
 * Performs `resolvePull`'s actions inside one store transaction (the caller's, which also moves
 * the cursor). P2: nothing written here is ever queued for push: records are written straight
 * through the repositories, never through ingest, so a pulled change cannot echo back. Each
 * action is logged with its rule ids (O1) and, when it changes the host's data or a link,
 * published as an event (O5).
 */

export interface ApplyContext {
  orgId: string;
  settings: Settings;
  workspaceId: string;
}

export interface ApplySummary {
  /** Count per action (`update_local`, `merge_local`, ...), failures as `failed`. */
  counts: Record<string, number>;
  /** Local records created from Salesforce rows, by Salesforce id. */
  created: Map<string, string>;
}

/** Types that can point at a person or a company and move with a merge (C11/A5: activities move). */
const REFERRING_TYPES: readonly LocalObjectType[] = [
  'email',
  'note',
  'task',
  'call',
  'meeting',
  'meeting_summary',
  'deal',
  'person',
];

async function moveReferences(
  tx: StoreTransaction,
  kind: 'person' | 'company',
  from: string,
  to: string,
): Promise<number> {
  let moved = 0;
  const key = kind === 'person' ? 'personId' : 'companyId';
  for (const type of REFERRING_TYPES) {
    if (type === 'person' && kind === 'person') continue;
    let cursor: string | null = null;
    do {
      const page: Awaited<ReturnType<typeof tx.records.list>> = await tx.records.list({
        type,
        cursor,
        limit: 500,
      });
      for (const record of page.items) {
        const doc = record.data as Record<string, unknown>;
        let next: Record<string, unknown> | null = null;
        if (doc[key] === from) next = { ...doc, [key]: to };
        const ids = doc.personIds;
        if (kind === 'person' && Array.isArray(ids) && ids.includes(from)) {
          next = {
            ...(next ?? doc),
            personIds: [...new Set(ids.map((id: unknown) => (id === from ? to : id)))],
          };
        }
        if (next !== null) {
          await tx.records.upsert(type, next as never);
          moved += 1;
        }
      }
      cursor = page.nextCursor;
    } while (cursor !== null);
  }
  return moved;
}

/**
 * P3 on a linked record: only the fields whose Salesforce value differs from the link's snapshot
 * (the value crmsync last wrote or pulled) are taken. A field Salesforce did not change keeps the
 * local value, so a local edit not yet pushed, or a blank a merge just filled (C11), is not
 * overwritten by an unrelated change to the same Salesforce record.
 */
function changedInSalesforce(
  object: PullAction['sfObject'],
  fields: Record<string, unknown>,
  snapshot: Record<string, unknown>,
  settings: Settings,
): Record<string, unknown> {
  const sfFieldOf = new Map(settings.fieldMappings[object].map((m) => [m.local, m.salesforce]));
  const out: Record<string, unknown> = {};
  for (const [local, value] of Object.entries(fields)) {
    const sf = sfFieldOf.get(local);
    if (sf !== undefined && Object.hasOwn(snapshot, sf) && (snapshot[sf] ?? null) === (value ?? null))
      continue;
    out[local] = value;
  }
  return out;
}

export async function applyPullActions(
  tx: StoreTransaction,
  ctx: ApplyContext,
  actions: readonly PullAction[],
): Promise<ApplySummary> {
  const counts: Record<string, number> = {};
  const created = new Map<string, string>();
  const count = (what: string) => {
    counts[what] = (counts[what] ?? 0) + 1;
  };
  const base = (a: PullAction) => ({ rules: a.rules, reason: a.reason, sfObject: a.sfObject, sfId: a.sfId });

  const linkOf = (localType: 'person' | 'company', localId: string): Promise<Link | null> =>
    tx.links.get(localType, localId, ctx.orgId);

  for (const action of actions) {
    switch (action.action) {
      case 'ignore': {
        // Logged against the local record it concerns. A Salesforce record crmsync never held
        // (most of an org's deletions and merges) has nothing local to explain: counted, not logged.
        const [local] = await tx.links.getBySfIds(ctx.orgId, [action.sfId]);
        if (local !== undefined) {
          await tx.log.append([
            { ...base(action), recordType: local.localType, recordId: local.localId, action: 'pull_ignore' },
          ]);
        }
        break;
      }

      case 'mark_link': {
        await tx.links.markState(
          { localType: action.localType, localId: action.localId, orgId: ctx.orgId },
          action.state,
          action.mergedInto,
        );
        await tx.log.append([
          {
            ...base(action),
            recordType: action.localType,
            recordId: action.localId,
            action: 'pull_mark_link',
          },
        ]);
        await tx.events.append('link.state_changed', {
          recordType: action.localType,
          recordId: action.localId,
          sfObject: action.sfObject,
          sfId: action.sfId,
          state: action.state,
          mergedInto: action.mergedInto,
          rules: action.rules,
        });
        break;
      }

      case 'delete_local': {
        await tx.records.delete(action.localType, action.localId);
        await tx.links.markState(
          { localType: action.localType, localId: action.localId, orgId: ctx.orgId },
          'deleted_in_salesforce',
          null,
        );
        await tx.log.append([
          {
            ...base(action),
            recordType: action.localType,
            recordId: action.localId,
            action: 'pull_delete_local',
          },
        ]);
        await tx.events.append(`${action.localType}.deleted`, {
          recordType: action.localType,
          recordId: action.localId,
          source: 'salesforce',
          sfObject: action.sfObject,
          sfId: action.sfId,
          rules: action.rules,
        });
        break;
      }

      case 'relink':
      case 'link': {
        const current = await linkOf(action.localType, action.localId);
        const toObject = action.action === 'relink' ? action.toSfObject : action.sfObject;
        const toId = action.action === 'relink' ? action.toSfId : action.sfId;
        await tx.links.put({
          localType: action.localType,
          localId: action.localId,
          orgId: ctx.orgId,
          sfObject: toObject,
          sfId: toId,
          // The values crmsync last wrote carry over (a converted Lead's values are the Contact's).
          snapshot: current?.snapshot ?? {},
          systemModstamp: null,
          state: 'active',
          mergedInto: null,
        });
        await tx.log.append([
          {
            ...base(action),
            recordType: action.localType,
            recordId: action.localId,
            action: `pull_${action.action}`,
          },
        ]);
        const conversion = action.rules.includes('C12');
        await tx.events.append(
          conversion ? 'lead.converted' : action.action === 'relink' ? 'record.merged' : 'link.created',
          {
            recordType: action.localType,
            recordId: action.localId,
            from: current === null ? null : { sfObject: current.sfObject, sfId: current.sfId },
            sfObject: toObject,
            sfId: toId,
            rules: action.rules,
          },
        );
        break;
      }

      case 'merge_local': {
        const [survivor, loser] = await Promise.all([
          tx.records.get(action.localType, action.survivorLocalId),
          tx.records.get(action.localType, action.loserLocalId),
        ]);
        if (survivor === null || loser === null) {
          count('failed');
          await tx.log.append([
            {
              ...base(action),
              recordType: action.localType,
              recordId: action.loserLocalId,
              action: 'pull_failed',
              reason: `${action.reason} The merge could not be applied: the local ${survivor === null ? 'survivor' : 'merged record'} no longer exists.`,
            },
          ]);
          continue;
        }
        const { merged, filled } = mergeRecordValues(survivor.data as Record<string, unknown>, [
          loser.data as Record<string, unknown>,
        ]);
        await tx.records.upsert(action.localType, merged as never);
        const moved = await moveReferences(tx, action.localType, action.loserLocalId, action.survivorLocalId);
        await tx.records.delete(action.localType, action.loserLocalId);
        await tx.links.markState(
          { localType: action.localType, localId: action.loserLocalId, orgId: ctx.orgId },
          'merged',
          action.survivorSfId,
        );
        await tx.log.append([
          {
            ...base(action),
            recordType: action.localType,
            recordId: action.survivorLocalId,
            action: 'pull_merge_local',
            payload: { mergedRecordId: action.loserLocalId, filled, moved },
          },
          {
            ...base(action),
            recordType: action.localType,
            recordId: action.loserLocalId,
            action: 'pull_merged_away',
            payload: { survivorRecordId: action.survivorLocalId },
          },
        ]);
        await tx.events.append('record.merged', {
          recordType: action.localType,
          survivorId: action.survivorLocalId,
          mergedId: action.loserLocalId,
          survivorSfId: action.survivorSfId,
          mergedSfId: action.sfId,
          filled,
          moved,
          rules: action.rules,
        });
        break;
      }

      case 'attach_company': {
        const person = await tx.records.get('person', action.personId);
        if (person === null) {
          count('failed');
          continue;
        }
        await tx.records.upsert('person', { ...person.data, companyId: action.companyId });
        await tx.log.append([
          {
            ...base(action),
            recordType: 'person',
            recordId: action.personId,
            action: 'pull_attach_company',
            payload: { companyId: action.companyId },
          },
        ]);
        await tx.events.append('person.company_changed', {
          recordId: action.personId,
          companyId: action.companyId,
          rules: action.rules,
          sfId: action.sfId,
        });
        break;
      }

      case 'update_local':
      case 'create_local': {
        const object = action.sfObject;
        const existing =
          action.action === 'update_local' ? await tx.records.get(action.localType, action.localId) : null;
        if (action.action === 'update_local' && existing === null) {
          count('failed');
          await tx.log.append([
            {
              ...base(action),
              recordType: action.localType,
              recordId: action.localId,
              action: 'pull_failed',
              reason: `${action.reason} The local record no longer exists.`,
            },
          ]);
          continue;
        }
        const localId = existing?.id ?? randomUUID();
        const docBase: Record<string, unknown> =
          existing !== null
            ? { ...(existing.data as Record<string, unknown>) }
            : { id: localId, workspaceId: ctx.workspaceId, origin: 'salesforce' };
        if (action.company !== null) {
          const companyId =
            action.company.via === 'account_in_this_pull'
              ? created.get(action.company.accountSfId)
              : action.company.companyId;
          if (companyId !== undefined) docBase.companyId = companyId;
        }
        const link = existing === null ? null : await linkOf(action.localType, localId);
        const fields =
          existing === null
            ? action.fields
            : changedInSalesforce(object, action.fields, link?.snapshot ?? {}, ctx.settings);
        const doc = pulledDocument(action.localType, docBase, fields);
        if (!doc.ok) {
          count('failed');
          await tx.log.append([
            {
              ...base(action),
              recordType: action.localType,
              recordId: existing?.id ?? action.sfId,
              action: 'pull_failed',
              reason: `${object} ${action.sfId} could not be pulled: ${doc.problem}. Correct the record in Salesforce; it is pulled again when it changes.`,
              errorCode: 'INVALID_INPUT',
              errorMessage: doc.problem,
            },
          ]);
          continue;
        }
        await tx.records.upsert(action.localType, doc.data as never);
        await tx.links.put({
          localType: action.localType,
          localId,
          orgId: ctx.orgId,
          sfObject: object,
          sfId: action.sfId,
          snapshot: { ...(link?.snapshot ?? {}), ...snapshotOf(object, action.fields, ctx.settings) },
          // P2: the next row with this stamp is this same change coming back.
          systemModstamp: action.systemModstamp,
          state: 'active',
          mergedInto: null,
        });
        if (action.action === 'create_local') created.set(action.sfId, localId);
        await tx.log.append([
          {
            ...base(action),
            recordType: action.localType,
            recordId: localId,
            action: `pull_${action.action}`,
            payload: { fields, company: action.company },
          },
        ]);
        await tx.events.append(
          action.action === 'create_local' ? 'link.created' : 'record.updated_from_salesforce',
          {
            recordType: action.localType,
            recordId: localId,
            sfObject: object,
            sfId: action.sfId,
            ...(action.action === 'create_local' ? { createdLocally: true } : {}),
            rules: action.rules,
          },
        );
        break;
      }

      default:
        assertNever(action, 'pull action');
    }
    count(action.action);
  }
  return { counts, created };
}

import {
  allowTraffic,
  decideLocalDelete,
  type Company,
  type CrmAdapter,
  type CrmWriteResult,
  type Link,
  type Person,
  type PushDecision,
  type StoredRecord,
} from '@crmsync/core';
import { countAccountChildren } from '../account-children.js';
import { toLifecycle } from '../lifecycle.js';
import type { PullDeps } from './pull-deps.js';

/*
 * C10/A4, local -> Salesforce: a linked person or company deleted locally. With deletion sync on
 * the Salesforce record is deleted; off, the link is marked `deleted_locally`. Deleting an Account
 * also deletes its Contacts, Opportunities and activities, including ones crmsync never held, so
 * before a company's Account is deleted its remaining children (those not being deleted in this
 * same call) are counted (`countAccountChildren`: one COUNT per child object, five to a composite
 * call); any left -> skipped with the count.
 * The decision itself is core's `decideLocalDelete`; this file reads, calls and records.
 */

export interface LocalDeleteRef {
  type: 'person' | 'company';
  id: string;
}

export type LocalDeleteResult = {
  type: 'person' | 'company';
  id: string;
  rules: readonly string[];
  reason: string;
} & (
  | { outcome: 'deleted_in_salesforce'; sfId: string }
  | { outcome: 'skipped'; code: string }
  | { outcome: 'failed'; sfId: string; errorCode: string; errorMessage: string }
  | { outcome: 'not_found' }
);

export type LocalDeletesReport =
  | { status: 'gated'; rule: string; reason: string; retryAt: Date | null }
  | { status: 'done'; results: LocalDeleteResult[] };

interface Planned {
  ref: LocalDeleteRef;
  record: StoredRecord<'person'> | StoredRecord<'company'>;
  link: Link | null;
  decision: PushDecision;
}

export async function applyLocalDeletes(
  deps: PullDeps,
  workspaceId: string,
  refs: readonly LocalDeleteRef[],
  options: { trigger?: 'change' | 'manual' } = {},
): Promise<LocalDeletesReport> {
  const { store, clock } = deps;
  const reader = store.workspace(workspaceId);
  const connection = await reader.connection.get();
  if (connection === null)
    return {
      status: 'gated',
      rule: 'L3',
      reason: `Workspace ${workspaceId} has no Salesforce connection.`,
      retryAt: null,
    };
  const gate = allowTraffic(
    toLifecycle(connection),
    options.trigger === 'manual' ? 'manual_push' : 'auto_push',
    clock.now(),
  );
  if (!gate.allowed) return { status: 'gated', rule: gate.rule, reason: gate.reason, retryAt: gate.retryAt };
  const orgId = connection.orgId;
  const settings = (await reader.settings.get()).settings;

  const people = await reader.records.getMany(
    'person',
    refs.filter((r) => r.type === 'person').map((r) => r.id),
  );
  const companies = await reader.records.getMany(
    'company',
    refs.filter((r) => r.type === 'company').map((r) => r.id),
  );
  const links = [
    ...(await reader.links.getMany(
      'person',
      people.map((p) => p.id),
      orgId,
    )),
    ...(await reader.links.getMany(
      'company',
      companies.map((c) => c.id),
      orgId,
    )),
  ];
  const linkOf = (type: 'person' | 'company', id: string) =>
    links.find((l) => l.localType === type && l.localId === id) ?? null;
  const results: LocalDeleteResult[] = [];

  // Salesforce calls happen before the transaction: a CRM only when something may travel.
  const needsCrm =
    (settings.contacts.deletionSync && people.some((p) => linkOf('person', p.id)?.state === 'active')) ||
    (settings.accounts.deletionSync && companies.some((c) => linkOf('company', c.id)?.state === 'active'));
  const crm = needsCrm ? await deps.getCrm(workspaceId) : null;
  const contactsBeingDeleted = people
    .map((p) => linkOf('person', p.id))
    .filter((l): l is Link => l !== null && l.state === 'active' && l.sfObject === 'Contact')
    .map((l) => l.sfId);

  // A4: every Account that may be deleted, counted together before any decision.
  const accountsToCount = companies.flatMap((c) => {
    const link = linkOf('company', c.id);
    return settings.accounts.deletionSync && link !== null && link.state === 'active' ? [link.sfId] : [];
  });
  const children =
    crm === null || accountsToCount.length === 0
      ? new Map<string, number>()
      : await countAccountChildren(crm, accountsToCount, contactsBeingDeleted, deps.logger);

  const planned: Planned[] = [];
  for (const ref of refs) {
    const record =
      ref.type === 'person' ? people.find((p) => p.id === ref.id) : companies.find((c) => c.id === ref.id);
    if (record === undefined) {
      results.push({
        ...ref,
        outcome: 'not_found',
        rules: [],
        reason: `There is no ${ref.type} ${ref.id} in this workspace.`,
      });
      continue;
    }
    const link = linkOf(ref.type, ref.id);
    let decision: PushDecision;
    if (ref.type === 'person') {
      decision = decideLocalDelete({ settings, orgId, kind: 'person', record: record.data as Person, link });
    } else {
      const remaining = link === null ? undefined : children.get(link.sfId);
      decision = decideLocalDelete({
        settings,
        orgId,
        kind: 'company',
        record: record.data as Company,
        link,
        ...(remaining === undefined ? {} : { accountChildrenRemaining: remaining }),
      });
    }
    planned.push({ ref, record, link, decision });
  }

  // Children before parents: Contacts and Leads, then Accounts.
  const sent = new Map<Planned, CrmWriteResult>();
  for (const object of ['Contact', 'Lead', 'Account'] as const) {
    const batch = planned.filter((p) => p.decision.action === 'delete' && p.decision.object === object);
    if (batch.length === 0 || crm === null) continue;
    const answers = await crm.delete(
      object,
      batch.map((p) => (p.decision as Extract<PushDecision, { action: 'delete' }>).sfId),
    );
    batch.forEach((p, i) => {
      const answer = answers[i];
      if (answer !== undefined) sent.set(p, answer);
    });
  }

  await store.transaction(workspaceId, async (tx) => {
    for (const p of planned) {
      const { ref, decision } = p;
      const key = { localType: ref.type, localId: ref.id, orgId };
      if (decision.action === 'delete') {
        const answer = sent.get(p);
        const ok =
          answer !== undefined &&
          (answer.outcome === 'ok' ||
            (answer.outcome === 'failed' && answer.errors.some((e) => e.statusCode === 'ENTITY_IS_DELETED')));
        if (ok) {
          await tx.links.markState(key, 'deleted_in_salesforce', null);
          await tx.log.append([
            {
              recordType: ref.type,
              recordId: ref.id,
              action: 'delete',
              rules: decision.rules,
              reason: decision.reason,
              sfObject: decision.object,
              sfId: decision.sfId,
            },
          ]);
          await tx.events.append('record.deleted_in_salesforce', {
            recordType: ref.type,
            recordId: ref.id,
            sfObject: decision.object,
            sfId: decision.sfId,
            rules: decision.rules,
          });
          results.push({
            ...ref,
            outcome: 'deleted_in_salesforce',
            sfId: decision.sfId,
            rules: decision.rules,
            reason: decision.reason,
          });
        } else {
          const failure =
            answer === undefined || answer.outcome === 'ok'
              ? { code: 'SALESFORCE_UNKNOWN_OUTCOME', message: 'Salesforce gave no answer for this record' }
              : answer.outcome === 'failed'
                ? {
                    code: answer.errors[0]?.statusCode ?? answer.classification.sfCode,
                    message: answer.errors[0]?.message ?? answer.classification.sfMessage,
                  }
                : { code: answer.classification.sfCode, message: answer.classification.sfMessage };
          const errorCode = failure.code;
          const errorMessage = failure.message;
          const reason = `The delete of ${decision.object} ${decision.sfId} failed: ${errorMessage}`;
          await tx.log.append([
            {
              recordType: ref.type,
              recordId: ref.id,
              action: 'fail',
              rules: decision.rules,
              reason,
              sfObject: decision.object,
              sfId: decision.sfId,
              errorCode,
              errorMessage,
            },
          ]);
          results.push({
            ...ref,
            outcome: 'failed',
            sfId: decision.sfId,
            errorCode,
            errorMessage,
            rules: decision.rules,
            reason,
          });
        }
        continue;
      }
      if (decision.action !== 'skip') {
        // decideLocalDelete only deletes or skips; anything else is a bug, logged rather than sent.
        await tx.log.append([
          {
            recordType: ref.type,
            recordId: ref.id,
            action: 'skip',
            rules: decision.rules,
            reason: `Unexpected decision ${decision.action} for a local delete; nothing was sent.`,
          },
        ]);
        results.push({
          ...ref,
          outcome: 'skipped',
          code: 'unexpected',
          rules: decision.rules,
          reason: decision.reason,
        });
        continue;
      }
      if (decision.markLink !== null && p.link !== null) {
        await tx.links.markState(key, decision.markLink, null);
        await tx.events.append('link.state_changed', {
          recordType: ref.type,
          recordId: ref.id,
          sfObject: p.link.sfObject,
          sfId: p.link.sfId,
          state: decision.markLink,
          rules: decision.rules,
        });
      }
      await tx.log.append([
        {
          recordType: ref.type,
          recordId: ref.id,
          action: 'skip',
          rules: decision.rules,
          reason: decision.reason,
          sfObject: p.link?.sfObject ?? null,
          sfId: p.link?.sfId ?? null,
          payload: { code: decision.code },
        },
      ]);
      results.push({
        ...ref,
        outcome: 'skipped',
        code: decision.code,
        rules: decision.rules,
        reason: decision.reason,
      });
    }
  });
  return { status: 'done', results };
}

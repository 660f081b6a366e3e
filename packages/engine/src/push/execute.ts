import {
  type CrmWriteResult,
  type ErrorClassification,
  type LinkInput,
  type LocalObjectType,
  type LogEntryInput,
  type PushDecision,
  type PushObject,
  type StoreTransaction,
} from '@crmsync/core';
import { budgetResumeAt, isBudgetVeto } from '../crm-session.js';
import { appendEvent } from '../events.js';
import type { PushContext } from './context.js';
import { createRecords, toCrmFields, type CreateEntry, type CreateResult } from './create-records.js';
import type { PlannedPush } from './plan.js';
import { refusedWrite as failure } from './refused-write.js';
import { sendWriteBatch } from './write-batch.js';

/*
 * Performs what the planner decided: Accounts first (companies, and the C7 Accounts of people),
 * then people; collections of up to 200 per call; then one recording transaction: links with the
 * snapshot of what was written, log entries, cleared intents, events. No network call happens
 * inside that transaction. Per-record failures are returned, never thrown.
 */

export type PushOutcome =
  | {
      status: 'done';
      /** What happened: create, update, link (matched, then updated), delete, skip, unchanged, missing. */
      action: 'create' | 'update' | 'link' | 'delete' | 'skip' | 'unchanged' | 'missing';
      sfObject: PushObject | null;
      sfId: string | null;
      /** For a skip: the skip code. */
      code: string | null;
      rules: readonly string[];
      reason: string;
      ambiguous: boolean;
    }
  | {
      status: 'failed';
      retryable: boolean;
      classification: ErrorClassification | null;
      /** crmsync's catalogue code and Salesforce's own. */
      code: string;
      sfCode: string;
      message: string;
      rules: readonly string[];
    }
  | { status: 'budget'; resumeAt: Date; message: string };

type Key = string;
const keyOf = (type: LocalObjectType, id: string): Key => `${type}:${id}`;

interface Pending {
  item: PlannedPush;
  decision: Exclude<PushDecision, { action: 'skip' }>;
}

const isAmbiguous = (d: PushDecision) => d.notes.some((n) => n.code === 'ambiguous_match');

export interface DeferredCreate {
  item: PlannedPush;
  decision: Extract<PushDecision, { action: 'create' }>;
  /** The fields to send, the C7 `AccountId` filled in unless `account` is set. */
  fields: Record<string, unknown>;
  /** C7: the company's Account to create first (Bulk too); its id becomes `AccountId`. */
  account?: { companyId: string; fields: Record<string, unknown> };
}

export interface ExecuteOptions {
  /**
   * Push-all over Bulk API 2.0: creates of people are handed here instead of being sent in
   * collections, and so are the Accounts only those creates need (`DeferredCreate.account`); an
   * Account another record of the batch needs now is created and linked first, as usual. The
   * caller sends and records them.
   */
  deferCreates?: (object: PushObject, creates: DeferredCreate[]) => void;
}

export async function executePlan(
  ctx: PushContext,
  planned: readonly PlannedPush[],
  opts: ExecuteOptions = {},
): Promise<Map<Key, PushOutcome>> {
  const outcomes = new Map<Key, PushOutcome>();
  const log: LogEntryInput[] = [];
  const links: LinkInput[] = [];
  const events: { type: string; data: Record<string, unknown> }[] = [];
  const markLinks: {
    type: LocalObjectType;
    id: string;
    state: NonNullable<Extract<PushDecision, { action: 'skip' }>['markLink']>;
  }[] = [];
  const intentsToClear: { localType: LocalObjectType; localIds: string[] }[] = [];
  const runId = ctx.runId;

  const done = (
    item: PlannedPush,
    o: Extract<PushOutcome, { status: 'done' }>,
    payload: Record<string, unknown> | null,
  ) => {
    outcomes.set(keyOf(item.type, item.id), o);
    log.push({
      recordType: item.type,
      recordId: item.id,
      action: o.action,
      rules: o.rules,
      reason: o.reason,
      payload,
      sfObject: o.sfObject,
      sfId: o.sfId,
      runId,
    });
  };
  const failed = (
    item: PlannedPush,
    o: Extract<PushOutcome, { status: 'failed' }>,
    sfObject: PushObject | null,
    payload: Record<string, unknown> | null,
  ) => {
    outcomes.set(keyOf(item.type, item.id), o);
    log.push({
      recordType: item.type,
      recordId: item.id,
      action: 'fail',
      rules: [...o.rules, 'O4'],
      reason: o.message,
      payload,
      sfObject,
      errorCode: o.sfCode,
      errorMessage: o.message,
      runId,
    });
    events.push({
      type: 'push.failed',
      data: { localType: item.type, localId: item.id, code: o.code, sfCode: o.sfCode },
    });
  };
  const budget = (item: PlannedPush, resumeAt: Date, message: string) => {
    outcomes.set(keyOf(item.type, item.id), { status: 'budget', resumeAt, message });
    log.push({
      recordType: item.type,
      recordId: item.id,
      action: 'budget_wait',
      rules: ['O3'],
      reason: message,
      runId,
      errorCode: 'API_BUDGET_EXHAUSTED',
      errorMessage: message,
    });
  };
  const written = new Set<LinkInput>();
  const linkTo = (
    type: LocalObjectType,
    id: string,
    sfObject: PushObject,
    sfId: string,
    snapshot: Record<string, unknown>,
    isNew: boolean,
    wrote = true,
    stamp: string | null = null,
  ) => {
    const link: LinkInput = {
      localType: type,
      localId: id,
      orgId: ctx.orgId,
      sfObject,
      sfId,
      snapshot,
      systemModstamp: stamp,
      state: 'active',
      mergedInto: null,
    };
    links.push(link);
    if (wrote) written.add(link);
    if (isNew) events.push({ type: 'link.created', data: { localType: type, localId: id, sfObject, sfId } });
  };

  // 1. Skips and missing records are final now.
  const pending: Pending[] = [];
  for (const item of planned) {
    const d = item.decision;
    if (d === null) {
      done(
        item,
        {
          status: 'done',
          action: 'missing',
          sfObject: null,
          sfId: null,
          code: null,
          rules: [],
          reason: `The ${item.type} ${item.id} no longer exists in crmsync; nothing to push.`,
          ambiguous: false,
        },
        null,
      );
      continue;
    }
    if (d.action === 'skip') {
      done(
        item,
        {
          status: 'done',
          action: 'skip',
          sfObject: null,
          sfId: null,
          code: d.code,
          rules: d.rules,
          reason: d.reason,
          ambiguous: isAmbiguous(d),
        },
        { code: d.code, notes: d.notes.map((n) => n.message) },
      );
      if (
        d.markLink !== null &&
        item.link !== null &&
        item.link.orgId === ctx.orgId &&
        item.link.state !== d.markLink
      )
        markLinks.push({ type: item.type, id: item.id, state: d.markLink });
      continue;
    }
    pending.push({ item, decision: d });
  }

  // 2. Accounts: companies created on their own, and the Accounts people need (C7), once per company.
  const accountCreates = new Map<string, CreateEntry>();
  for (const { item, decision: d } of pending) {
    if (item.type === 'company' && d.action === 'create')
      accountCreates.set(item.id, { localType: 'company', localId: item.id, fields: d.fields });
  }
  const deferred = (p: Pending) =>
    opts.deferCreates !== undefined && p.item.type === 'person' && p.decision.action === 'create';
  for (const p of pending) {
    const d = p.decision;
    if (deferred(p)) continue;
    if (d.action !== 'delete' && d.account?.via === 'create' && !accountCreates.has(d.account.companyId)) {
      accountCreates.set(d.account.companyId, {
        localType: 'company',
        localId: d.account.companyId,
        fields: d.account.fields,
      });
    }
  }
  // Companies' own Accounts that no person of this batch waits for ride in the batch's one write
  // call (write-batch.ts); Accounts a person needs (C7) are created first, so the person carries the id.
  const peopleNeedAccounts = pending.some(
    (p) => !deferred(p) && p.decision.action !== 'delete' && p.decision.account?.via === 'create',
  );
  const foldAccounts = ctx.externalId.Account && opts.deferCreates === undefined && !peopleNeedAccounts;
  let accountResults = new Map<string, CreateResult>();
  if (accountCreates.size > 0 && !foldAccounts) {
    const out = await createRecords(ctx, 'Account', [...accountCreates.values()]);
    accountResults = out.results;
    intentsToClear.push(...out.intentsToClear);
  }
  const companyItems = new Map(pending.filter((p) => p.item.type === 'company').map((p) => [p.item.id, p]));
  const settleAccounts = () => {
    const createdAccounts: { Id: string; Name: string; Website: string | null }[] = [];
    for (const [companyId, entry] of accountCreates) {
      const r = accountResults.get(companyId);
      const own = companyItems.get(companyId);
      if (r === undefined) continue;
      if (r.outcome === 'ok' || r.outcome === 'reconciled') {
        linkTo('company', companyId, 'Account', r.id, entry.fields, true);
        createdAccounts.push({
          Id: r.id,
          Name: String(entry.fields.Name ?? ''),
          Website: typeof entry.fields.Website === 'string' ? entry.fields.Website : null,
        });
        events.push({
          type: 'record.created_in_salesforce',
          data: { localType: 'company', localId: companyId, sfObject: 'Account', sfId: r.id },
        });
        if (own !== undefined) {
          done(
            own.item,
            {
              status: 'done',
              action: 'create',
              sfObject: 'Account',
              sfId: r.id,
              code: null,
              rules: own.decision.rules,
              reason: own.decision.reason,
              ambiguous: false,
            },
            { fields: entry.fields },
          );
        } else {
          log.push({
            recordType: 'company',
            recordId: companyId,
            action: 'create',
            rules: ['C7', 'A3', 'X4'],
            reason: `Created as Account ${r.id} because a person of this company was pushed as a Contact (C7).`,
            payload: { fields: entry.fields },
            sfObject: 'Account',
            sfId: r.id,
            runId,
          });
        }
      } else if (own !== undefined) {
        if (r.outcome === 'budget') budget(own.item, r.resumeAt, r.message);
        else if (r.outcome === 'failed')
          failed(
            own.item,
            failure(r, own.decision.rules) as Extract<PushOutcome, { status: 'failed' }>,
            'Account',
            { fields: entry.fields },
          );
      }
    }
    ctx.accounts.remember(
      createdAccounts.map((a) => ({
        ...a,
        CreatedDate: ctx.deps.clock.now().toISOString(),
        LastModifiedDate: ctx.deps.clock.now().toISOString(),
      })),
    );
  };
  if (!foldAccounts) settleAccounts();

  // 3. People (and company updates, links, deletes).
  const creates = new Map<
    PushObject,
    { p: Pending; fields: Record<string, unknown>; account?: DeferredCreate['account'] }[]
  >();
  const updates = new Map<PushObject, { p: Pending; sfId: string; fields: Record<string, unknown> }[]>();
  const deletes = new Map<PushObject, { p: Pending; sfId: string }[]>();
  const push = <T>(m: Map<PushObject, T[]>, k: PushObject, v: T) => {
    const list = m.get(k);
    if (list === undefined) m.set(k, [v]);
    else list.push(v);
  };
  for (const p of pending) {
    const { item, decision: d } = p;
    if (item.type === 'company' && d.action === 'create') continue; // done in step 2
    if (d.action === 'delete') {
      push(deletes, d.object, { p, sfId: d.sfId });
      continue;
    }
    const fields = { ...d.fields };
    const account = d.account;
    if (account?.via === 'create' && deferred(p) && !accountResults.has(account.companyId)) {
      push(creates, d.object, {
        p,
        fields,
        account: { companyId: account.companyId, fields: account.fields },
      });
      continue;
    }
    if (account?.via === 'create') {
      const r = accountResults.get(account.companyId);
      if (r === undefined || r.outcome === 'budget') {
        const resume =
          r?.outcome === 'budget'
            ? r
            : { resumeAt: ctx.deps.clock.now(), message: 'The API budget is spent.' };
        budget(item, resume.resumeAt, resume.message);
        continue;
      }
      if (r.outcome === 'failed' || r.outcome === 'unknown') {
        // createRecords reconciles unknown outcomes; should one remain, it is a retryable failure.
        const asFailed: Extract<CrmWriteResult, { outcome: 'failed' }> =
          r.outcome === 'failed'
            ? r
            : {
                outcome: 'failed',
                id: null,
                errors: [],
                classification: { ...r.classification, retryable: true },
                requestLevel: true,
              };
        failed(
          item,
          failure(
            asFailed,
            [...d.rules, 'C7'],
            "Its company's Account could not be created, so the person was not sent. ",
          ) as Extract<PushOutcome, { status: 'failed' }>,
          'Account',
          { fields },
        );
        continue;
      }
      fields.AccountId = r.id;
    }
    if (account?.via === 'matched') {
      const companyLink = item.company?.link;
      if (
        companyLink === null ||
        companyLink === undefined ||
        companyLink.orgId !== ctx.orgId ||
        companyLink.state !== 'active'
      ) {
        linkTo('company', account.companyId, 'Account', account.accountId, {}, true, false);
        log.push({
          recordType: 'company',
          recordId: account.companyId,
          action: 'link',
          rules: ['C7', 'X2'],
          reason: `Linked to the existing Account ${account.accountId} that matches it, because a person of this company was pushed as a Contact (C7, X2).`,
          payload: { candidateIds: account.candidateIds },
          sfObject: 'Account',
          sfId: account.accountId,
          runId,
        });
      }
    }
    if (d.action === 'create') push(creates, d.object, { p, fields });
    else push(updates, d.object, { p, sfId: d.sfId, fields });
  }

  // Creates of each object: handed to push all's Bulk job, upserted in the batch's write call (X4
  // with `Crmsync_Id__c`), or created now with an intent (X4 without it).
  type CreateItem = { p: Pending; fields: Record<string, unknown> };
  const settleCreates = (
    object: PushObject,
    list: readonly CreateItem[],
    results: Map<string, CreateResult>,
  ) => {
    for (const { p, fields } of list) {
      const r = results.get(p.item.id);
      if (r === undefined) continue;
      if (r.outcome === 'ok' || r.outcome === 'reconciled') {
        linkTo(p.item.type, p.item.id, object, r.id, fields, true);
        events.push({
          type: 'record.created_in_salesforce',
          data: { localType: p.item.type, localId: p.item.id, sfObject: object, sfId: r.id },
        });
        const landedBefore = r.outcome === 'reconciled' || !r.created;
        done(
          p.item,
          {
            status: 'done',
            action: 'create',
            sfObject: object,
            sfId: r.id,
            code: null,
            rules: [...p.decision.rules, 'X4'],
            reason: landedBefore
              ? `${p.decision.reason} It had already landed in Salesforce (a retried create found it, X4), so it was linked, not created twice.`
              : p.decision.reason,
            ambiguous: isAmbiguous(p.decision),
          },
          { fields },
        );
      } else if (r.outcome === 'budget') budget(p.item, r.resumeAt, r.message);
      else if (r.outcome === 'failed')
        failed(p.item, failure(r, p.decision.rules) as Extract<PushOutcome, { status: 'failed' }>, object, {
          fields,
        });
    }
  };
  const upserts = new Map<PushObject, CreateItem[]>();
  for (const [object, list] of creates) {
    if (opts.deferCreates !== undefined) {
      opts.deferCreates(
        object,
        list.map(({ p, fields, account }) => ({
          item: p.item,
          decision: p.decision as DeferredCreate['decision'],
          fields,
          ...(account === undefined ? {} : { account }),
        })),
      );
      continue;
    }
    if (ctx.externalId[object]) {
      upserts.set(object, list);
      continue;
    }
    const out = await createRecords(
      ctx,
      object,
      list.map(({ p, fields }) => ({ localType: p.item.type, localId: p.item.id, fields })),
    );
    intentsToClear.push(...out.intentsToClear);
    settleCreates(object, list, out.results);
  }

  // The batch's write call: folded Accounts, upserts, updates, and the read-back of everything
  // written (P2), in one composite when they fit.
  const writtenBefore = new Map<string, string[]>();
  for (const l of written)
    if (SF_ID.test(l.sfId)) writtenBefore.set(l.sfObject, [...(writtenBefore.get(l.sfObject) ?? []), l.sfId]);
  const upsertEntries = new Map<PushObject, CreateEntry[]>();
  if (foldAccounts && accountCreates.size > 0) upsertEntries.set('Account', [...accountCreates.values()]);
  for (const [object, list] of upserts)
    upsertEntries.set(object, [
      ...(upsertEntries.get(object) ?? []),
      ...list.map(({ p, fields }) => ({ localType: p.item.type, localId: p.item.id, fields })),
    ]);
  const batch = await sendWriteBatch(ctx, {
    upserts: upsertEntries,
    updates: new Map(
      [...updates].map(([object, list]) => [
        object,
        list
          .filter((u) => Object.keys(u.fields).length > 0)
          .map((u) => ({ localId: u.p.item.id, fields: { ...u.fields, Id: u.sfId } })),
      ]),
    ),
    readBackIds: writtenBefore,
  });
  const unsent = (): CreateResult => {
    const resumeAt = budgetResumeAt(batch.stopped, ctx.deps.clock.now()) ?? ctx.deps.clock.now();
    const message = batch.stopped instanceof Error ? batch.stopped.message : 'The API budget is spent.';
    return { outcome: 'budget', resumeAt, message };
  };
  const upsertResults = (object: PushObject, localIds: Iterable<string>) => {
    const got = batch.upserts.get(object);
    const out = new Map<string, CreateResult>();
    for (const id of localIds) out.set(id, got?.get(id) ?? unsent());
    return out;
  };
  if (foldAccounts) {
    accountResults = upsertResults('Account', accountCreates.keys());
    settleAccounts();
  }
  for (const [object, list] of upserts)
    settleCreates(
      object,
      list,
      upsertResults(
        object,
        list.map(({ p }) => p.item.id),
      ),
    );

  for (const [object, list] of updates) {
    const resultOf = batch.updates.get(object) ?? new Map<string, CrmWriteResult>();
    for (const u of list) {
      const { p } = u;
      const d = p.decision as Extract<PushDecision, { action: 'update' | 'link_existing' }>;
      const isLink = d.action === 'link_existing';
      const previous =
        p.item.link !== null && p.item.link.orgId === ctx.orgId && !isLink ? p.item.link.snapshot : {};
      const r = resultOf.get(p.item.id);
      if (Object.keys(u.fields).length === 0 || (r !== undefined && r.outcome === 'ok')) {
        const wrote = Object.keys(u.fields).length > 0;
        linkTo(
          p.item.type,
          p.item.id,
          object,
          u.sfId,
          { ...previous, ...u.fields },
          isLink || p.item.link === null || p.item.link.state !== 'active',
          wrote,
          !isLink && p.item.link !== null && p.item.link.orgId === ctx.orgId
            ? p.item.link.systemModstamp
            : null,
        );
        if (wrote && !isLink)
          events.push({
            type: 'record.updated_in_salesforce',
            data: { localType: p.item.type, localId: p.item.id, sfObject: object, sfId: u.sfId },
          });
        done(
          p.item,
          {
            status: 'done',
            action: isLink ? 'link' : wrote ? 'update' : 'unchanged',
            sfObject: object,
            sfId: u.sfId,
            code: null,
            rules: d.rules,
            reason:
              wrote || isLink
                ? d.reason
                : `${d.reason} Nothing changed since crmsync's last write, so nothing was sent (X5).`,
            ambiguous: isAmbiguous(d),
          },
          {
            fields: u.fields,
            ...(isLink ? { candidateIds: d.candidateIds } : {}),
            // Why a mapped value was not sent (X5 fill_if_empty kept Salesforce's, X6 cut or dropped).
            ...(d.notes.length > 0 ? { notes: d.notes.map((n) => n.message) } : {}),
          },
        );
      } else if (r === undefined) {
        const b = unsent() as Extract<CreateResult, { outcome: 'budget' }>;
        budget(p.item, b.resumeAt, b.message);
      } else if (r.outcome === 'failed')
        failed(p.item, failure(r, d.rules) as Extract<PushOutcome, { status: 'failed' }>, object, {
          fields: u.fields,
        });
    }
  }
  // What was written carries the SystemModstamp read back in the same call (P2).
  for (const l of written) {
    const stamp = batch.stamps.get(l.sfId);
    if (stamp !== undefined) l.systemModstamp = stamp;
  }

  for (const [object, list] of deletes) {
    let results: CrmWriteResult[] = [];
    let vetoed: unknown = null;
    try {
      results = await ctx.crm.delete(
        object,
        list.map((x) => x.sfId),
      );
    } catch (err) {
      if (!isBudgetVeto(err)) throw err;
      vetoed = err;
    }
    list.forEach(({ p, sfId }, i) => {
      const r = results[i];
      const notThere = r?.outcome === 'failed' && r.classification.code === 'SALESFORCE_RECORD_DELETED';
      if (r?.outcome === 'ok' || notThere) {
        markLinks.push({ type: p.item.type, id: p.item.id, state: 'deleted_locally' });
        events.push({
          type: 'record.deleted_in_salesforce',
          data: { localType: p.item.type, localId: p.item.id, sfObject: object, sfId },
        });
        done(
          p.item,
          {
            status: 'done',
            action: 'delete',
            sfObject: object,
            sfId,
            code: null,
            rules: p.decision.rules,
            reason: p.decision.reason,
            ambiguous: false,
          },
          null,
        );
      } else if (r === undefined) {
        budget(
          p.item,
          budgetResumeAt(vetoed, ctx.deps.clock.now()) ?? ctx.deps.clock.now(),
          vetoed instanceof Error ? vetoed.message : 'The API budget is spent.',
        );
      } else if (r.outcome === 'failed')
        failed(
          p.item,
          failure(r, p.decision.rules) as Extract<PushOutcome, { status: 'failed' }>,
          object,
          null,
        );
    });
  }

  // 4. One recording transaction, after every call.
  await ctx.deps.store.transaction(ctx.workspaceId, async (tx: StoreTransaction) => {
    for (const link of links) await tx.links.put(link);
    for (const m of markLinks)
      await tx.links.markState({ localType: m.type, localId: m.id, orgId: ctx.orgId }, m.state);
    for (const c of intentsToClear) await tx.intents.clear(ctx.orgId, c.localType, c.localIds);
    // A record linked by any path (X1/X2 found what a crashed create left) needs no reconcile any more.
    for (const type of ['person', 'company'] as const) {
      const ids = links.filter((l) => l.localType === type).map((l) => l.localId);
      if (ids.length > 0) await tx.intents.clear(ctx.orgId, type, ids);
    }
    if (log.length > 0) await tx.log.append(log);
    for (const e of events) await appendEvent(tx, e.type, e.data);
  });
  return outcomes;
}

export { keyOf as outcomeKey };

const SF_ID = /^[A-Za-z0-9]{15,18}$/;

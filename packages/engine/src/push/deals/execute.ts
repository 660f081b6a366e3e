import {
  soqlId,
  type CrmWriteResult,
  type DealDecision,
  type DealPullAction,
  type ErrorClassification,
  type LinkInput,
  type LinkState,
  type LogEntryInput,
} from '@crmsync/core';
import { budgetResumeAt, isBudgetVeto } from '../../crm-session.js';
import { appendEvent } from '../../events.js';
import { applyDealPullActions } from '../../pull/opportunities.js';
import { createRecords, toCrmFields, type CreateResult } from '../create-records.js';
import { executePlan, outcomeKey, type PushOutcome } from '../execute.js';
import { planPush } from '../plan.js';
import { refusedWrite as refused } from '../refused-write.js';
import type { DealPushContext, PlannedDeal } from './plan.js';

/*
 * Performs what the deal planner decided: D1 conflicts applied locally (Salesforce wins), the
 * companies deals need pushed first through the people path (D6, as C7), Opportunities created
 * (X4: upsert on Crmsync_Id__c, or intent-then-reconcile) and updated in collections of 200,
 * contact roles added (D6), the Opportunities' SystemModstamp read back (one query per 200, so
 * D1 can tell crmsync's own write from a Salesforce edit), then one recording transaction.
 * Per-deal failures are returned, never thrown.
 */

export type DealOutcome =
  | {
      status: 'done';
      action: 'create' | 'update' | 'unchanged' | 'skip' | 'overwritten' | 'missing';
      sfId: string | null;
      code: string | null;
      rules: readonly string[];
      reason: string;
    }
  | {
      status: 'failed';
      retryable: boolean;
      classification: ErrorClassification | null;
      code: string;
      sfCode: string;
      message: string;
      rules: readonly string[];
    }
  | { status: 'budget'; resumeAt: Date; message: string };

type Send = Extract<DealDecision, { action: 'create' | 'update' }>;

/** The deal's company, pushed first, did not reach Salesforce: the deal waits for it. */
function companyFailed(
  dealId: string,
  companyId: string,
  o: PushOutcome | undefined,
  rules: readonly string[],
): DealOutcome {
  if (o?.status === 'budget') return o;
  const why =
    o === undefined
      ? 'it was not pushed'
      : o.status === 'failed'
        ? o.message
        : `${o.reason}${o.code === null ? '' : ` (${o.code})`}`;
  return {
    status: 'failed',
    retryable: o?.status === 'failed' ? o.retryable : false,
    classification: o?.status === 'failed' ? o.classification : null,
    code: o?.status === 'failed' ? o.code : 'INVALID_INPUT',
    sfCode: o?.status === 'failed' ? o.sfCode : 'COMPANY_NOT_IN_SALESFORCE',
    message: `Deal ${dealId} was not sent: its company ${companyId} must be in Salesforce first (D6), and ${why} Fix the company, then retry the deal.`,
    rules: [...rules, 'D6', 'C7'],
  };
}

const M1_REASON = / ?It was pushed by hand \(M1\)\./;

export async function executeDealPlan(
  ctx: DealPushContext,
  planned: readonly PlannedDeal[],
): Promise<Map<string, DealOutcome>> {
  const { push } = ctx;
  const now = () => push.deps.clock.now();
  const outcomes = new Map<string, DealOutcome>();
  const log: LogEntryInput[] = [];
  const links = new Map<string, LinkInput>();
  const markLinks: { id: string; state: LinkState }[] = [];
  const pulls: DealPullAction[] = [];
  const pulledRows = new Map<string, Record<string, unknown>>();
  const events: { type: string; data: Record<string, unknown> }[] = [];
  let intentsToClear: { localType: 'deal'; localIds: string[] }[] = [];
  const runId = push.runId;
  const entry = (id: string, e: Omit<LogEntryInput, 'recordType' | 'recordId'>) =>
    log.push({ recordType: 'deal', recordId: id, sfObject: 'Opportunity', runId, ...e });

  const settle = (id: string, o: DealOutcome, payload: Record<string, unknown> | null = null) => {
    outcomes.set(id, o);
    if (o.status === 'done')
      entry(id, { action: o.action, rules: o.rules, reason: o.reason, payload, sfId: o.sfId });
    else if (o.status === 'budget')
      entry(id, {
        action: 'budget_wait',
        rules: ['O3'],
        reason: o.message,
        errorCode: 'API_BUDGET_EXHAUSTED',
        errorMessage: o.message,
      });
    else {
      entry(id, {
        action: 'fail',
        rules: [...o.rules, 'O4'],
        reason: o.message,
        payload,
        errorCode: o.sfCode,
        errorMessage: o.message,
      });
      events.push({
        type: 'push.failed',
        data: { localType: 'deal', localId: id, code: o.code, sfCode: o.sfCode },
      });
    }
  };

  // 1. Missing and skipped deals, and D1 conflicts (applied in the recording transaction).
  const pending: { item: PlannedDeal; d: Send; fields: Record<string, unknown> }[] = [];
  for (const item of planned) {
    const d = item.decision;
    if (d === null) {
      settle(
        item.id,
        item.record === null
          ? {
              status: 'done',
              action: 'missing',
              sfId: null,
              code: null,
              rules: [],
              reason: `Deal ${item.id} no longer exists in crmsync; nothing to push.`,
            }
          : {
              status: 'done',
              action: 'skip',
              sfId: null,
              code: 'no_deal_deletion_sync',
              rules: [],
              reason: `Deal ${item.id} was deleted in crmsync; deals have no deletion sync, so its Opportunity stays in Salesforce.`,
            },
      );
      continue;
    }
    if (d.action === 'skip') {
      if (item.gone) markLinks.push({ id: item.id, state: 'deleted_in_salesforce' });
      settle(
        item.id,
        { status: 'done', action: 'skip', sfId: null, code: d.code, rules: d.rules, reason: d.reason },
        { code: d.code, allowedValues: d.allowedValues, notes: d.notes.map((n) => n.message) },
      );
      continue;
    }
    if (d.action === 'pull_instead') {
      pulls.push({
        action: 'update_local',
        sfId: d.sfId,
        localId: item.id,
        fields: d.fields,
        // The planner always sets it for a pull_instead; were it missing, the deal keeps its company.
        company: item.pulledCompany ?? { via: 'account_not_linked', accountSfId: '' },
        systemModstamp: d.systemModstamp,
        rules: d.rules,
        reason: d.reason,
      });
      pulledRows.set(d.sfId, item.pulledRow ?? {});
      outcomes.set(item.id, {
        status: 'done',
        action: 'overwritten',
        sfId: d.sfId,
        code: null,
        rules: d.rules,
        reason: d.reason,
      });
      continue;
    }
    pending.push({ item, d, fields: { ...d.fields } });
  }

  // 2. D6: the companies deals need, pushed first through the people path (X2 match, A3, X4).
  const needCompany = new Map<string, string>();
  for (const p of pending)
    if (p.d.account.via === 'push_company_first' && !needCompany.has(p.d.account.companyId))
      needCompany.set(p.d.account.companyId, p.item.id);
  let companyOutcomes = new Map<string, PushOutcome>();
  const accountOf = new Map<string, string>();
  if (needCompany.size > 0) {
    const companyIds = [...needCompany.keys()];
    const plan = (await planPush(push, 'company', companyIds, 'manual')).map((c) => {
      const d = c.decision;
      if (d === null || d.action === 'skip' || d.action === 'delete') return c;
      return {
        ...c,
        decision: {
          ...d,
          rules: [...d.rules.filter((r) => r !== 'M1'), 'D6' as const, 'C7' as const],
          reason: `${d.reason.replace(M1_REASON, '')} Pushed before deal ${needCompany.get(c.id)} because an Opportunity goes under its company's Account (D6, as C7 does for a Contact).`,
        },
      };
    });
    companyOutcomes = await executePlan(push, plan);
    const reader = push.deps.store.workspace(push.workspaceId);
    for (const l of await reader.links.getMany('company', companyIds, push.orgId))
      if (l.sfObject === 'Account' && l.state === 'active') accountOf.set(l.localId, l.sfId);
  }
  const ready = pending.filter((p) => {
    if (p.d.account.via !== 'push_company_first') return true;
    const companyId = p.d.account.companyId;
    const accountId = accountOf.get(companyId);
    if (accountId !== undefined) {
      p.fields.AccountId = accountId;
      return true;
    }
    settle(
      p.item.id,
      companyFailed(p.item.id, companyId, companyOutcomes.get(outcomeKey('company', companyId)), p.d.rules),
      {
        fields: p.fields,
      },
    );
    return false;
  });

  // 3. Creates: X4 upserts on Crmsync_Id__c, or intent-then-reconcile.
  const written = new Map<
    string,
    { item: PlannedDeal; d: Send; sfId: string; fields: Record<string, unknown>; created: boolean }
  >();
  const creates = ready.filter((p) => p.d.action === 'create');
  if (creates.length > 0) {
    const out = await createRecords(
      push,
      'Opportunity',
      creates.map((p) => ({ localType: 'deal', localId: p.item.id, fields: p.fields })),
      ctx.externalId,
    );
    intentsToClear = out.intentsToClear.map((c) => ({ localType: 'deal', localIds: c.localIds }));
    for (const p of creates) {
      const r: CreateResult | undefined = out.results.get(p.item.id);
      if (r === undefined) continue;
      if (r.outcome === 'ok' || r.outcome === 'reconciled')
        written.set(p.item.id, {
          item: p.item,
          d: p.d,
          sfId: r.id,
          fields: p.fields,
          created: r.outcome === 'ok' && r.created,
        });
      else if (r.outcome === 'budget')
        settle(p.item.id, { status: 'budget', resumeAt: r.resumeAt, message: r.message });
      else if (r.outcome === 'failed') settle(p.item.id, refused(r, p.d.rules), { fields: p.fields });
      else
        // An upsert whose answer was lost: resending it is safe (X4), so it is retried.
        settle(
          p.item.id,
          refused(
            {
              outcome: 'failed',
              id: null,
              errors: [],
              classification: { ...r.classification, retryable: true },
              requestLevel: true,
            },
            p.d.rules,
          ),
          { fields: p.fields },
        );
    }
  }

  // 4. Updates, in collections of 200; an update with nothing to send costs no call (X5).
  const updates = ready.filter((p) => p.d.action === 'update') as ((typeof ready)[number] & {
    d: Extract<Send, { action: 'update' }>;
  })[];
  const send = updates.filter((u) => Object.keys(u.fields).length > 0);
  let vetoed: unknown = null;
  const results: CrmWriteResult[] = [];
  for (let i = 0; i < send.length && vetoed === null; i += 200) {
    try {
      results.push(
        ...(await push.crm.update(
          'Opportunity',
          send.slice(i, i + 200).map((u) => toCrmFields({ ...u.fields, Id: u.d.sfId })),
        )),
      );
    } catch (err) {
      if (!isBudgetVeto(err)) throw err;
      vetoed = err;
    }
  }
  const resultOf = new Map(send.map((u, i) => [u.item.id, results[i]]));
  for (const u of updates) {
    const r = resultOf.get(u.item.id);
    if (Object.keys(u.fields).length === 0 || r?.outcome === 'ok')
      written.set(u.item.id, { item: u.item, d: u.d, sfId: u.d.sfId, fields: u.fields, created: false });
    else if (r === undefined)
      settle(u.item.id, {
        status: 'budget',
        resumeAt: budgetResumeAt(vetoed, now()) ?? now(),
        message: vetoed instanceof Error ? vetoed.message : 'The API budget is spent.',
      });
    else if (r.outcome === 'failed' && r.classification.code === 'SALESFORCE_RECORD_DELETED') {
      // Under `push` nothing reads the Opportunity first (D1 does): the refused update is how crmsync learns it is gone.
      markLinks.push({ id: u.item.id, state: 'deleted_in_salesforce' });
      settle(
        u.item.id,
        {
          status: 'done',
          action: 'skip',
          sfId: u.d.sfId,
          code: 'link_deleted_in_salesforce',
          rules: u.d.rules,
          reason: `Deal ${u.item.id} was not sent: its Opportunity ${u.d.sfId} was deleted in Salesforce (${r.errors[0]?.statusCode ?? r.classification.sfCode}), so its link is marked and the deal is no longer pushed automatically; push the deal by hand to create it again (M1).`,
        },
        { fields: u.fields },
      );
    } else if (r.outcome === 'failed') settle(u.item.id, refused(r, u.d.rules), { fields: u.fields });
  }

  // 5. D6: contact roles for the deal people that are Contacts (never removed: an admin may have added them).
  const roleRows = [...written.values()].flatMap((w) =>
    w.d.contactRoles.add.map((a) => ({ dealId: w.item.id, OpportunityId: w.sfId, ContactId: a.contactId })),
  );
  const roleFailure = new Map<string, DealOutcome>();
  if (roleRows.length > 0) {
    let roleResults: CrmWriteResult[] = [];
    let roleVeto: unknown = null;
    try {
      roleResults = await push.crm.create(
        'OpportunityContactRole',
        roleRows.map((r) => ({ OpportunityId: r.OpportunityId, ContactId: r.ContactId })),
      );
    } catch (err) {
      if (!isBudgetVeto(err)) throw err;
      roleVeto = err;
    }
    roleRows.forEach((row, i) => {
      const r = roleResults[i];
      if (roleFailure.has(row.dealId) || r?.outcome === 'ok') return;
      const rules = written.get(row.dealId)!.d.rules;
      roleFailure.set(
        row.dealId,
        r === undefined
          ? {
              status: 'budget',
              resumeAt: budgetResumeAt(roleVeto, now()) ?? now(),
              message: roleVeto instanceof Error ? roleVeto.message : 'The API budget is spent.',
            }
          : r.outcome === 'failed'
            ? refused(
                r,
                [...rules, 'D6'],
                `The contact role of Contact ${row.ContactId} could not be added. `,
              )
            : {
                status: 'failed',
                retryable: true,
                classification: r.classification,
                code: r.classification.code,
                sfCode: r.classification.sfCode,
                message: `The contact role of Contact ${row.ContactId} may not have been added; the deal is pushed again, which adds only missing roles.`,
                rules: [...rules, 'D6'],
              },
      );
    });
  }

  // 6. The SystemModstamp of what was just written (D1, P2), then the links, log and events.
  const touched = [...written.values()].filter(
    (w) => Object.keys(w.fields).length > 0 || w.d.action === 'create' || w.d.contactRoles.add.length > 0,
  );
  const stamps = await readBackStamps(
    ctx,
    touched.map((w) => w.sfId),
  );
  for (const w of written.values()) {
    const { item, d, sfId, fields } = w;
    const previous =
      d.action === 'update' && item.link !== null && item.link.orgId === push.orgId ? item.link.snapshot : {};
    const wrote = touched.includes(w);
    links.set(item.id, {
      localType: 'deal',
      localId: item.id,
      orgId: push.orgId,
      sfObject: 'Opportunity',
      sfId,
      snapshot: { ...previous, ...fields },
      systemModstamp: wrote ? (stamps.get(sfId) ?? null) : (item.link?.systemModstamp ?? null),
      state: 'active',
      mergedInto: null,
    });
    for (const s of d.contactRoles.skipped)
      entry(item.id, {
        action: 'contact_role_skipped',
        rules: ['D6'],
        reason: s.reason,
        sfId,
        payload: { personId: s.personId, code: s.code },
      });
    const roles = d.contactRoles.add.map((a) => a.contactId);
    const base = {
      sfId,
      code: null,
      rules: d.action === 'create' ? [...d.rules, 'X4'] : d.rules,
    };
    if (d.action === 'create') {
      events.push({
        type: 'link.created',
        data: { localType: 'deal', localId: item.id, sfObject: 'Opportunity', sfId },
      });
      events.push({
        type: 'record.created_in_salesforce',
        data: { localType: 'deal', localId: item.id, sfObject: 'Opportunity', sfId },
      });
    } else if (Object.keys(fields).length > 0)
      events.push({
        type: 'record.updated_in_salesforce',
        data: { localType: 'deal', localId: item.id, sfObject: 'Opportunity', sfId },
      });
    const action = d.action === 'create' ? 'create' : Object.keys(fields).length > 0 ? 'update' : 'unchanged';
    const landedBefore = d.action === 'create' && !w.created;
    const reason =
      action === 'unchanged'
        ? `${d.reason} Nothing changed since crmsync's last write, so nothing was sent (X5).`
        : landedBefore
          ? `${d.reason} It had already landed in Salesforce (a retried create found it, X4), so it was linked, not created twice.`
          : d.reason;
    settle(
      item.id,
      { status: 'done', action, ...base, reason },
      { fields, contactRoles: roles, notes: d.notes.map((n) => n.message) },
    );
    const roleOutcome = roleFailure.get(item.id);
    if (roleOutcome !== undefined) settle(item.id, roleOutcome, { contactRoles: roles });
  }

  await push.deps.store.transaction(push.workspaceId, async (tx) => {
    for (const link of links.values()) await tx.links.put(link);
    for (const m of markLinks)
      await tx.links.markState({ localType: 'deal', localId: m.id, orgId: push.orgId }, m.state);
    for (const c of intentsToClear) await tx.intents.clear(push.orgId, c.localType, c.localIds);
    if (links.size > 0) await tx.intents.clear(push.orgId, 'deal', [...links.keys()]);
    if (pulls.length > 0) {
      // D1: Salesforce wins; the change is applied locally and never queued for push (P2).
      await applyDealPullActions(
        tx,
        { workspaceId: push.workspaceId, orgId: push.orgId, settings: push.settings },
        pulls,
        pulledRows,
        'overwritten',
      );
    }
    if (log.length > 0) await tx.log.append(log);
    for (const e of events) await appendEvent(tx, e.type, e.data);
  });
  return outcomes;
}

/** One query per 200 Opportunities; best effort (an unknown stamp only makes D1 pull that deal once). */
async function readBackStamps(ctx: DealPushContext, sfIds: readonly string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const ids = [...new Set(sfIds)];
  for (let i = 0; i < ids.length; i += 200) {
    try {
      const rows = await ctx.push.crm.query(
        `SELECT Id, SystemModstamp FROM Opportunity WHERE Id IN (${ids
          .slice(i, i + 200)
          .map(soqlId)
          .join(', ')})`,
      );
      for (const r of rows) if (typeof r.SystemModstamp === 'string') out.set(String(r.Id), r.SystemModstamp);
    } catch (err) {
      ctx.push.deps.logger.warn(
        { workspaceId: ctx.push.workspaceId, error: err instanceof Error ? err.message : String(err) },
        'could not read back Opportunity SystemModstamp after a push',
      );
    }
  }
  return out;
}

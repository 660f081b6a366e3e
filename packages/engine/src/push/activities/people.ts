import { createHash } from 'node:crypto';
import { emailKey, linkInOrg, Person, type ActivityDecision, type WhoSettlement } from '@crmsync/core';
import type { PushContext } from '../context.js';
import { executePlan, outcomeKey } from '../execute.js';
import { planPush } from '../plan.js';

/*
 * E3 and E10: when the settings say to create a missing person for an activity, it is created the
 * way a manually pushed person is (M1: C4 decides Contact or Lead, C5, C7, X1 finds one that
 * appeared meanwhile, X4 makes a retry safe), from a local person with that address; one is made
 * when the workspace has none, with an id derived from the address so a retry reuses it. Core
 * never asks for an address on a mailbox domain.
 */

export type SettledPerson =
  | { ok: true; object: 'Contact' | 'Lead'; id: string }
  /** `sfCode`: Salesforce's (or crmsync's budget) code of why the person was not pushed. */
  | { ok: false; retryable: boolean; sfCode: string; message: string };

type Creating = Extract<WhoSettlement, { via: 'create' }>;

/** The local id of a person crmsync makes for an address: stable, so a retried batch reuses it. */
export function personIdForAddress(key: string): string {
  return `auto-${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
}

/** Creates the people the decisions ask for; keyed by the address as X1 compares it. */
export async function settleMissingPeople(
  ctx: PushContext,
  decisions: readonly Extract<ActivityDecision, { action: 'create' | 'update' }>[],
): Promise<Map<string, SettledPerson>> {
  const wanted = new Map<string, { who: Creating; rule: 'E3' | 'E10' }>();
  for (const d of decisions)
    for (const w of [d.who, ...d.relations])
      if (w?.via === 'create') {
        const key = emailKey(w.email);
        if (key !== null && !wanted.has(key))
          wanted.set(key, { who: w, rule: d.kind === 'meeting' ? 'E10' : 'E3' });
      }
  const settled = new Map<string, SettledPerson>();
  if (wanted.size === 0) return settled;

  const personOf = new Map<string, string>();
  const made: Person[] = [];
  for (const [key, { who }] of wanted) {
    const id = who.personId ?? personIdForAddress(key);
    personOf.set(key, id);
    if (who.personId === null)
      made.push(
        Person.parse({
          id,
          workspaceId: ctx.workspaceId,
          lastName: who.email.slice(0, who.email.indexOf('@')) || who.email,
          email: who.email,
          emailStatus: 'verified',
        }),
      );
  }
  if (made.length > 0)
    await ctx.deps.store.transaction(ctx.workspaceId, async (tx) => {
      for (const p of made) await tx.records.upsert('person', p);
      await tx.log.append(
        made.map((p) => ({
          recordType: 'person' as const,
          recordId: p.id,
          action: 'create_local',
          rules: [wanted.get(emailKey(p.email)!)!.rule, 'C4'],
          reason: `Made for ${p.email}, which an activity is logged on and which is not in Salesforce; the settings say to create missing people, so it is pushed as C4 says.`,
          runId: ctx.runId,
        })),
      );
    });

  const ids = [...new Set(personOf.values())];
  const outcomes = await executePlan(ctx, await planPush(ctx, 'person', ids, 'manual'));
  const links = new Map(
    (await ctx.deps.store.workspace(ctx.workspaceId).links.getMany('person', ids, ctx.orgId)).map((l) => [
      l.localId,
      l,
    ]),
  );
  for (const [key, id] of personOf) {
    const link = linkInOrg(links.get(id) ?? null, ctx.orgId);
    if (
      link !== null &&
      link.state === 'active' &&
      (link.sfObject === 'Contact' || link.sfObject === 'Lead')
    ) {
      settled.set(key, { ok: true, object: link.sfObject, id: link.sfId });
      continue;
    }
    const o = outcomes.get(outcomeKey('person', id));
    settled.set(
      key,
      o?.status === 'failed'
        ? {
            ok: false,
            retryable: o.retryable,
            sfCode: o.sfCode,
            message: `person ${id} (${key}): ${o.message}`,
          }
        : o?.status === 'budget'
          ? {
              ok: false,
              retryable: true,
              sfCode: 'API_BUDGET_EXHAUSTED',
              message: `person ${id} (${key}) waits for the API budget: ${o.message}`,
            }
          : {
              ok: false,
              retryable: false,
              sfCode: o?.status === 'done' && o.code !== null ? o.code : 'NOT_PUSHED',
              message: `person ${id} (${key}) was not pushed: ${o?.status === 'done' ? o.reason : 'no outcome'}`,
            },
    );
  }
  return settled;
}

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Settings } from '@crmsync/core';
import { dryRunPushAll, dryRunSettingsChange } from '../src/dry-run.js';
import { createEngine } from '../src/engine.js';
import { dealJobKey, DEAL_QUEUE } from '../src/push/jobs.js';
import { pushAllDeals, pushDealsNow } from '../src/push/deals/push-all.js';
import { checkSettingsAgainstOrg } from '../src/settings-check.js';
import { company, drain, ingestAll, startEmulatorProcess, type EmulatorProcess } from './harness.js';
import { pullWorld, type PullWorld } from './pull-harness.js';
import { deal, dealLink, dealLog, ingestDeals, OPP_FIELDS, STAGES, type OppRow } from './deals-harness.js';

/*
 * Deals pushed outside the worker and previewed: the manual push (M1), the deal backfill of push
 * all (C9), the dry runs (O2) whose counts equal the real runs and which leave the emulator's
 * write counter still, and the settings check against the org (D6 stage mapping, X5 field maps).
 */

let emu: EmulatorProcess;
before(async () => {
  emu = await startEmulatorProcess();
});
after(() => emu.close());

const opps = (w: PullWorld, where = '') => w.soql<OppRow>(`SELECT ${OPP_FIELDS} FROM Opportunity${where}`);
const check = (w: PullWorld) => (settings: Settings) =>
  checkSettingsAgainstOrg({ store: w.store, getCrm: (ws) => w.sessions.getCrm(ws) }, w.workspaceId, settings);
const settingsWith = (deals: Record<string, unknown>, rest: Record<string, unknown> = {}) =>
  Settings.parse({ version: 2, lifecycle: { configurationWindowHours: 0 }, deals, ...rest });

test('M1, D1: a manual push re-creates a deal whose Opportunity was deleted in Salesforce (the worker does not); under dealSync off (D2) it sends nothing', async (t) => {
  const w = await pullWorld(t, emu, {
    settings: { deals: { dealSync: 'bidirectional', stageMapping: STAGES } },
  });
  await ingestDeals(w, [deal('d1'), deal('d2')]);
  await drain(w);
  const first = (await dealLink(w, 'd1'))!.sfId;
  await w.deleteAsPerson(first);
  await ingestDeals(w, [deal('d1', { amount: 7 })]);
  await drain(w);
  assert.equal((await opps(w, ` WHERE Id = '${first}'`)).length, 0);
  assert.equal((await opps(w)).length, 1, 'the worker did not re-create it');
  assert.equal((await dealLink(w, 'd1'))?.state, 'deleted_in_salesforce');

  const [result] = await pushDealsNow(w.deps, w.sessions, w.workspaceId, ['d1']);
  assert.equal(result?.type, 'deal');
  assert.equal(result?.outcome.status, 'done');
  assert.ok(result?.outcome.status === 'done' && result.outcome.action === 'create');
  const link = await dealLink(w, 'd1');
  assert.equal(link?.state, 'active');
  assert.notEqual(link?.sfId, first, 'a new Opportunity');
  const [row] = await opps(w, ` WHERE Id = '${link!.sfId}'`);
  assert.equal(row?.Amount, 7);
  assert.equal(row?.StageName, 'Prospecting');
  const entry = (await dealLog(w, 'd1')).find((e) => e.action === 'create' && e.sfId === link?.sfId);
  assert.ok(entry?.rules.includes('M1'), 'the log names M1');

  await w.setSettings({ deals: { dealSync: 'off', stageMapping: STAGES } });
  await ingestDeals(w, [deal('d2', { amount: 99 })]);
  const writes = await w.writeTotal();
  const [off] = await pushDealsNow(w.deps, w.sessions, w.workspaceId, ['d2']);
  assert.ok(off?.outcome.status === 'done' && off.outcome.action === 'skip');
  assert.equal(off?.outcome.status === 'done' ? off.outcome.code : null, 'deal_sync_off');
  assert.equal(await w.writeTotal(), writes, 'nothing sent under dealSync off');
});

test('C9, D4, O2: push all backfills every never-linked deal (company first, unmapped stage skipped); its dry run counts the same and writes nothing; under off nothing is considered', async (t) => {
  const w = await pullWorld(t, emu, { settings: { deals: { dealSync: 'off', stageMapping: STAGES } } });
  await ingestAll(w, 'company', [company('co1', { name: 'Backfill Co' })]);
  await ingestDeals(w, [
    deal('a', { companyId: 'co1' }),
    deal('b', { stage: 'Won' }),
    deal('c', { stage: 'Weird' }),
  ]);
  assert.equal(
    (await w.queue.counts(w.workspaceId)).byQueue.find((q) => q.queue === DEAL_QUEUE)?.pending ?? 0,
    0,
    'no deal queued under off',
  );

  const offWrites = await w.writeTotal();
  const off = await pushAllDeals(w.deps, w.sessions, w.workspaceId);
  assert.deepEqual([off.dealSync, off.total, off.created], ['off', 0, 0]);
  assert.equal((await dryRunPushAll(w.deps, w.sessions, w.workspaceId)).deals, null);
  assert.equal(await w.writeTotal(), offWrites);

  await w.setSettings({ deals: { dealSync: 'push', stageMapping: STAGES } });
  const writes = await w.writeTotal();
  const dry = await dryRunPushAll(w.deps, w.sessions, w.workspaceId);
  assert.equal(await w.writeTotal(), writes, 'the dry run wrote nothing to Salesforce');
  assert.equal(await dealLink(w, 'a'), null, 'nor any link');
  assert.deepEqual(
    {
      total: dry.deals?.total,
      created: dry.deals?.created,
      skipped: dry.deals?.skipped,
      reasons: dry.deals?.skippedByReason,
    },
    { total: 3, created: 2, skipped: 1, reasons: { stage_not_mapped: 1 } },
  );

  const real = await pushAllDeals(w.deps, w.sessions, w.workspaceId);
  assert.deepEqual(
    { total: real.total, created: real.created, skipped: real.skipped, failed: real.failed },
    { total: dry.deals!.total, created: dry.deals!.created, skipped: dry.deals!.skipped, failed: 0 },
  );
  const rows = await opps(w);
  assert.equal(rows.length, 2);
  const account = (await w.store.workspace(w.workspaceId).links.get('company', 'co1', w.org.orgId))?.sfId;
  assert.ok(account !== undefined, 'the company was pushed first (D6)');
  const byId = new Map(rows.map((r) => [r.Id, r]));
  assert.equal(byId.get((await dealLink(w, 'a'))!.sfId)?.AccountId, account, 'under its Account');
  assert.equal(byId.get((await dealLink(w, 'b'))!.sfId)?.AccountId, null, 'no company, no Account');
  assert.deepEqual(rows.map((r) => r.StageName).sort(), ['Closed Won', 'Prospecting']);
  const skip = (await dealLog(w, 'c')).find((e) => e.action === 'skip');
  assert.equal(skip?.runId, real.runId, 'every entry carries the run id');
  assert.match(String(skip?.reason), /stage "Weird".*deals\.stageMapping/);

  // A second run (the engine's push all: people, then deals) has only the refused deal left, and creates nothing twice.
  const again = (await createEngine(w.deps).pushAll(w.workspaceId)).deals;
  assert.deepEqual([again.total, again.created, again.skipped], [1, 0, 1]);
  assert.equal((await opps(w)).length, 2);
});

test('O2, D4: a settings change dry run decides every deal under the old and the new settings, writes nothing, and the run that follows matches', async (t) => {
  const w = await pullWorld(t, emu, { settings: { deals: { dealSync: 'off', stageMapping: STAGES } } });
  await ingestDeals(w, [deal('x'), deal('y', { stage: 'Weird' }), deal('z', { stage: 'Lost' })]);
  const next = settingsWith({ dealSync: 'push', stageMapping: STAGES });
  const writes = await w.writeTotal();
  const dry = await dryRunSettingsChange(w.deps, w.sessions, w.workspaceId, next, { check: check(w) });
  assert.equal(await w.writeTotal(), writes);
  assert.deepEqual(dry.before.deal.skippedByReason, { deal_sync_off: 3 });
  assert.equal(dry.after.deal.created, 2);
  assert.deepEqual(dry.after.deal.skippedByReason, { stage_not_mapped: 1 });
  assert.deepEqual(dry.problems, []);
  assert.deepEqual(
    dry.changed
      .filter((c) => c.type === 'deal')
      .map((c) => [c.id, c.before, c.after])
      .sort(),
    [
      ['x', 'skip:deal_sync_off', 'create'],
      ['y', 'skip:deal_sync_off', 'skip:stage_not_mapped'],
      ['z', 'skip:deal_sync_off', 'create'],
    ],
  );

  // The real run: save the settings, touch every deal, push.
  await w.store.transaction(w.workspaceId, async (tx) => {
    await tx.settings.put(next, 'test');
    await tx.jobs.enqueue(['x', 'y', 'z'].map((id) => ({ queue: DEAL_QUEUE, key: dealJobKey(id) })));
  });
  await drain(w);
  assert.equal((await opps(w)).length, dry.after.deal.created);
  assert.ok((await dealLog(w, 'y')).some((e) => e.action === 'skip' && e.rules.includes('D6')));
});

test('D6, X5: settings are checked against the org: a stage mapping target not in the StageName picklist and an unknown field are each a problem with path and sentence; a valid mapping has none', async (t) => {
  const w = await pullWorld(t, emu, {});
  assert.deepEqual(await check(w)(settingsWith({})), [], 'the defaults are valid against the org');
  assert.deepEqual(
    await check(w)(settingsWith({ dealSync: 'bidirectional', stageMapping: STAGES })),
    [],
    'a mapping onto real StageName values',
  );

  const bad = settingsWith(
    { dealSync: 'push', stageMapping: { Open: 'Prospecting', Won: 'Closed Wonn' } },
    { fieldMappings: { Opportunity: [{ local: 'name', salesforce: 'Nmae' }] } },
  );
  const problems = await check(w)(bad);
  assert.deepEqual(problems.map((p) => p.path).sort(), [
    'deals.stageMapping.Won',
    'fieldMappings.Opportunity.0.salesforce',
  ]);
  const stage = problems.find((p) => p.path === 'deals.stageMapping.Won')!;
  assert.match(stage.message, /"Closed Wonn" is not a StageName value/);
  assert.match(stage.message, /"Closed Won"/, 'the allowed values are listed');
  assert.match(
    problems.find((p) => p.path.startsWith('fieldMappings'))!.message,
    /no field Nmae.*did you mean Name/,
  );

  // The settings dry run carries the same problems.
  const dry = await dryRunSettingsChange(w.deps, w.sessions, w.workspaceId, bad, { check: check(w) });
  assert.deepEqual(dry.problems, problems);
});

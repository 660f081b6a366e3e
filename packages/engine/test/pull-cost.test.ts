import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { SettingsInput } from '@crmsync/core';
import { runDuePull, schedulePull } from '../src/pull/pull-schedule.js';
import type { PullReport } from '../src/pull/run-pull.js';
import { startEmulatorProcess, type EmulatorProcess } from './harness.js';
import { MINUTE, pullWorld, type PullWorld } from './pull-harness.js';

/*
 * P1 vs O3: a scheduled pull runs every 5 minutes all day, so an idle one must cost next to
 * nothing (the org's default share is 3,000 calls a day). Costs are counted where Salesforce
 * counts them: the emulator's request counter (a composite is one request) and crmsync's own
 * O3 ledger, which must agree.
 */

const IDLE_BUDGET = 3;

let emu: EmulatorProcess;
before(async () => {
  emu = await startEmulatorProcess();
});
after(() => emu.close());

type Done = Extract<PullReport, { status: 'done' }>;

/** Runs the due scheduled pull and measures it: emulator requests, ledger rows, the report. */
async function scheduledPull(
  w: PullWorld,
): Promise<{ calls: number; ledger: number; endpoints: Record<string, number>; report: Done }> {
  const session = await w.sessions.session(w.workspaceId);
  await session.flushLedger();
  const ledgerBefore = await w.store.workspace(w.workspaceId).ledger.sumLast24Hours(w.org.orgId);
  await w.control('DELETE', '/requests');
  await w.store.transaction(w.workspaceId, (tx) => schedulePull(tx, w.clock.now()));
  const outcome = await runDuePull(w.pullDeps, w.workspaceId);
  const tally = await w.requests();
  await session.flushLedger();
  const ledger = (await w.store.workspace(w.workspaceId).ledger.sumLast24Hours(w.org.orgId)) - ledgerBefore;
  if (!outcome.ran || !('report' in outcome) || outcome.report.status !== 'done')
    throw new Error(`the scheduled pull did not finish: ${JSON.stringify(outcome)}`);
  return { calls: tally.total, ledger, endpoints: tally.byEndpoint, report: outcome.report };
}

async function settledWorld(
  t: Parameters<typeof pullWorld>[0],
  settings: Omit<SettingsInput, 'version'> = {},
): Promise<PullWorld> {
  const w = await pullWorld(t, emu, { settings });
  await w.createAsPerson('Account', { Name: 'Acme', Website: 'acme.com' });
  await w.createAsPerson('Contact', { LastName: 'Known', Email: 'known@acme.com' });
  await w.createAsPerson('Lead', { LastName: 'Prospect', Company: 'Initech', Email: 'p@initech.com' });
  // The first pull (full, the index too) and the describes it caches are not what an idle run costs.
  await scheduledPull(w);
  await w.advance(5 * MINUTE);
  return w;
}

describe('pull: cost of a scheduled run (P1, O3)', () => {
  test(`P1/O3 an idle scheduled pull costs at most ${IDLE_BUDGET} API calls, as the emulator and the O3 ledger both count them`, async (t) => {
    const w = await settledWorld(t);
    const idle = await scheduledPull(w);
    assert.deepEqual(idle.report.counts, {}, 'nothing changed, nothing applied');
    assert.ok(
      idle.calls <= IDLE_BUDGET,
      `an idle pull cost ${idle.calls} calls: ${JSON.stringify(idle.endpoints)}`,
    );
    assert.ok(idle.calls >= 1, 'it did ask Salesforce');
    assert.equal(idle.ledger, idle.calls, 'the O3 ledger counts what Salesforce counts');
    assert.ok(
      Object.keys(idle.endpoints).every((e) => /composite/.test(e)),
      `only composite calls: ${JSON.stringify(idle.endpoints)}`,
    );
    // Again, later: the cost does not creep up as cursors move.
    await w.advance(5 * MINUTE);
    const again = await scheduledPull(w);
    assert.ok(again.calls <= IDLE_BUDGET, `the next idle pull cost ${again.calls}`);
    t.diagnostic(
      `idle scheduled pull: ${idle.calls} API calls (${Math.round(((24 * 60) / 5) * idle.calls)} a day at the default 5-minute interval)`,
    );
  });

  test('P1 the cheap run still pulls a change of every kind: new and edited rows of each object, a deletion, a merge, a conversion, the Account index', async (t) => {
    const w = await settledWorld(t, { contacts: { deletionSync: true, mergeSync: true } });
    const [acme] = await w.soql<{ Id: string }>(`SELECT Id FROM Account WHERE Name = 'Acme'`);
    const [known] = await w.soql<{ Id: string }>(`SELECT Id FROM Contact WHERE LastName = 'Known'`);
    const [prospect] = await w.soql<{ Id: string }>(`SELECT Id FROM Lead WHERE LastName = 'Prospect'`);
    const newAccount = await w.createAsPerson('Account', { Name: 'Globex', Website: 'globex.com' });
    await w.updateAsPerson('Account', acme!.Id, { Website: 'acme.example' });
    const newContact = await w.createAsPerson('Contact', { LastName: 'Fresh', Email: 'fresh@acme.com' });
    const newLead = await w.createAsPerson('Lead', {
      LastName: 'Newcomer',
      Company: 'Hooli',
      Email: 'n@hooli.com',
    });
    const survivor = await w.createAsPerson('Contact', { LastName: 'Survivor', Email: 's@acme.com' });
    const loser = await w.createAsPerson('Contact', { LastName: 'Loser', Email: 'l@acme.com' });
    const gone = await w.createAsPerson('Contact', { LastName: 'Gone', Email: 'gone@acme.com' });
    // Link the merge pair and the one to delete first, as the idle runs would have.
    await w.advance(MINUTE);
    await scheduledPull(w);
    assert.ok(await w.linked(loser));
    const prospectLocal = (await w.linked(prospect!.Id))!.localId;

    await w.control('POST', '/merge', { object: 'Contact', masterId: survivor, mergeIds: [loser] });
    await w.deleteAsPerson(gone);
    const converted = await w.control<{ success: boolean; contactId: string }>('POST', '/convert-lead', {
      leadId: prospect!.Id,
    });
    assert.equal(converted.success, true);
    await w.updateAsPerson('Contact', known!.Id, { Title: 'CTO' });
    // The deletion feed covers whole minutes that have passed.
    await w.advance(2 * MINUTE);
    const busy = await scheduledPull(w);
    assert.ok(
      busy.calls <= IDLE_BUDGET,
      `a run whose changes fit in one page costs the same: ${busy.calls} calls, ${JSON.stringify(busy.endpoints)}`,
    );

    assert.equal((await w.linked(loser))?.state, 'merged', 'merge pulled');
    assert.equal((await w.linked(gone))?.state, 'deleted_in_salesforce', 'deletion pulled');
    const reader = w.store.workspace(w.workspaceId);
    const knownLink = (await w.linked(known!.Id))!;
    assert.equal(
      (await reader.records.get('person', knownLink.localId))?.data.title,
      'CTO',
      'edited Contact pulled',
    );
    assert.equal(await w.linked(prospect!.Id), null, 'conversion pulled: no link to the Lead remains');
    assert.equal(
      (await w.linked(converted.contactId))?.localId,
      prospectLocal,
      'the same person, now linked to the Contact',
    );
    const acmeLink = (await w.linked(acme!.Id))!;
    assert.equal(
      (await reader.records.get('company', acmeLink.localId))?.data.website,
      'acme.example',
      'edited Account pulled',
    );
    assert.ok(await w.linked(newContact), 'new Contact pulled');
    assert.ok(await w.linked(newLead), 'new Lead pulled');
    assert.ok(await w.linked(newAccount), 'new Account pulled');
    const indexed = await reader.accountIndex.findByNames(w.org.orgId, ['Globex']);
    assert.deepEqual(
      indexed.map((a) => a.Id),
      [newAccount],
      'the X2 index took the new Account from the shared read',
    );
    const [edited] = await reader.accountIndex.findByNames(w.org.orgId, ['Acme']);
    assert.equal(edited?.Website, 'acme.example', 'and the edit');
  });

  test('P3 objects whose pull is off are not read: with every pullRecords off the run costs one call and still keeps the index and the feeds', async (t) => {
    const w = await settledWorld(t, {
      pull: { pullRecords: { contacts: false, leads: false, accounts: false } },
      contacts: { deletionSync: true },
    });
    const idle = await scheduledPull(w);
    assert.equal(
      idle.calls,
      1,
      `four feed queries, three deletion feeds and the index read fit one composite: ${JSON.stringify(idle.endpoints)}`,
    );

    const account = await w.createAsPerson('Account', { Name: 'Umbrella', Website: 'umbrella.com' });
    const contact = await w.createAsPerson('Contact', { LastName: 'Unpulled', Email: 'u@acme.com' });
    await w.advance(MINUTE);
    const run = await scheduledPull(w);
    assert.equal(run.calls, 1);
    const feeds = (await w.store.workspace(w.workspaceId).cursors.get(w.org.orgId, 'pull:feeds')) as {
      since: string;
    } | null;
    assert.equal(
      feeds?.since,
      w.clock.now().toISOString(),
      'the feeds (merges, deletions, conversions) were read in that call',
    );
    assert.equal(await w.linked(contact), null, 'Contacts are not pulled');
    assert.equal(await w.linked(account), null, 'Accounts are not pulled');
    const indexed = await w.store
      .workspace(w.workspaceId)
      .accountIndex.findByNames(w.org.orgId, ['Umbrella']);
    assert.deepEqual(
      indexed.map((a) => a.Id),
      [account],
      'the X2 index still follows Accounts',
    );
  });
});

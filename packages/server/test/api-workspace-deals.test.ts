import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ADMIN_KEY, control, json, startApi, startEmulatorProcess, type EmulatorProcess } from './harness.js';

/*
 * The routes the web UI needs: the caller's workspace, settings checked against the org (D6),
 * API usage against the budget (O3), text search, and deals in the manual push (M1) and in lists
 * (D5 hidden deals). Two workspaces with identical emails, names and external ids throughout.
 */

let emu: EmulatorProcess;
before(async () => {
  emu = await startEmulatorProcess();
});
after(() => emu.close());

const STAGES = { people: ['Cold', 'Hot'], companies: [], deals: ['Open', 'Won', 'Lost'] };
const STAGE_MAPPING = { Open: 'Prospecting', Won: 'Closed Won', Lost: 'Closed Lost' };

test('GET /workspace answers the caller its own workspace (name, mailbox domains, stage lists), 401 without a key', async (t) => {
  const api = await startApi(t, null);
  const a = await api.workspace('acme', { stages: STAGES, mailboxDomains: ['acme.example'] });
  const b = await api.workspace('globex', { stages: { people: ['Lead'], companies: ['Big'], deals: [] } });
  const mine = await api.call('GET', '/api/v1/workspace', { key: a });
  assert.equal(mine.statusCode, 200, mine.body);
  assert.deepEqual(json(mine), {
    id: 'acme',
    name: 'Team acme',
    mailboxDomains: ['acme.example'],
    stages: STAGES,
  });
  const theirs = json(await api.call('GET', '/api/v1/workspace', { key: b }));
  assert.equal(theirs.id, 'globex');
  assert.deepEqual(theirs.stages.people, ['Lead']);
  assert.equal((await api.call('GET', '/api/v1/workspace', { key: null })).statusCode, 401);
  assert.equal((await api.call('GET', '/api/v1/workspace', { key: ADMIN_KEY })).statusCode, 401);
  const docs = json(await api.call('GET', '/docs/json'));
  assert.ok(docs.paths['/api/v1/workspace']?.get, 'documented in /docs');
});

test('D6: a stage mapping to StageNames the org lacks is listed by the preview and refused by PUT /settings and settings import (422, every problem, nothing saved)', async (t) => {
  const api = await startApi(t, emu);
  const key = await api.workspace('acme', { stages: STAGES });
  await api.connect(key, { settings: { deals: { dealSync: 'push', stageMapping: STAGE_MAPPING } } });
  const saved = json(await api.call('GET', '/api/v1/settings', { key }));
  const bad = {
    ...saved.settings,
    deals: {
      ...(saved.settings.deals as object),
      stageMapping: { Open: 'Prospecting', Won: 'Signed and sealed', Lost: 'Gone away' },
    },
  };

  const preview = await api.call('POST', '/api/v1/settings/preview', { key, body: bad });
  assert.equal(preview.statusCode, 200, preview.body);
  const problems = json(preview).problems as { path: string; message: string }[];
  assert.deepEqual(problems.map((p) => p.path).sort(), ['deals.stageMapping.Lost', 'deals.stageMapping.Won']);
  assert.match(problems.find((p) => p.path === 'deals.stageMapping.Won')!.message, /Signed and sealed/);
  const clean = json(await api.call('POST', '/api/v1/settings/preview', { key, body: saved.settings }));
  assert.deepEqual(clean.problems, []);

  const put = await api.call('PUT', '/api/v1/settings', { key, body: bad });
  assert.equal(put.statusCode, 422, put.body);
  assert.equal(json(put).error.code, 'SETTINGS_INVALID');
  const refused = json(put).error.details.problems as { path: string; message: string }[];
  assert.deepEqual(refused.map((p) => p.path).sort(), ['deals.stageMapping.Lost', 'deals.stageMapping.Won']);
  for (const p of refused) assert.ok(p.message.length > 20, `a sentence for ${p.path}: ${p.message}`);

  const imported = await api.call('POST', '/api/v1/settings/import', {
    key,
    body: {
      format: 'crmsync-settings',
      exportedAt: new Date().toISOString(),
      workspaceId: 'acme',
      settings: bad,
    },
  });
  assert.equal(imported.statusCode, 422, imported.body);
  assert.equal(json(imported).error.details.problems.length, 2);

  const after = json(await api.call('GET', '/api/v1/settings', { key }));
  assert.equal(after.version, saved.version, 'nothing saved');
  assert.deepEqual(after.settings.deals.stageMapping, STAGE_MAPPING);
});

test("O3: /connection apiUsage gives the ledger's count, the org's daily limit and crmsync's budget in requests", async (t) => {
  const api = await startApi(t, emu);
  const key = await api.workspace('acme', { stages: STAGES });
  const other = await api.workspace('globex', { stages: STAGES });
  await api.connect(key, { settings: { apiBudget: { sharePercent: 30 } } });
  const status = json(await api.call('GET', '/api/v1/connection', { key }));
  const usage = status.apiUsage;
  assert.equal(usage.budgetPercent, 30);
  assert.equal(usage.reservePercent, 5);
  assert.ok(Number.isInteger(usage.orgDailyLimit) && usage.orgDailyLimit > 0, JSON.stringify(usage));
  assert.equal(usage.budget, Math.floor((usage.orgDailyLimit * 30) / 100));
  assert.ok(usage.orgUsed >= 1, 'the org counted the sign-in and checks');
  assert.ok(usage.last24Hours >= 1, 'the ledger counted them too');
  const none = json(await api.call('GET', '/api/v1/connection', { key: other }));
  assert.deepEqual(none.apiUsage, {
    last24Hours: 0,
    budgetPercent: 20,
    reservePercent: 5,
    orgDailyLimit: null,
    orgUsed: null,
    budget: null,
  });
});

test('q= searches people by name or email and companies by name or website, case-insensitive, page by page, in the caller workspace only', async (t) => {
  const api = await startApi(t, null);
  const a = await api.workspace('acme', { stages: STAGES });
  const b = await api.workspace('globex', { stages: STAGES });
  for (const key of [a, b]) {
    for (const [id, firstName, lastName, email] of [
      ['p1', 'Ada', 'Lovelace', 'ada@analytical.example'],
      ['p2', 'Grace', 'Hopper', 'grace@navy.example'],
      ['p3', 'Adam', 'Smith', 'adam@wealth.example'],
      ['p4', 'Alan', 'Turing', 'alan@ADA-labs.example'],
    ])
      assert.equal(
        (await api.call('POST', '/api/v1/people', { key, body: { id, firstName, lastName, email } }))
          .statusCode,
        201,
      );
  }
  await api.call('POST', '/api/v1/companies', {
    key: a,
    body: { id: 'c1', name: 'Analytical Engines', website: 'https://engines.example' },
  });
  await api.call('POST', '/api/v1/companies', {
    key: a,
    body: { id: 'c2', name: 'Navy', website: 'navy.example' },
  });
  await api.call('PUT', '/api/v1/people/p3', { key: b, body: { firstName: 'Adam', lastName: 'Gone' } });

  const ids = async (key: string, url: string) =>
    (json(await api.call('GET', url, { key })).items as { id: string }[]).map((r) => r.id);
  assert.deepEqual(await ids(a, '/api/v1/people?q=ADA'), ['p1', 'p3', 'p4']);
  assert.deepEqual(await ids(a, '/api/v1/people?q=grace%20HOP'), ['p2'], 'first and last name are one text');
  assert.deepEqual(await ids(a, '/api/v1/people?q=%20lovelace%20'), ['p1'], 'surrounding spaces trimmed');
  assert.deepEqual(await ids(a, '/api/v1/people?q=navy.EXAMPLE'), ['p2']);
  assert.deepEqual(
    await ids(b, '/api/v1/people?q=smith'),
    [],
    "the other workspace's Adam Smith was renamed",
  );
  assert.deepEqual(await ids(a, '/api/v1/companies?q=ENGINES'), ['c1']);
  assert.deepEqual(await ids(a, '/api/v1/companies?q=navy'), ['c2']);
  assert.deepEqual(await ids(b, '/api/v1/companies?q=navy'), []);

  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: { id: string }[]; nextCursor: string | null } = json(
      await api.call('GET', `/api/v1/people?q=ada&limit=1${cursor === null ? '' : `&cursor=${cursor}`}`, {
        key: a,
      }),
    );
    assert.ok(page.items.length <= 1);
    seen.push(...page.items.map((r) => r.id));
    cursor = page.nextCursor;
  } while (cursor !== null);
  assert.deepEqual(seen, ['p1', 'p3', 'p4'], 'every match once, following nextCursor');

  const empty = await api.call('GET', '/api/v1/people?q=', { key: a });
  assert.equal(empty.statusCode, 400, 'an empty search is refused, not a full list');
  const docs = json(await api.call('GET', '/docs/json'));
  assert.ok(
    (docs.paths['/api/v1/people'].get.parameters as { name: string }[]).some((p) => p.name === 'q'),
    'q is documented',
  );
});

test("M1, D5: deals are pushed by POST /push (another workspace's deal is a 404, nothing sent); hidden deals are left out of the list unless ?hidden=include", async (t) => {
  const api = await startApi(t, emu);
  const key = await api.workspace('acme', { stages: STAGES });
  const other = await api.workspace('globex', { stages: STAGES });
  const org = await api.connect(key, {
    settings: { deals: { dealSync: 'push', stageMapping: STAGE_MAPPING, hideDeals: true } },
  });
  for (const k of [key, other])
    assert.equal(
      (
        await api.call('POST', '/api/v1/deals', {
          key: k,
          body: { id: 'd1', name: 'Acme renewal', stage: 'Open', amount: 1200, closeDate: '2027-03-31' },
        })
      ).statusCode,
      201,
    );
  await api.call('POST', '/api/v1/deals', {
    key: other,
    body: { id: 'd9', name: 'Only at Globex', stage: 'Open', closeDate: '2027-03-31' },
  });

  const writes = async () => {
    const { totals } = await control<{ totals: Record<string, Record<string, number>> }>(
      emu,
      'GET',
      `/orgs/${org.orgId}/writes`,
    );
    return Object.values(totals).reduce((n, ops) => n + Object.values(ops).reduce((x, y) => x + y, 0), 0);
  };
  const before = await writes();
  const foreign = await api.call('POST', '/api/v1/push', { key, body: { deals: ['d1', 'd9'] } });
  assert.equal(foreign.statusCode, 404, foreign.body);
  assert.match(json(foreign).error.message, /d9/);
  assert.equal(await writes(), before, 'nothing sent');

  const pushed = await api.call('POST', '/api/v1/push', { key, body: { deals: ['d1'] } });
  assert.equal(pushed.statusCode, 200, pushed.body);
  const [result] = json(pushed).results;
  assert.equal(result.type, 'deal');
  assert.equal(result.id, 'd1');
  assert.equal(result.outcome.status, 'done');
  assert.equal(result.outcome.action, 'create', JSON.stringify(result));
  const opp = await control<{ Name: string; StageName: string; Amount: number }>(
    emu,
    'GET',
    `/orgs/${org.orgId}/records/${result.outcome.sfId}`,
  );
  assert.equal(opp.Name, 'Acme renewal');
  assert.equal(opp.StageName, 'Prospecting');
  assert.equal(opp.Amount, 1200);

  // A deal that came from Salesforce (D5) while hideDeals is on.
  await api.store.transaction('acme', (tx) =>
    tx.records.upsert('deal', {
      id: 'd_sf',
      workspaceId: 'acme',
      externalId: null,
      name: 'From Salesforce',
      amount: null,
      stage: 'Won',
      closeDate: null,
      companyId: null,
      personIds: [],
      ownerId: null,
      origin: 'salesforce',
    }),
  );
  const list = async (q: string) =>
    (json(await api.call('GET', `/api/v1/deals${q}`, { key })).items as { id: string }[]).map((r) => r.id);
  assert.deepEqual(await list(''), ['d1']);
  assert.deepEqual(await list('?hidden=include'), ['d1', 'd_sf']);
  assert.deepEqual(await list('?hidden=only'), ['d_sf']);
  assert.deepEqual(await list('?q=salesforce&hidden=include'), ['d_sf']);
  assert.equal(
    (await api.call('GET', '/api/v1/deals/d_sf', { key })).statusCode,
    200,
    'still readable by id',
  );
  assert.deepEqual(
    (
      json(await api.call('GET', '/api/v1/deals?hidden=include', { key: other })).items as { id: string }[]
    ).map((r) => r.id),
    ['d1', 'd9'],
  );
  const bad = await api.call('POST', '/api/v1/push', { key, body: { deals: [] } });
  assert.equal(bad.statusCode, 400);
});

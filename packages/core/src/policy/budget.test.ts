import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSettings, type Settings } from '../settings/index.js';
import { checkBudget } from './budget.js';

function settings(apiBudget: Record<string, number>): Settings {
  const r = parseSettings({ version: 2, apiBudget });
  assert.ok(r.ok);
  return r.settings;
}
const at = (iso: string) => new Date(`2026-11-29T${iso}:00.000Z`);
const window = [
  { leavesAt: at('00:00'), requests: 500 },
  { leavesAt: at('06:00'), requests: 1_000 },
  { leavesAt: at('12:00'), requests: 500 },
];

test('O3: crmsync stops at its share of the org allocation and says when it resumes', () => {
  const state = { usedLast24h: 2_000, orgMax: 10_000, orgUsed: 2_000, window };
  const at20 = checkBudget(state, settings({ sharePercent: 20 }));
  const at30 = checkBudget(state, settings({ sharePercent: 30 }));
  assert.equal(at20.allowed, false);
  assert.ok(
    !at20.allowed && at20.rule === 'O3' && at20.resumeAt?.toISOString() === '2026-11-29T00:00:00.000Z',
  );
  assert.deepEqual(at30, { allowed: true, remainingShare: 999 });
});

test('O3: it resumes when enough requests have left the window, not merely the oldest', () => {
  const state = { usedLast24h: 2_000, orgMax: 10_000, orgUsed: 2_000, window };
  const resumeAt = (sharePercent: number, requests = 1) => {
    const d = checkBudget(state, settings({ sharePercent }), requests);
    return d.allowed ? 'allowed' : d.resumeAt?.toISOString();
  };
  assert.equal(resumeAt(15), at('06:00').toISOString(), '501 must leave: the first two buckets');
  assert.equal(resumeAt(20, 500), at('00:00').toISOString(), 'exactly the first bucket');
  assert.equal(resumeAt(20, 501), at('06:00').toISOString());
  const unknown = checkBudget({ ...state, window: [] }, settings({ sharePercent: 15 }));
  assert.equal(!unknown.allowed && unknown.resumeAt, null, 'no buckets known: the engine looks again later');
});

test('O3: crmsync stops when the org as a whole nears its limit (the reserve), even within its share', () => {
  const state = { usedLast24h: 10, orgMax: 10_000, orgUsed: 9_600, window };
  const reserve5 = checkBudget(state, settings({ sharePercent: 50, reservePercent: 5 }));
  const reserve1 = checkBudget(state, settings({ sharePercent: 50, reservePercent: 1 }));
  assert.ok(!reserve5.allowed && /below the 5% reserve/.test(reserve5.reason));
  assert.equal(!reserve5.allowed && reserve5.resumeAt, null, "the org's usage is not crmsync's window");
  assert.equal(reserve1.allowed, true);
});

test('O3: a batch asks for all its calls at once', () => {
  const state = { usedLast24h: 1_995, orgMax: 10_000, orgUsed: 1_995, window: [] };
  assert.equal(checkBudget(state, settings({}), 5).allowed, true);
  assert.equal(checkBudget(state, settings({}), 6).allowed, false);
});

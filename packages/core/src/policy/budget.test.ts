import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSettings, type Settings } from '../settings/index.js';
import { checkBudget } from './budget.js';

function settings(apiBudget: Record<string, number>): Settings {
  const r = parseSettings({ version: 2, apiBudget });
  assert.ok(r.ok);
  return r.settings;
}
const oldest = new Date('2026-11-28T00:00:00.000Z');

test('O3: crmsync stops at its share of the org allocation and says when it resumes', () => {
  const state = { usedLast24h: 2_000, orgMax: 10_000, orgUsed: 2_000, oldestInWindowAt: oldest };
  const at20 = checkBudget(state, settings({ sharePercent: 20 }));
  const at30 = checkBudget(state, settings({ sharePercent: 30 }));
  assert.equal(at20.allowed, false);
  assert.ok(
    !at20.allowed && at20.rule === 'O3' && at20.resumeAt?.toISOString() === '2026-11-29T00:00:00.000Z',
  );
  assert.deepEqual(at30, { allowed: true, remainingShare: 999 });
});

test('O3: crmsync stops when the org as a whole nears its limit (the reserve), even within its share', () => {
  const state = { usedLast24h: 10, orgMax: 10_000, orgUsed: 9_600, oldestInWindowAt: oldest };
  const reserve5 = checkBudget(state, settings({ sharePercent: 50, reservePercent: 5 }));
  const reserve1 = checkBudget(state, settings({ sharePercent: 50, reservePercent: 1 }));
  assert.ok(!reserve5.allowed && /below the 5% reserve/.test(reserve5.reason));
  assert.equal(reserve1.allowed, true);
});

test('O3: a batch asks for all its calls at once', () => {
  const state = { usedLast24h: 1_995, orgMax: 10_000, orgUsed: 1_995, oldestInWindowAt: null };
  assert.equal(checkBudget(state, settings({}), 5).allowed, true);
  assert.equal(checkBudget(state, settings({}), 6).allowed, false);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSettings, type Settings } from '../settings/index.js';
import { allowTraffic, effectiveState, endWindowNow, pause, resume, startLifecycle } from './lifecycle.js';

function settings(doc: Record<string, unknown>): Settings {
  const r = parseSettings({ version: 2, ...doc });
  assert.ok(r.ok, JSON.stringify(r));
  return r.settings;
}
const t0 = new Date('2026-11-28T09:00:00.000Z');
const at = (h: number) => new Date(t0.getTime() + h * 3_600_000);

test('L1: during the configuration window automatic sync and manual pull are refused, manual push works', () => {
  const withWindow = startLifecycle(t0, settings({}));
  const noWindow = startLifecycle(t0, settings({ lifecycle: { configurationWindowHours: 0 } }));
  assert.equal(withWindow.state, 'configuring');
  assert.deepEqual(withWindow.windowEndsAt, at(6));
  for (const traffic of ['auto_push', 'auto_pull', 'manual_pull'] as const) {
    const on = allowTraffic(withWindow, traffic, at(1));
    assert.equal(on.allowed, false);
    if (!on.allowed) {
      assert.equal(on.rule, 'L1');
      assert.equal(on.code, 'CONFIGURATION_WINDOW');
      assert.deepEqual(on.retryAt, at(6));
    }
    assert.equal(allowTraffic(noWindow, traffic, at(1)).allowed, true);
  }
  const manualPull = allowTraffic(withWindow, 'manual_pull', at(1));
  assert.ok(
    !manualPull.allowed && manualPull.reason.includes('2026-11-28T15:00:00.000Z'),
    'the refusal says when the window ends',
  );
  assert.equal(allowTraffic(withWindow, 'manual_push', at(1)).allowed, true);
});

test('L2: when the window ends sync turns itself on; "start syncing now" ends it early', () => {
  const lc = startLifecycle(t0, settings({}));
  assert.equal(effectiveState(lc, at(5.99)), 'configuring');
  assert.equal(effectiveState(lc, at(6)), 'active');
  assert.equal(allowTraffic(lc, 'auto_push', at(6)).allowed, true);
  const early = endWindowNow(lc);
  assert.equal(effectiveState(early, at(0.5)), 'active');
  assert.equal(allowTraffic(early, 'auto_pull', at(0.5)).allowed, true);
});

test('L3: pause stops all traffic including manual push; resume returns to the state before; disconnect stops traffic', () => {
  const active = endWindowNow(startLifecycle(t0, settings({})));
  const paused = pause(active);
  for (const traffic of ['auto_push', 'auto_pull', 'manual_push', 'manual_pull'] as const) {
    const d = allowTraffic(paused, traffic, at(1));
    assert.ok(!d.allowed && d.rule === 'L3' && d.code === 'PAUSED');
    assert.equal(allowTraffic(active, traffic, at(1)).allowed, true);
  }
  assert.equal(resume(paused, at(1)).state, 'active');
  const pausedInWindow = pause(startLifecycle(t0, settings({})));
  assert.equal(resume(pausedInWindow, at(1)).state, 'configuring');
  assert.equal(resume(pausedInWindow, at(7)).state, 'active');
  const gone = { ...active, state: 'disconnected' as const };
  const d = allowTraffic(gone, 'manual_push', at(1));
  assert.ok(!d.allowed && d.code === 'DISCONNECTED');
  assert.equal(pause(gone).state, 'disconnected');
});

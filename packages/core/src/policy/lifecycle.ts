import type { Settings } from '../settings/schema.js';

/** The integration's stored state for one workspace's connection. */
export interface ConnectionLifecycle {
  /** `configuring` during the window (L1); `active` after it, or after "start syncing now" (L2). */
  state: 'configuring' | 'active' | 'paused' | 'disconnected';
  connectedAt: Date;
  /** When the window ends; null when the admin ended it early or it was 0 hours. */
  windowEndsAt: Date | null;
}

export type Traffic = 'auto_push' | 'auto_pull' | 'manual_push' | 'manual_pull';

export type TrafficDecision =
  | { allowed: true; rule: 'L1' | 'L2' | 'L3'; reason: string }
  | {
      allowed: false;
      rule: 'L1' | 'L3';
      code: 'CONFIGURATION_WINDOW' | 'PAUSED' | 'DISCONNECTED';
      reason: string;
      retryAt: Date | null;
    };

/** L1: a new connection is configuring until the window ends. */
export function startLifecycle(connectedAt: Date, settings: Settings): ConnectionLifecycle {
  const hours = settings.lifecycle.configurationWindowHours;
  if (hours === 0) return { state: 'active', connectedAt, windowEndsAt: null };
  return {
    state: 'configuring',
    connectedAt,
    windowEndsAt: new Date(connectedAt.getTime() + hours * 3_600_000),
  };
}

/**
 * L2: the state in force at `now`. A window that has ended turns the integration active without
 * anyone acting; the engine then evaluates every record changed during the window.
 */
export function effectiveState(lc: ConnectionLifecycle, now: Date): ConnectionLifecycle['state'] {
  if (lc.state === 'configuring' && (lc.windowEndsAt === null || now.getTime() >= lc.windowEndsAt.getTime()))
    return 'active';
  return lc.state;
}

/** Whether a kind of traffic may run now (L1-L3), with the sentence the log, API and CLI show. */
export function allowTraffic(lc: ConnectionLifecycle, traffic: Traffic, now: Date): TrafficDecision {
  const state = effectiveState(lc, now);
  switch (state) {
    case 'paused':
      return {
        allowed: false,
        rule: 'L3',
        code: 'PAUSED',
        reason:
          'The integration is paused: nothing is sent to or read from Salesforce, manual pushes included. Resume it to continue; queued changes are kept.',
        retryAt: null,
      };
    case 'disconnected':
      return {
        allowed: false,
        rule: 'L3',
        code: 'DISCONNECTED',
        reason: 'Salesforce is disconnected. Reconnect the same org to continue; links are kept.',
        retryAt: null,
      };
    case 'configuring': {
      const ends = lc.windowEndsAt!;
      if (traffic === 'manual_push') {
        return { allowed: true, rule: 'L1', reason: 'Manual push works during the configuration window.' };
      }
      const when = ends.toISOString();
      return {
        allowed: false,
        rule: 'L1',
        code: 'CONFIGURATION_WINDOW',
        reason:
          traffic === 'manual_pull'
            ? `A manual pull is not available during the configuration window, which ends at ${when}. Start syncing now to end it early.`
            : `Automatic sync starts when the configuration window ends at ${when}.`,
        retryAt: ends,
      };
    }
    case 'active':
      return { allowed: true, rule: 'L2', reason: 'The integration is active.' };
  }
}

/** L2: "start syncing now" ends the window early. */
export function endWindowNow(lc: ConnectionLifecycle): ConnectionLifecycle {
  return lc.state === 'configuring' ? { ...lc, state: 'active', windowEndsAt: null } : lc;
}

/** L3: pause and resume keep everything queued; resume goes back to the state before the pause. */
export function pause(lc: ConnectionLifecycle): ConnectionLifecycle {
  return lc.state === 'disconnected' ? lc : { ...lc, state: 'paused' };
}

export function resume(lc: ConnectionLifecycle, now: Date): ConnectionLifecycle {
  if (lc.state !== 'paused') return lc;
  const windowOpen = lc.windowEndsAt !== null && now.getTime() < lc.windowEndsAt.getTime();
  return { ...lc, state: windowOpen ? 'configuring' : 'active' };
}

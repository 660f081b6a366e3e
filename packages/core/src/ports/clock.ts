/**
 * Time, injected everywhere so the configuration window (L1-L2), backoff (O4), leases and the
 * API ledger (O3) can be tested without waiting. Production uses the system clock.
 */
export interface Clock {
  /** The current instant. Successive calls never go backwards. */
  now(): Date;
  /** Resolves after `ms` of this clock's time; a test clock resolves when advanced past it. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

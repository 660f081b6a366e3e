import type { Runtime } from '../runtime.js';

/** Wraps a command action: opens the runtime, runs, closes, maps errors to exit codes. */
export type WithRuntime = <A extends unknown[]>(
  action: (rt: Runtime, ...args: A) => Promise<void | number>,
) => (...args: A) => Promise<void>;

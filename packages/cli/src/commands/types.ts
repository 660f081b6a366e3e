import type { Config } from '../config.js';
import type { Runtime, RuntimeOptions } from '../runtime.js';

/** Wraps a command action: opens the runtime, runs, closes, maps errors to exit codes. */
export type WithRuntime = <A extends unknown[]>(
  action: (rt: Runtime, ...args: A) => Promise<void | number>,
  options?: RuntimeOptions,
) => (...args: A) => Promise<void>;

/** The same for commands that open their databases themselves (`migrate`): only the parsed config. */
export type WithConfig = <A extends unknown[]>(
  action: (config: Config, ...args: A) => Promise<void | number>,
) => (...args: A) => Promise<void>;

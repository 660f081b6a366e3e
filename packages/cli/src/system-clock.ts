import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '@crmsync/core';

/** The production clock; never goes backwards within a process even if the wall clock does. */
export class SystemClock implements Clock {
  #last = 0;
  now(): Date {
    this.#last = Math.max(this.#last, Date.now());
    return new Date(this.#last);
  }
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    await delay(ms, undefined, signal === undefined ? {} : { signal });
  }
}

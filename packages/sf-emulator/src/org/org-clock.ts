// Each org has its own clock: real time (or an injected base clock) plus an offset that the
// control API moves. Audit stamps come from `stamp()`, which never repeats or goes backwards so
// SystemModstamp orders every write even within one millisecond.

export class OrgClock {
  private offsetMs = 0;
  private lastStampMs = 0;

  constructor(private readonly base: () => number = Date.now) {}

  now(): Date {
    return new Date(this.base() + this.offsetMs);
  }

  nowMs(): number {
    return this.base() + this.offsetMs;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }

  set(to: Date): void {
    this.offsetMs = to.getTime() - this.base();
  }

  /** A strictly increasing write time on this clock. */
  stamp(): Date {
    const now = this.nowMs();
    this.lastStampMs = now > this.lastStampMs ? now : this.lastStampMs + 1;
    return new Date(this.lastStampMs);
  }

  get offset(): number {
    return this.offsetMs;
  }

  restore(offsetMs: number, lastStampMs: number): void {
    this.offsetMs = offsetMs;
    this.lastStampMs = lastStampMs;
  }

  get lastStamp(): number {
    return this.lastStampMs;
  }
}

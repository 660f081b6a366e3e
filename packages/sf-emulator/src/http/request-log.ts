// Requests an org received, by method and endpoint pattern, so tests and benchmarks can state
// exactly how many API calls a piece of work took.

export interface RequestTally {
  total: number;
  counted: number;
  byEndpoint: Record<string, number>;
}

export class RequestLog {
  private total = 0;
  private counted = 0;
  private byEndpoint = new Map<string, number>();

  record(method: string, endpoint: string, counted: boolean): void {
    this.total++;
    if (counted) this.counted++;
    const key = `${method} ${endpoint}`;
    this.byEndpoint.set(key, (this.byEndpoint.get(key) ?? 0) + 1);
  }

  snapshot(): RequestTally {
    return { total: this.total, counted: this.counted, byEndpoint: Object.fromEntries(this.byEndpoint) };
  }

  reset(): void {
    this.total = 0;
    this.counted = 0;
    this.byEndpoint = new Map();
  }
}

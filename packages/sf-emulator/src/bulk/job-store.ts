// The emulator's Bulk jobs, by id. One store per emulator instance (no module state), so two
// emulators in one process never see each other's jobs.
import type { BulkJob } from './job-model.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const CHECKSUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** The 18-character form: three checksum characters that make the id safe case-insensitively. */
export function to18(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk += 1) {
    let bits = 0;
    for (let i = 0; i < 5; i += 1) {
      const ch = id15[chunk * 5 + i] ?? '';
      if (ch >= 'A' && ch <= 'Z') bits |= 1 << i;
    }
    suffix += CHECKSUM[bits];
  }
  return id15 + suffix;
}

export class JobStore {
  readonly #jobs = new Map<string, BulkJob>();
  #counter = 0;

  /** Bulk job ids use key prefix 750 (both ingest and query), like `7506g00000DhRA2AAN`. */
  nextId(): string {
    this.#counter += 1;
    let n = this.#counter;
    let digits = '';
    for (let i = 0; i < 9; i += 1) {
      digits = BASE62[n % 62] + digits;
      n = Math.floor(n / 62);
    }
    return to18(`7506g0${digits}`);
  }

  add(job: BulkJob): void {
    this.#jobs.set(job.id, job);
  }

  /** Accepts the 15- or 18-character id; a job of another org is not found. */
  get(id: string, orgId: string): BulkJob | undefined {
    const job = this.#jobs.get(id.length === 15 ? to18(id) : id);
    return job !== undefined && job.org.orgId === orgId ? job : undefined;
  }

  remove(id: string): void {
    const job = this.#jobs.get(id);
    if (job !== undefined) job.deleted = true;
    this.#jobs.delete(id);
  }

  /** Oldest first. */
  list(orgId: string): BulkJob[] {
    return [...this.#jobs.values()].filter((job) => job.org.orgId === orgId);
  }
}

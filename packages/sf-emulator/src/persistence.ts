// `--data FILE`: orgs survive restarts. The file is NDJSON (one org or record per line) so a
// million-record org streams in and out without building one giant string. Writes are
// debounced, go to a temporary file and are renamed into place; close() flushes.
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { SObjectRecord } from './contracts.js';
import { EmulatedOrg, type OrgSpec } from './org/emulated-org.js';
import type { DeletionInfo } from './org/org-store.js';

type Line =
  | { kind: 'emulator'; version: 1; nextOrgNumber: number }
  | { kind: 'org'; spec: OrgSpec; minter: number; clockOffset: number; lastStamp: number; apiUsed: number }
  | { kind: 'record'; org: string; object: string; record: SObjectRecord; deletion: DeletionInfo | null };

export interface LoadedState {
  nextOrgNumber: number;
  orgs: EmulatedOrg[];
}

export async function loadState(path: string, baseClock: () => number): Promise<LoadedState | undefined> {
  if (!existsSync(path)) return undefined;
  const orgs = new Map<string, EmulatedOrg>();
  const apiUsed = new Map<string, number>();
  let nextOrgNumber = 1;
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  for await (const text of lines) {
    if (text.trim() === '') continue;
    const line = JSON.parse(text) as Line;
    if (line.kind === 'emulator') nextOrgNumber = line.nextOrgNumber;
    else if (line.kind === 'org') {
      const org = new EmulatedOrg(line.spec, baseClock, line.minter);
      org.clock.restore(line.clockOffset, line.lastStamp);
      apiUsed.set(org.orgId, line.apiUsed);
      orgs.set(org.orgId, org);
    } else {
      const org = orgs.get(line.org);
      if (org === undefined)
        throw new Error(
          `data file ${path}: a record names org ${line.org}, which the file does not define before it`,
        );
      org.store.insertRaw(line.object, line.record, line.deletion ?? undefined);
    }
  }
  for (const org of orgs.values()) {
    org.loadPeople();
    org.api.setUsed(apiUsed.get(org.orgId) ?? 0);
  }
  return { nextOrgNumber, orgs: [...orgs.values()] };
}

export async function saveState(
  path: string,
  nextOrgNumber: number,
  orgs: Iterable<EmulatedOrg>,
): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  const out = createWriteStream(temp, 'utf8');
  const write = async (line: Line) => {
    if (!out.write(JSON.stringify(line) + '\n')) await once(out, 'drain');
  };
  await write({ kind: 'emulator', version: 1, nextOrgNumber });
  for (const org of orgs) {
    await write({
      kind: 'org',
      spec: org.spec,
      minter: org.store.ids.position,
      clockOffset: org.clock.offset,
      lastStamp: org.clock.lastStamp,
      apiUsed: org.api.used,
    });
    for (const { objectName, record, deletion } of org.store.dump()) {
      await write({ kind: 'record', org: org.orgId, object: objectName, record, deletion: deletion ?? null });
    }
  }
  out.end();
  await once(out, 'finish');
  await rename(temp, path);
}

/** Coalesces bursts of changes into one save; at most one save runs at a time. */
export class DebouncedSaver {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private dirty = false;

  constructor(
    private readonly save: () => Promise<void>,
    private readonly delayMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  markDirty(): void {
    this.dirty = true;
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, this.delayMs);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    if (this.running !== undefined) await this.running;
    if (!this.dirty) return;
    this.dirty = false;
    this.running = this.save().catch(this.onError);
    await this.running;
    this.running = undefined;
  }

  async flush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.dirty = true;
    await this.run();
  }
}

// Counts committed writes per record and per object/operation, so tests can prove that a record
// was written exactly once and benchmarks can report what reached the org.

export type WriteOperation = 'create' | 'update' | 'delete' | 'undelete' | 'merge' | 'convert';

export interface RecordWrites {
  id: string;
  objectName: string;
  total: number;
  create: number;
  update: number;
  delete: number;
  undelete: number;
  merge: number;
  convert: number;
  lastUserId: string | null;
}

export class WriteLog {
  private readonly byRecord = new Map<string, RecordWrites>();
  private readonly byObject = new Map<string, Record<WriteOperation, number>>();

  /** Counts one write; with `undoable`, returns the step that uncounts it (for rolled-back transactions). */
  record(
    id: string,
    objectName: string,
    op: WriteOperation,
    userId: string,
    undoable: boolean,
  ): (() => void) | undefined {
    let entry = this.byRecord.get(id);
    const isNew = entry === undefined;
    if (entry === undefined) {
      entry = {
        id,
        objectName,
        total: 0,
        create: 0,
        update: 0,
        delete: 0,
        undelete: 0,
        merge: 0,
        convert: 0,
        lastUserId: null,
      };
      this.byRecord.set(id, entry);
    }
    const previousUser = entry.lastUserId;
    entry.total++;
    entry[op]++;
    entry.lastUserId = userId;
    let totals = this.byObject.get(objectName);
    if (totals === undefined) {
      totals = { create: 0, update: 0, delete: 0, undelete: 0, merge: 0, convert: 0 };
      this.byObject.set(objectName, totals);
    }
    totals[op]++;
    if (!undoable) return undefined;
    const captured = entry;
    const capturedTotals = totals;
    return () => {
      captured.total--;
      captured[op]--;
      captured.lastUserId = previousUser;
      capturedTotals[op]--;
      if (isNew && captured.total === 0) this.byRecord.delete(id);
    };
  }

  forRecord(id: string): RecordWrites | undefined {
    return this.byRecord.get(id);
  }

  totals(): Record<string, Record<WriteOperation, number>> {
    return Object.fromEntries([...this.byObject].map(([name, t]) => [name, { ...t }]));
  }

  clear(): void {
    this.byRecord.clear();
    this.byObject.clear();
  }
}

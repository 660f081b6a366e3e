// An equality index from a normalised field value to the ids holding it. A single holder is kept
// as a bare string (the common case for e-mails and external ids), several as an array, which
// keeps a million-record index small.

export class RecordIndex {
  private readonly entries = new Map<string, string | string[]>();

  add(key: string, id: string): void {
    const current = this.entries.get(key);
    if (current === undefined) this.entries.set(key, id);
    else if (typeof current === 'string') {
      if (current !== id) this.entries.set(key, [current, id]);
    } else if (!current.includes(id)) current.push(id);
  }

  remove(key: string, id: string): void {
    const current = this.entries.get(key);
    if (current === undefined) return;
    if (typeof current === 'string') {
      if (current === id) this.entries.delete(key);
      return;
    }
    const at = current.indexOf(id);
    if (at >= 0) current.splice(at, 1);
    if (current.length === 1) this.entries.set(key, current[0]!);
    else if (current.length === 0) this.entries.delete(key);
  }

  get(key: string): readonly string[] {
    const current = this.entries.get(key);
    if (current === undefined) return [];
    return typeof current === 'string' ? [current] : current;
  }

  clear(): void {
    this.entries.clear();
  }
}

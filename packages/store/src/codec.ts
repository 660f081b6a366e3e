import { StoreError } from './errors.js';

/** Instants are stored as ISO-8601 UTC text: it sorts and compares correctly as text on every dialect. */
export function toText(date: Date): string {
  return date.toISOString();
}

export function toDate(text: string): Date;
export function toDate(text: string | null): Date | null;
export function toDate(text: string | null): Date | null {
  return text === null ? null : new Date(text);
}

export function parseJsonColumn(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new StoreError(
      'corrupt_document',
      `The stored ${what} is not valid JSON; restore the database from a backup.`,
      { cause },
    );
  }
}

/** Numeric columns may come back as bigint or string from some drivers; the store speaks number. */
export function toNumber(value: number | bigint | string): number {
  return typeof value === 'number' ? value : Number(value);
}

/*
 * CSV for Bulk API 2.0 (RFC 4180, comma, LF). Built here rather than by jsforce so the job id is
 * ours before any upload, and so null is exactly Salesforce's `#N/A` (an empty field means "leave
 * as is" on update).
 */

export type CsvValue = string | number | boolean | null | undefined;

/** The text Bulk API 2.0 reads as "set this field to null". */
export const BULK_NULL = '#N/A';

function cell(value: CsvValue): string {
  if (value === null || value === undefined || value === '') return BULK_NULL;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`A CSV value must be a finite number, not ${value}`);
    return String(value);
  }
  // Always quoted: commas, quotes, line breaks, leading spaces and a literal "#N/A"-looking text
  // all survive the same way.
  return `"${value.replace(/"/g, '""')}"`;
}

/**
 * A Bulk ingest CSV: the header is `columns` in order; each row's missing or null value becomes
 * `#N/A`, as does an empty string (Salesforce would otherwise ignore it on update).
 */
export function buildCsv(
  columns: readonly string[],
  rows: readonly Readonly<Record<string, CsvValue>>[],
): string {
  if (columns.length === 0) throw new RangeError('A CSV needs at least one column');
  const lines = [columns.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')];
  for (const row of rows) lines.push(columns.map((c) => cell(row[c])).join(','));
  return `${lines.join('\n')}\n`;
}

/** The columns of a set of rows, in first-seen order. */
export function columnsOf(rows: readonly Readonly<Record<string, CsvValue>>[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) seen.add(key);
  return [...seen];
}

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF) into rows keyed by the header. */
export function parseCsv(text: string): Record<string, string>[] {
  const records = parseCsvRows(text);
  const header = records.shift();
  if (header === undefined) return [];
  return records.map((fields) => {
    const row: Record<string, string> = {};
    header.forEach((name, i) => {
      row[name] = fields[i] ?? '';
    });
    return row;
  });
}

/** Raw rows, the header included. A trailing line break does not make an empty row. */
export function parseCsvRows(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let fieldStarted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
      continue;
    }
    if (ch === '"' && field === '') {
      quoted = true;
      fieldStarted = true;
    } else if (ch === ',') {
      row.push(field);
      field = '';
      fieldStarted = true;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      fieldStarted = false;
    } else {
      field += ch;
      fieldStarted = true;
    }
  }
  if (fieldStarted || field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** One Salesforce error as Bulk writes it in `sf__Error`: `CODE:message:Field1,Field2 --`. */
export interface BulkRowError {
  statusCode: string;
  message: string;
  fields: string[];
}

export function parseBulkError(text: string): BulkRowError {
  const trimmed = text.replace(/\s*--\s*$/, '');
  const first = trimmed.indexOf(':');
  if (first < 0) return { statusCode: trimmed || 'UNKNOWN_EXCEPTION', message: '', fields: [] };
  const statusCode = trimmed.slice(0, first);
  const rest = trimmed.slice(first + 1);
  const last = rest.lastIndexOf(':');
  if (last < 0) return { statusCode, message: rest, fields: [] };
  const fields = rest
    .slice(last + 1)
    .split(',')
    .map((f) => f.trim())
    .filter((f) => /^[A-Za-z][A-Za-z0-9_.]*$/.test(f));
  // A message that itself contains ':' with no field list after it keeps its tail.
  const tailIsFields = rest.slice(last + 1).trim() === '' || fields.length > 0;
  return tailIsFields
    ? { statusCode, message: rest.slice(0, last), fields }
    : { statusCode, message: rest, fields: [] };
}

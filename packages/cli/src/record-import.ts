import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import type { WorkspaceReader } from '@crmsync/core';
import { CliError } from './cli-error.js';
import { EXIT } from './exit-codes.js';

/*
 * `crmsync import deals|emails|notes|tasks|calls|meetings|meeting-summaries FILE`: CSV (a header
 * naming the model's fields) or NDJSON (one JSON object per line, the model's fields). Rows that
 * cannot be read are reported with their number; the engine's ingest refuses bad values with the
 * record and field named. Ids are stable (`id`, else the `externalId`, else the email's
 * `messageId`, else the row), so importing the same file twice changes nothing.
 */

export type RecordKind = 'deals' | 'emails' | 'notes' | 'tasks' | 'calls' | 'meetings' | 'meeting-summaries';
export type RecordType = 'deal' | 'email' | 'note' | 'task' | 'call' | 'meeting' | 'meeting_summary';

export const RECORD_KINDS: Record<RecordKind, RecordType> = {
  deals: 'deal',
  emails: 'email',
  notes: 'note',
  tasks: 'task',
  calls: 'call',
  meetings: 'meeting',
  'meeting-summaries': 'meeting_summary',
};

export const isRecordKind = (kind: string): kind is RecordKind => Object.hasOwn(RECORD_KINDS, kind);

type FieldType = 'text' | 'list' | 'boolean' | 'number';
const COMMON = {
  id: 'text',
  externalId: 'text',
  personId: 'text',
  companyId: 'text',
  dealId: 'text',
  ownerId: 'text',
} as const;

/** The model's fields per type, with how a CSV cell becomes their value. */
const FIELDS: Record<RecordType, Record<string, FieldType>> = {
  deal: {
    id: 'text',
    externalId: 'text',
    name: 'text',
    amount: 'number',
    stage: 'text',
    closeDate: 'text',
    companyId: 'text',
    personIds: 'list',
    ownerId: 'text',
  },
  email: {
    ...COMMON,
    messageId: 'text',
    direction: 'text',
    sentThroughApp: 'boolean',
    threadId: 'text',
    inReplyTo: 'text',
    from: 'text',
    to: 'list',
    cc: 'list',
    bcc: 'list',
    subject: 'text',
    body: 'text',
    sentAt: 'text',
  },
  note: { ...COMMON, title: 'text', body: 'text', createdAt: 'text' },
  task: {
    ...COMMON,
    title: 'text',
    body: 'text',
    dueDate: 'text',
    status: 'text',
    priority: 'text',
    type: 'text',
  },
  call: {
    ...COMMON,
    direction: 'text',
    durationSeconds: 'number',
    outcome: 'text',
    notes: 'text',
    calledAt: 'text',
  },
  meeting: {
    ...COMMON,
    scheduledThroughApp: 'boolean',
    start: 'text',
    end: 'text',
    title: 'text',
    description: 'text',
    attendees: 'list',
  },
  meeting_summary: { ...COMMON, meetingId: 'text', text: 'text' },
};

const norm = (h: string) => h.toLowerCase().replace(/[\s_\-.]/g, '');

export interface RecordRow {
  /** The CSV row (header is row 1) or NDJSON line number. */
  row: number;
  data: Record<string, unknown>;
}

export interface RecordFile {
  rows: RecordRow[];
  /** Rows that could not be read at all. */
  errors: { row: number; message: string }[];
}

function decode(buffer: Buffer, fileName: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buffer).replace(/^\uFEFF/, '');
  } catch {
    throw new CliError(
      EXIT.usage,
      `${fileName} is not UTF-8 text (it contains bytes that are not valid UTF-8). Save it as UTF-8 and import it again; nothing was imported.`,
    );
  }
}

/** A CSV cell as the field's value; a cell that cannot be one is kept as text, so ingest names the field. */
function cellValue(type: FieldType, cell: string): unknown {
  switch (type) {
    case 'list':
      return cell
        .split(/[;,]/)
        .map((s) => s.trim())
        .filter((s) => s !== '');
    case 'boolean': {
      const v = cell.toLowerCase();
      if (['true', 'yes', '1', 'y'].includes(v)) return true;
      if (['false', 'no', '0', 'n'].includes(v)) return false;
      return cell;
    }
    case 'number': {
      const n = Number(cell.replace(/[, ]/g, ''));
      return Number.isFinite(n) ? n : cell;
    }
    case 'text':
      return cell;
  }
}

/** Reads a CSV or NDJSON file (by extension: .ndjson/.jsonl, else CSV); refuses a file it cannot read at all. */
export function readRecordFile(kind: RecordKind, buffer: Buffer, fileName: string): RecordFile {
  const text = decode(buffer, fileName);
  const type = RECORD_KINDS[kind];
  if (/\.(ndjson|jsonl)$/i.test(fileName)) {
    const rows: RecordRow[] = [];
    const errors: RecordFile['errors'] = [];
    text.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        const data: unknown = JSON.parse(line);
        if (typeof data !== 'object' || data === null || Array.isArray(data))
          errors.push({ row: i + 1, message: 'is not a JSON object; each line must be one record.' });
        else rows.push({ row: i + 1, data: data as Record<string, unknown> });
      } catch (err) {
        errors.push({
          row: i + 1,
          message: `is not valid JSON (${(err as Error).message}); the line was skipped.`,
        });
      }
    });
    return { rows, errors };
  }
  let records: string[][];
  try {
    records = parse(text, { relax_column_count: true, skip_empty_lines: true, trim: true }) as string[][];
  } catch (err) {
    throw new CliError(
      EXIT.usage,
      `${fileName} is not a readable CSV file: ${(err as Error).message}. Nothing was imported.`,
    );
  }
  const [headerRow, ...body] = records;
  if (headerRow === undefined)
    throw new CliError(
      EXIT.usage,
      `${fileName} is empty; the first line must name the columns. Nothing was imported.`,
    );
  const fields = FIELDS[type];
  const byNorm = new Map(Object.keys(fields).map((f) => [norm(f), f]));
  const columns = headerRow.map((h) => byNorm.get(norm(h)) ?? null);
  const unknown = headerRow.filter((_, i) => columns[i] === null);
  if (unknown.length > 0)
    throw new CliError(
      EXIT.usage,
      `${fileName} has columns that are not fields of ${kind}: ${unknown.join(', ')}. Accepted columns: ${Object.keys(fields).join(', ')}. Nothing was imported.`,
    );
  return {
    rows: body.map((cells, i) => ({
      row: i + 2,
      data: Object.fromEntries(
        cells.flatMap((cell, c) => {
          const field = columns[c];
          return field === null || field === undefined || cell === ''
            ? []
            : [[field, cellValue(fields[field]!, cell)]];
        }),
      ),
    })),
    errors: [],
  };
}

function stableId(prefix: string, workspaceId: string, key: string): string {
  return `${prefix}_${createHash('sha256').update(`${workspaceId}\u0000${key}`).digest('hex').slice(0, 24)}`;
}

/** Gives every row an id: its own, the record that already has its externalId, or one derived from its keys. */
export async function withIds(
  kind: RecordKind,
  workspaceId: string,
  reader: WorkspaceReader,
  rows: readonly RecordRow[],
): Promise<RecordRow[]> {
  const type = RECORD_KINDS[kind];
  const out: RecordRow[] = [];
  for (const r of rows) {
    if (typeof r.data.id === 'string' && r.data.id !== '') {
      out.push(r);
      continue;
    }
    const externalId = typeof r.data.externalId === 'string' ? r.data.externalId : null;
    const existing = externalId === null ? null : await reader.records.findByExternalId(type, externalId);
    const key =
      externalId !== null
        ? `ext:${externalId}`
        : type === 'email' && typeof r.data.messageId === 'string'
          ? `msg:${r.data.messageId}`
          : `row:${JSON.stringify(r.data)}`;
    out.push({ row: r.row, data: { ...r.data, id: existing?.id ?? stableId(type, workspaceId, key) } });
  }
  return out;
}

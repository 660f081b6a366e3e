// The jobs Bulk API 2.0 keeps, and the state machine they follow. Jobs live in memory for the
// life of the emulator; each belongs to the org whose session created it.
import type { WritableOrg } from '../contracts.js';
import type { ApplyContext } from './apply-row.js';

export const JOB_STATES = [
  'Open',
  'UploadComplete',
  'InProgress',
  'JobComplete',
  'Failed',
  'Aborted',
] as const;
export type JobState = (typeof JOB_STATES)[number];

export const INGEST_OPERATIONS = ['insert', 'update', 'upsert', 'delete', 'hardDelete'] as const;
export type IngestOperation = (typeof INGEST_OPERATIONS)[number];
export const QUERY_OPERATIONS = ['query', 'queryAll'] as const;
export type QueryOperation = (typeof QUERY_OPERATIONS)[number];

export const COLUMN_DELIMITERS = {
  COMMA: ',',
  TAB: '\t',
  PIPE: '|',
  SEMICOLON: ';',
  CARET: '^',
  BACKQUOTE: '`',
} as const;
export type ColumnDelimiter = keyof typeof COLUMN_DELIMITERS;
export const LINE_ENDINGS = { LF: '\n', CRLF: '\r\n' } as const;
export type LineEnding = keyof typeof LINE_ENDINGS;

/** A state change a client may ask for with PATCH, and the states it may ask from. */
export const CLIENT_TRANSITIONS: Record<
  'UploadComplete' | 'Aborted',
  Record<'ingest' | 'query', readonly JobState[]>
> = {
  UploadComplete: { ingest: ['Open'], query: [] },
  Aborted: { ingest: ['Open', 'UploadComplete', 'InProgress'], query: ['UploadComplete', 'InProgress'] },
};

/** Results can be read once a job stops changing. */
export const TERMINAL_STATES: readonly JobState[] = ['JobComplete', 'Failed', 'Aborted'];
/** Salesforce deletes only jobs that are not being written to or processed. */
export const DELETABLE_STATES: readonly JobState[] = ['UploadComplete', 'JobComplete', 'Failed', 'Aborted'];

export interface JobBase {
  id: string;
  org: WritableOrg;
  createdById: string;
  createdDate: Date;
  systemModstamp: Date;
  state: JobState;
  /** As in the URL, "62.0". */
  apiVersion: string;
  columnDelimiter: ColumnDelimiter;
  lineEnding: LineEnding;
  numberRecordsProcessed: number;
  retries: number;
  totalProcessingTime: number;
  /** Set when the job is deleted, so a step already scheduled does nothing. */
  deleted: boolean;
}

/** One uploaded CSV record: its original field strings (for the results files) in header order. */
export type CsvRow = readonly string[];

export interface IngestJob extends JobBase {
  kind: 'ingest';
  object: string;
  operation: IngestOperation;
  externalIdFieldName: string | null;
  assignmentRuleId: string | null;
  errorMessage: string | null;
  /** The raw upload until processing parses it. */
  upload: Buffer | null;
  header: string[];
  rows: CsvRow[];
  /** Set when processing starts and the header has been matched to the object's fields. */
  applyContext: ApplyContext | null;
  /** Index of the next row to apply. */
  cursor: number;
  numberRecordsFailed: number;
  apiActiveProcessingTime: number;
  /** Result lines without their line ending, already CSV-quoted. */
  successfulLines: string[];
  failedLines: string[];
}

export interface QueryJob extends JobBase {
  kind: 'query';
  object: string;
  operation: QueryOperation;
  query: string;
  /** Columns in SELECT order (`Account.Name`) and the keys leading to each value in a record. */
  columns: string[];
  paths: string[][];
  /** The result snapshot taken when the job was created; formatted into `lines` step by step. */
  records: Array<Record<string, unknown>>;
  lines: string[];
}

export type BulkJob = IngestJob | QueryJob;

/** The fields every new job starts with, ingest or query: one place, so the two never drift. */
export function newJobBase(
  req: { org: WritableOrg; userId: string; apiVersion: string | null },
  id: string,
  state: JobState,
  format: { columnDelimiter?: ColumnDelimiter | undefined; lineEnding?: LineEnding | undefined },
): JobBase {
  const now = req.org.now();
  return {
    id,
    org: req.org,
    createdById: req.userId,
    createdDate: now,
    systemModstamp: now,
    state,
    apiVersion: req.apiVersion ?? '62.0',
    columnDelimiter: format.columnDelimiter ?? 'COMMA',
    lineEnding: format.lineEnding ?? 'LF',
    numberRecordsProcessed: 0,
    retries: 0,
    totalProcessingTime: 0,
    deleted: false,
  };
}

// Reads an ingest upload the way Salesforce does: the job's delimiter and line ending, RFC 4180
// quoting (quoted values may hold delimiters, quotes and newlines), a UTF-8 byte-order mark
// ignored, blank lines skipped. A malformed file fails the whole job, as on Salesforce, so the
// answer is a value, never a throw.
import { parse } from 'csv-parse/sync';
import { COLUMN_DELIMITERS, LINE_ENDINGS, type ColumnDelimiter, type LineEnding } from './job-model.js';

export type ParsedUpload =
  { ok: true; header: string[]; rows: string[][] } | { ok: false; errorMessage: string };

export function parseUpload(body: Buffer, delimiter: ColumnDelimiter, lineEnding: LineEnding): ParsedUpload {
  const endingProblem = checkLineEnding(body, lineEnding);
  if (endingProblem !== null) return { ok: false, errorMessage: endingProblem };
  let records: string[][];
  try {
    records = parse(body, {
      delimiter: COLUMN_DELIMITERS[delimiter],
      record_delimiter: LINE_ENDINGS[lineEnding],
      bom: true,
      skip_empty_lines: true,
      relax_column_count: false,
    }) as string[][];
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, errorMessage: `ClientInputError : The CSV data could not be parsed: ${detail}` };
  }
  const [header, ...rows] = records;
  if (header === undefined || header.length === 0) {
    return { ok: false, errorMessage: 'ClientInputError : The CSV data has no header line.' };
  }
  return { ok: true, header: header.map((name) => name.trim()), rows };
}

/**
 * Salesforce checks the first line's ending against the job's `lineEnding` and fails the job when
 * they differ, rather than leaving a stray carriage return in the last column.
 */
function checkLineEnding(body: Buffer, lineEnding: LineEnding): string | null {
  const firstNewline = body.indexOf(0x0a);
  if (firstNewline < 0) return null;
  const hasCarriageReturn = firstNewline > 0 && body[firstNewline - 1] === 0x0d;
  if (hasCarriageReturn === (lineEnding === 'CRLF')) return null;
  return `ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is ${lineEnding}`;
}

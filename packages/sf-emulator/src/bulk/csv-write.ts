// CSV as Salesforce writes it in Bulk results: every value in double quotes (so a value holding
// the delimiter, a quote or a newline survives, and so jsforce's parser, which accepts any of the
// six delimiters, never splits a value), quotes doubled, one line ending after every line.
import { COLUMN_DELIMITERS, LINE_ENDINGS, type ColumnDelimiter, type LineEnding } from './job-model.js';

export function quoteCsv(value: string): string {
  return value.includes('"') ? `"${value.replaceAll('"', '""')}"` : `"${value}"`;
}

export function csvLine(values: readonly string[], delimiter: ColumnDelimiter): string {
  let line = '';
  const separator = COLUMN_DELIMITERS[delimiter];
  for (let i = 0; i < values.length; i += 1) {
    if (i > 0) line += separator;
    line += quoteCsv(values[i] ?? '');
  }
  return line;
}

/** A header line and body lines (already quoted, without endings) as one document. */
export function csvDocument(header: string, lines: readonly string[], lineEnding: LineEnding): string {
  const eol = LINE_ENDINGS[lineEnding];
  return lines.length === 0 ? header + eol : header + eol + lines.join(eol) + eol;
}

// The JSON bodies Bulk API 2.0 accepts, parsed once at the edge. A body that does not parse is a
// request error naming the property at fault.
import { z } from 'zod';
import { bulkErrors } from './bulk-errors.js';
import { COLUMN_DELIMITERS, INGEST_OPERATIONS, LINE_ENDINGS, QUERY_OPERATIONS } from './job-model.js';

const delimiter = z.enum(Object.keys(COLUMN_DELIMITERS) as [keyof typeof COLUMN_DELIMITERS]);
const lineEnding = z.enum(Object.keys(LINE_ENDINGS) as [keyof typeof LINE_ENDINGS]);
/** Clients send null or leave a property out for "the default"; both mean absent here. */
const optional = <T extends z.ZodType>(schema: T) =>
  schema.nullish().transform((value) => value ?? undefined);

export const createIngestJobBody = z.object({
  object: z.string().min(1),
  operation: z.enum(INGEST_OPERATIONS),
  externalIdFieldName: optional(z.string().min(1)),
  contentType: optional(z.literal('CSV')),
  lineEnding: optional(lineEnding),
  columnDelimiter: optional(delimiter),
  assignmentRuleId: optional(z.string()),
});
export type CreateIngestJobBody = z.infer<typeof createIngestJobBody>;

export const createQueryJobBody = z.object({
  operation: z.enum(QUERY_OPERATIONS),
  query: z.string().min(1),
  contentType: optional(z.literal('CSV')),
  lineEnding: optional(lineEnding),
  columnDelimiter: optional(delimiter),
});
export type CreateQueryJobBody = z.infer<typeof createQueryJobBody>;

export const changeJobStateBody = z.object({ state: z.string().min(1) });

/** Parses a JSON body against a schema; throws the SalesforceError (JSON_PARSER_ERROR, INVALIDJOB) Salesforce would answer. */
export function parseBody<T extends z.ZodType>(body: Buffer, schema: T): z.infer<T> {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (error) {
    if (body.length === 0)
      throw bulkErrors.badJson('The HTTP entity body is required, but this request has no entity body.');
    throw bulkErrors.badJson(error instanceof Error ? error.message : String(error));
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue === undefined || issue.path.length === 0 ? 'the body' : `'${issue.path.join('.')}'`;
  throw bulkErrors.invalidJob(`InvalidJob : ${where}: ${issue?.message ?? 'invalid'}`);
}

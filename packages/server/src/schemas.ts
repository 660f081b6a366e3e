import { z } from 'zod';

/** Shared pieces of the route schemas. Dates travel as ISO 8601 strings. */

export const IsoDate = z.string().describe('ISO 8601 instant');
export const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string().describe('A stable code from the error catalogue'),
      message: z.string().describe('What went wrong and what to do'),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .describe('Every error has this shape');

export const Limit = (max: number, fallback: number) =>
  z.coerce.number().int().min(1).max(max).default(fallback);

/** `true`/`false` in a query string. */
export const QueryBoolean = z.enum(['true', 'false']).transform((v) => v === 'true');

export const RecordTypeParam = z.enum(['person', 'company']);

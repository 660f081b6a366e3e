import { CrmsyncError } from '@crmsync/core';
import type { z } from 'zod';

/** Parses a Salesforce answer; an answer of the wrong shape is a SALESFORCE_ERROR naming what was expected. */
export function parseWire<T extends z.ZodType>(schema: T, body: unknown, what: string): z.infer<T> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new CrmsyncError('SALESFORCE_ERROR', {
    sfCode: 'UNEXPECTED_ANSWER',
    sfMessage: `${what}: ${issue === undefined ? 'unreadable' : `${issue.path.join('.') || '(root)'} ${issue.message}`}`,
  });
}

import { z } from 'zod';
import { ExternalId, LocalId, OptionalText, Origin, Text } from './common.js';

/** C6: a `guessed` email is withheld from Salesforce unless pushGuessedEmails is on; the person is still pushed. */
export const EmailStatus = z.enum(['verified', 'guessed', 'unavailable']);
export type EmailStatus = z.infer<typeof EmailStatus>;

export const Phone = z.object({
  type: z.enum(['work', 'mobile', 'home', 'other']).default('work'),
  number: z.string().min(1).max(100),
});
export type Phone = z.infer<typeof Phone>;

/** A prospect. `email` is kept as given; comparisons lower-case it. */
export const Person = z.object({
  id: LocalId,
  workspaceId: LocalId,
  externalId: ExternalId,
  firstName: OptionalText,
  lastName: Text.min(1, 'must not be empty'),
  title: OptionalText,
  email: z.string().max(100_000).nullable().default(null),
  emailStatus: EmailStatus.default('unavailable'),
  phones: z.array(Phone).default([]),
  companyId: LocalId.nullable().default(null),
  stage: z.string().nullable().default(null),
  /** A workspace user id; mapped to a Salesforce User by email (X7). */
  ownerId: LocalId.nullable().default(null),
  origin: Origin,
});
export type Person = z.infer<typeof Person>;
export type PersonInput = z.input<typeof Person>;

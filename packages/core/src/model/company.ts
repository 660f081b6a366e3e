import { z } from 'zod';
import { ExternalId, LocalId, OptionalText, Origin, Text } from './common.js';

export const Company = z.object({
  id: LocalId,
  workspaceId: LocalId,
  externalId: ExternalId,
  name: Text.min(1, 'must not be empty'),
  website: OptionalText,
  industry: OptionalText,
  /** Number of employees. */
  size: z.number().int().nonnegative().nullable().default(null),
  stage: z.string().nullable().default(null),
  ownerId: LocalId.nullable().default(null),
  origin: Origin,
});
export type Company = z.infer<typeof Company>;
export type CompanyInput = z.input<typeof Company>;

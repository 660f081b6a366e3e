import { z } from 'zod';
import { CalendarDate, ExternalId, LocalId, Origin, Text } from './common.js';

export const Deal = z.object({
  id: LocalId,
  workspaceId: LocalId,
  externalId: ExternalId,
  name: Text.min(1, 'must not be empty'),
  amount: z.number().finite().nullable().default(null),
  stage: z.string().min(1, 'must not be empty'),
  closeDate: CalendarDate.nullable().default(null),
  companyId: LocalId.nullable().default(null),
  personIds: z.array(LocalId).default([]),
  ownerId: LocalId.nullable().default(null),
  /** D5: deals that came from Salesforce can be hidden from default lists. */
  origin: Origin,
});
export type Deal = z.infer<typeof Deal>;
export type DealInput = z.input<typeof Deal>;

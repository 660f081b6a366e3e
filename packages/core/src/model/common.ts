import { z } from 'zod';

/** Local ids are opaque, non-empty and short enough to fit Salesforce's external-id field (255). */
export const LocalId = z.string().min(1, 'must not be empty').max(255, 'must be at most 255 characters');
export type LocalId = z.infer<typeof LocalId>;

/** The host application's own id for a record: unique per workspace and type. */
export const ExternalId = z.string().min(1).max(255).nullable().default(null);

/** An ISO-8601 timestamp with a zone, e.g. 2026-11-28T10:00:00.000Z. */
export const Timestamp = z.iso.datetime({
  offset: true,
  message: 'must be an ISO-8601 date-time such as 2026-11-28T10:00:00Z',
});

/** A calendar date, e.g. 2026-12-31. */
export const CalendarDate = z.iso.date({ message: 'must be a date such as 2026-12-31' });

/** Where a record first came from: created in crmsync's host, or pulled from Salesforce (P3, D5). */
export const Origin = z.enum(['local', 'salesforce']).default('local');
export type Origin = z.infer<typeof Origin>;

/** Free text of a name or title; long values are kept, the field map cuts them at push (X6). */
export const Text = z.string().max(100_000, 'must be at most 100,000 characters');
export const OptionalText = Text.nullable().default(null);

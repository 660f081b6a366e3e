import { z } from 'zod';
import { CalendarDate, ExternalId, LocalId, Text, Timestamp } from './common.js';

const Address = z.string().min(3, 'must be an email address').max(320);

const ActivityBase = {
  id: LocalId,
  workspaceId: LocalId,
  externalId: ExternalId,
  /** The person, company and deal the activity is about, when the host knows them. */
  personId: LocalId.nullable().default(null),
  companyId: LocalId.nullable().default(null),
  dealId: LocalId.nullable().default(null),
  ownerId: LocalId.nullable().default(null),
};

export const Email = z
  .object({
    ...ActivityBase,
    /** RFC 5322 Message-ID: the same message seen twice is one Task (E6). */
    messageId: z.string().min(1, 'must not be empty').max(998),
    direction: z.enum(['outgoing', 'incoming']),
    sentThroughApp: z.boolean().default(false),
    threadId: z.string().nullable().default(null),
    inReplyTo: z.string().nullable().default(null),
    from: Address,
    to: z.array(Address).default([]),
    cc: z.array(Address).default([]),
    bcc: z.array(Address).default([]),
    subject: Text.default(''),
    body: Text.default(''),
    sentAt: Timestamp,
  })
  .refine((e) => e.to.length + e.cc.length + e.bcc.length > 0, {
    message: 'an email needs at least one recipient in to, cc or bcc',
    path: ['to'],
  });
export type Email = z.infer<typeof Email>;

export const Note = z.object({
  ...ActivityBase,
  title: Text.default(''),
  body: Text.default(''),
  createdAt: Timestamp,
});
export type Note = z.infer<typeof Note>;

export const Task = z.object({
  ...ActivityBase,
  title: Text.default(''),
  body: Text.default(''),
  dueDate: CalendarDate.nullable().default(null),
  status: z.enum(['open', 'completed']).default('open'),
  priority: z.enum(['low', 'normal', 'high']).default('normal'),
  type: z.string().max(100).default('task'),
});
export type Task = z.infer<typeof Task>;

export const Call = z.object({
  ...ActivityBase,
  direction: z.enum(['inbound', 'outbound']),
  durationSeconds: z.number().int().nonnegative('must not be negative'),
  outcome: z.string().max(255).default(''),
  notes: Text.default(''),
  calledAt: Timestamp,
});
export type Call = z.infer<typeof Call>;

export const Meeting = z
  .object({
    ...ActivityBase,
    scheduledThroughApp: z.boolean().default(false),
    start: Timestamp,
    end: Timestamp,
    title: Text.default(''),
    description: Text.default(''),
    /** Attendee email addresses. */
    attendees: z.array(Address).default([]),
  })
  .refine((m) => Date.parse(m.end) >= Date.parse(m.start), {
    message: 'a meeting cannot end before it starts',
    path: ['end'],
  });
export type Meeting = z.infer<typeof Meeting>;

export const MeetingSummary = z.object({
  ...ActivityBase,
  meetingId: LocalId,
  text: Text.min(1, 'must not be empty'),
});
export type MeetingSummary = z.infer<typeof MeetingSummary>;

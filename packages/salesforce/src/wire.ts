import { z } from 'zod';

/*
 * Salesforce's answers that drive decisions, parsed once here (STYLE 2). Unknown keys are
 * ignored; a missing or mistyped key the adapter relies on is a parse error, not a guess.
 */

const nullableString = z
  .string()
  .nullable()
  .optional()
  .transform((v) => v ?? null);

export const WireRecordError = z.object({
  statusCode: z.string(),
  message: z.string().default(''),
  fields: z.array(z.string()).default([]),
});

/** One item of an sObject Collections answer. */
export const WireSaveResult = z.object({
  id: nullableString,
  success: z.boolean(),
  created: z.boolean().optional(),
  errors: z.array(WireRecordError).default([]),
});
export const WireSaveResults = z.array(WireSaveResult);

export const WirePicklistValue = z.object({ value: z.string(), active: z.boolean().default(true) });

export const WireField = z.object({
  name: z.string(),
  label: z.string().default(''),
  type: z.string(),
  length: z.number().default(0),
  createable: z.boolean().default(false),
  updateable: z.boolean().default(false),
  nillable: z.boolean().default(true),
  restrictedPicklist: z.boolean().default(false),
  picklistValues: z.array(WirePicklistValue).nullable().default([]),
  externalId: z.boolean().default(false),
  unique: z.boolean().default(false),
  custom: z.boolean().default(false),
  defaultedOnCreate: z.boolean().default(false),
  filterable: z.boolean().default(true),
  referenceTo: z.array(z.string()).nullable().default([]),
});

export const WireDescribe = z.object({
  name: z.string(),
  label: z.string().default(''),
  createable: z.boolean().default(false),
  updateable: z.boolean().default(false),
  deletable: z.boolean().default(false),
  queryable: z.boolean().default(false),
  fields: z.array(WireField),
});

export const WireQueryPage = z.object({
  totalSize: z.number(),
  done: z.boolean(),
  nextRecordsUrl: z.string().optional(),
  records: z.array(z.record(z.string(), z.unknown())),
});
export type WireQueryPage = z.infer<typeof WireQueryPage>;

export const WireCompositeResponse = z.object({
  compositeResponse: z.array(
    z.object({
      body: z.unknown(),
      httpStatusCode: z.number(),
      referenceId: z.string(),
    }),
  ),
});

/** A REST error body: `[{ errorCode, message, fields? }]`. */
export const WireRestErrors = z.array(
  z.object({
    errorCode: z.string(),
    message: z.string().default(''),
    fields: z.array(z.string()).optional(),
  }),
);

export const WireBulkJob = z.object({
  id: z.string(),
  object: z.string().default(''),
  operation: z.string(),
  state: z.enum(['Open', 'UploadComplete', 'InProgress', 'JobComplete', 'Failed', 'Aborted']),
  numberRecordsProcessed: z.number().default(0),
  numberRecordsFailed: z.number().default(0),
  errorMessage: nullableString,
});

export const WireUpdated = z.object({ ids: z.array(z.string()), latestDateCovered: z.string() });
export const WireDeleted = z.object({
  deletedRecords: z.array(z.object({ id: z.string(), deletedDate: z.string() })),
  earliestDateAvailable: nullableString,
  latestDateCovered: z.string(),
});

export const WireLimits = z.object({
  DailyApiRequests: z.object({ Max: z.number(), Remaining: z.number() }),
});

// The seams between the emulator's parts. The org store (org/), the HTTP layer (http/), the SOQL
// engine (soql/) and Bulk API 2.0 (bulk/) are built side by side against these types; change
// them only together with every implementer.

/** A stored record: canonical field API names -> JSON values (string, number, boolean, null). */
export type SObjectRecord = Record<string, unknown> & { Id: string };

export type FieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'email'
  | 'phone'
  | 'url'
  | 'picklist'
  | 'multipicklist'
  | 'combobox'
  | 'reference'
  | 'boolean'
  | 'int'
  | 'double'
  | 'currency'
  | 'percent'
  | 'date'
  | 'datetime'
  | 'time'
  | 'base64';

export interface PicklistValue {
  value: string;
  label: string;
  active: boolean;
  defaultValue: boolean;
}

/** The subset of Salesforce's field describe the emulator keeps; the describe endpoint fills the rest. */
export interface FieldMeta {
  name: string;
  label: string;
  type: FieldType;
  length: number;
  nillable: boolean;
  createable: boolean;
  updateable: boolean;
  defaultedOnCreate: boolean;
  externalId: boolean;
  unique: boolean;
  caseSensitive: boolean;
  custom: boolean;
  filterable: boolean;
  sortable: boolean;
  idLookup: boolean;
  restrictedPicklist: boolean;
  picklistValues: PicklistValue[];
  referenceTo: string[];
  relationshipName: string | null;
  defaultValue: unknown;
  precision: number;
  scale: number;
}

export interface ChildRelationship {
  childSObject: string;
  field: string;
  relationshipName: string | null;
  cascadeDelete: boolean;
}

export interface ObjectMeta {
  name: string;
  label: string;
  labelPlural: string;
  keyPrefix: string;
  custom: boolean;
  createable: boolean;
  updateable: boolean;
  deletable: boolean;
  queryable: boolean;
  /** Canonical order; lookups by name are case-insensitive through `fieldByName`. */
  fields: FieldMeta[];
  childRelationships: ChildRelationship[];
  /** Validation rules: when `errorWhen(record)` is true the save fails with FIELD_CUSTOM_VALIDATION_EXCEPTION. */
  validationRules: ValidationRule[];
}

export interface ValidationRule {
  name: string;
  message: string;
  field: string | null;
  errorWhen: (record: Readonly<SObjectRecord>) => boolean;
}

/** A per-record error as Salesforce writes it inside collection and Bulk results (`statusCode`, not `errorCode`). */
export interface RecordError {
  statusCode: string;
  message: string;
  fields: string[];
  /** Only for DUPLICATES_DETECTED. */
  duplicateResult?: unknown;
}

export type SaveResult =
  | { success: true; id: string; created?: boolean }
  | { success: false; id?: string; errors: RecordError[]; created?: boolean };

/** Who is writing and how; feeds CreatedById/LastModifiedById and the per-record write counter. */
export interface WriteContext {
  userId: string;
  /** Header `Sforce-Duplicate-Rule-Header: allowSave=true`. */
  allowDuplicateSave?: boolean;
  /** API version of the request ("62.0"), for URLs inside per-record errors (duplicateResult). */
  apiVersion?: string;
}

/**
 * What the SOQL engine needs from an org. Reads are synchronous and see committed data only.
 * Object and field names passed in may be in any case; records come back with canonical names.
 */
export interface QueryableOrg {
  /** Case-insensitive; undefined for unknown objects. */
  describe(objectName: string): ObjectMeta | undefined;
  /** Every live record of the object, plus deleted ones (IsDeleted = true) when includeDeleted. */
  scan(objectName: string, includeDeleted: boolean): Iterable<SObjectRecord>;
  /**
   * Records whose `field` equals one of `values` through an index (Id, external-id and unique
   * fields, Email on Contact/Lead, reference fields). Text comparisons are case-insensitive.
   * Returns undefined when the field has no index, so the caller falls back to a scan.
   */
  lookup(
    objectName: string,
    field: string,
    values: readonly unknown[],
    includeDeleted: boolean,
  ): SObjectRecord[] | undefined;
  /** Any record (live or deleted) by 15- or 18-character id. */
  getById(id: string): SObjectRecord | undefined;
  /** The org's clock (movable through the control API). */
  now(): Date;
}

/**
 * Record writes, shared by REST, collections, composite and Bulk. Each call is atomic for its
 * record; `transaction` gives all-or-none over several calls (collections allOrNone, composite).
 * Values arrive as JSON values keyed by field names in any case; the org validates them exactly as
 * Salesforce does and answers per-record errors, never throws for bad data.
 */
export interface WritableOrg extends QueryableOrg {
  create(objectName: string, fields: Record<string, unknown>, ctx: WriteContext): SaveResult;
  update(objectName: string, id: string, fields: Record<string, unknown>, ctx: WriteContext): SaveResult;
  /** Upsert on an external-id field (or Id). More than one match -> errors[0].statusCode 'MULTIPLE_CHOICES' with `fields` the matching ids. */
  upsert(
    objectName: string,
    externalIdField: string,
    fields: Record<string, unknown>,
    ctx: WriteContext,
  ): SaveResult;
  delete(id: string, ctx: WriteContext): SaveResult;
  /** Runs fn; when it returns false or throws, every write made inside is undone. */
  transaction<T>(fn: () => { commit: boolean; value: T }): T;
  readonly orgId: string;
}

/** An authenticated request as a route handler sees it (the HTTP layer did auth, limits and faults). */
export interface EmuRequest {
  method: string;
  /** Path after `/services/data/vNN.0` for data routes, else the whole path; no query string. */
  path: string;
  /** Named groups captured by the route pattern, URL-decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  /** The raw body; the HTTP layer caps its size and answers 413-style errors itself. */
  body: Buffer;
  /** The API version in the path ("62.0"), or null outside /services/data. */
  apiVersion: string | null;
  org: WritableOrg;
  userId: string;
  /** Base URL of this emulator, e.g. http://127.0.0.1:4000 */
  baseUrl: string;
}

export interface EmuResponse {
  status: number;
  headers?: Record<string, string>;
  /** An object/array is sent as JSON with Salesforce's content type; a string or Buffer is sent as is. */
  body?: unknown;
}

export type RouteHandler = (req: EmuRequest) => EmuResponse | Promise<EmuResponse>;

export interface RouteOptions {
  /** Counted against the daily API limit (default true). */
  counted?: boolean;
}

/** Route patterns are regular expressions over EmuRequest.path with named groups. */
export interface RouteRegistry {
  add(method: string, pattern: RegExp, handler: RouteHandler, options?: RouteOptions): void;
}

/** Salesforce's REST error answer: a JSON array of { message, errorCode, fields? }. */
export class SalesforceError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly fields?: string[],
  ) {
    super(message);
    this.name = 'SalesforceError';
  }
  toBody(): unknown[] {
    return [
      this.fields === undefined
        ? { message: this.message, errorCode: this.errorCode }
        : { message: this.message, errorCode: this.errorCode, fields: this.fields },
    ];
  }
}

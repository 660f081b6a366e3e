import type { FieldMapping, MappedObject } from '../settings/field-maps.js';
import { normalizeHost } from './domains.js';
import { suggest, type SettingsProblem } from '../settings/problems.js';

/*
 * X5 field mapping and X6 value checks: local values -> the exact Salesforce fields to send.
 * A value that cannot be sent as the admin configured fails the record with issues that name the
 * record field, the Salesforce field and what to do; a value that can be sent after a harmless
 * change (cut to length, an invalid email left out, a read-only field skipped) is sent with notes.
 */

/** The part of a Salesforce field describe crmsync reads. */
export interface FieldDescribe {
  name: string;
  label: string;
  type: string;
  length: number;
  createable: boolean;
  updateable: boolean;
  nillable: boolean;
  restrictedPicklist: boolean;
  picklistValues: string[];
}
export interface ObjectDescribe {
  name: string;
  fields: FieldDescribe[];
}

export interface MapFieldsInput {
  object: MappedObject;
  /** Local field path -> value, e.g. `{ firstName: 'Ada', 'company.name': 'Acme' }`. A path absent here is not touched. */
  values: Record<string, unknown>;
  mappings: readonly FieldMapping[];
  describe: ObjectDescribe;
  mode: 'create' | 'update';
  /** What crmsync last wrote (link.snapshot), by Salesforce field name; `overwrite` compares with it. */
  snapshot: Record<string, unknown> | null;
  /** Current Salesforce values for `fill_if_empty` (one batched read per batch); null = not read. */
  current: Record<string, unknown> | null;
}

export interface FieldIssue {
  /** The Salesforce field API name. */
  field: string;
  localField: string;
  rule: 'X5' | 'X6';
  code: FieldIssueCode;
  message: string;
}

export type FieldIssueCode =
  /** Notes: the record is still sent. */
  | 'FIELD_NOT_IN_ORG'
  | 'NOT_CREATEABLE'
  | 'NOT_UPDATEABLE'
  | 'TRUNCATED'
  | 'INVALID_EMAIL_DROPPED'
  | 'KEPT_SALESFORCE_VALUE'
  | 'NOT_READ_FOR_FILL_IF_EMPTY'
  | 'CANNOT_BLANK_REQUIRED'
  /** Issues: the record is not sent. */
  | 'TOO_LONG'
  | 'PICKLIST_VALUE_NOT_ALLOWED'
  | 'NOT_A_NUMBER'
  | 'NOT_A_WHOLE_NUMBER'
  | 'NOT_A_BOOLEAN'
  | 'NOT_A_DATE'
  | 'NOT_A_DATETIME'
  | 'NOT_TEXT'
  | 'UNSUPPORTED_TYPE';

export type MapFieldsResult =
  { ok: true; fields: Record<string, unknown>; notes: FieldIssue[] } | { ok: false; issues: FieldIssue[] };

/** Salesforce field types whose value is text with a `length`. */
const TEXT_TYPES = new Set([
  'string',
  'textarea',
  'email',
  'phone',
  'url',
  'picklist',
  'multipicklist',
  'combobox',
  'encryptedstring',
  'id',
  'reference',
]);

/** Each describe's fields by lower-cased name, built once per describe (a describe is read-only). */
const fieldsByName = new WeakMap<ObjectDescribe, Map<string, FieldDescribe>>();

function findField(describe: ObjectDescribe, name: string): FieldDescribe | undefined {
  let byName = fieldsByName.get(describe);
  if (byName === undefined) {
    byName = new Map();
    // The first of two names differing only by case wins, as a linear search would find it.
    for (const f of describe.fields)
      if (!byName.has(f.name.toLowerCase())) byName.set(f.name.toLowerCase(), f);
    fieldsByName.set(describe, byName);
  }
  return byName.get(name.toLowerCase());
}

/** The value under a key, matching Salesforce's case-insensitive field names. */
function valueOf(record: Record<string, unknown> | null, field: string): unknown {
  if (record === null) return undefined;
  if (Object.hasOwn(record, field)) return record[field];
  const lower = field.toLowerCase();
  for (const [k, v] of Object.entries(record)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

function isBlank(v: unknown): boolean {
  return (
    v === null ||
    v === undefined ||
    (typeof v === 'string' && v.trim() === '') ||
    (Array.isArray(v) && v.length === 0)
  );
}

/** Short enough to quote in a message. */
function quote(v: unknown): string {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 37)}...` : s);
}

/**
 * Cuts to `max` UTF-16 code units, as Salesforce counts length, without leaving half of a
 * surrogate pair (an emoji cut in two would be an invalid string).
 */
export function cutToLength(value: string, max: number): string {
  if (value.length <= max) return value;
  let cut = value.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut;
}

/*
 * Salesforce's Email fields take ASCII addresses only (no internationalised local parts), so an
 * address with other characters is as unsendable as one without an `@`.
 */
const EMAIL =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]{0,62}$/;

/** `jane@müller.de` -> `jane@xn--mller-kva.de`: Salesforce takes an international domain in its ASCII form. */
function punycodeDomain(address: string): string {
  const at = address.lastIndexOf('@');
  const domain = address.slice(at + 1);
  if (at <= 0 || /^[\x00-\x7f]*$/.test(domain)) return address;
  const ascii = normalizeHost(domain);
  return ascii === null ? address : `${address.slice(0, at)}@${ascii}`;
}

export function isValidEmail(value: string): boolean {
  return value.length <= 254 && EMAIL.test(value);
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function validDate(s: string): boolean {
  const m = DATE.exec(s);
  if (m === null) return false;
  const d = new Date(`${s}T00:00:00.000Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

type Converted = { ok: true; value: unknown } | { ok: false; code: FieldIssueCode; expected: string };

/** Type coercion for the field's Salesforce type; text fields take numbers and booleans as text. */
function convert(value: unknown, field: FieldDescribe): Converted {
  switch (field.type) {
    case 'int':
    case 'double':
    case 'currency':
    case 'percent': {
      const n =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(value)
            ? Number(value)
            : NaN;
      if (!Number.isFinite(n))
        return { ok: false, code: 'NOT_A_NUMBER', expected: 'a number such as 1200 or 99.5' };
      if (field.type === 'int' && !Number.isInteger(n))
        return { ok: false, code: 'NOT_A_WHOLE_NUMBER', expected: 'a whole number such as 120' };
      return { ok: true, value: n };
    }
    case 'boolean': {
      if (typeof value === 'boolean') return { ok: true, value };
      const s =
        typeof value === 'string'
          ? value.trim().toLowerCase()
          : typeof value === 'number'
            ? String(value)
            : '';
      if (['true', 'yes', '1'].includes(s)) return { ok: true, value: true };
      if (['false', 'no', '0'].includes(s)) return { ok: true, value: false };
      return { ok: false, code: 'NOT_A_BOOLEAN', expected: 'true or false' };
    }
    case 'date': {
      const s = value instanceof Date ? value.toISOString() : typeof value === 'string' ? value.trim() : '';
      // A date-time keeps its calendar day as written; the zone is not converted.
      const day = DATETIME.test(s) ? s.slice(0, 10) : s;
      if (!validDate(day)) return { ok: false, code: 'NOT_A_DATE', expected: 'a date such as 2026-12-31' };
      return { ok: true, value: day };
    }
    case 'datetime': {
      const s = value instanceof Date ? value.toISOString() : typeof value === 'string' ? value.trim() : '';
      // A bare date is midnight UTC: the most common meaning of a date in a date-time field.
      const full = validDate(s) ? `${s}T00:00:00.000Z` : s;
      const t = DATETIME.test(full) ? Date.parse(full) : NaN;
      if (Number.isNaN(t) || !validDate(full.slice(0, 10))) {
        return { ok: false, code: 'NOT_A_DATETIME', expected: 'a date-time such as 2026-12-31T09:30:00Z' };
      }
      return { ok: true, value: new Date(t).toISOString() };
    }
    case 'multipicklist':
      if (Array.isArray(value) && value.every((v) => typeof v === 'string'))
        return { ok: true, value: value.join(';') };
      return asText(value);
    case 'address':
    case 'location':
    case 'base64':
      return {
        ok: false,
        code: 'UNSUPPORTED_TYPE',
        expected: `a field crmsync can write (${field.type} fields cannot be mapped)`,
      };
    default:
      return asText(value);
  }
}

function asText(value: unknown): Converted {
  if (typeof value === 'string') return { ok: true, value };
  if (typeof value === 'number' && Number.isFinite(value)) return { ok: true, value: String(value) };
  if (typeof value === 'boolean') return { ok: true, value: value ? 'true' : 'false' };
  return { ok: false, code: 'NOT_TEXT', expected: 'text' };
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isBlank(a) && isBlank(b)) return true;
  // Salesforce returns numbers as numbers and crmsync may have stored them as sent: compare as text.
  if ((typeof a === 'number' || typeof a === 'string') && (typeof b === 'number' || typeof b === 'string'))
    return String(a) === String(b);
  return false;
}

/**
 * X5 + X6. Never throws; a record is refused only for a value that would be wrong in Salesforce
 * (too long with `reject`, not in a restricted picklist, not convertible to the field's type).
 */
export function mapFields(input: MapFieldsInput): MapFieldsResult {
  const { object, values, mappings, describe, mode, snapshot, current } = input;
  const fields: Record<string, unknown> = {};
  const notes: FieldIssue[] = [];
  const issues: FieldIssue[] = [];

  for (const mapping of mappings) {
    if (!Object.hasOwn(values, mapping.local)) continue;
    const raw = values[mapping.local];
    const field = findField(describe, mapping.salesforce);
    const issue = (rule: 'X5' | 'X6', code: FieldIssueCode, message: string): FieldIssue => ({
      field: field?.name ?? mapping.salesforce,
      localField: mapping.local,
      rule,
      code,
      message,
    });
    const where = `${object}.${field?.name ?? mapping.salesforce} (from ${mapping.local})`;

    if (field === undefined) {
      notes.push(
        issue(
          'X5',
          'FIELD_NOT_IN_ORG',
          `${where} was left out: the org has no field ${mapping.salesforce} on ${object}. Fix the mapping in the field-mapping settings.`,
        ),
      );
      continue;
    }
    if (mode === 'create' && !field.createable) {
      notes.push(
        issue(
          'X5',
          'NOT_CREATEABLE',
          `${where} was left out: Salesforce does not let the integration user set ${field.label} on create. Grant field access or remove the mapping.`,
        ),
      );
      continue;
    }
    if (mode === 'update' && !field.updateable) {
      notes.push(
        issue(
          'X5',
          'NOT_UPDATEABLE',
          `${where} was left out: Salesforce does not let the integration user change ${field.label}. Grant field access or remove the mapping.`,
        ),
      );
      continue;
    }

    const written = valueOf(snapshot, field.name);

    if (isBlank(raw)) {
      // Blank locally: only a value crmsync itself wrote may be cleared, and only by overwrite.
      if (mode === 'update' && mapping.writeRule === 'overwrite' && !isBlank(written)) {
        if (field.nillable) fields[field.name] = null;
        else
          notes.push(
            issue(
              'X5',
              'CANNOT_BLANK_REQUIRED',
              `${where} was kept: ${mapping.local} is empty locally, but ${field.label} is required in Salesforce and cannot be blanked. Fill ${mapping.local} to change it.`,
            ),
          );
      }
      continue;
    }

    const converted = convert(raw, field);
    if (!converted.ok) {
      issues.push(
        issue(
          'X6',
          converted.code,
          `${where}: ${quote(raw)} cannot be sent to ${field.label}, which needs ${converted.expected}. Correct ${mapping.local} on the record, or map it to another field.`,
        ),
      );
      continue;
    }
    let value = converted.value;

    if (field.type === 'email') {
      const email = punycodeDomain(String(value).trim());
      if (!isValidEmail(email) || (field.length > 0 && email.length > field.length)) {
        notes.push(
          issue(
            'X6',
            'INVALID_EMAIL_DROPPED',
            `${where} was left out: ${quote(email)} is not an email address Salesforce accepts${email.length > field.length && field.length > 0 ? ` (longer than ${field.length} characters)` : ''}. Correct ${mapping.local} on the record; the rest of the record was sent.`,
          ),
        );
        continue;
      }
      value = email;
    }

    if (field.type === 'picklist' || field.type === 'multipicklist') {
      const picked = checkPicklist(String(value), field);
      if (!picked.ok) {
        issues.push(
          issue(
            'X6',
            'PICKLIST_VALUE_NOT_ALLOWED',
            `${where}: ${quote(picked.bad)} is not a value of the restricted picklist ${field.label}; allowed values: ${field.picklistValues.join(', ') || 'none'}. Change ${mapping.local} or add the value to the picklist.`,
          ),
        );
        continue;
      }
      value = picked.value;
    }

    if (
      typeof value === 'string' &&
      TEXT_TYPES.has(field.type) &&
      field.length > 0 &&
      value.length > field.length
    ) {
      if (mapping.tooLong === 'reject') {
        issues.push(
          issue(
            'X6',
            'TOO_LONG',
            `${where}: the value is ${value.length} characters and ${field.label} holds ${field.length}. Shorten ${mapping.local}, or set this mapping to cut long values.`,
          ),
        );
        continue;
      }
      const cut = cutToLength(value, field.length);
      notes.push(
        issue(
          'X6',
          'TRUNCATED',
          `${where}: the value was ${value.length} characters and was cut to ${cut.length}, the length of ${field.label}. Shorten ${mapping.local} to keep all of it.`,
        ),
      );
      value = cut;
    }

    if (mode === 'update') {
      if (mapping.writeRule === 'overwrite') {
        // Unchanged since crmsync's last write: leave it, so an edit made in Salesforce survives.
        if (written !== undefined && sameValue(written, value)) continue;
      } else {
        if (current === null) {
          notes.push(
            issue(
              'X5',
              'NOT_READ_FOR_FILL_IF_EMPTY',
              `${where} was left out: it is written only when empty in Salesforce, and its current value was not read.`,
            ),
          );
          continue;
        }
        const now = valueOf(current, field.name);
        if (!isBlank(now)) {
          notes.push(
            issue(
              'X5',
              'KEPT_SALESFORCE_VALUE',
              `${where} was left out: ${field.label} already has a value in Salesforce and the mapping writes only into empty fields.`,
            ),
          );
          continue;
        }
      }
    }
    fields[field.name] = value;
  }

  return issues.length > 0 ? { ok: false, issues } : { ok: true, fields, notes };
}

/**
 * X6: a value of a restricted picklist must be one of its values; an unrestricted picklist takes
 * any value (a stock LeadSource accepts `Apollo`). A value that differs only in case is sent in
 * the org's spelling, so reports do not split `web` from `Web`.
 */
function checkPicklist(
  value: string,
  field: FieldDescribe,
): { ok: true; value: string } | { ok: false; bad: string } {
  const parts =
    field.type === 'multipicklist'
      ? value
          .split(';')
          .map((p) => p.trim())
          .filter((p) => p !== '')
      : [value.trim()];
  const out: string[] = [];
  for (const part of parts) {
    const known =
      field.picklistValues.find((v) => v === part) ??
      field.picklistValues.find((v) => v.toLowerCase() === part.toLowerCase());
    if (known !== undefined) out.push(known);
    else if (field.restrictedPicklist) return { ok: false, bad: part };
    else out.push(part);
  }
  return { ok: true, value: out.join(';') };
}

/** What kind of value each local field holds, for the save-time type check (X5). */
export type LocalKind =
  'text' | 'email' | 'phone' | 'url' | 'integer' | 'number' | 'date' | 'datetime' | 'choice' | 'id';

const LOCAL_FIELD_KINDS: Record<string, LocalKind> = {
  firstName: 'text',
  lastName: 'text',
  title: 'text',
  email: 'email',
  phone: 'phone',
  mobilePhone: 'phone',
  stage: 'choice',
  externalId: 'id',
  name: 'text',
  website: 'url',
  industry: 'choice',
  size: 'integer',
  amount: 'number',
  closeDate: 'date',
  body: 'text',
  dueDate: 'date',
  priority: 'choice',
  status: 'choice',
  subject: 'text',
  outcome: 'choice',
  notes: 'text',
  durationSeconds: 'integer',
  description: 'text',
  start: 'datetime',
  end: 'datetime',
  text: 'text',
  'company.name': 'text',
  'company.website': 'url',
  'company.industry': 'choice',
  'company.size': 'integer',
};

const LONG_TEXT = ['string', 'textarea', 'encryptedstring'];
const ACCEPTS: Record<LocalKind, readonly string[]> = {
  text: [...LONG_TEXT, 'combobox', 'picklist', 'multipicklist'],
  email: ['email', ...LONG_TEXT],
  phone: ['phone', ...LONG_TEXT],
  url: ['url', ...LONG_TEXT],
  integer: ['int', 'double', 'currency', 'percent', ...LONG_TEXT],
  number: ['double', 'currency', 'percent', ...LONG_TEXT],
  date: ['date', 'datetime', ...LONG_TEXT],
  datetime: ['datetime', 'date', ...LONG_TEXT],
  choice: ['picklist', 'multipicklist', 'combobox', ...LONG_TEXT],
  id: [...LONG_TEXT],
};

/**
 * X5 on save: the mappings of one object checked against the org's describe. Each problem names
 * the mapping by its settings path and says what to change.
 */
export function checkMappingsAgainstDescribe(
  object: MappedObject,
  mappings: readonly FieldMapping[],
  describe: ObjectDescribe,
): SettingsProblem[] {
  const problems: SettingsProblem[] = [];
  const names = describe.fields.map((f) => f.name);
  mappings.forEach((m, i) => {
    const path = `fieldMappings.${object}.${i}.salesforce`;
    const field = findField(describe, m.salesforce);
    if (field === undefined) {
      const hint = suggest(m.salesforce, names);
      problems.push({
        path,
        message: `${object} has no field ${m.salesforce} in the connected org${hint ? ` (did you mean ${hint}?)` : ''}; pick one of the org's ${object} fields${m.salesforce.endsWith('__c') ? '' : ' (custom fields end in __c)'}.`,
      });
      return;
    }
    if (!field.createable && !field.updateable) {
      problems.push({
        path,
        message: `${object}.${field.name} (${field.label}) cannot be written by the integration user (read-only or calculated); map ${m.local} to another field or grant edit access.`,
      });
      return;
    }
    const kind = localFieldKind(m.local);
    if (kind !== undefined && !ACCEPTS[kind].includes(field.type)) {
      problems.push({
        path,
        message: `${object}.${field.name} is a ${field.type} field and cannot hold ${m.local} (${describeKind(kind)}); map ${m.local} to a field of type ${ACCEPTS[kind].slice(0, 3).join(', ')} or text.`,
      });
    }
  });
  return problems;
}

function describeKind(kind: LocalKind): string {
  switch (kind) {
    case 'text':
      return 'text';
    case 'email':
      return 'an email address';
    case 'phone':
      return 'a phone number';
    case 'url':
      return 'a web address';
    case 'integer':
      return 'a whole number';
    case 'number':
      return 'a number';
    case 'date':
      return 'a date';
    case 'datetime':
      return 'a date-time';
    case 'choice':
      return 'a value from a list';
    case 'id':
      return 'an id';
  }
}

/** The kind of value a mappable local field holds; undefined for a name the settings do not know. */
export function localFieldKind(local: string): LocalKind | undefined {
  return Object.hasOwn(LOCAL_FIELD_KINDS, local) ? LOCAL_FIELD_KINDS[local] : undefined;
}

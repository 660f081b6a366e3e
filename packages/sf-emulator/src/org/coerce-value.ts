// Turns one incoming JSON value into the stored value for a field, or the per-record error
// Salesforce gives for it. Strings are accepted for every type because Bulk API CSV carries
// nothing else; blank text means null, as in Salesforce.
import type { FieldMeta, RecordError } from '../contracts.js';
import { normalizeId } from '../ids.js';
import { recordErrors } from './record-errors.js';
import { formatDateTime, parseDate, parseDateTime } from './sf-format.js';

export type Coerced = { ok: true; value: unknown } | { ok: false; error: RecordError };

const ok = (value: unknown): Coerced => ({ ok: true, value });
const fail = (error: RecordError): Coerced => ({ ok: false, error });

// Salesforce's check is permissive about the local part and strict about the shape.
const EMAIL =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

const TEXT_TYPES = new Set([
  'string',
  'textarea',
  'email',
  'phone',
  'url',
  'picklist',
  'multipicklist',
  'combobox',
]);
const NUMBER_TYPES = new Set(['int', 'double', 'currency', 'percent']);

function coerceText(f: FieldMeta, raw: unknown): Coerced {
  if (typeof raw === 'object') return fail(recordErrors.deserialize('String', raw));
  const text = String(raw);
  if (text === '') return ok(null);
  if (text.length > f.length && f.length > 0) return fail(recordErrors.stringTooLong(f, text));
  if (f.type === 'email' && !EMAIL.test(text)) return fail(recordErrors.invalidEmail(f, text));
  if (
    f.type === 'picklist' &&
    f.restrictedPicklist &&
    !f.picklistValues.some((p) => p.active && p.value === text)
  ) {
    return fail(recordErrors.restrictedPicklist(f, text));
  }
  if (f.type === 'multipicklist' && f.restrictedPicklist) {
    const bad = text.split(';').find((part) => !f.picklistValues.some((p) => p.value === part));
    if (bad !== undefined) return fail(recordErrors.restrictedPicklist(f, bad));
  }
  return ok(text);
}

function coerceNumber(f: FieldMeta, raw: unknown): Coerced {
  const label = f.type === 'int' ? 'int' : 'double';
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) return fail(recordErrors.deserialize(label, raw));
    return ok(f.type === 'int' ? Math.trunc(raw) : raw);
  }
  if (typeof raw === 'string') {
    if (raw.trim() === '') return ok(null);
    const n = Number(raw);
    if (Number.isNaN(n)) return fail(recordErrors.deserialize(label, raw));
    return ok(f.type === 'int' ? Math.trunc(n) : n);
  }
  return fail(recordErrors.deserialize(label, raw));
}

function coerceBoolean(raw: unknown): Coerced {
  if (typeof raw === 'boolean') return ok(raw);
  if (typeof raw === 'string' && /^(true|false)$/i.test(raw)) return ok(raw.toLowerCase() === 'true');
  if (typeof raw === 'number' && (raw === 0 || raw === 1)) return ok(raw === 1);
  return fail(recordErrors.deserialize('boolean', raw));
}

export function coerceValue(f: FieldMeta, raw: unknown): Coerced {
  if (raw === null || raw === undefined || (raw === '' && f.type !== 'boolean')) return ok(null);
  if (TEXT_TYPES.has(f.type)) return coerceText(f, raw);
  if (NUMBER_TYPES.has(f.type)) return coerceNumber(f, raw);
  switch (f.type) {
    case 'boolean':
      return raw === '' ? ok(false) : coerceBoolean(raw);
    case 'date': {
      const day = typeof raw === 'string' ? parseDate(raw) : undefined;
      return day === undefined ? fail(recordErrors.deserialize('date', raw)) : ok(day);
    }
    case 'datetime': {
      const at =
        typeof raw === 'string' ? parseDateTime(raw) : typeof raw === 'number' ? new Date(raw) : undefined;
      return at === undefined ? fail(recordErrors.deserialize('datetime', raw)) : ok(formatDateTime(at));
    }
    case 'time':
      return typeof raw === 'string' && /^\d{2}:\d{2}(:\d{2}(\.\d{3})?)?Z?$/.test(raw)
        ? ok(raw)
        : fail(recordErrors.deserialize('time', raw));
    case 'id':
    case 'reference': {
      if (typeof raw !== 'string') return fail(recordErrors.deserialize('id', raw));
      const id = normalizeId(raw);
      return id === undefined ? fail(recordErrors.malformedId(f, raw)) : ok(id);
    }
    case 'base64':
      return typeof raw === 'string' ? ok(raw) : fail(recordErrors.deserialize('base64', raw));
    default:
      return ok(raw);
  }
}

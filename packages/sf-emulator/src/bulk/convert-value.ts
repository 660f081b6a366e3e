// Turns one CSV string into the JSON value the org expects for the field's type, as Bulk API's
// deserializer does. A value that does not convert is that record's error, never the job's.
import type { FieldMeta, FieldType, RecordError } from '../contracts.js';

/** jsforce writes null as `#N/A`; Salesforce reads it as "set this field to null". */
export const NULL_MARKER = '#N/A';

export type Converted = { ok: true; value: unknown } | { ok: false; error: RecordError };

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})(T(\d{2}):(\d{2})(:(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const BOOLEANS: Record<string, boolean> = {
  true: true,
  false: false,
  '1': true,
  '0': false,
  yes: true,
  no: false,
};

/** The XML schema type Salesforce names in its deserializer message. */
const XSD_TYPE: Partial<Record<FieldType, string>> = {
  boolean: 'xsd:boolean',
  int: 'xsd:int',
  double: 'xsd:double',
  currency: 'xsd:double',
  percent: 'xsd:double',
  date: 'xsd:date',
  datetime: 'xsd:dateTime',
};

/** `value` is neither empty nor NULL_MARKER: those mean "leave unchanged" and "null" and never get here. */
export function convertCsvValue(field: FieldMeta, value: string, column: number): Converted {
  switch (field.type) {
    case 'boolean': {
      const parsed = BOOLEANS[value.trim().toLowerCase()];
      return parsed === undefined ? invalid(field, value, column) : { ok: true, value: parsed };
    }
    case 'int':
      return INTEGER.test(value.trim()) ? { ok: true, value: Number(value) } : invalid(field, value, column);
    case 'double':
    case 'currency':
    case 'percent':
      return DECIMAL.test(value.trim()) ? { ok: true, value: Number(value) } : invalid(field, value, column);
    case 'date': {
      const match = DATE.exec(value.trim()) ?? DATETIME.exec(value.trim());
      if (match === null || !isRealDate(match)) return invalid(field, value, column);
      return { ok: true, value: `${match[1]}-${match[2]}-${match[3]}` };
    }
    case 'datetime': {
      const match = DATETIME.exec(value.trim());
      const instant = match === null ? Number.NaN : Date.parse(normaliseOffset(value.trim(), match));
      if (match === null || !isRealDate(match) || Number.isNaN(instant)) return invalid(field, value, column);
      return { ok: true, value: new Date(instant).toISOString() };
    }
    case 'id':
    case 'string':
    case 'textarea':
    case 'email':
    case 'phone':
    case 'url':
    case 'picklist':
    case 'multipicklist':
    case 'combobox':
    case 'reference':
    case 'time':
    case 'base64':
      return { ok: true, value };
  }
}

function invalid(field: FieldMeta, value: string, column: number): Converted {
  return {
    ok: false,
    error: {
      statusCode: 'INVALID_FIELD',
      message: `Failed to deserialize field at col ${column}. Due to, '${value}' is not a valid value for the type ${XSD_TYPE[field.type] ?? field.type}`,
      fields: [field.name],
    },
  };
}

/** Rejects 2024-02-30 and 2024-13-01, which `Date.parse` would roll over or accept. */
function isRealDate(match: RegExpExecArray): boolean {
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** A date alone is midnight UTC; `+0000` becomes `+00:00` so `Date.parse` reads it; no zone means UTC. */
function normaliseOffset(value: string, match: RegExpExecArray): string {
  if (match[4] === undefined) return `${value}T00:00:00Z`;
  const zone = match[10];
  if (zone === undefined) return `${value}Z`;
  if (zone === 'Z' || zone.includes(':')) return value;
  return `${value.slice(0, -zone.length)}${zone.slice(0, 3)}:${zone.slice(3)}`;
}

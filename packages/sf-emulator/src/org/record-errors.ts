// Per-record errors exactly as Salesforce words them (reference §2.3). Returned, never thrown.
import type { FieldMeta, RecordError } from '../contracts.js';

export const recordError = (statusCode: string, message: string, fields: string[] = []): RecordError => ({
  statusCode,
  message,
  fields,
});

export const recordErrors = {
  requiredMissing: (names: string[]) =>
    recordError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${names.join(', ')}]`, names),
  stringTooLong: (f: FieldMeta, value: string) =>
    recordError(
      'STRING_TOO_LONG',
      `${f.label}: data value too large: ${value.length > 100 ? value.slice(0, 100) + '...' : value} (max length=${f.length})`,
      [f.name],
    ),
  invalidEmail: (f: FieldMeta, value: string) =>
    recordError('INVALID_EMAIL_ADDRESS', `${f.label}: invalid email address: ${value}`, [f.name]),
  restrictedPicklist: (f: FieldMeta, value: string) =>
    recordError(
      'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      `${f.label}: bad value for restricted picklist field: ${value}`,
      [f.name],
    ),
  malformedId: (f: FieldMeta, value: string) =>
    recordError('MALFORMED_ID', `${f.label}: id value of incorrect type: ${value}`, [f.name]),
  wrongReferenceType: (f: FieldMeta, value: string) =>
    recordError('FIELD_INTEGRITY_EXCEPTION', `${f.label}: id value of incorrect type: ${value}`, [f.name]),
  invalidCrossReference: (f: FieldMeta) =>
    recordError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [f.name]),
  unknownField: (objectName: string, name: string) =>
    recordError('INVALID_FIELD', `No such column '${name}' on sobject of type ${objectName}`, [name]),
  notWritable: (f: FieldMeta, verb: 'create' | 'update') =>
    recordError(
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      `Unable to ${verb} fields: [${f.name}]. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
      [f.name],
    ),
  deserialize: (type: string, value: unknown) =>
    recordError(
      'JSON_PARSER_ERROR',
      `Cannot deserialize instance of ${type} from ${typeof value === 'object' ? (Array.isArray(value) ? 'START_ARRAY' : 'START_OBJECT') : 'VALUE_STRING'} value ${typeof value === 'object' ? JSON.stringify(value) : String(value)} or request may be missing a required field`,
    ),
  duplicateValue: (f: FieldMeta, existingId: string) =>
    recordError(
      'DUPLICATE_VALUE',
      `duplicate value found: ${f.name} duplicates value on record with id: ${existingId}`,
      [f.name],
    ),
  entityIsDeleted: () => recordError('ENTITY_IS_DELETED', 'entity is deleted'),
  notFound: () => recordError('NOT_FOUND', 'The requested resource does not exist'),
  malformedRecordId: (id: string) => recordError('MALFORMED_ID', `malformed id ${id}`, ['Id']),
  convertedLead: () => recordError('CANNOT_UPDATE_CONVERTED_LEAD', 'cannot reference converted lead'),
  validation: (message: string, field: string | null) =>
    recordError('FIELD_CUSTOM_VALIDATION_EXCEPTION', message, field === null ? [] : [field]),
  unableToLock: (id: string | undefined) =>
    recordError(
      'UNABLE_TO_LOCK_ROW',
      `unable to obtain exclusive access to this record or 1 records: ${id ?? ''}`.trim(),
    ),
  multipleChoices: (ids: string[]) =>
    recordError('MULTIPLE_CHOICES', `The external id matched ${ids.length} records`, ids),
  invalidType: (objectName: string) =>
    recordError('INVALID_TYPE', `sObject type '${objectName}' is not supported.`),
  entityFailed: (message: string) => recordError('INVALID_OPERATION', message),
};

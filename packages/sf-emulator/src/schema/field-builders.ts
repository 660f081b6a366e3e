// Terse constructors for FieldMeta so the standard-object tables read like Salesforce's field
// reference: one line per field, only what differs from the type's defaults.
import type { FieldMeta, FieldType, PicklistValue } from '../contracts.js';

export type FieldOptions = Partial<Omit<FieldMeta, 'name' | 'type' | 'picklistValues'>> & {
  /** Picklist values; the first one flagged with a trailing `*` is the default. */
  values?: string[];
};

const DEFAULT_LENGTH: Partial<Record<FieldType, number>> = {
  id: 18,
  reference: 18,
  string: 255,
  textarea: 32000,
  email: 80,
  phone: 40,
  url: 255,
  picklist: 255,
  multipicklist: 4099,
  combobox: 255,
};

function labelFromName(name: string): string {
  const base = name.replace(/__c$/, '').replace(/Id$/, ' ID').replace(/_/g, ' ');
  return base.replace(/([a-z])([A-Z])/g, '$1 $2');
}

function picklist(values: string[]): PicklistValue[] {
  return values.map((raw) => {
    const isDefault = raw.endsWith('*');
    const value = isDefault ? raw.slice(0, -1) : raw;
    return { value, label: value, active: true, defaultValue: isDefault };
  });
}

export function field(name: string, type: FieldType, options: FieldOptions = {}): FieldMeta {
  const { values, ...rest } = options;
  const isText = [
    'string',
    'textarea',
    'email',
    'phone',
    'url',
    'picklist',
    'multipicklist',
    'combobox',
  ].includes(type);
  const meta: FieldMeta = {
    name,
    label: labelFromName(name),
    type,
    length: DEFAULT_LENGTH[type] ?? 0,
    nillable: type !== 'boolean',
    createable: true,
    updateable: true,
    defaultedOnCreate: type === 'boolean',
    externalId: false,
    unique: false,
    caseSensitive: false,
    custom: name.endsWith('__c'),
    filterable: type !== 'textarea',
    sortable: type !== 'textarea' && type !== 'multipicklist',
    idLookup: false,
    restrictedPicklist: false,
    picklistValues: values === undefined ? [] : picklist(values),
    referenceTo: [],
    relationshipName: null,
    defaultValue: type === 'boolean' ? false : null,
    precision: 0,
    scale: 0,
    ...rest,
  };
  if (!isText && meta.length === undefined) meta.length = 0;
  return meta;
}

/** A lookup: `AccountId` -> relationship `Account`. */
export function ref(name: string, referenceTo: string[], options: FieldOptions = {}): FieldMeta {
  return field(name, 'reference', {
    referenceTo,
    relationshipName: name.endsWith('__c') ? name.replace(/__c$/, '__r') : name.replace(/Id$/, ''),
    ...options,
  });
}

/** Read-only system fields every object has. */
export function systemFields(): FieldMeta[] {
  const readOnly = { createable: false, updateable: false, nillable: false, defaultedOnCreate: true };
  return [
    field('Id', 'id', { label: 'Record ID', ...readOnly, idLookup: true }),
    field('IsDeleted', 'boolean', { label: 'Deleted', ...readOnly }),
    field('CreatedDate', 'datetime', { label: 'Created Date', ...readOnly }),
    ref('CreatedById', ['User'], { label: 'Created By ID', ...readOnly }),
    field('LastModifiedDate', 'datetime', { label: 'Last Modified Date', ...readOnly }),
    ref('LastModifiedById', ['User'], { label: 'Last Modified By ID', ...readOnly }),
    field('SystemModstamp', 'datetime', { label: 'System Modstamp', ...readOnly }),
  ];
}

export function ownerField(): FieldMeta {
  return ref('OwnerId', ['User'], {
    label: 'Owner ID',
    nillable: false,
    defaultedOnCreate: true,
    relationshipName: 'Owner',
  });
}

export function readOnly(options: FieldOptions = {}): FieldOptions {
  return { createable: false, updateable: false, ...options };
}

// The --schema file: custom objects, custom fields on standard objects, and validation rules as
// data. Parsed once with zod at the edge; the result is plain ObjectMeta.
import { z } from 'zod';
import type { FieldMeta, FieldType, ObjectMeta, SObjectRecord, ValidationRule } from '../contracts.js';
import { field, ownerField, ref, systemFields } from './field-builders.js';
import { duplicateRuleSchema } from '../duplicate-rules.js';

const fieldTypes = [
  'string',
  'textarea',
  'email',
  'phone',
  'url',
  'picklist',
  'multipicklist',
  'combobox',
  'reference',
  'boolean',
  'int',
  'double',
  'currency',
  'percent',
  'date',
  'datetime',
  'time',
] as const satisfies readonly FieldType[];

const customField = z.strictObject({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/),
  type: z.enum(fieldTypes),
  label: z.string().optional(),
  length: z.number().int().positive().optional(),
  required: z.boolean().optional(),
  externalId: z.boolean().optional(),
  unique: z.boolean().optional(),
  caseSensitive: z.boolean().optional(),
  values: z.array(z.string()).optional(),
  restricted: z.boolean().optional(),
  referenceTo: z.array(z.string()).optional(),
  relationshipName: z.string().optional(),
  precision: z.number().int().optional(),
  scale: z.number().int().optional(),
  createable: z.boolean().optional(),
  updateable: z.boolean().optional(),
  defaultValue: z.union([z.string(), z.number(), z.boolean()]).optional(),
});

const comparison = z.enum(['<', '<=', '>', '>=', '=', '!=', 'isBlank', 'isNotBlank', 'matches']);
const ruleSchema = z.strictObject({
  name: z.string().optional(),
  field: z.string(),
  op: comparison,
  value: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
  message: z.string(),
  /** The field the error is shown against; null for a page-level error. Defaults to `field`. */
  errorField: z.string().nullable().optional(),
});

const customObject = z.strictObject({
  name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*__c$/),
  label: z.string().optional(),
  labelPlural: z.string().optional(),
  nameField: z.strictObject({ label: z.string().optional(), length: z.number().int().optional() }).optional(),
  fields: z.array(customField).default([]),
  validationRules: z.array(ruleSchema).default([]),
});

export const schemaFileSchema = z.strictObject({
  objects: z.array(customObject).default([]),
  /** Extra fields and rules on standard objects, keyed by object name. */
  extend: z
    .record(
      z.string(),
      z.strictObject({
        fields: z.array(customField).default([]),
        validationRules: z.array(ruleSchema).default([]),
      }),
    )
    .default({}),
  /** Duplicate rules, e.g. `[{ "object": "Contact", "fields": ["Email"] }]` (see duplicate-rules.ts). */
  duplicateRules: z.array(duplicateRuleSchema).optional(),
});

export type SchemaFile = z.infer<typeof schemaFileSchema>;
type CustomField = z.infer<typeof customField>;
type RuleSpec = z.infer<typeof ruleSchema>;

export function parseSchemaFile(json: unknown): SchemaFile {
  return schemaFileSchema.parse(json);
}

function toFieldMeta(spec: CustomField): FieldMeta {
  const options = {
    ...(spec.label === undefined ? {} : { label: spec.label }),
    ...(spec.length === undefined ? {} : { length: spec.length }),
    nillable: !(spec.required ?? false) && spec.type !== 'boolean',
    externalId: spec.externalId ?? false,
    unique: spec.unique ?? false,
    caseSensitive: spec.caseSensitive ?? false,
    idLookup: (spec.externalId ?? false) || (spec.unique ?? false),
    restrictedPicklist: spec.restricted ?? false,
    precision: spec.precision ?? (spec.type === 'currency' || spec.type === 'double' ? 18 : 0),
    scale: spec.scale ?? (spec.type === 'currency' ? 2 : 0),
    createable: spec.createable ?? true,
    updateable: spec.updateable ?? true,
    ...(spec.values === undefined ? {} : { values: spec.values }),
    ...(spec.defaultValue === undefined ? {} : { defaultValue: spec.defaultValue, defaultedOnCreate: true }),
    ...(spec.relationshipName === undefined ? {} : { relationshipName: spec.relationshipName }),
  };
  return spec.type === 'reference'
    ? ref(spec.name, spec.referenceTo ?? [], options)
    : field(spec.name, spec.type, options);
}

function isBlank(value: unknown): boolean {
  return value === null || value === undefined || value === '';
}

function compare(actual: unknown, op: RuleSpec['op'], expected: unknown): boolean {
  switch (op) {
    case 'isBlank':
      return isBlank(actual);
    case 'isNotBlank':
      return !isBlank(actual);
    case 'matches':
      return typeof actual === 'string' && new RegExp(String(expected)).test(actual);
    case '=':
      return actual === expected;
    case '!=':
      return actual !== expected;
    default: {
      // Salesforce formulas treat a blank number as not comparable, so the rule does not fire.
      if (isBlank(actual)) return false;
      const a = actual as number | string;
      const b = expected as number | string;
      if (op === '<') return a < b;
      if (op === '<=') return a <= b;
      if (op === '>') return a > b;
      return a >= b;
    }
  }
}

function toRule(spec: RuleSpec, index: number): ValidationRule {
  return {
    name: spec.name ?? `Rule_${index + 1}`,
    message: spec.message,
    field: spec.errorField === undefined ? spec.field : spec.errorField,
    errorWhen: (record: Readonly<SObjectRecord>) => compare(record[spec.field], spec.op, spec.value),
  };
}

/** Applies a schema file to the standard objects (mutating them) and returns the custom objects. */
export function applySchemaFile(
  file: SchemaFile,
  standard: ObjectMeta[],
  firstPrefixIndex = 0,
): ObjectMeta[] {
  for (const [objectName, extension] of Object.entries(file.extend)) {
    const target = standard.find((o) => o.name.toLowerCase() === objectName.toLowerCase());
    if (target === undefined)
      throw new Error(
        `schema file: "extend" names ${objectName}, which is not a standard object the emulator knows`,
      );
    const systemStart = target.fields.findIndex((f) => f.name === 'IsDeleted');
    target.fields.splice(systemStart, 0, ...extension.fields.map(toFieldMeta));
    target.validationRules.push(...extension.validationRules.map(toRule));
  }
  return file.objects.map((spec, i) => {
    const sys = systemFields();
    const name = field('Name', 'string', {
      label: spec.nameField?.label ?? `${spec.label ?? spec.name} Name`,
      length: spec.nameField?.length ?? 80,
      idLookup: true,
    });
    const label = spec.label ?? spec.name.replace(/__c$/, '').replace(/_/g, ' ');
    const meta: ObjectMeta = {
      name: spec.name,
      label,
      labelPlural: spec.labelPlural ?? `${label}s`,
      keyPrefix: `a0${'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'[(firstPrefixIndex + i) % 36]}`,
      custom: true,
      createable: true,
      updateable: true,
      deletable: true,
      queryable: true,
      fields: [sys[0]!, name, ...spec.fields.map(toFieldMeta), ownerField(), ...sys.slice(1)],
      childRelationships: [],
      validationRules: spec.validationRules.map(toRule),
    };
    return meta;
  });
}

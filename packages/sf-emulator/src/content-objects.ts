// More of the org (reference §5): ContentNote (enhanced notes: base64 Content, FileType SNOTE)
// linked to records through ContentDocumentLink, and TaskRelation for shared activities. A
// ContentNote id is a ContentDocument id (069); the emulator has no separate ContentDocument
// object, so ContentDocumentLink.ContentDocumentId refers to ContentNote.
import type { ChildRelationship, FieldMeta, ObjectMeta, RecordError, SObjectRecord } from './contracts.js';
import { keyPrefixOf } from './ids.js';
import { field, ownerField, readOnly, ref, systemFields } from './schema/field-builders.js';

const LINKABLE = ['Account', 'Contact', 'Lead', 'Opportunity', 'User'];
const TASK_RELATABLE = ['Contact', 'Lead', 'Account', 'Opportunity'];
const WHO_PREFIXES = new Set(['003', '00Q']);
/** TextPreview keeps the first characters of the note's text [recall]. */
const PREVIEW_LENGTH = 255;

function object(
  name: string,
  keyPrefix: string,
  label: string,
  labelPlural: string,
  fields: FieldMeta[],
  childRelationships: ChildRelationship[] = [],
): ObjectMeta {
  const system = systemFields();
  return {
    name,
    label,
    labelPlural,
    keyPrefix,
    custom: false,
    createable: true,
    updateable: true,
    deletable: true,
    queryable: true,
    fields: [...system.slice(0, 1), ...fields, ...system.slice(1)],
    childRelationships,
    validationRules: [],
  };
}

const child = (
  childSObject: string,
  fieldName: string,
  relationshipName: string | null,
): ChildRelationship => ({ childSObject, field: fieldName, relationshipName, cascadeDelete: true });

function contentNote(): ObjectMeta {
  return object(
    'ContentNote',
    '069',
    'Note',
    'Notes',
    [
      field('Title', 'string', { length: 255, nillable: false }),
      field('Content', 'base64', { label: 'Content', length: 0, filterable: false, sortable: false }),
      field('TextPreview', 'string', readOnly({ label: 'Text Preview', length: PREVIEW_LENGTH })),
      field('FileType', 'string', readOnly({ label: 'File Type', length: 20, defaultedOnCreate: true })),
      field(
        'FileExtension',
        'string',
        readOnly({ label: 'File Extension', length: 40, defaultedOnCreate: true }),
      ),
      field('ContentSize', 'int', readOnly({ label: 'Size', precision: 9, defaultedOnCreate: true })),
      ownerField(),
    ],
    [child('ContentDocumentLink', 'ContentDocumentId', 'ContentDocumentLinks')],
  );
}

function contentDocumentLink(): ObjectMeta {
  const meta = object('ContentDocumentLink', '06A', 'Content Document Link', 'Content Document Link', [
    ref('ContentDocumentId', ['ContentNote'], {
      label: 'ContentDocument ID',
      nillable: false,
      updateable: false,
      relationshipName: 'ContentDocument',
    }),
    ref('LinkedEntityId', LINKABLE, {
      label: 'Linked Entity ID',
      nillable: false,
      updateable: false,
      relationshipName: 'LinkedEntity',
    }),
    field('ShareType', 'picklist', {
      label: 'Share Type',
      nillable: false,
      defaultedOnCreate: true,
      restrictedPicklist: true,
      values: ['V*', 'C', 'I'],
      length: 40,
    }),
    field('Visibility', 'picklist', {
      nillable: false,
      defaultedOnCreate: true,
      restrictedPicklist: true,
      values: ['AllUsers*', 'InternalUsers', 'SharedUsers'],
      length: 40,
    }),
  ]);
  return meta;
}

function taskRelation(): ObjectMeta {
  return object('TaskRelation', '0RT', 'Task Relation', 'Task Relations', [
    ref('RelationId', TASK_RELATABLE, {
      label: 'Relation ID',
      nillable: false,
      updateable: false,
      relationshipName: 'Relation',
    }),
    ref('TaskId', ['Task'], {
      label: 'Task ID',
      nillable: false,
      updateable: false,
      relationshipName: 'Task',
    }),
    field('IsWhat', 'boolean', readOnly({ label: 'Is What' })),
  ]);
}

/** Adds the content and shared-activity objects, and their child relationships on the parents (deletes cascade). */
export function withContentObjects(objects: ObjectMeta[]): ObjectMeta[] {
  const byName = new Map(objects.map((o) => [o.name, o]));
  const add = (parent: string, rel: ChildRelationship) => {
    const meta = byName.get(parent);
    if (
      meta !== undefined &&
      !meta.childRelationships.some((c) => c.childSObject === rel.childSObject && c.field === rel.field)
    )
      meta.childRelationships.push(rel);
  };
  for (const parent of LINKABLE)
    if (parent !== 'User')
      add(parent, child('ContentDocumentLink', 'LinkedEntityId', 'ContentDocumentLinks'));
  for (const parent of TASK_RELATABLE) add(parent, child('TaskRelation', 'RelationId', null));
  add('Task', child('TaskRelation', 'TaskId', 'TaskRelations'));
  return [...objects, contentNote(), contentDocumentLink(), taskRelation()];
}

/** Text of a note body: tags dropped, entities for the common characters decoded. */
function plainText(markup: string): string {
  return markup
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Derived fields of the objects above (called from the org's derive step); an error refuses the save. */
export function deriveContentFields(
  objectName: string,
  record: SObjectRecord,
  changed: ReadonlySet<string>,
): RecordError | undefined {
  if (objectName === 'ContentNote') {
    record['FileType'] = 'SNOTE';
    record['FileExtension'] = 'snote';
    if (changed.has('Content') || record['ContentSize'] === null) {
      const content = record['Content'];
      if (typeof content === 'string' && !/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(content)) {
        return {
          statusCode: 'INVALID_TYPE_ON_FIELD_IN_RECORD',
          message: 'Content: value not of required type: base64',
          fields: ['Content'],
        };
      }
      const bytes = typeof content === 'string' ? Buffer.from(content, 'base64') : Buffer.alloc(0);
      record['ContentSize'] = bytes.length;
      record['TextPreview'] =
        bytes.length === 0 ? null : plainText(bytes.toString('utf8')).slice(0, PREVIEW_LENGTH);
    }
    return undefined;
  }
  if (objectName === 'TaskRelation') {
    const relation = record['RelationId'];
    record['IsWhat'] = typeof relation === 'string' && !WHO_PREFIXES.has(keyPrefixOf(relation));
  }
  return undefined;
}

// One org's object metadata with case-insensitive lookups, as Salesforce resolves names.
import type { ChildRelationship, FieldMeta, ObjectMeta } from '../contracts.js';

export interface ObjectSchema {
  meta: ObjectMeta;
  /** Lower-case field name -> field. */
  fields: Map<string, FieldMeta>;
  /** Lookup fields that keep an index (everything but owner and audit users, which nearly every record shares). */
  indexedFields: FieldMeta[];
}

const UNINDEXED_REFERENCES = new Set(['ownerid', 'createdbyid', 'lastmodifiedbyid']);

export class SchemaRegistry {
  private readonly byName = new Map<string, ObjectSchema>();
  private readonly byPrefix = new Map<string, ObjectSchema>();

  constructor(objects: ObjectMeta[]) {
    for (const meta of objects) this.add(meta);
    this.linkChildRelationships();
  }

  private add(meta: ObjectMeta): void {
    const fields = new Map(meta.fields.map((f) => [f.name.toLowerCase(), f]));
    const indexedFields = meta.fields.filter(
      (f) =>
        f.name !== 'Id' &&
        (f.externalId ||
          f.unique ||
          (f.type === 'reference' && !UNINDEXED_REFERENCES.has(f.name.toLowerCase())) ||
          (f.name === 'Email' && (meta.name === 'Contact' || meta.name === 'Lead'))),
    );
    const schema = { meta, fields, indexedFields };
    this.byName.set(meta.name.toLowerCase(), schema);
    this.byPrefix.set(meta.keyPrefix, schema);
  }

  /** Custom lookups declare only referenceTo; give their parents the matching child relationship. */
  private linkChildRelationships(): void {
    for (const schema of this.byName.values()) {
      for (const f of schema.meta.fields) {
        if (f.type !== 'reference' || !f.custom) continue;
        for (const parentName of f.referenceTo) {
          const parent = this.get(parentName);
          if (parent === undefined) continue;
          const exists = parent.meta.childRelationships.some(
            (c) => c.childSObject === schema.meta.name && c.field === f.name,
          );
          if (!exists) {
            const rel: ChildRelationship = {
              childSObject: schema.meta.name,
              field: f.name,
              relationshipName:
                f.relationshipName === null ? null : f.relationshipName.replace(/__r$/, 's__r'),
              cascadeDelete: false,
            };
            parent.meta.childRelationships.push(rel);
          }
        }
      }
    }
  }

  get(objectName: string): ObjectSchema | undefined {
    return this.byName.get(objectName.toLowerCase());
  }

  forPrefix(keyPrefix: string): ObjectSchema | undefined {
    return this.byPrefix.get(keyPrefix);
  }

  all(): ObjectSchema[] {
    return [...this.byName.values()];
  }
}

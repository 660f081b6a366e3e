// Resolves names written in a query (any case, optionally prefixed by the object's name or alias)
// to canonical fields and relationship hops, and reads them from stored records.
import type { FieldMeta, ObjectMeta, QueryableOrg, SObjectRecord } from '../contracts.js';
import { soqlErrors } from './soql-errors.js';

/** One step from a record to its parent through a lookup, e.g. Contact.AccountId -> Account. */
export interface RelationshipHop {
  /** Canonical relationship name, the key on the wire (`Account`, `Owner`). */
  name: string;
  /** The lookup field holding the parent's id (`AccountId`). */
  idField: string;
  /** Possible parent objects; several for polymorphic lookups (WhoId -> Contact, Lead). */
  targets: ObjectMeta[];
}

export interface FieldPath {
  /** As written in the query, e.g. `account.name`. */
  written: string;
  /** Canonical dotted path, e.g. `Account.Name`. */
  canonical: string;
  hops: RelationshipHop[];
  field: FieldMeta;
}

interface NameIndex {
  size: number;
  fields: Map<string, FieldMeta>;
  relationships: Map<string, FieldMeta>;
}

// Keyed by the fields array, so an object whose fields are replaced or extended is re-indexed.
const indexes = new WeakMap<FieldMeta[], NameIndex>();

function indexOf(meta: ObjectMeta): NameIndex {
  const cached = indexes.get(meta.fields);
  if (cached !== undefined && cached.size === meta.fields.length) return cached;
  const index: NameIndex = { size: meta.fields.length, fields: new Map(), relationships: new Map() };
  for (const f of meta.fields) {
    index.fields.set(f.name.toLowerCase(), f);
    if (f.type === 'reference' && f.relationshipName !== null)
      index.relationships.set(f.relationshipName.toLowerCase(), f);
  }
  indexes.set(meta.fields, index);
  return index;
}

export function fieldOf(meta: ObjectMeta, name: string): FieldMeta | undefined {
  return indexOf(meta).fields.get(name.toLowerCase());
}

export interface PathContext {
  org: QueryableOrg;
  soql: string;
  root: ObjectMeta;
  /** The alias after FROM (`FROM Contact c`), if any. */
  alias: string | undefined;
  /** Where the clause being bound starts in the text, so error carets land in it. */
  from: number;
}

/** Resolves `Name`, `Account.Name`, `c.Account.Owner.Email`; throws INVALID_FIELD naming what is wrong. */
export function resolvePath(ctx: PathContext, written: string): FieldPath {
  let parts = written.split('.');
  const first = parts[0]?.toLowerCase() ?? '';
  const isAlias = ctx.alias !== undefined && first === ctx.alias.toLowerCase();
  // `Contact.Name` on Contact names the object's own field, unless Contact is also a relationship.
  const isOwnName = first === ctx.root.name.toLowerCase() && !indexOf(ctx.root).relationships.has(first);
  if (parts.length > 1 && (isAlias || isOwnName)) parts = parts.slice(1);
  const hops: RelationshipHop[] = [];
  let current: ObjectMeta[] = [ctx.root];
  for (const part of parts.slice(0, -1)) {
    const lookup = current
      .map((meta) => indexOf(meta).relationships.get(part.toLowerCase()))
      .find((f) => f !== undefined);
    if (lookup === undefined || lookup.relationshipName === null)
      throw soqlErrors.unknownRelationship(ctx.soql, written, part, ctx.from);
    const targets = lookup.referenceTo
      .map((name) => ctx.org.describe(name))
      .filter((m): m is ObjectMeta => m !== undefined);
    if (targets.length === 0) throw soqlErrors.unknownRelationship(ctx.soql, written, part, ctx.from);
    hops.push({ name: lookup.relationshipName, idField: lookup.name, targets });
    current = targets;
  }
  const last = parts[parts.length - 1] ?? '';
  const field = current.map((meta) => fieldOf(meta, last)).find((f) => f !== undefined);
  if (field === undefined) {
    const entity = current[0]?.name ?? ctx.root.name;
    throw soqlErrors.unknownField(ctx.soql, written, last, entity, ctx.from);
  }
  return { written, canonical: [...hops.map((h) => h.name), field.name].join('.'), hops, field };
}

/** The parent record a hop leads to, or null when the lookup is empty or points at a hidden record. */
export function followHop(
  org: QueryableOrg,
  record: SObjectRecord,
  hop: RelationshipHop,
  includeDeleted: boolean,
): SObjectRecord | null {
  const id = record[hop.idField];
  if (typeof id !== 'string' || id === '') return null;
  const parent = org.getById(id);
  if (parent === undefined || (parent['IsDeleted'] === true && !includeDeleted)) return null;
  return parent;
}

/** The object a parent record belongs to (polymorphic lookups are told apart by key prefix). */
export function objectOfRecord(hop: RelationshipHop, record: SObjectRecord): ObjectMeta {
  const prefix = record.Id.slice(0, 3);
  return hop.targets.find((t) => t.keyPrefix === prefix) ?? (hop.targets[0] as ObjectMeta);
}

/** A reader for the path's value on a root record (null when a hop is empty). */
export function pathReader(
  org: QueryableOrg,
  path: FieldPath,
  includeDeleted: boolean,
): (record: SObjectRecord) => unknown {
  const name = path.field.name;
  if (path.hops.length === 0) return (record) => record[name] ?? null;
  const hops = path.hops;
  return (record) => {
    let current: SObjectRecord | null = record;
    for (const hop of hops) {
      current = followHop(org, current, hop, includeDeleted);
      if (current === null) return null;
    }
    return current[name] ?? null;
  };
}

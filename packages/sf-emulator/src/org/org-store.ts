// One org's records in memory: the WritableOrg every API surface writes through. Records are
// replaced, never mutated, on write, so readers (SOQL pages, Bulk results) see committed values
// and a transaction undoes itself by putting the previous objects back.
import type {
  FieldMeta,
  ObjectMeta,
  RecordError,
  SaveResult,
  SObjectRecord,
  WritableOrg,
  WriteContext,
} from '../contracts.js';
import { IdMinter, keyPrefixOf, normalizeId } from '../ids.js';
import type { ObjectSchema, SchemaRegistry } from '../schema/schema-registry.js';
import { coerceValue } from './coerce-value.js';
import { checkObjectRules, deriveFields } from './object-rules.js';
import type { OrgClock } from './org-clock.js';
import { RecordIndex } from './record-index.js';
import { recordError, recordErrors } from './record-errors.js';
import { formatDateTime } from './sf-format.js';
import { WriteLog, type WriteOperation } from './write-log.js';
import { DuplicateRules } from '../duplicate-rules.js';

interface ObjectTable {
  schema: ObjectSchema;
  records: Map<string, SObjectRecord>;
  /** Lower-case field name -> index. */
  indexes: Map<string, RecordIndex>;
  /** A new record with every field null, built from an object literal (see blankRecordFactory). */
  blank: () => SObjectRecord;
  /** Fields a create must fill: createable, not nillable, not defaulted. */
  required: FieldMeta[];
  /** Field by the key as a client spelled it (memoised case-insensitive resolution). */
  byKey: Map<string, FieldMeta | null>;
}

/**
 * Records are built from one compiled object literal per object so V8 keeps them in fast mode
 * with in-object fields. Adding thirty fields one by one with keyed stores pushes V8 into
 * dictionary properties, which cost about five times the memory (a million Contacts would not fit).
 */
function blankRecordFactory(meta: ObjectMeta): () => SObjectRecord {
  const body = meta.fields
    .map((f) => `${JSON.stringify(f.name)}: ${f.type === 'boolean' ? 'false' : 'null'}`)
    .join(', ');
  return new Function(`return { ${body} };`) as () => SObjectRecord;
}

export interface DeletionInfo {
  objectName: string;
  deletedAt: string;
  /** The id whose delete (or merge) removed this record; undelete of it restores the whole cascade. */
  rootId: string;
}

const failure = (error: RecordError, id?: string): SaveResult =>
  id === undefined ? { success: false, errors: [error] } : { success: false, id, errors: [error] };

/** Keys a client may send that are not fields. */
const IGNORED_KEYS = new Set(['attributes', 'type']);

export class OrgStore implements WritableOrg {
  private readonly tables = new Map<string, ObjectTable>();
  private readonly deletions = new Map<string, DeletionInfo>();
  private undoLog: Array<() => void> | null = null;
  readonly writes = new WriteLog();
  /** Duplicate rules checked after validation on every create and update (see duplicate-rules.ts). */
  readonly duplicateRules = new DuplicateRules();

  constructor(
    readonly orgId: string,
    readonly schema: SchemaRegistry,
    readonly clock: OrgClock,
    readonly ids: IdMinter,
  ) {
    for (const s of schema.all()) {
      const indexes = new Map(s.indexedFields.map((f) => [f.name.toLowerCase(), new RecordIndex()]));
      const required = s.meta.fields.filter(
        (f) => f.createable && !f.nillable && !f.defaultedOnCreate && f.type !== 'boolean',
      );
      this.tables.set(s.meta.name, {
        schema: s,
        records: new Map(),
        indexes,
        blank: blankRecordFactory(s.meta),
        required,
        byKey: new Map(),
      });
    }
  }

  // ---- QueryableOrg -------------------------------------------------------------------------

  describe(objectName: string): ObjectMeta | undefined {
    return this.schema.get(objectName)?.meta;
  }

  *scan(objectName: string, includeDeleted: boolean): Iterable<SObjectRecord> {
    const table = this.table(objectName);
    if (table === undefined) return;
    for (const record of table.records.values())
      if (includeDeleted || record['IsDeleted'] !== true) yield record;
  }

  lookup(
    objectName: string,
    fieldName: string,
    values: readonly unknown[],
    includeDeleted: boolean,
  ): SObjectRecord[] | undefined {
    const table = this.table(objectName);
    if (table === undefined) return undefined;
    const f = table.schema.fields.get(fieldName.toLowerCase());
    if (f === undefined) return undefined;
    if (values.length === 1 && f.name !== 'Id') {
      // The common case (upsert matching, unique checks): one value, no de-duplication needed.
      const key = this.indexKey(f, values[0]);
      const index = table.indexes.get(f.name.toLowerCase());
      if (index === undefined) return undefined;
      const out: SObjectRecord[] = [];
      if (key === undefined) return out;
      for (const id of index.get(key)) {
        const record = table.records.get(id);
        if (record !== undefined && (includeDeleted || record['IsDeleted'] !== true)) out.push(record);
      }
      return out;
    }
    const out: SObjectRecord[] = [];
    const seen = new Set<string>();
    const push = (record: SObjectRecord | undefined) => {
      if (record === undefined || seen.has(record.Id) || (!includeDeleted && record['IsDeleted'] === true))
        return;
      seen.add(record.Id);
      out.push(record);
    };
    if (f.name === 'Id') {
      for (const v of values)
        push(typeof v === 'string' ? table.records.get(normalizeId(v) ?? '') : undefined);
      return out;
    }
    const index = table.indexes.get(f.name.toLowerCase());
    if (index === undefined) return undefined;
    for (const v of values) {
      const key = this.indexKey(f, v);
      if (key === undefined) continue;
      for (const id of index.get(key)) push(table.records.get(id));
    }
    return out;
  }

  getById(id: string): SObjectRecord | undefined {
    const full = normalizeId(id);
    if (full === undefined) return undefined;
    return this.tableForId(full)?.records.get(full);
  }

  now(): Date {
    return this.clock.now();
  }

  // ---- WritableOrg --------------------------------------------------------------------------

  create(objectName: string, fields: Record<string, unknown>, ctx: WriteContext): SaveResult {
    const table = this.table(objectName);
    if (table === undefined) return failure(recordErrors.invalidType(objectName));
    const { meta } = table.schema;
    if (!meta.createable)
      return failure(recordErrors.entityFailed(`entity type ${meta.name} does not support insert`));
    const record = table.blank();
    for (const f of meta.fields) {
      const value = this.defaultFor(f, ctx);
      if (value !== null && value !== false) record[f.name] = value;
    }
    const applied = this.applyFields(table, record, fields, 'create');
    if ('error' in applied) return failure(applied.error);
    const problem = this.validate(table, record, applied.changed, undefined);
    if (problem !== undefined) return failure(problem);
    const duplicate = this.duplicateRules.check(this, meta.name, record, applied.changed, true, ctx);
    if (duplicate !== undefined) return failure(duplicate);
    const stamp = formatDateTime(this.clock.stamp());
    record.Id = this.ids.next(meta.keyPrefix);
    record['CreatedDate'] = stamp;
    record['LastModifiedDate'] = stamp;
    record['SystemModstamp'] = stamp;
    record['CreatedById'] = ctx.userId;
    record['LastModifiedById'] = ctx.userId;
    this.put(table, record, undefined);
    this.countWrite(record.Id, meta.name, 'create', ctx.userId);
    return { success: true, id: record.Id };
  }

  update(objectName: string, id: string, fields: Record<string, unknown>, ctx: WriteContext): SaveResult {
    const table = this.table(objectName);
    if (table === undefined) return failure(recordErrors.invalidType(objectName));
    const found = this.findForWrite(table, id);
    if ('error' in found) return failure(found.error, found.id);
    return this.updateRecord(table, found.record, fields, ctx, 'update');
  }

  upsert(
    objectName: string,
    externalIdField: string,
    fields: Record<string, unknown>,
    ctx: WriteContext,
  ): SaveResult {
    const table = this.table(objectName);
    if (table === undefined) return failure(recordErrors.invalidType(objectName));
    const f = table.schema.fields.get(externalIdField.toLowerCase());
    if (f === undefined || !(f.externalId || f.idLookup)) {
      return failure(
        recordError(
          'NOT_FOUND',
          `Provided external ID field does not exist or is not accessible: ${externalIdField}`,
        ),
      );
    }
    const key = Object.keys(fields).find((k) => k.toLowerCase() === f.name.toLowerCase());
    const value = key === undefined ? undefined : fields[key];
    if (f.name === 'Id') {
      if (value === undefined || value === null || value === '') {
        const rest = { ...fields };
        if (key !== undefined) delete rest[key];
        return { ...this.create(objectName, rest, ctx), created: true };
      }
      const rest = { ...fields };
      if (key !== undefined) delete rest[key];
      return { ...this.update(objectName, String(value), rest, ctx), created: false };
    }
    if (value === undefined || value === null || value === '') {
      return { ...failure(recordErrors.requiredMissing([f.name])), created: false };
    }
    const matches =
      this.lookup(meta(table), f.name, [value], false) ??
      [...this.scan(meta(table), false)].filter(
        (r) => this.indexKey(f, r[f.name]) === this.indexKey(f, value),
      );
    if (matches.length > 1)
      return { ...failure(recordErrors.multipleChoices(matches.map((r) => r.Id))), created: false };
    const match = matches[0];
    if (match === undefined) return { ...this.create(objectName, fields, ctx), created: true };
    if (table.schema.meta.name === 'Lead' && match['IsConverted'] === true)
      return { ...failure(recordErrors.convertedLead(), match.Id), created: false };
    return { ...this.updateRecord(table, match, fields, ctx, 'update'), created: false };
  }

  delete(id: string, ctx: WriteContext): SaveResult {
    const full = normalizeId(id);
    if (full === undefined) return failure(recordErrors.malformedRecordId(id));
    const table = this.tableForId(full);
    const record = table?.records.get(full);
    if (table === undefined || record === undefined)
      return failure(recordError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id'), full);
    if (record['IsDeleted'] === true) return failure(recordErrors.entityIsDeleted(), full);
    if (!table.schema.meta.deletable)
      return failure(
        recordErrors.entityFailed(`entity type ${table.schema.meta.name} does not support delete`),
        full,
      );
    this.deleteCascade(table, record, ctx, full, formatDateTime(this.clock.stamp()), 'delete');
    return { success: true, id: full };
  }

  transaction<T>(fn: () => { commit: boolean; value: T }): T {
    const outer = this.undoLog;
    const log: Array<() => void> = [];
    this.undoLog = log;
    let outcome: { commit: boolean; value: T };
    try {
      outcome = fn();
    } catch (err) {
      this.undoLog = outer;
      this.rollback(log);
      throw err;
    }
    this.undoLog = outer;
    if (!outcome.commit) this.rollback(log);
    else if (outer !== null) outer.push(...log);
    return outcome.value;
  }

  /**
   * A transaction that spans asynchronous work (composite subrequests): writes until commit or
   * rollback are undone together. Callers must not yield to I/O in between, or other requests'
   * writes would join it.
   */
  beginTransaction(): { commit(): void; rollback(): void } {
    const outer = this.undoLog;
    const log: Array<() => void> = [];
    this.undoLog = log;
    return {
      commit: () => {
        this.undoLog = outer;
        if (outer !== null) outer.push(...log);
      },
      rollback: () => {
        this.undoLog = outer;
        this.rollback(log);
      },
    };
  }

  // ---- Beyond the contract: recycle bin, merge/convert support, control API ------------------

  /** Restores a deleted record and everything its delete cascaded to. */
  undelete(id: string, ctx: WriteContext): SaveResult {
    const full = normalizeId(id);
    if (full === undefined) return failure(recordErrors.malformedRecordId(id));
    const info = this.deletions.get(full);
    const table = this.tableForId(full);
    const record = table?.records.get(full);
    if (table === undefined || record === undefined)
      return failure(recordErrors.entityFailed('invalid cross reference id'), full);
    if (info === undefined || record['IsDeleted'] !== true)
      return failure(recordErrors.entityFailed('Entity is not in the recycle bin'), full);
    const stamp = formatDateTime(this.clock.stamp());
    for (const [deletedId, other] of [...this.deletions]) {
      if (other.rootId !== info.rootId) continue;
      const t = this.tables.get(other.objectName);
      const r = t?.records.get(deletedId);
      if (t === undefined || r === undefined) continue;
      const restored: SObjectRecord = {
        ...r,
        IsDeleted: false,
        SystemModstamp: stamp,
        LastModifiedDate: stamp,
        LastModifiedById: ctx.userId,
      };
      if (t.schema.fields.has('masterrecordid')) restored['MasterRecordId'] = null;
      this.put(t, restored, r);
      this.setDeletion(deletedId, undefined);
      this.countWrite(deletedId, other.objectName, 'undelete', ctx.userId);
    }
    return { success: true, id: full };
  }

  /** Writes fields that are not API-writable (merge, conversion); bumps the audit fields. */
  systemUpdate(
    id: string,
    values: Record<string, unknown>,
    ctx: WriteContext,
    op: WriteOperation,
  ): SObjectRecord | undefined {
    const table = this.tableForId(normalizeId(id) ?? '');
    const current = table?.records.get(normalizeId(id) ?? '');
    if (table === undefined || current === undefined) return undefined;
    const stamp = formatDateTime(this.clock.stamp());
    const next: SObjectRecord = {
      ...current,
      ...values,
      Id: current.Id,
      LastModifiedDate: stamp,
      SystemModstamp: stamp,
      LastModifiedById: ctx.userId,
    };
    deriveFields(table.schema.meta.name, next, new Set(Object.keys(values)), this);
    this.put(table, next, current);
    this.countWrite(current.Id, table.schema.meta.name, op, ctx.userId);
    return next;
  }

  /** Deletes a record as a merge loser: MasterRecordId set, no cascade (children were moved). */
  deleteAsMergeLoser(id: string, masterId: string, ctx: WriteContext): void {
    const table = this.tableForId(id);
    const current = table?.records.get(id);
    if (table === undefined || current === undefined) return;
    const stamp = formatDateTime(this.clock.stamp());
    const next: SObjectRecord = {
      ...current,
      IsDeleted: true,
      MasterRecordId: masterId,
      SystemModstamp: stamp,
      LastModifiedDate: stamp,
      LastModifiedById: ctx.userId,
    };
    this.put(table, next, current);
    this.setDeletion(id, { objectName: table.schema.meta.name, deletedAt: stamp, rootId: id });
    this.countWrite(id, table.schema.meta.name, 'merge', ctx.userId);
  }

  /** Records (live) of any object whose lookup field points at `id`. */
  referencesTo(id: string): Array<{ objectName: string; field: string; record: SObjectRecord }> {
    const prefixObject = this.tableForId(id)?.schema.meta.name;
    const out: Array<{ objectName: string; field: string; record: SObjectRecord }> = [];
    if (prefixObject === undefined) return out;
    for (const table of this.tables.values()) {
      for (const f of table.schema.indexedFields) {
        if (f.type !== 'reference' || !f.referenceTo.includes(prefixObject) || f.name === 'MasterRecordId')
          continue;
        for (const childId of table.indexes.get(f.name.toLowerCase())?.get(id) ?? []) {
          const record = table.records.get(childId);
          if (record !== undefined && record['IsDeleted'] !== true)
            out.push({ objectName: table.schema.meta.name, field: f.name, record });
        }
      }
    }
    return out;
  }

  deletionsOf(objectName: string): Array<{ id: string; deletedAt: string }> {
    const name = this.table(objectName)?.schema.meta.name;
    const out: Array<{ id: string; deletedAt: string }> = [];
    for (const [id, info] of this.deletions)
      if (info.objectName === name) out.push({ id, deletedAt: info.deletedAt });
    return out;
  }

  countLive(objectName: string): number {
    let n = 0;
    for (const _ of this.scan(objectName, false)) n++;
    return n;
  }

  /** Loads a record as stored (seed files, persistence, users) without validation or counting. */
  insertRaw(objectName: string, record: SObjectRecord, deletion?: DeletionInfo): void {
    const table = this.table(objectName);
    if (table === undefined) throw new Error(`unknown object ${objectName}`);
    const full = table.blank();
    for (const f of table.schema.meta.fields) {
      const value = record[f.name];
      if (value !== undefined && value !== null) full[f.name] = value;
    }
    this.put(table, full, table.records.get(full.Id));
    if (deletion !== undefined) this.setDeletion(full.Id, deletion);
  }

  /** Every record and deletion, for persistence. */
  *dump(): Iterable<{ objectName: string; record: SObjectRecord; deletion: DeletionInfo | undefined }> {
    for (const table of this.tables.values()) {
      for (const record of table.records.values())
        yield { objectName: table.schema.meta.name, record, deletion: this.deletions.get(record.Id) };
    }
  }

  /** Removes every record except users. */
  clear(): void {
    for (const table of this.tables.values()) {
      if (table.schema.meta.name === 'User') continue;
      table.records.clear();
      for (const index of table.indexes.values()) index.clear();
    }
    this.deletions.clear();
    this.writes.clear();
  }

  // ---- internals ----------------------------------------------------------------------------

  private table(objectName: string): ObjectTable | undefined {
    const s = this.schema.get(objectName);
    return s === undefined ? undefined : this.tables.get(s.meta.name);
  }

  private tableForId(id18: string): ObjectTable | undefined {
    const s = this.schema.forPrefix(keyPrefixOf(id18));
    return s === undefined ? undefined : this.tables.get(s.meta.name);
  }

  private defaultFor(f: FieldMeta, ctx: WriteContext): unknown {
    if (f.name === 'OwnerId') return ctx.userId;
    if (f.type === 'boolean') return f.defaultValue === true;
    if (f.defaultValue !== null && f.defaultValue !== undefined) return f.defaultValue;
    const picked = f.picklistValues.find((p) => p.defaultValue);
    return picked === undefined || !f.defaultedOnCreate ? null : picked.value;
  }

  private findForWrite(
    table: ObjectTable,
    id: string,
  ): { record: SObjectRecord } | { error: RecordError; id?: string } {
    const full = normalizeId(id);
    if (full === undefined) return { error: recordErrors.malformedRecordId(id) };
    if (keyPrefixOf(full) !== table.schema.meta.keyPrefix) {
      return {
        error: {
          statusCode: 'MALFORMED_ID',
          message: `${table.schema.meta.label} ID: id value of incorrect type: ${id}`,
          fields: ['Id'],
        },
      };
    }
    const record = table.records.get(full);
    if (record === undefined) return { error: recordErrors.notFound(), id: full };
    if (record['IsDeleted'] === true) return { error: recordErrors.entityIsDeleted(), id: full };
    if (table.schema.meta.name === 'Lead' && record['IsConverted'] === true)
      return { error: recordErrors.convertedLead(), id: full };
    return { record };
  }

  private updateRecord(
    table: ObjectTable,
    current: SObjectRecord,
    fields: Record<string, unknown>,
    ctx: WriteContext,
    op: WriteOperation,
  ): SaveResult {
    const next: SObjectRecord = { ...current };
    const applied = this.applyFields(table, next, fields, 'update');
    if ('error' in applied) return failure(applied.error, current.Id);
    const problem = this.validate(table, next, applied.changed, current);
    if (problem !== undefined) return failure(problem, current.Id);
    const duplicate = this.duplicateRules.check(
      this,
      table.schema.meta.name,
      next,
      applied.changed,
      false,
      ctx,
    );
    if (duplicate !== undefined) return failure(duplicate, current.Id);
    const stamp = formatDateTime(this.clock.stamp());
    next['LastModifiedDate'] = stamp;
    next['SystemModstamp'] = stamp;
    next['LastModifiedById'] = ctx.userId;
    this.put(table, next, current);
    this.countWrite(current.Id, table.schema.meta.name, op, ctx.userId);
    return { success: true, id: current.Id };
  }

  /** Coerces and copies incoming values onto `record`; returns the canonical names changed. */
  private applyFields(
    table: ObjectTable,
    record: SObjectRecord,
    fields: Record<string, unknown>,
    mode: 'create' | 'update',
  ): { changed: Set<string> } | { error: RecordError } {
    const changed = new Set<string>();
    const { meta } = table.schema;
    for (const key in fields) {
      if (IGNORED_KEYS.has(key)) continue;
      let f = table.byKey.get(key);
      if (f === undefined) {
        f = table.schema.fields.get(key.toLowerCase()) ?? null;
        if (table.byKey.size < 10000) table.byKey.set(key, f);
      }
      if (f === null) {
        // Relationship-by-external-id (`Account: {Ext__c: 'x'}`) and nested objects are not fields.
        return { error: recordErrors.unknownField(meta.name, key) };
      }
      if (f.name === 'Id') {
        if (mode === 'update') continue;
        return { error: recordErrors.notWritable(f, 'create') };
      }
      if (mode === 'create' ? !f.createable : !f.updateable)
        return { error: recordErrors.notWritable(f, mode) };
      const coerced = coerceValue(f, fields[key]);
      if (!coerced.ok) return { error: coerced.error };
      record[f.name] = coerced.value;
      changed.add(f.name);
    }
    return { changed };
  }

  private validate(
    table: ObjectTable,
    record: SObjectRecord,
    changed: Set<string>,
    previous: SObjectRecord | undefined,
  ): RecordError | undefined {
    const { meta } = table.schema;
    const derived = deriveFields(meta.name, record, changed, this);
    if (derived !== undefined) return derived;
    let missing: string[] | undefined;
    for (const f of table.required) {
      const value = record[f.name];
      if ((value === null || value === undefined) && (previous === undefined || changed.has(f.name)))
        (missing ??= []).push(f.name);
    }
    if (missing !== undefined) return recordErrors.requiredMissing(missing);
    for (const name of changed) {
      const f = table.byKey.get(name) ?? table.schema.fields.get(name.toLowerCase());
      const value = record[name];
      if (f === undefined || f.type !== 'reference' || typeof value !== 'string') continue;
      const target = this.tableForId(value);
      if (target === undefined || !f.referenceTo.includes(target.schema.meta.name))
        return recordErrors.wrongReferenceType(f, value);
      const parent = target.records.get(value);
      if (parent === undefined || parent['IsDeleted'] === true) return recordErrors.invalidCrossReference(f);
    }
    const ruleProblem = checkObjectRules(meta.name, record, changed, this);
    if (ruleProblem !== undefined) return ruleProblem;
    for (const rule of meta.validationRules)
      if (rule.errorWhen(record)) return recordErrors.validation(rule.message, rule.field);
    for (const f of table.schema.indexedFields) {
      if (!(f.unique || f.externalId) || !changed.has(f.name) || record[f.name] === null) continue;
      const clash = this.lookup(meta.name, f.name, [record[f.name]], false)?.find((r) => r.Id !== record.Id);
      if (clash !== undefined && (f.unique || f.externalId)) {
        // Salesforce enforces uniqueness only for unique fields; a plain external id may repeat
        // (and upserts on it then answer 300 Multiple Choices).
        if (f.unique) return recordErrors.duplicateValue(f, clash.Id);
      }
    }
    return undefined;
  }

  private deleteCascade(
    table: ObjectTable,
    record: SObjectRecord,
    ctx: WriteContext,
    rootId: string,
    stamp: string,
    op: WriteOperation,
  ): void {
    const next: SObjectRecord = {
      ...record,
      IsDeleted: true,
      SystemModstamp: stamp,
      LastModifiedDate: stamp,
      LastModifiedById: ctx.userId,
    };
    this.put(table, next, record);
    this.setDeletion(record.Id, { objectName: table.schema.meta.name, deletedAt: stamp, rootId });
    this.countWrite(record.Id, table.schema.meta.name, op, ctx.userId);
    for (const rel of table.schema.meta.childRelationships) {
      if (!rel.cascadeDelete) continue;
      const childTable = this.tables.get(rel.childSObject);
      const ids = childTable?.indexes.get(rel.field.toLowerCase())?.get(record.Id);
      if (childTable === undefined || ids === undefined) continue;
      for (const childId of [...ids]) {
        const child = childTable.records.get(childId);
        if (child !== undefined && child['IsDeleted'] !== true)
          this.deleteCascade(childTable, child, ctx, rootId, stamp, op);
      }
    }
  }

  private indexKey(f: FieldMeta, value: unknown): string | undefined {
    if (value === null || value === undefined) return undefined;
    if (f.type === 'reference' || f.type === 'id') return normalizeId(String(value));
    const text = String(value);
    return f.caseSensitive ? text : text.toLowerCase();
  }

  /** Replaces `previous` with `next` (either may be absent) in the table and its indexes. */
  private put(
    table: ObjectTable,
    next: SObjectRecord | undefined,
    previous: SObjectRecord | undefined,
  ): void {
    const id = (next ?? previous)?.Id;
    if (id === undefined) return;
    for (const f of table.schema.indexedFields) {
      const before = previous === undefined ? undefined : this.indexKey(f, previous[f.name]);
      const after = next === undefined ? undefined : this.indexKey(f, next[f.name]);
      if (before === after) continue;
      const index = table.indexes.get(f.name.toLowerCase())!;
      if (before !== undefined) index.remove(before, id);
      if (after !== undefined) index.add(after, id);
    }
    if (next === undefined) table.records.delete(id);
    else table.records.set(id, next);
    this.undoLog?.push(() => this.put(table, previous, next));
  }

  private setDeletion(id: string, info: DeletionInfo | undefined): void {
    const previous = this.deletions.get(id);
    if (info === undefined) this.deletions.delete(id);
    else this.deletions.set(id, info);
    this.undoLog?.push(() => this.setDeletion(id, previous));
  }

  private countWrite(id: string, objectName: string, op: WriteOperation, userId: string): void {
    const undo = this.writes.record(id, objectName, op, userId, this.undoLog !== null);
    if (undo !== undefined) this.undoLog?.push(undo);
  }

  private rollback(log: Array<() => void>): void {
    // Undo steps themselves call put/setDeletion; keep them out of any outer log.
    const outer = this.undoLog;
    this.undoLog = null;
    for (let i = log.length - 1; i >= 0; i--) log[i]!();
    this.undoLog = outer;
  }
}

function meta(table: ObjectTable): string {
  return table.schema.meta.name;
}

import { SqliteAdapter, type ColumnDefinitionBuilder, type Kysely } from 'kysely';

export interface IdColumn {
  type: 'integer' | 'bigserial';
  build: (col: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
}

/**
 * The one place the migrations look at the dialect: an auto-incrementing 64-bit id is spelt
 * `integer primary key autoincrement` in SQLite (so ids are never reused after a purge, which
 * keeps `after` cursors valid) and `bigserial primary key` in Postgres. Everything else in the
 * migrations is plain SQL both run. Usage: `.addColumn('id', id.type, id.build)`.
 */
export function autoIncrementId(db: Kysely<unknown>): IdColumn {
  return db.getExecutor().adapter instanceof SqliteAdapter
    ? { type: 'integer', build: (col) => col.primaryKey().autoIncrement() }
    : { type: 'bigserial', build: (col) => col.primaryKey() };
}

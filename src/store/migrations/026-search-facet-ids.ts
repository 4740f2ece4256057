/**
 * Facet values interned: each (field, value) pair (a person id, a mailbox, a conversation id or
 * name) is stored once in `search_facet_values`, and an item's facets are pairs of integers in
 * `search_facet_rows`. Before, every facet row repeated its value's text: a group message with
 * forty members wrote forty rows of mailbox addresses and person ids into two B-trees, which
 * was most of the cost of indexing a message and of its commit. Existing facets are copied.
 * The table is part of the embedded search index (SQLite-specific, like its FTS5 table); on
 * PostgreSQL the same tables are made with the schema builder (no WITHOUT ROWID there).
 */
import { sql, type Kysely } from 'kysely';
import { dialectKind } from '../dialect/index.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const pg = dialectKind(db) === 'postgres';
  if (pg)
    await db.schema
      .createTable('search_facet_values')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('field', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addUniqueConstraint('search_facet_values_field_value', ['field', 'value'])
      .execute();
  else
    await sql`CREATE TABLE search_facet_values (
      id INTEGER PRIMARY KEY, field TEXT NOT NULL, value TEXT NOT NULL, UNIQUE (field, value))`.execute(db);
  await sql`INSERT INTO search_facet_values (field, value)
      SELECT DISTINCT field, value FROM search_facets ORDER BY field, value`.execute(db);
  if (pg)
    await db.schema
      .createTable('search_facet_rows')
      .addColumn('facet_id', 'integer', (c) => c.notNull())
      .addColumn('row_id', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('search_facet_rows_pk', ['facet_id', 'row_id'])
      .execute();
  else
    await sql`CREATE TABLE search_facet_rows (
      facet_id INTEGER NOT NULL, row_id INTEGER NOT NULL,
      PRIMARY KEY (facet_id, row_id)) WITHOUT ROWID`.execute(db);
  await sql`INSERT INTO search_facet_rows (facet_id, row_id)
      SELECT v.id, f.row_id FROM search_facets f
      JOIN search_facet_values v ON v.field = f.field AND v.value = f.value`.execute(db);
  await sql`CREATE INDEX search_facet_rows_row ON search_facet_rows (row_id)`.execute(db);
  await sql`DROP TABLE search_facets`.execute(db);
}

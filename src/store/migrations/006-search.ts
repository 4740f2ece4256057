/**
 * The search index: one row per item with what results show and filter on, its participants
 * and mailboxes as facet rows, the aliases people are searched by (name, mobile, email,
 * mailbox), and an FTS5 table of our own tokens (see compliance/search/tokenize.ts).
 *
 * `search_items.id` is ordered by time: msg_time * 1024 + n. The FTS rowid is the same id, so
 * "newest first" is FTS5's native reverse rowid order and after:/before: are rowid ranges: a
 * page of a query matching half a million items reads only that page, however deep.
 *
 * The FTS table is contentless (the tokens are not stored twice) with contentless_delete so an
 * item can be removed or re-indexed in place; the `ascii` tokenizer splits only on ASCII
 * spaces and punctuation, so our tokens (letters, digits, CJK) reach the index unchanged.
 * prefix='1' keeps a one-character prefix index: a one-CJK-character query is the prefix query
 * `c*` and reads one posting list instead of merging thousands of bigram lists.
 */
import { sql, type Kysely } from 'kysely';
import { dialectKind } from '../dialect/index.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('search_items')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('item_key', 'text', (c) => c.notNull().unique())
    .addColumn('connector_id', 'text', (c) => c.notNull())
    .addColumn('msgid', 'text', (c) => c.notNull())
    .addColumn('msg_time', 'bigint', (c) => c.notNull())
    .addColumn('msgtype', 'text', (c) => c.notNull())
    .addColumn('from_id', 'text', (c) => c.notNull())
    .addColumn('from_name', 'text')
    .addColumn('from_mailbox', 'text')
    .addColumn('conversation_id', 'text', (c) => c.notNull())
    .addColumn('conversation_name', 'text')
    .addColumn('conversation_kind', 'text', (c) => c.notNull())
    .addColumn('mailboxes_json', 'text', (c) => c.notNull())
    // participant id -> mailbox as mapped when archived, so reindex finds people by the same mailboxes
    .addColumn('addresses_json', 'text', (c) => c.notNull())
    .addColumn('recalled', 'integer', (c) => c.notNull())
    .addColumn('has_attachments', 'integer', (c) => c.notNull())
    .addColumn('external', 'integer', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('doc_sha256', 'text', (c) => c.notNull())
    .addColumn('tokenizer_version', 'integer', (c) => c.notNull())
    .addColumn('unreadable_attachments', 'integer', (c) => c.notNull())
    .addColumn('indexed_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('search_items_msgid').on('search_items').columns(['connector_id', 'msgid']).execute();
  await db.schema.createIndex('search_items_type').on('search_items').columns(['msgtype', 'id']).execute();

  if (dialectKind(db) === 'postgres') return postgresIndexTables(db);
  // field: 'from' | 'to' (a person id), 'mailbox', 'conversation' (id and name); values normalised.
  await sql`CREATE TABLE search_facets (
      field TEXT NOT NULL, value TEXT NOT NULL, row_id INTEGER NOT NULL,
      PRIMARY KEY (field, value, row_id)) WITHOUT ROWID`.execute(db);
  await sql`CREATE INDEX search_facets_row ON search_facets (row_id)`.execute(db);
  // Every form a person is searched by -> the person id the facets hold (the id itself included).
  await sql`CREATE TABLE search_aliases (
      alias TEXT NOT NULL, person_id TEXT NOT NULL,
      PRIMARY KEY (alias, person_id)) WITHOUT ROWID`.execute(db);
  await sql`CREATE VIRTUAL TABLE search_fts USING fts5(
      tokens, content='', contentless_delete=1, tokenize='ascii', prefix='1')`.execute(db);
}

/**
 * The same facet and alias tables on PostgreSQL (a clustered primary key has no equivalent
 * there; the primary key index serves the same lookups), and the token index as a tsvector of
 * our own tokens with a GIN index: `to_tsvector('simple', ...)` only lower-cases and splits on
 * what our tokenizer already split on, so both dialects index the same tokens.
 */
async function postgresIndexTables(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('search_facets')
    .addColumn('field', 'text', (c) => c.notNull())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('row_id', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('search_facets_pk', ['field', 'value', 'row_id'])
    .execute();
  await db.schema.createIndex('search_facets_row').on('search_facets').column('row_id').execute();
  await db.schema
    .createTable('search_aliases')
    .addColumn('alias', 'text', (c) => c.notNull())
    .addColumn('person_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('search_aliases_pk', ['alias', 'person_id'])
    .execute();
  await db.schema
    .createTable('search_fts')
    .addColumn('id', 'bigint', (c) => c.primaryKey())
    .addColumn('tokens', sql`tsvector`, (c) => c.notNull())
    .execute();
  await sql`CREATE INDEX search_fts_tokens ON search_fts USING gin (tokens)`.execute(db);
}

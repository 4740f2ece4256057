/**
 * eDiscovery: cases and their members, legal holds (custodian or query), saved searches,
 * review sets with their reviewers, tags and comments, and the exports made for a case.
 * A hold's search condition is stored compiled, so the store can decide what it covers
 * without the query parser.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('cases')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('closed_at', 'bigint')
    .execute();
  await db.schema
    .createTable('case_members')
    .addColumn('case_id', 'integer', (c) => c.notNull())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('added_by', 'text', (c) => c.notNull())
    .addColumn('added_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('case_members_pk', ['case_id', 'username'])
    .execute();
  await db.schema
    .createTable('legal_holds')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('case_id', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('custodian', 'text')
    .addColumn('query', 'text')
    .addColumn('cond_json', 'text')
    .addColumn('date_from', 'bigint')
    .addColumn('date_to', 'bigint')
    .addColumn('placed_by', 'text', (c) => c.notNull())
    .addColumn('placed_at', 'bigint', (c) => c.notNull())
    .addColumn('released_by', 'text')
    .addColumn('released_at', 'bigint')
    .addColumn('release_reason', 'text')
    .execute();
  await db.schema.createIndex('legal_holds_active').on('legal_holds').columns(['released_at', 'kind']).execute();
  await db.schema
    .createTable('saved_searches')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('case_id', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('query', 'text', (c) => c.notNull())
    .addColumn('counts_json', 'text')
    .addColumn('run_at', 'bigint')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('review_sets')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('case_id', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('review_set_items')
    .addColumn('review_set_id', 'integer', (c) => c.notNull())
    .addColumn('item_key', 'text', (c) => c.notNull())
    .addColumn('added_by', 'text', (c) => c.notNull())
    .addColumn('added_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('review_set_items_pk', ['review_set_id', 'item_key'])
    .execute();
  await db.schema.createIndex('review_set_items_key').on('review_set_items').column('item_key').execute();
  await db.schema
    .createTable('review_set_reviewers')
    .addColumn('review_set_id', 'integer', (c) => c.notNull())
    .addColumn('username', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('review_set_reviewers_pk', ['review_set_id', 'username'])
    .execute();
  await db.schema
    .createTable('review_tags')
    .addColumn('review_set_id', 'integer', (c) => c.notNull())
    .addColumn('item_key', 'text', (c) => c.notNull())
    .addColumn('tag', 'text', (c) => c.notNull())
    .addColumn('tagged_by', 'text', (c) => c.notNull())
    .addColumn('tagged_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('review_tags_pk', ['review_set_id', 'item_key', 'tag'])
    .execute();
  await db.schema.createIndex('review_tags_key').on('review_tags').column('item_key').execute();
  await db.schema
    .createTable('review_comments')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('review_set_id', 'integer', (c) => c.notNull())
    .addColumn('item_key', 'text', (c) => c.notNull())
    .addColumn('author', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('review_comments_key').on('review_comments').column('item_key').execute();
  await db.schema
    .createTable('review_tag_definitions')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('case_exports')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('case_id', 'integer')
    .addColumn('review_set_id', 'integer')
    .addColumn('query', 'text')
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('out_dir', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('counts_json', 'text')
    .addColumn('manifest_sha256', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of [
    'case_exports',
    'review_tag_definitions',
    'review_comments',
    'review_tags',
    'review_set_reviewers',
    'review_set_items',
    'review_sets',
    'saved_searches',
    'legal_holds',
    'case_members',
    'cases',
  ])
    await db.schema.dropTable(t).ifExists().execute();
}

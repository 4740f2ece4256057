/**
 * Review tags become a case's own: an eDiscovery administrator adds, renames and retires the
 * custom tags of one case (one matter's vocabulary is not another's), next to the built-in tags
 * every case has. A retired tag stays on the items it was applied to but cannot be applied
 * again. Tags defined before for every case are copied into each existing case, so nothing
 * already applied loses its definition.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('case_tags')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('case_id', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('retired_by', 'text')
    .addColumn('retired_at', 'bigint')
    .execute();
  await db.schema.createIndex('case_tags_name').on('case_tags').columns(['case_id', 'name']).unique().execute();
  await sql`INSERT INTO case_tags (case_id, name, created_by, created_at)
    SELECT c.id, d.name, d.created_by, d.created_at FROM cases c CROSS JOIN review_tag_definitions d`.execute(db);
  await db.schema.dropTable('review_tag_definitions').execute();
  await db.schema.createIndex('review_set_reviewers_user').on('review_set_reviewers').column('username').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('review_set_reviewers_user').ifExists().execute();
  await db.schema
    .createTable('review_tag_definitions')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await sql`INSERT INTO review_tag_definitions (name, created_by, created_at)
    SELECT name, created_by, created_at FROM case_tags ON CONFLICT DO NOTHING`.execute(db);
  await db.schema.dropTable('case_tags').execute();
}

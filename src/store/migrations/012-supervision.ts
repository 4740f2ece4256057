/**
 * Supervision (review of what staff write): policies with their conditions, the items each
 * policy flagged with why, every reviewer action on them, and the durable position of a
 * policy being applied to the archive's history so that an interrupted apply resumes.
 */
import { sql, type Kysely } from 'kysely';
import { dialectKind } from '../dialect/index.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('supervision_policies')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    // JSON: { terms, msgtypes, external, attachmentTypes, supervised (null = everyone), sampleBasisPoints }
    .addColumn('conditions_json', 'text', (c) => c.notNull())
    .addColumn('reviewers_json', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    // bumped by every change of the conditions: a flag records the version that raised it
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  if (dialectKind(db) === 'postgres') await postgresFlags(db);
  else
    await sql`CREATE TABLE supervision_flags (
      policy_id INTEGER NOT NULL REFERENCES supervision_policies(id),
      item_key TEXT NOT NULL,
      connector_id TEXT NOT NULL,
      msgid TEXT NOT NULL,
      msg_time INTEGER NOT NULL,
      policy_version INTEGER NOT NULL,
      terms_json TEXT NOT NULL,
      reasons_json TEXT NOT NULL,
      state TEXT NOT NULL,
      tag TEXT,
      assignee TEXT,
      flagged_at INTEGER NOT NULL,
      resolved_at INTEGER,
      PRIMARY KEY (policy_id, item_key)) WITHOUT ROWID`.execute(db);
  await sql`CREATE INDEX supervision_flags_state ON supervision_flags (policy_id, state, flagged_at)`.execute(db);
  await sql`CREATE INDEX supervision_flags_assignee ON supervision_flags (assignee, state)`.execute(db);
  await db.schema
    .createTable('supervision_actions')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('policy_id', 'integer', (c) => c.notNull())
    .addColumn('item_key', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    // claim | release | tag | comment | escalate | resolve | reopen
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('detail', 'text')
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('supervision_actions_item')
    .on('supervision_actions')
    .columns(['policy_id', 'item_key', 'id'])
    .execute();
  await db.schema
    .createTable('supervision_apply')
    .addColumn('policy_id', 'integer', (c) => c.primaryKey())
    .addColumn('policy_version', 'integer', (c) => c.notNull())
    .addColumn('cursor', 'text', (c) => c.notNull())
    .addColumn('done', 'integer', (c) => c.notNull())
    .addColumn('flagged', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .execute();
}

/** The flags table on PostgreSQL: the same columns (64-bit integers) and key, a plain heap table. */
async function postgresFlags(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('supervision_flags')
    .addColumn('policy_id', 'integer', (c) => c.notNull().references('supervision_policies.id'))
    .addColumn('item_key', 'text', (c) => c.notNull())
    .addColumn('connector_id', 'text', (c) => c.notNull())
    .addColumn('msgid', 'text', (c) => c.notNull())
    .addColumn('msg_time', 'integer', (c) => c.notNull())
    .addColumn('policy_version', 'integer', (c) => c.notNull())
    .addColumn('terms_json', 'text', (c) => c.notNull())
    .addColumn('reasons_json', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('tag', 'text')
    .addColumn('assignee', 'text')
    .addColumn('flagged_at', 'integer', (c) => c.notNull())
    .addColumn('resolved_at', 'integer')
    .addPrimaryKeyConstraint('supervision_flags_pk', ['policy_id', 'item_key'])
    .execute();
}

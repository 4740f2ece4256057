/**
 * Retention: policies, disposition-review batches and their entries. The preservation lock is
 * enforced twice: by the store functions (which give the clear error) and by triggers here, so
 * that even raw SQL through the archive's own database cannot shorten, disable or remove a
 * locked policy. A trigger cannot stop someone who edits the file with another build of SQLite
 * and drops the trigger first; that is what the ingest log's policy events and `verify` catch.
 */
import { sql, type Kysely } from 'kysely';
import { dialectKind } from '../dialect/index.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('retention_policies')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('period_value', 'integer', (c) => c.notNull())
    .addColumn('period_unit', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('scope_json', 'text', (c) => c.notNull())
    .addColumn('reviewer', 'text')
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('locked', 'integer', (c) => c.notNull())
    .addColumn('locked_at', 'bigint')
    .addColumn('locked_by', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  // A locked policy may only grow: a longer period (same unit), a new name. Anything else aborts.
  if (dialectKind(db) === 'postgres') await postgresLockTriggers(db);
  else await sqliteLockTriggers(db);

  // One batch per policy and disposition run that found entries needing review. Its entries stay
  // until the batch is approved (then deleted through the one deletion path) or postponed.
  await db.schema
    .createTable('disposition_batches')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('policy_id', 'text', (c) => c.notNull())
    .addColumn('reviewer', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'bigint')
    .addColumn('postponed_until', 'bigint')
    .addColumn('comment', 'text')
    .execute();
  await db.schema
    .createTable('disposition_entries')
    .addColumn('batch_id', 'integer', (c) => c.notNull())
    .addColumn('item_key', 'text', (c) => c.notNull())
    .addColumn('mailbox', 'text', (c) => c.notNull())
    .addColumn('msg_time', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('disposition_entries_pk', ['batch_id', 'item_key', 'mailbox'])
    .execute();
  await db.schema
    .createIndex('disposition_entries_entry')
    .on('disposition_entries')
    .columns(['item_key', 'mailbox'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['disposition_entries', 'disposition_batches', 'retention_policies'])
    await db.schema.dropTable(t).ifExists().execute();
}

async function sqliteLockTriggers(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TRIGGER retention_policies_lock_update
    BEFORE UPDATE ON retention_policies
    WHEN OLD.locked = 1 AND (
      NEW.locked <> 1 OR NEW.enabled <> OLD.enabled OR NEW.period_unit <> OLD.period_unit
      OR NEW.period_value < OLD.period_value OR NEW.scope_json <> OLD.scope_json
      OR NEW.action <> OLD.action OR NEW.id <> OLD.id
      OR NEW.reviewer IS NOT OLD.reviewer OR NEW.locked_at IS NOT OLD.locked_at
    )
    BEGIN
      SELECT RAISE(ABORT, 'WXA_RETENTION_LOCKED: a locked retention policy can only be extended');
    END`.execute(db);
  await sql`
    CREATE TRIGGER retention_policies_lock_delete
    BEFORE DELETE ON retention_policies
    WHEN OLD.locked = 1
    BEGIN
      SELECT RAISE(ABORT, 'WXA_RETENTION_LOCKED: a locked retention policy cannot be removed');
    END`.execute(db);
}

/** The same rules as a PL/pgSQL trigger function; IS DISTINCT FROM is SQLite's IS NOT for nulls. */
async function postgresLockTriggers(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION retention_policies_lock() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        IF OLD.locked = 1 THEN
          RAISE EXCEPTION 'WXA_RETENTION_LOCKED: a locked retention policy cannot be removed';
        END IF;
        RETURN OLD;
      END IF;
      IF OLD.locked = 1 AND (
        NEW.locked <> 1 OR NEW.enabled <> OLD.enabled OR NEW.period_unit <> OLD.period_unit
        OR NEW.period_value < OLD.period_value OR NEW.scope_json <> OLD.scope_json
        OR NEW.action <> OLD.action OR NEW.id <> OLD.id
        OR NEW.reviewer IS DISTINCT FROM OLD.reviewer OR NEW.locked_at IS DISTINCT FROM OLD.locked_at
      ) THEN
        RAISE EXCEPTION 'WXA_RETENTION_LOCKED: a locked retention policy can only be extended';
      END IF;
      RETURN NEW;
    END $$`.execute(db);
  await sql`CREATE TRIGGER retention_policies_lock_update BEFORE UPDATE ON retention_policies
    FOR EACH ROW EXECUTE FUNCTION retention_policies_lock()`.execute(db);
  await sql`CREATE TRIGGER retention_policies_lock_delete BEFORE DELETE ON retention_policies
    FOR EACH ROW EXECUTE FUNCTION retention_policies_lock()`.execute(db);
}

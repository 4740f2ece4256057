/**
 * Tamper evidence: the ingest log (a hash chain over every raw record stored, item archived,
 * mailbox entry, tombstone and policy change), its head, and the signed checkpoints that
 * anchor both chains' heads outside the database.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ingest_log')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('connector_id', 'text', (c) => c.notNull())
    .addColumn('ref', 'text', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('detail_json', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  // One row: the chain's head. Updating it first takes SQLite's write lock, so no other writer
  // can append between reading the head and inserting the next events.
  await db.schema
    .createTable('ingest_head')
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('last_id', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await sql`INSERT INTO ingest_head (id, last_id, hash, updated_at) VALUES (1, 0, ${'0'.repeat(64)}, 0)`.execute(db);

  await db.schema
    .createTable('checkpoints')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('statement', 'text', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .addColumn('key_id', 'text', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('tsa_url', 'text')
    .addColumn('tsa_reply', 'blob')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['checkpoints', 'ingest_head', 'ingest_log']) await db.schema.dropTable(t).ifExists().execute();
}

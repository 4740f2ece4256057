/**
 * Items per connector, kept in the same transaction as the items, so the connectors tab shows
 * the total without counting a million index entries on every page load.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('connector_counters')
    .addColumn('connector_id', 'text', (c) => c.primaryKey())
    .addColumn('items', 'bigint', (c) => c.notNull())
    .execute();
  await sql`INSERT INTO connector_counters (connector_id, items)
            SELECT connector_id, COUNT(*) FROM items GROUP BY connector_id`.execute(db);
}

/**
 * Indexes for the console's connectors tab at a million items: the source-health figures
 * (newest message, consent events) are read per connector on every page load, so they must
 * come from an index, not a scan of the items table.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('items_connector_time').on('items').columns(['connector_id', 'msg_time']).execute();
  await db.schema
    .createIndex('items_connector_type')
    .on('items')
    .columns(['connector_id', 'msgtype', 'msg_time'])
    .execute();
  // Flagged items are few; the problems page finds them without reading every item.
  await db.schema
    .createIndex('items_flagged')
    .on('items')
    .columns(['connector_id', 'flags'])
    .where(sql.ref('flags'), '<>', '')
    .execute();
  await db.schema.createIndex('deliveries_connector').on('deliveries').columns(['connector_id', 'status']).execute();
  // Run history newest first per connector, without sorting every run of it.
  await db.schema.createIndex('runs_connector_id').on('runs').columns(['connector_id', 'id']).execute();
  await db.schema
    .createIndex('runs_connector_status')
    .on('runs')
    .columns(['connector_id', 'status', 'finished_at'])
    .execute();
}

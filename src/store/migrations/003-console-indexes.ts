/**
 * Indexes the console's connectors tab needs at a million items: the newest archived message of
 * a connector and its consent events (agree/disagree) were answered by reading every item row.
 * `ifNotExists` because the console benchmark applies this to its seeded archives before the
 * migration list names it.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // sourceHealth: max(msg_time) of a connector's items (lag) becomes one index probe.
  await db.schema
    .createIndex('items_connector_time')
    .ifNotExists()
    .on('items')
    .columns(['connector_id', 'msg_time'])
    .execute();
  // sourceHealth: a connector's consent events by type, in time order, without a table scan.
  await db.schema
    .createIndex('items_connector_type')
    .ifNotExists()
    .on('items')
    .columns(['connector_id', 'msgtype', 'msg_time'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('items_connector_type').ifExists().execute();
  await db.schema.dropIndex('items_connector_time').ifExists().execute();
}

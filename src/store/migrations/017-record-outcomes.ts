/**
 * An index over each raw record's outcome, so that the counters every page shows (held by
 * reason, the age of the oldest held record) are answered from the index, not by reading every
 * record of a connector.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('raw_records_outcome')
    .on('raw_records')
    .columns(['connector_id', 'status', 'hold_reason', 'captured_at'])
    .execute();
}

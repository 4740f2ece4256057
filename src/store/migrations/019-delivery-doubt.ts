/**
 * What lets delivery skip the destination's duplicate lookup safely: a flag on each ledger row
 * saying whether an earlier attempt may have stored the item without its outcome being
 * recorded (a crash or a lost connection between the write and the ledger update). Only such
 * rows need the lookup; every other row is known never to have been sent. Plus an index to
 * lease one mailbox's backlog at a time.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('deliveries')
    .addColumn('in_doubt', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // Rows an earlier version had tried, or had leased when it stopped, may have been stored.
  await sql`UPDATE deliveries SET in_doubt = 1
    WHERE status = 'pending' AND (attempts > 0 OR lease_owner IS NOT NULL OR error_code IS NOT NULL)`.execute(db);
  await db.schema
    .createIndex('deliveries_mailbox_due')
    .on('deliveries')
    .columns(['destination_id', 'mailbox', 'status', 'next_attempt_at'])
    .execute();
}

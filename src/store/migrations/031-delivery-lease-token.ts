/**
 * A fencing token on each delivery row: it grows by one every time the row is leased, and every
 * write that follows a lease (outcome, retry, hold, release) names the token it was leased
 * with. A worker that stalled past its lease, while another leased the row again, then writes
 * nothing. Query builder only, so the same migration runs on both dialects.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('deliveries')
    .addColumn('lease_token', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
}

/**
 * Raw records claimed by worker processes: who claimed a record (`claim_owner`), until when
 * (`claim_until`, ms) and a fencing token that grows by one with every claim, so that the
 * commit of a worker that stalled past its claim, while another worker claimed the record
 * again, changes nothing. Query builder only, so the same migration runs on both dialects.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('raw_records')
    .addColumn('claim_token', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('raw_records').addColumn('claim_owner', 'text').execute();
  await db.schema.alterTable('raw_records').addColumn('claim_until', 'bigint').execute();
}

/**
 * Who a run belongs to: the process that started it, named by the owner of its heartbeat lease
 * (`process:<owner>` in `leases`). With several processes on one database a run still marked
 * running may be another live process's, so only a run whose owner's lease has run out (or a
 * run of the single-writer days, without an owner) is taken as interrupted. Query builder only,
 * so the same migration runs on both dialects.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('runs').addColumn('owner', 'text').execute();
}

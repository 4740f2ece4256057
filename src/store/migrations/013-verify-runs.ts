/**
 * The result of each `verify` run (CLI or console), so that the console's Integrity page can
 * show when the archive was last proven whole, and what broke first if it was not.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('verify_runs')
    .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
    .addColumn('checked_at', 'bigint', (c) => c.notNull())
    .addColumn('since', 'bigint')
    .addColumn('ok', 'integer', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('problem_count', 'integer', (c) => c.notNull())
    .addColumn('first_broken', 'text')
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('via', 'text', (c) => c.notNull())
    .execute();
}

/**
 * What the console asks of a connector's processes, and what they last said about it, when the
 * console is a process of its own beside capture and worker processes (`serve --role`): the
 * paused flag of every connector (the config file's too, which has no definition row), a run
 * asked for and not yet started, and the state and next scheduled pass the processes report.
 * Query builder only, so the same migration runs on both dialects.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('connector_controls')
    .addColumn('connector_id', 'text', (c) => c.primaryKey())
    .addColumn('paused', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('run_requested_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('capture_state', 'text')
    .addColumn('capture_detail', 'text')
    .addColumn('worker_state', 'text')
    .addColumn('worker_detail', 'text')
    .addColumn('next_run_at', 'bigint')
    .addColumn('reported_at', 'bigint')
    .execute();
}

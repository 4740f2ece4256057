/**
 * A running run's live progress (phase and counts, JSON), written by the process doing the run
 * every second or so, so that a console in another process (`serve --role console`) shows the
 * progress of runs that capture and worker processes are doing. Query builder only, so the same
 * migration runs on both dialects.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('runs').addColumn('progress_json', 'text').execute();
}

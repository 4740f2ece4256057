/**
 * Which process runs a console export, and how far it has got. With several console processes
 * on one database, an export another live process is writing must show as running (not as
 * interrupted, inviting a second writer into its directory), with that process's progress; and
 * the files of a finished export are on the host that wrote them, which a download elsewhere
 * names. `owner` is the writer's heartbeat lease (`process:<owner>` in `leases`), null for the
 * single process. Query builder only, so the same migration runs on both dialects.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('export_jobs').addColumn('owner', 'text').execute();
  await db.schema.alterTable('export_jobs').addColumn('holder', 'text').execute();
  await db.schema.alterTable('export_jobs').addColumn('progress_json', 'text').execute();
}

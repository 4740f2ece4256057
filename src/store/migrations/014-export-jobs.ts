/**
 * Exports started from the console: which case, what (a saved search or a review set with
 * tags), the format, who and when, the outcome (counts, manifest hash) or why it failed, so a
 * case lists its exports after a restart and an interrupted one can be resumed.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('export_jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('case_id', 'integer', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('source_json', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .addColumn('items', 'integer')
    .addColumn('files', 'integer')
    .addColumn('bytes', 'bigint')
    .addColumn('manifest_sha256', 'text')
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('export_jobs_case').on('export_jobs').columns(['case_id', 'created_at']).execute();
}

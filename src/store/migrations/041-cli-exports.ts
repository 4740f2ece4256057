/**
 * The register of exports run with the `export` command, in `case_exports` (made by migration
 * 010 for it): which export (the id its journal and manifest carry), its tag filter, the process
 * writing it (host and pid, so a case can tell one still running from one that was stopped) and
 * why it failed. The console's exports keep their own rows (`export_jobs`). Query builder only,
 * so the same migration runs on both dialects.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('case_exports').addColumn('export_id', 'text').execute();
  await db.schema.alterTable('case_exports').addColumn('tags_json', 'text').execute();
  await db.schema.alterTable('case_exports').addColumn('holder', 'text').execute();
  await db.schema.alterTable('case_exports').addColumn('error', 'text').execute();
  await db.schema.createIndex('case_exports_export_id').on('case_exports').column('export_id').unique().execute();
  await db.schema.createIndex('case_exports_case').on('case_exports').columns(['case_id', 'created_at']).execute();
}

/**
 * Each `verify` run keeps its whole report beside its outcome, so that the console's evidence
 * package can carry the latest completed verification instead of running a new one inside the
 * download. Runs recorded before this have no report; a package needs a run made after it.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('verify_runs').addColumn('report_json', 'text').execute();
}

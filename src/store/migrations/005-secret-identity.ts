/**
 * The identity a stored secret was saved for (server, account, endpoint), so a secret is only
 * ever used with that identity. Rows from before carry none: the first use binds them to the
 * identity their connector has saved at that moment (see SecretBox.get), which needs the
 * master key and so cannot happen in SQL here.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('secrets').addColumn('identity', 'text').execute();
}

/** Where each `verify` run's outcome is kept: the newest one is what the Integrity page shows. */
import type { Insertable, Selectable } from 'kysely';
import type { Db } from './db.js';
import type { VerifyRunTable } from './schema.js';

export type VerifyRunRow = Selectable<VerifyRunTable>;

export async function recordVerifyRun(db: Db, row: Insertable<VerifyRunTable>): Promise<number> {
  const r = await db.insertInto('verify_runs').values(row).returning('id').executeTakeFirstOrThrow();
  return r.id;
}

export async function lastVerifyRun(db: Db): Promise<VerifyRunRow | undefined> {
  return db.selectFrom('verify_runs').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirst();
}

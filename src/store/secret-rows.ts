/**
 * Encrypted secrets' rows, as the secret box seals them: written (replacing a previous value),
 * read by name, listed as set or not, and deleted by name or by prefix. Nothing here sees a
 * plaintext value or the master key.
 */
import { sql, type Selectable } from 'kysely';
import type { Db } from './db.js';
import type { SecretTable } from './schema.js';

export type SecretRow = Selectable<SecretTable>;

export async function upsertSecretRow(db: Db, name: string, row: Omit<SecretRow, 'name'>): Promise<void> {
  await db
    .insertInto('secrets')
    .values({ name, ...row })
    .onConflict((oc) => oc.column('name').doUpdateSet(row))
    .execute();
}

export async function secretRow(db: Db, name: string): Promise<SecretRow | undefined> {
  return db.selectFrom('secrets').selectAll().where('name', '=', name).executeTakeFirst();
}

/** Which of `names` have a stored secret. */
export async function storedSecretNames(db: Db, names: string[]): Promise<string[]> {
  if (names.length === 0) return [];
  return (await db.selectFrom('secrets').select('name').where('name', 'in', names).execute()).map((r) => r.name);
}

export async function deleteSecretRow(db: Db, name: string): Promise<void> {
  await db.deleteFrom('secrets').where('name', '=', name).execute();
}

export async function deleteSecretRowsByPrefix(db: Db, prefix: string): Promise<number> {
  // substr, not LIKE: a prefix may contain "_" or "%", which LIKE would treat as wildcards;
  // substr counts characters, hence code points rather than UTF-16 units.
  const r = await db
    .deleteFrom('secrets')
    .where(sql`substr(name, 1, ${[...prefix].length})`, '=', prefix)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

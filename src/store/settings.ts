/** Single values the server keeps between starts (e.g. the one-time setup token's hash), by key. */
import type { Db } from './db.js';

export async function getSetting(db: Db, key: string): Promise<string | undefined> {
  return (await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst())?.value;
}

export async function putSetting(db: Db, key: string, value: string, now: number): Promise<void> {
  await db
    .insertInto('settings')
    .values({ key, value, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now }))
    .execute();
}

/** Deletes the setting; when `onlyIf` is given, only while it still holds that value. True when a row went. */
export async function deleteSetting(db: Db, key: string, onlyIf?: string): Promise<boolean> {
  let q = db.deleteFrom('settings').where('key', '=', key);
  if (onlyIf !== undefined) q = q.where('value', '=', onlyIf);
  return Number((await q.executeTakeFirst()).numDeletedRows) > 0;
}

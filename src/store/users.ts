/**
 * Console accounts' rows: inserted, read by id or username, listed, counted, changed, and the
 * two login writes that must be single statements so that concurrent attempts cannot race (a
 * failure counted and a lockout set in one UPDATE; a success applied only while the account is
 * still enabled and unlocked). Validation, hashing and the lockout policy live in src/security.
 */
import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Db } from './db.js';
import type { UserTable } from './schema.js';

export type UserRow = Selectable<UserTable>;

export async function insertUserRow(db: Db, row: Insertable<UserTable>): Promise<UserRow> {
  return db.insertInto('users').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function userById(db: Db, id: number): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function userByUsername(db: Db, username: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
}

export async function userRows(db: Db): Promise<UserRow[]> {
  return db.selectFrom('users').selectAll().orderBy('username').execute();
}

export async function countUserRows(db: Db): Promise<number> {
  const r = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The roles (JSON) of every enabled account. */
export async function enabledUserRoles(db: Db): Promise<string[]> {
  return (await db.selectFrom('users').select('roles_json').where('disabled', '=', 0).execute()).map(
    (r) => r.roles_json,
  );
}

export async function updateUserRow(db: Db, id: number, set: Updateable<UserTable>): Promise<void> {
  await db.updateTable('users').set(set).where('id', '=', id).execute();
}

/**
 * Counts a failed login in one statement; a lockout that ran out starts a fresh count. At
 * `maxFailures` the account is locked until `lockUntil`. Returns the resulting lock time.
 */
export async function recordFailedLogin(
  db: Db,
  id: number,
  now: number,
  maxFailures: number,
  lockUntil: number,
): Promise<{ locked_until: number | null } | undefined> {
  const expired = sql<boolean>`(locked_until is not null and locked_until <= ${now})`;
  const count = sql<number>`(case when ${expired} then 1 else failed_logins + 1 end)`;
  return db
    .updateTable('users')
    .set({
      failed_logins: count,
      locked_until: sql<number | null>`(case when ${count} >= ${maxFailures} then ${lockUntil}
        when ${expired} then null else locked_until end)`,
    })
    .where('id', '=', id)
    .returning(['locked_until'])
    .executeTakeFirst();
}

/** Records a successful login, only while the account is still enabled and not locked at `now`. */
export async function recordLogin(db: Db, id: number, now: number): Promise<UserRow | undefined> {
  return db
    .updateTable('users')
    .set({ failed_logins: 0, locked_until: null, last_login_at: now })
    .where('id', '=', id)
    .where('disabled', '=', 0)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .returningAll()
    .executeTakeFirst();
}

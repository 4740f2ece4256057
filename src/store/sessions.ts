/**
 * Console sessions' rows: stored under the SHA-256 of their cookie token (never the token), read
 * with their user, touched, and deleted one at a time, per user, or when expired. What a session
 * is (idle and absolute limits, the cookie) is the security module's business.
 */
import type { Insertable } from 'kysely';
import type { Db } from './db.js';
import type { SessionTable } from './schema.js';

export async function insertSession(db: Db, row: Insertable<SessionTable>): Promise<void> {
  await db.insertInto('sessions').values(row).execute();
}

export interface SessionWithUser {
  csrf_token: string;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
  user_id: number;
  username: string;
  display_name: string;
  roles_json: string;
  disabled: number;
}

export async function sessionWithUser(db: Db, id: string): Promise<SessionWithUser | undefined> {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.csrf_token',
      'sessions.created_at',
      'sessions.expires_at',
      'sessions.last_seen_at',
      'users.id as user_id',
      'users.username',
      'users.display_name',
      'users.roles_json',
      'users.disabled',
    ])
    .where('sessions.id', '=', id)
    .executeTakeFirst();
}

export async function touchSession(db: Db, id: string, lastSeenAt: number, expiresAt: number): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ last_seen_at: lastSeenAt, expires_at: expiresAt })
    .where('id', '=', id)
    .execute();
}

export async function deleteSessionById(db: Db, id: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', id).execute();
}

export async function deleteSessionsOfUser(db: Db, userId: number): Promise<number> {
  const r = await db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Sessions idle past `expires_at`, or created at or before `createdBy` (the absolute limit). */
export async function deleteSessionsExpired(db: Db, now: number, createdBy: number): Promise<number> {
  const r = await db
    .deleteFrom('sessions')
    .where((eb) => eb.or([eb('expires_at', '<=', now), eb('created_at', '<=', createdBy)]))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/**
 * Console sessions. The cookie holds a random token; the database holds only its SHA-256, so a
 * copy of the database (a backup, a leak) opens no session. Sessions slide on activity up to an
 * absolute limit, and every lookup reads the user's current roles and state, so disabling an
 * account or changing its roles takes effect on the next request.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SessionUser } from './types.js';
import { sha256Hex } from '../store/blobs/index.js';
import type { Db } from '../store/db.js';
import {
  deleteSessionById,
  deleteSessionsExpired,
  deleteSessionsOfUser,
  insertSession,
  sessionWithUser,
  touchSession,
} from '../store/sessions.js';
import { isRole, permissionsOf, type Role } from './roles.js';

/** A session unused this long ends (OWASP ASVS 3.3.2 asks for an idle timeout). */
export const SESSION_IDLE_MS = 30 * 60 * 1000;
/** A session ends this long after login however active it is. */
export const SESSION_MAX_MS = 12 * 60 * 60 * 1000;
/** Activity is recorded at most this often, so that a busy console does not write on every request. */
export const SESSION_TOUCH_MS = 60 * 1000;

export interface SessionMeta {
  ip: string;
  userAgent: string;
}

export interface NewSession {
  /** the cookie value; never stored */
  token: string;
  csrfToken: string;
  expiresAt: number;
}

export interface FoundSession {
  user: SessionUser;
  csrfToken: string;
  expiresAt: number;
}

function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

function sessionId(token: string): string {
  return sha256Hex(Buffer.from(token, 'utf8'));
}

/** Parses a `roles_json` column, dropping names that are no longer roles rather than failing. */
export function parseRoles(json: string): Role[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return [];
  }
  return Array.isArray(value) ? value.filter((r): r is Role => typeof r === 'string' && isRole(r)) : [];
}

export async function createSession(db: Db, userId: number, meta: SessionMeta, now: number): Promise<NewSession> {
  const token = randomToken();
  const csrfToken = randomToken();
  const expiresAt = now + SESSION_IDLE_MS;
  await insertSession(db, {
    id: sessionId(token),
    user_id: userId,
    csrf_token: csrfToken,
    created_at: now,
    expires_at: expiresAt,
    last_seen_at: now,
    // Bounded: both come from the client and only help an administrator recognise a session.
    ip: meta.ip.slice(0, 64),
    user_agent: meta.userAgent.slice(0, 512),
  });
  return { token, csrfToken, expiresAt };
}

/**
 * The session of a cookie token, or null when there is none, it has expired (idle or absolute)
 * or its user is disabled. An expired session's row is deleted on the way.
 */
/** A user as a session sees them: with the permissions their roles give. */
export function toSessionUser(u: { id: number; username: string; displayName: string; roles: Role[] }): SessionUser {
  return {
    id: u.id,
    username: u.username,
    displayName: u.displayName,
    roles: u.roles,
    permissions: permissionsOf(u.roles),
  };
}

export async function findSession(db: Db, token: string, now: number): Promise<FoundSession | null> {
  if (token === '') return null;
  const id = sessionId(token);
  const row = await sessionWithUser(db, id);
  if (!row) return null;
  const absoluteEnd = row.created_at + SESSION_MAX_MS;
  if (now >= row.expires_at || now >= absoluteEnd || row.disabled !== 0) {
    await deleteSessionById(db, id);
    return null;
  }
  let expiresAt = row.expires_at;
  if (now - row.last_seen_at >= SESSION_TOUCH_MS) {
    expiresAt = Math.min(now + SESSION_IDLE_MS, absoluteEnd);
    await touchSession(db, id, now, expiresAt);
  }
  return {
    user: toSessionUser({
      id: row.user_id,
      username: row.username,
      displayName: row.display_name,
      roles: parseRoles(row.roles_json),
    }),
    csrfToken: row.csrf_token,
    expiresAt,
  };
}

/** Logs out one session; unknown tokens are ignored (logging out twice is not an error). */
export async function deleteSession(db: Db, token: string): Promise<void> {
  await deleteSessionById(db, sessionId(token));
}

/** Ends every session of a user: when the account is disabled or its password changes. */
export async function deleteUserSessions(db: Db, userId: number): Promise<number> {
  return deleteSessionsOfUser(db, userId);
}

/** Housekeeping for a timer: removes sessions that ended, so the table does not grow forever. */
export async function deleteExpiredSessions(db: Db, now: number): Promise<number> {
  return deleteSessionsExpired(db, now, now - SESSION_MAX_MS);
}

/**
 * Compares the CSRF header with the session's token in constant time. Both sides are hashed
 * first so that the comparison also takes the same time whatever the given length.
 */
export function csrfMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined || given === '' || expected === '') return false;
  const a = createHash('sha256').update(expected, 'utf8').digest();
  const b = createHash('sha256').update(given, 'utf8').digest();
  return timingSafeEqual(a, b);
}

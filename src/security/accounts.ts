/**
 * Local console accounts: creation with the password policy, role changes, disabling, and
 * login with a lockout after repeated failures. The server routes call these; they take `now`
 * so that lockouts and timestamps are testable without waiting.
 */
import { randomBytes } from 'node:crypto';
import type { Insertable, Selectable, Updateable } from 'kysely';
import { ArchiverError } from '../core/errors.js';
import type { CreateUserRequest, UpdateUserRequest, UserSummary } from './types.js';
import type { Db } from '../store/db.js';
import type { UserTable } from '../store/schema.js';
import {
  countUserRows,
  enabledUserRoles,
  insertUserRow,
  recordFailedLogin,
  recordLogin,
  updateUserRow,
  userById,
  userByUsername,
  userRows,
} from '../store/users.js';
import { hashPassword, passwordProblem, verifyPassword } from './passwords.js';
import { isRole, type Role } from './roles.js';
import { deleteUserSessions, parseRoles } from './sessions.js';

/** Consecutive failed logins that lock an account (OWASP: limit guessing per account). */
export const MAX_FAILED_LOGINS = 5;
/** How long a lockout lasts; an administrator can lift it earlier with `unlock`. */
export const LOCKOUT_MS = 15 * 60 * 1000;

export const USERNAME_PATTERN = /^[a-z0-9._@-]{2,64}$/;
const DISPLAY_NAME_MAX = 128;

export type AuthResult =
  | { ok: true; user: UserSummary }
  | {
      ok: false;
      /** invalid: unknown user or wrong password; locked: too many failures; disabled: by an administrator */
      reason: 'invalid' | 'locked' | 'disabled';
      lockedUntil?: number;
    };

export function normalizeUsername(username: string): string {
  return username.trim().toLowerCase();
}

export function toUserSummary(row: Selectable<UserTable>): UserSummary {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    roles: parseRoles(row.roles_json),
    disabled: row.disabled !== 0,
    // Kept as stored: a time in the past means the lockout has run out.
    lockedUntil: row.locked_until,
    createdAt: row.created_at,
    lastLoginAt: row.last_login_at,
  };
}

function invalid(message: string): ArchiverError {
  return new ArchiverError('WXA_INPUT_INVALID', message);
}

function validUsername(username: unknown): string {
  const name = typeof username === 'string' ? normalizeUsername(username) : '';
  if (!USERNAME_PATTERN.test(name)) {
    throw invalid(
      `username "${String(username)}" is not valid: use 2 to 64 characters among a-z, 0-9, ".", "_", "@" and "-"`,
    );
  }
  return name;
}

function validDisplayName(displayName: unknown): string {
  const name = typeof displayName === 'string' ? displayName.trim() : '';
  if (name === '' || name.length > DISPLAY_NAME_MAX) {
    throw invalid(`displayName must be 1 to ${DISPLAY_NAME_MAX} characters`);
  }
  return name;
}

function validRoles(roles: unknown): Role[] {
  if (!Array.isArray(roles) || roles.length === 0) throw invalid('roles must list at least one role');
  const bad = roles.filter((r) => typeof r !== 'string' || !isRole(r));
  if (bad.length > 0) throw invalid(`roles: ${bad.map((r) => JSON.stringify(r)).join(', ')} is not a role`);
  return [...new Set(roles as Role[])];
}

async function validPasswordHash(password: unknown): Promise<string> {
  if (typeof password !== 'string') throw new ArchiverError('WXA_PASSWORD_WEAK', 'password is missing');
  const problem = passwordProblem(password);
  if (problem) throw new ArchiverError('WXA_PASSWORD_WEAK', problem);
  return hashPassword(password);
}

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  // SQLite (better-sqlite3) and PostgreSQL spell a unique violation differently.
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}

function userExists(username: string): ArchiverError {
  return new ArchiverError('WXA_USER_EXISTS', `an account named "${username}" already exists; choose another username`);
}

/**
 * Validates a new account and hashes its password, touching no database: setup uses it to do
 * the slow part before the transaction that consumes its token.
 */
export async function prepareNewUser(input: CreateUserRequest, now: number): Promise<Insertable<UserTable>> {
  const username = validUsername(input.username);
  const displayName = validDisplayName(input.displayName);
  const roles = validRoles(input.roles);
  return {
    username,
    display_name: displayName,
    password_hash: await validPasswordHash(input.password),
    roles_json: JSON.stringify(roles),
    disabled: 0,
    failed_logins: 0,
    locked_until: null,
    created_at: now,
    updated_at: now,
    last_login_at: null,
  };
}

/** Inserts a prepared account; a taken username is WXA_USER_EXISTS. */
export async function insertUser(db: Db, row: Insertable<UserTable>): Promise<UserSummary> {
  try {
    return toUserSummary(await insertUserRow(db, row));
  } catch (err) {
    if (isUniqueViolation(err)) throw userExists(row.username);
    throw err;
  }
}

/** Validates and creates an account; the password is hashed, never stored. */
export async function createUser(db: Db, input: CreateUserRequest, now: number): Promise<UserSummary> {
  const username = validUsername(input.username);
  // Checked before hashing so that a taken name costs no scrypt; the unique index still decides.
  const taken = await userByUsername(db, username);
  if (taken) throw userExists(username);
  return insertUser(db, await prepareNewUser(input, now));
}

export async function listUsers(db: Db): Promise<UserSummary[]> {
  return (await userRows(db)).map(toUserSummary);
}

export async function getUser(db: Db, id: number): Promise<UserSummary | undefined> {
  const row = await userById(db, id);
  return row && toUserSummary(row);
}

export async function countUsers(db: Db): Promise<number> {
  return countUserRows(db);
}

async function enabledAdmins(db: Db): Promise<number> {
  return (await enabledUserRoles(db)).filter((json) => parseRoles(json).includes('org-admin')).length;
}

/**
 * Changes an account. A new password or disabling ends the user's sessions. Roles need no such
 * step: every request reads them afresh (see findSession). Refuses to leave no enabled org-admin.
 */
export async function updateUser(db: Db, id: number, patch: UpdateUserRequest, now: number): Promise<UserSummary> {
  const row = await userById(db, id);
  if (!row) throw new ArchiverError('WXA_NOT_FOUND', `user ${id} does not exist`);
  const set: Updateable<UserTable> = { updated_at: now };
  if (patch.displayName !== undefined) set.display_name = validDisplayName(patch.displayName);
  if (patch.roles !== undefined) set.roles_json = JSON.stringify(validRoles(patch.roles));
  if (patch.password !== undefined) set.password_hash = await validPasswordHash(patch.password);
  if (patch.disabled !== undefined) set.disabled = patch.disabled ? 1 : 0;
  if (patch.unlock === true) {
    set.failed_logins = 0;
    set.locked_until = null;
  }
  const wasEnabledAdmin = row.disabled === 0 && parseRoles(row.roles_json).includes('org-admin');
  const endSessions = patch.password !== undefined || (patch.disabled === true && row.disabled === 0);
  const apply = async (tx: Db): Promise<void> => {
    await updateUserRow(tx, id, set);
    if (wasEnabledAdmin && (await enabledAdmins(tx)) === 0) {
      throw new ArchiverError(
        'WXA_LAST_ADMIN',
        `"${row.username}" is the last enabled org-admin; give another account the org-admin role first`,
      );
    }
    if (endSessions) await deleteUserSessions(tx, id);
  };
  await (db.isTransaction ? apply(db) : db.transaction().execute(apply));
  const updated = await getUser(db, id);
  if (!updated) throw new ArchiverError('WXA_NOT_FOUND', `user ${id} does not exist`);
  return updated;
}

let dummyHash: Promise<string> | undefined;

/** A hash of a password nobody knows: checking an unknown username costs the same scrypt as a real one. */
function dummy(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(24).toString('base64'));
  return dummyHash;
}

function lockedAt(row: { locked_until: number | null }, now: number): boolean {
  return row.locked_until !== null && row.locked_until > now;
}

/** Counts a failure in one statement, so concurrent guesses cannot each read the same count. */
async function recordFailure(db: Db, id: number, now: number): Promise<AuthResult> {
  // A lockout that ran out starts a fresh count rather than locking again at the next mistake.
  const row = await recordFailedLogin(db, id, now, MAX_FAILED_LOGINS, now + LOCKOUT_MS);
  if (row && lockedAt(row, now)) return { ok: false, reason: 'locked', lockedUntil: row.locked_until ?? undefined };
  return { ok: false, reason: 'invalid' };
}

/**
 * Checks a login. Every path costs one scrypt, so response time does not tell whether a
 * username exists. A locked account answers 'locked' even to the right password; a disabled
 * one answers 'disabled' only to the right password (a wrong one is just 'invalid').
 */
export async function authenticate(db: Db, username: string, password: string, now: number): Promise<AuthResult> {
  const name = normalizeUsername(username);
  const row = USERNAME_PATTERN.test(name) ? await userByUsername(db, name) : undefined;
  if (!row) {
    await verifyPassword(password, await dummy());
    return { ok: false, reason: 'invalid' };
  }
  const matches = await verifyPassword(password, row.password_hash);
  if (lockedAt(row, now)) return { ok: false, reason: 'locked', lockedUntil: row.locked_until ?? undefined };
  if (!matches) return row.disabled !== 0 ? { ok: false, reason: 'invalid' } : recordFailure(db, row.id, now);
  if (row.disabled !== 0) return { ok: false, reason: 'disabled' };
  // Conditional, so that a lockout or disabling that landed during the scrypt still wins.
  const updated = await recordLogin(db, row.id, now);
  if (updated) return { ok: true, user: toUserSummary(updated) };
  const fresh = await userById(db, row.id);
  if (fresh && lockedAt(fresh, now))
    return { ok: false, reason: 'locked', lockedUntil: fresh.locked_until ?? undefined };
  return { ok: false, reason: fresh && fresh.disabled !== 0 ? 'disabled' : 'invalid' };
}

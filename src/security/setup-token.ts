/**
 * The one-time token that lets the first administrator be created. `serve` prints it on the
 * terminal at a start with no accounts, so only someone who can read the server's output can
 * claim a freshly installed console (rather than whoever reaches the port first). The
 * database keeps only its SHA-256.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { SetupRequest, UserSummary } from './types.js';
import { sha256Hex } from '../store/blobs/index.js';
import type { Db } from '../store/db.js';
import { deleteSetting, getSetting, putSetting } from '../store/settings.js';
import { countUsers, insertUser, prepareNewUser } from './accounts.js';

export const SETUP_TOKEN_SETTING = 'setup_token_sha256';

function tokenHash(token: string): Buffer {
  return Buffer.from(sha256Hex(Buffer.from(token, 'utf8')), 'hex');
}

/** A new token to print (replacing any earlier one), or null when an account already exists. */
export async function issueSetupToken(db: Db, now: number): Promise<string | null> {
  if ((await countUsers(db)) > 0) {
    // A token left from an earlier start must not outlive the need for it.
    await deleteSetting(db, SETUP_TOKEN_SETTING);
    return null;
  }
  const token = randomBytes(24).toString('base64url');
  const value = sha256Hex(Buffer.from(token, 'utf8'));
  await putSetting(db, SETUP_TOKEN_SETTING, value, now);
  return token;
}

/** True when `token` is the current setup token (compared in constant time) and no account exists yet. */
export async function setupTokenMatches(db: Db, token: string): Promise<boolean> {
  if ((await countUsers(db)) > 0) return false;
  const value = await getSetting(db, SETUP_TOKEN_SETTING);
  if (value === undefined) return false;
  const stored = Buffer.from(value, 'hex');
  const given = tokenHash(token);
  return stored.length === given.length && timingSafeEqual(stored, given);
}

/**
 * Checks the token and deletes it when it matches. The delete is conditional on the stored
 * hash, so of two concurrent uses of one token only one succeeds.
 */
export async function consumeSetupToken(db: Db, token: string): Promise<boolean> {
  if (!(await setupTokenMatches(db, token))) return false;
  return deleteSetting(db, SETUP_TOKEN_SETTING, sha256Hex(Buffer.from(token, 'utf8')));
}

/**
 * POST /api/setup in one step. The token is checked first, so a wrong one costs no password
 * hashing (the endpoint is public: it must not be a free scrypt for anyone who can reach it);
 * then the request is validated and the password hashed (a weak password must not burn the
 * token); then the token is consumed and the org-admin created in one transaction. Null when the
 * token is wrong, already used, or an account exists.
 */
export async function completeSetup(db: Db, req: SetupRequest, now: number): Promise<UserSummary | null> {
  if (!(await setupTokenMatches(db, req.token))) return null;
  const row = await prepareNewUser({ ...req, roles: ['org-admin'] }, now);
  const claim = async (tx: Db): Promise<UserSummary | null> =>
    (await consumeSetupToken(tx, req.token)) ? insertUser(tx, row) : null;
  return db.isTransaction ? claim(db) : db.transaction().execute(claim);
}

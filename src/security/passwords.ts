/**
 * Password hashing for console accounts. scrypt from node:crypto (memory-hard, no native add-on
 * to build) in a self-describing string, so that stronger parameters can be adopted later while
 * old hashes still verify. The policy follows NIST SP 800-63B: length over composition rules.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { ArchiverError } from '../core/errors.js';
import { testOnlyVariable } from '../core/test-only.js';

/** CPU/memory cost: 2^15 with r=8 uses 32 MiB and about 50-100 ms per hash on a server core. */
const N = 2 ** 15;
/**
 * The test suite creates hundreds of accounts; at the production cost that alone takes minutes
 * on a shared CI machine. `WXA_TEST_SCRYPT_LOG2N` lowers the cost for new hashes, and only when
 * `NODE_ENV=test` (set by the test runner): a production process with it set refuses to hash
 * rather than silently store weak hashes. Stored hashes carry their own N, so verifying is unaffected.
 */
const TEST_COST_VARIABLE = 'WXA_TEST_SCRYPT_LOG2N';
const TEST_COST_MIN_LOG2 = 10;

/** The scrypt N for new hashes: 2^15, or the test suite's lower cost under NODE_ENV=test. */
export function hashCost(env: NodeJS.ProcessEnv = process.env): number {
  const raw = testOnlyVariable(TEST_COST_VARIABLE, 'lowers the password hashing cost', env);
  if (raw === undefined) return N;
  const log2 = Number(raw);
  if (!Number.isInteger(log2) || log2 < TEST_COST_MIN_LOG2 || log2 > 15) {
    throw new ArchiverError(
      'WXA_CONFIG_INVALID',
      `${TEST_COST_VARIABLE}=${raw} is not an integer from ${TEST_COST_MIN_LOG2} to 15`,
    );
  }
  return 2 ** log2;
}
const R = 8;
const P = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;

export const PASSWORD_MIN_LENGTH = 12;
/** An upper bound keeps a login request from becoming a denial of service. */
export const PASSWORD_MAX_LENGTH = 1024;

/** scrypt needs 128 * N * r bytes; Node's default `maxmem` (32 MiB) is exactly that and refuses. */
function maxmemFor(n: number, r: number, p: number): number {
  return 128 * n * r * p + 32 * 1024 * 1024;
}

function derive(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // NFC so that the same password typed on two keyboards (composed or decomposed accents) matches.
    scrypt(password.normalize('NFC'), salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Returns `scrypt$N$r$p$salt$hash` (salt and hash in base64). */
export async function hashPassword(password: string): Promise<string> {
  const n = hashCost();
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, KEY_BYTES, { N: n, r: R, p: P, maxmem: maxmemFor(n, R, P) });
  return ['scrypt', n, R, P, salt.toString('base64'), key.toString('base64')].join('$');
}

interface ParsedHash {
  n: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Bounds on the parameters accepted from a stored value: a corrupted or planted row must not
 * make a login allocate gigabytes or spin for minutes.
 */
function parseHash(stored: string): ParsedHash | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [, nText, rText, pText, saltText, keyText] = parts as [string, string, string, string, string, string];
  if (![nText, rText, pText].every((t) => /^[1-9][0-9]{0,7}$/.test(t))) return null;
  const n = Number(nText);
  const r = Number(rText);
  const p = Number(pText);
  if (n < 2 ** 10 || n > 2 ** 20 || (n & (n - 1)) !== 0 || r > 32 || p > 16) return null;
  if (!BASE64.test(saltText) || !BASE64.test(keyText)) return null;
  const salt = Buffer.from(saltText, 'base64');
  const key = Buffer.from(keyText, 'base64');
  if (salt.length < 8 || key.length < 16 || key.length > 128) return null;
  return { n, r, p, salt, key };
}

/** True when `password` matches `stored`; false for a wrong password or a malformed stored value. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const { n, r, p, salt, key } = parsed;
  let candidate: Buffer;
  try {
    candidate = await derive(password, salt, key.length, { N: n, r, p, maxmem: maxmemFor(n, r, p) });
  } catch {
    // Only the parameters of a stored value can make scrypt fail here: treat it as malformed.
    return false;
  }
  return timingSafeEqual(candidate, key);
}

/** Why a new password is refused, in English, or null when it is acceptable. */
export function passwordProblem(password: string): string | null {
  // Code points, not UTF-16 units: a Chinese passphrase of 12 characters is 12 characters.
  const chars = [...password];
  if (chars.length < PASSWORD_MIN_LENGTH) {
    return `the password has ${chars.length} characters; use at least ${PASSWORD_MIN_LENGTH}`;
  }
  if (chars.length > PASSWORD_MAX_LENGTH) {
    return `the password has ${chars.length} characters; use at most ${PASSWORD_MAX_LENGTH}`;
  }
  if (new Set(chars).size === 1) return 'the password repeats one character; use a passphrase instead';
  return null;
}

/**
 * Secrets at rest (WeCom archive secret, RSA private keys, destination credentials): AES-256-GCM
 * under a master key that never enters the database, so a copy of the database alone reveals
 * no credential. The key comes from WXA_MASTER_KEY (for containers and secret managers) or a
 * file in the data directory created on first start.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ArchiverError } from '../core/errors.js';
import type { Db } from '../store/db.js';
import {
  deleteSecretRow,
  deleteSecretRowsByPrefix,
  secretRow,
  storedSecretNames,
  upsertSecretRow,
} from '../store/secret-rows.js';
import { createPrivateFile, readPrivateFile } from './private-file.js';
import type { SecretTable } from '../store/schema.js';
import { canonicalIdentity, reentryRequired, type SecretBinding, type SecretIdentity } from './secret-identity.js';

export const MASTER_KEY_ENV = 'WXA_MASTER_KEY';
/** The purpose Graph upload session URLs are sealed under (see SecretBox.textSeal). */
export const UPLOAD_SESSION_SEAL = 'graph-upload-session-url';
export const MASTER_KEY_FILE = 'master.key';
const KEY_BYTES = 32;
/** 96-bit IVs are what GCM is specified for (NIST SP 800-38D 8.2); random ones are safe to 2^32 uses. */
const IV_BYTES = 12;

export interface SecretBoxOptions {
  dataDir: string;
  env?: NodeJS.ProcessEnv;
}

function keyError(message: string, cause?: unknown): ArchiverError {
  return new ArchiverError('WXA_MASTER_KEY_INVALID', message, cause === undefined ? undefined : { cause });
}

/** Strict base64 of exactly 32 bytes: a truncated copy-and-paste must fail, not yield another key. */
function decodeKey(text: string, where: string): Buffer {
  const trimmed = text.trim();
  const key = Buffer.from(trimmed, 'base64');
  const canonical = (s: string) => s.replace(/=+$/, '');
  if (key.length !== KEY_BYTES || canonical(key.toString('base64')) !== canonical(trimmed)) {
    throw keyError(
      `${where} must hold ${KEY_BYTES} bytes in base64 (44 characters); make one with: openssl rand -base64 32`,
    );
  }
  return key;
}

async function readKeyFile(path: string): Promise<Buffer | undefined> {
  const text = await readPrivateFile(path, keyError);
  return text === undefined ? undefined : decodeKey(text, `the master key file ${path}`);
}

async function createKeyFile(path: string): Promise<Buffer> {
  const text = await createPrivateFile(path, `${randomBytes(KEY_BYTES).toString('base64')}\n`, keyError);
  return decodeKey(text, `the master key file ${path}`);
}

function unreadable(name: string, message: string, cause?: unknown): ArchiverError {
  return new ArchiverError(
    'WXA_SECRET_UNREADABLE',
    `secret "${name}" cannot be decrypted: ${message}; restore the original master key (${MASTER_KEY_ENV} or ${MASTER_KEY_FILE}) or enter the secret again`,
    cause === undefined ? undefined : { cause },
  );
}

/** Additional data: the name alone for an unbound secret, else the name and the canonical identity. */
function aad(name: string, identity: string | null): Buffer {
  return Buffer.from(identity === null ? name : `${name}\n${identity}`, 'utf8');
}

export class SecretBox {
  /** First 16 hex digits of the key's SHA-256: names the key in rows and messages without revealing it. */
  readonly keyId: string;
  // A private field: util.inspect, JSON.stringify and a logger's serializer cannot reach it.
  readonly #key: Buffer;

  private constructor(key: Buffer) {
    this.#key = key;
    this.keyId = createHash('sha256').update(key).digest('hex').slice(0, 16);
  }

  /** Loads the master key: the environment wins over the file; the file is created when neither exists. */
  static async open(opts: SecretBoxOptions): Promise<SecretBox> {
    const env = opts.env ?? process.env;
    const fromEnv = env[MASTER_KEY_ENV];
    if (fromEnv !== undefined && fromEnv.trim() !== '') return new SecretBox(decodeKey(fromEnv, MASTER_KEY_ENV));
    const path = join(opts.dataDir, MASTER_KEY_FILE);
    const key = (await readKeyFile(path)) ?? (await createKeyFile(path));
    return new SecretBox(key);
  }

  /**
   * Encrypts and stores (or replaces) a secret. The name, and the identity the secret is for
   * when one is given, are the additional authenticated data: a ciphertext copied under another
   * name, or asked for with another server or account, fails to decrypt instead of leaking
   * into a place that shows or sends it differently.
   */
  async put(db: Db, name: string, value: string, actor: string, now: number, identity?: SecretIdentity): Promise<void> {
    const bound = identity === undefined ? null : canonicalIdentity(identity);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(aad(name, bound));
    const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    const row = {
      key_id: this.keyId,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      ciphertext: ciphertext.toString('base64'),
      updated_at: now,
      updated_by: actor,
      identity: bound,
    };
    await upsertSecretRow(db, name, row);
  }

  /**
   * Seals short-lived credentials kept outside the secrets table (a Graph upload session's
   * pre-authenticated URL) under the master key, bound to `purpose` as authenticated data.
   * Text form: key id, then base64 of IV, tag and ciphertext.
   */
  textSeal(purpose: string): { seal(plain: string): string; open(sealed: string): string } {
    const aad = Buffer.from(purpose, 'utf8');
    return {
      seal: (plain) => {
        const iv = randomBytes(IV_BYTES);
        const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
        cipher.setAAD(aad);
        const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
        return `${this.keyId}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
      },
      open: (sealed) => {
        const [keyId, data] = sealed.split(':');
        if (keyId !== this.keyId || !data) {
          throw unreadable(purpose, `it was sealed under master key ${keyId ?? '?'}, but this key is ${this.keyId}`);
        }
        const raw = Buffer.from(data, 'base64');
        const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, IV_BYTES));
        decipher.setAAD(aad);
        decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + 16));
        return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + 16)), decipher.final()]).toString('utf8');
      },
    };
  }

  /**
   * The secret's value, undefined when it is not set. A secret saved with an identity is given
   * only to a caller asking with that same identity: any other (or none) throws
   * WXA_SECRET_REENTRY_REQUIRED naming the fields that changed, before anything is decrypted.
   * A row saved before binding is compared with `binding.legacy` and bound to it on first use.
   * Throws WXA_SECRET_UNREADABLE under another master key.
   */
  async get(db: Db, name: string, binding?: SecretBinding): Promise<string | undefined> {
    const row = await secretRow(db, name);
    if (!row) return undefined;
    if (row.key_id !== this.keyId) {
      throw unreadable(name, `it was encrypted under master key ${row.key_id}, but this server's key is ${this.keyId}`);
    }
    const asked = binding === undefined ? null : canonicalIdentity(binding.identity);
    if (row.identity !== null || binding !== undefined) {
      const saved = row.identity !== null ? (JSON.parse(row.identity) as SecretIdentity) : binding?.legacy;
      if (binding === undefined) throw reentryRequired(name, undefined, {});
      if (saved === undefined || canonicalIdentity(saved) !== asked)
        throw reentryRequired(name, saved, binding.identity);
    }
    const value = this.#open(name, row);
    // An older row matched its connector's saved identity: bind it now, keeping who saved it.
    if (row.identity === null && binding !== undefined) {
      await this.put(db, name, value, row.updated_by, row.updated_at, binding.identity);
    }
    return value;
  }

  #open(name: string, row: SecretTable): string {
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, Buffer.from(row.iv, 'base64'));
      decipher.setAAD(aad(name, row.identity));
      decipher.setAuthTag(Buffer.from(row.tag, 'base64'));
      const plain = Buffer.concat([decipher.update(Buffer.from(row.ciphertext, 'base64')), decipher.final()]);
      return plain.toString('utf8');
    } catch (err) {
      throw unreadable(
        name,
        'its authentication tag does not match (the master key differs from the one that encrypted it, or the row was altered or moved)',
        err,
      );
    }
  }

  /** Which of `names` are stored: what the API shows instead of the values. */
  async status(db: Db, names: string[]): Promise<Record<string, 'set' | 'unset'>> {
    const out: Record<string, 'set' | 'unset'> = {};
    for (const n of names) out[n] = 'unset';
    if (names.length === 0) return out;
    for (const n of await storedSecretNames(db, names)) out[n] = 'set';
    return out;
  }

  async delete(db: Db, name: string): Promise<void> {
    await deleteSecretRow(db, name);
  }

  /** Deletes every secret whose name starts with `prefix` (e.g. all of one connector's). */
  async deleteByPrefix(db: Db, prefix: string): Promise<number> {
    if (prefix === '') throw new ArchiverError('WXA_INPUT_INVALID', 'deleteByPrefix needs a non-empty prefix');
    return deleteSecretRowsByPrefix(db, prefix);
  }
}

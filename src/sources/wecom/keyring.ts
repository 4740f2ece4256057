/**
 * The RSA half of WeCom's two-step decryption: every private key the corp ever uploaded,
 * indexed by `publickey_ver`, because old records stay encrypted under the key that was
 * current when they were sent. One ring per corp (mixing corps' keys gives padding errors).
 * This is the hottest path of the product: one RSA-2048 private operation per record.
 */
import { constants, createPrivateKey, privateDecrypt, type KeyObject } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ArchiverError } from '../../core/errors.js';
import { unpadPkcs1Type2 } from './pkcs1.js';

/** Key files in a key directory: `v<publickey_ver>.pem`. */
const KEY_FILE = /^v(\d+)\.pem$/;
/** Standard base64 as the service sends it; whitespace is tolerated on a slower path. */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

interface RingKey {
  key: KeyObject;
  /** modulus size in bytes: the only valid ciphertext length */
  bytes: number;
}

/** Private keys by `publickey_ver`; decrypts `encrypt_random_key` without PKCS#1 padding support in OpenSSL. */
export class KeyRing {
  private readonly keys = new Map<number, RingKey>();

  /**
   * Add the private key of one `publickey_ver` (PEM, PKCS#1 or PKCS#8, unencrypted).
   * `origin` names where it came from in error messages (e.g. the file name).
   * Adding the same key twice is a no-op; a different key for a known version is an error.
   */
  addKey(version: number, pem: string | Buffer, origin?: string): void {
    const where = `private key for publickey_ver ${version}${origin ? ` (${origin})` : ''}`;
    if (!Number.isSafeInteger(version) || version < 0) {
      throw new ArchiverError('WXA_KEY_INVALID', `${where}: the version must be a non-negative integer`);
    }
    let key: KeyObject;
    try {
      // Parsed once here and cached: createPrivateKey costs more than the RSA operation itself.
      key = createPrivateKey({ key: pem, format: 'pem' });
    } catch (err) {
      throw new ArchiverError(
        'WXA_KEY_INVALID',
        `${where} cannot be read: expected an unencrypted RSA private key in PEM ("BEGIN RSA PRIVATE KEY" or "BEGIN PRIVATE KEY")`,
        { cause: err },
      );
    }
    const modulusLength = key.asymmetricKeyDetails?.modulusLength;
    if (key.asymmetricKeyType !== 'rsa' || modulusLength === undefined) {
      throw new ArchiverError(
        'WXA_KEY_INVALID',
        `${where} is a ${key.asymmetricKeyType ?? 'non-RSA'} key; WeCom archive keys are RSA (2048 bits)`,
      );
    }
    const existing = this.keys.get(version);
    if (existing) {
      if (existing.key.equals(key)) return;
      throw new ArchiverError(
        'WXA_KEY_INVALID',
        `${where} differs from the key already loaded for that version; keep one key per version`,
      );
    }
    this.keys.set(version, { key, bytes: Math.ceil(modulusLength / 8) });
  }

  /** The key versions held, ascending. */
  versions(): number[] {
    return [...this.keys.keys()].sort((a, b) => a - b);
  }

  /** Whether a key for this `publickey_ver` is held. */
  has(version: number): boolean {
    return this.keys.has(version);
  }

  /**
   * Load every `v<N>.pem` in `dir` (other files are ignored) and return the versions loaded.
   * A missing directory is WXA_CONFIG_NOT_FOUND; an unreadable or invalid file WXA_KEY_INVALID naming it.
   */
  async loadKeyDir(dir: string): Promise<number[]> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (err) {
      throw new ArchiverError(
        'WXA_CONFIG_NOT_FOUND',
        `key directory ${dir} cannot be read; create it and put one v<publickey_ver>.pem file per key in it`,
        { cause: err },
      );
    }
    const loaded: number[] = [];
    for (const name of names.sort()) {
      const match = KEY_FILE.exec(name);
      if (!match) continue;
      const file = join(dir, name);
      let pem: Buffer;
      try {
        pem = await readFile(file);
      } catch (err) {
        throw new ArchiverError(
          'WXA_KEY_INVALID',
          `key file ${file} cannot be read; check that it is a readable file`,
          {
            cause: err,
          },
        );
      }
      const version = Number(match[1]);
      this.addKey(version, pem, file);
      loaded.push(version);
    }
    return loaded.sort((a, b) => a - b);
  }

  /**
   * RSA-decrypt a record's `encrypt_random_key` with the key of `version` and return the
   * random key string that DecryptData takes.
   * Errors: WXA_KEY_MISSING (no key for the version), WXA_RECORD_MALFORMED (not base64, or
   * not one RSA block long), WXA_RSA_PADDING (not a PKCS#1 v1.5 block of ASCII: wrong key).
   */
  decryptRandomKey(version: number, encryptRandomKeyBase64: string): string {
    const ring = this.keys.get(version);
    if (!ring) {
      throw new ArchiverError(
        'WXA_KEY_MISSING',
        `no private key for publickey_ver ${version}; add that version's private key to the key ring (file v${version}.pem), then retry the held records`,
      );
    }
    const ciphertext = decodeBase64(encryptRandomKeyBase64);
    if (ciphertext.length !== ring.bytes) {
      throw new ArchiverError(
        'WXA_RECORD_MALFORMED',
        `encrypt_random_key decodes to ${ciphertext.length} bytes, but the key for publickey_ver ${version} takes blocks of ${ring.bytes} bytes`,
      );
    }
    let block: Buffer;
    try {
      block = privateDecrypt({ key: ring.key, padding: constants.RSA_NO_PADDING }, ciphertext);
    } catch (err) {
      // With no padding the only failure is a ciphertext not below the modulus.
      throw new ArchiverError(
        'WXA_RSA_PADDING',
        `encrypt_random_key is not a valid RSA block for the key of publickey_ver ${version}; the key probably does not match, or the record is corrupt`,
        { cause: err },
      );
    }
    return asciiKey(unpadPkcs1Type2(block), version);
  }
}

function decodeBase64(text: unknown): Buffer {
  if (typeof text !== 'string') {
    throw new ArchiverError('WXA_RECORD_MALFORMED', `encrypt_random_key is ${typeof text}, not a base64 string`);
  }
  let clean = text;
  if (!BASE64.test(clean) || clean.length % 4 !== 0) {
    clean = text.replace(/\s+/g, '');
    if (!BASE64.test(clean) || clean.length % 4 !== 0) {
      throw new ArchiverError('WXA_RECORD_MALFORMED', 'encrypt_random_key is not valid base64');
    }
  }
  return Buffer.from(clean, 'base64');
}

/**
 * The random key is an ASCII string handed to a C function. Checking that is nearly free and
 * turns the roughly 1-in-100,000 chance that a wrong key still yields well-formed padding into an error
 * here rather than a confusing DecryptData failure later.
 */
function asciiKey(bytes: Buffer, version: number): string {
  if (bytes.length === 0) {
    throw new ArchiverError('WXA_RSA_PADDING', `the random key decrypted with publickey_ver ${version} is empty`);
  }
  for (const b of bytes) {
    if (b < 0x20 || b > 0x7e) {
      throw new ArchiverError(
        'WXA_RSA_PADDING',
        `the random key decrypted with publickey_ver ${version} is not ASCII text; the key probably does not match this record`,
      );
    }
  }
  return bytes.toString('latin1');
}

/** A ring of the keys in `keysDir` (when set) and of keys held in the secret store. */
export async function loadKeyRing(keysDir: string, keys: { version: number; pem: string }[] = []): Promise<KeyRing> {
  const ring = new KeyRing();
  if (keysDir) await ring.loadKeyDir(keysDir);
  for (const k of keys) ring.addKey(k.version, k.pem, `secret store (version ${k.version})`);
  return ring;
}

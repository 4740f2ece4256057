/**
 * The sandbox's two encryption steps. The RSA step is the real service's: a random 32-char key
 * string, RSA-2048 with PKCS#1 v1.5 padding under the `publickey_ver`'s public key. The
 * DecryptData step is secret in Tencent's library, so the sandbox uses a scheme of its own:
 * AES-256-GCM keyed by SHA-256 of the key string, `encrypt_chat_msg` = base64(iv || ct || tag).
 */
import { constants, createCipheriv, createDecipheriv, createHash, publicEncrypt, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { SdkError } from '../wecom/client.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

// One randomBytes call per 2,048 draws instead of two per record: at 100k records the calls
// themselves, not the entropy, were a sixth of the generation time.
let pool = Buffer.alloc(0);
let poolAt = 0;
function random(n: number): Buffer {
  if (poolAt + n > pool.length) {
    pool = randomBytes(64 * 1024);
    poolAt = 0;
  }
  poolAt += n;
  return pool.subarray(poolAt - n, poolAt);
}

/** The per-record key string: random like the real service's (not seeded: it never shows in the decrypted stream). */
export function randomKeyString(): string {
  const bytes = random(32);
  let s = '';
  // 62 symbols: the modulo bias is irrelevant for a test double's key strings
  for (const b of bytes) s += KEY_ALPHABET[b % KEY_ALPHABET.length];
  return s;
}

/** `encrypt_random_key`: base64 of the RSA PKCS#1 v1.5 ciphertext of the key string. */
export function encryptRandomKey(publicKey: KeyObject, keyString: string): string {
  return publicEncrypt(
    { key: publicKey, padding: constants.RSA_PKCS1_PADDING },
    Buffer.from(keyString, 'latin1'),
  ).toString('base64');
}

function aesKey(encryptKey: string): Buffer {
  return createHash('sha256').update(encryptKey, 'utf8').digest();
}

/** The sandbox's DecryptData counterpart: `encrypt_chat_msg` for a plaintext. */
export function sandboxEncryptData(encryptKey: string, plaintext: Buffer): string {
  const iv = Buffer.from(random(IV_BYTES));
  const cipher = createCipheriv('aes-256-gcm', aesKey(encryptKey), iv);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64');
}

/**
 * The sandbox's DecryptData: the message JSON bytes for a key string and `encrypt_chat_msg`.
 * Throws SdkError(10006) as the vendor library answers on a wrong key or a corrupt message.
 */
export function sandboxDecryptData(encryptKey: string, encryptChatMsg: string): Buffer {
  const raw = Buffer.from(encryptChatMsg, 'base64');
  if (!encryptKey || raw.length < IV_BYTES + TAG_BYTES || !/^[A-Za-z0-9+/]*={0,2}$/.test(encryptChatMsg)) {
    throw new SdkError(10006);
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', aesKey(encryptKey), raw.subarray(0, IV_BYTES));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
  } catch {
    // the GCM tag does not verify: wrong key string or altered message, as the library reports it
    throw new SdkError(10006);
  }
}

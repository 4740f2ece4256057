/**
 * WeCom's callback message crypto (the scheme of its WXBizMsgCrypt libraries), written on
 * node:crypto because no maintained npm package implements it: the signature is the SHA-1 of
 * the sorted [token, timestamp, nonce, ciphertext] strings; the ciphertext is AES-256-CBC with
 * key = base64(EncodingAESKey + "="), IV = the key's first 16 bytes, PKCS#7 padding to 32-byte
 * blocks, over 16 random bytes + 4-byte big-endian length + message + receiveid (the corp id).
 */
import { createDecipheriv, createHash, timingSafeEqual } from 'node:crypto';
import { ArchiverError } from '../../../core/errors.js';

/** PKCS#7 as WeCom applies it: to a multiple of 32 bytes, not AES's 16. */
export const PAD_BLOCK = 32;
const RANDOM_BYTES = 16;
const LENGTH_BYTES = 4;

/** The 32-byte AES key of a 43-character EncodingAESKey from the admin console. */
export function parseAesKey(encodingAesKey: string): Buffer {
  if (!/^[A-Za-z0-9]{43}$/.test(encodingAesKey)) {
    throw new ArchiverError(
      'WXA_CONFIG_INVALID',
      `the callback EncodingAESKey must be the 43 letters and digits shown in the WeCom admin console (got ${encodingAesKey.length} characters)`,
    );
  }
  return Buffer.from(`${encodingAesKey}=`, 'base64');
}

/** msg_signature: SHA-1 hex of the four strings sorted and concatenated. */
export function msgSignature(token: string, timestamp: string, nonce: string, encrypted: string): string {
  return createHash('sha1').update([token, timestamp, nonce, encrypted].sort().join('')).digest('hex');
}

/** Compares in constant time, so response timing reveals nothing about the expected signature. */
export function signatureMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given.toLowerCase());
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export type DecryptResult =
  | { ok: true; message: string; receiveId: string }
  /** why, for the log only: the caller answers every failure alike */
  | { ok: false; reason: string };

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Decrypts `encrypted` (base64) and checks that it was meant for `receiveId`. */
export function decryptMessage(key: Buffer, encrypted: string, receiveId: string): DecryptResult {
  if (encrypted === '' || !BASE64.test(encrypted)) return { ok: false, reason: 'ciphertext is not base64' };
  const data = Buffer.from(encrypted, 'base64');
  if (data.length === 0 || data.length % PAD_BLOCK !== 0) {
    return { ok: false, reason: `ciphertext length ${data.length} is not a multiple of ${PAD_BLOCK}` };
  }
  const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16));
  // WeCom pads to 32-byte blocks, which Node's 16-byte PKCS#7 check would refuse
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(data), decipher.final()]);

  const pad = plain[plain.length - 1] ?? 0;
  if (pad < 1 || pad > PAD_BLOCK || plain.subarray(plain.length - pad).some((b) => b !== pad)) {
    return { ok: false, reason: 'bad padding (wrong key or altered ciphertext)' };
  }
  const body = plain.subarray(0, plain.length - pad);
  if (body.length < RANDOM_BYTES + LENGTH_BYTES) return { ok: false, reason: 'plaintext too short' };
  const length = body.readUInt32BE(RANDOM_BYTES);
  const start = RANDOM_BYTES + LENGTH_BYTES;
  if (start + length > body.length) return { ok: false, reason: 'message length exceeds the plaintext' };
  const found = body.subarray(start + length).toString('utf8');
  if (found !== receiveId) return { ok: false, reason: `meant for receiveid ${JSON.stringify(found)}` };
  return { ok: true, message: body.subarray(start, start + length).toString('utf8'), receiveId: found };
}

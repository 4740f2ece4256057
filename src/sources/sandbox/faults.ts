/**
 * Broken records on purpose, so tests and the demo can show that nothing is lost silently: a
 * record under a key version the archive lacks, and records damaged in the ways real archive
 * data is damaged. tenant.json lists each with its msgid and kind.
 */
import { constants, privateDecrypt, randomBytes } from 'node:crypto';
import { ArchiverError } from '../../core/errors.js';
import type { EncryptedRecord } from '../wecom/client.js';
import type { TenantKey } from './keys.js';
import { encryptRecord } from './records.js';
import { Prng } from './prng.js';

export type FaultKind =
  /** encrypted under publickey_ver 3, whose private key is only in keys-withheld/ */
  | 'missing-key'
  /** encrypt_random_key is not base64 of a 256-byte block */
  | 'key-not-base64'
  /** the RSA block decrypts but is not PKCS#1 v1.5 type 2 (as with a wrong key) */
  | 'rsa-padding'
  /** encrypt_chat_msg was altered: DecryptData fails with 10006 */
  | 'chat-msg-corrupt'
  /** DecryptData succeeds but the body is truncated JSON */
  | 'body-not-json'
  /** the body has raw control characters and invalid UTF-8 bytes in a text; cleaning recovers it */
  | 'body-dirty';

export const MALFORMED_KINDS: readonly FaultKind[] = [
  'key-not-base64',
  'rsa-padding',
  'body-not-json',
  'body-dirty',
  'chat-msg-corrupt',
];

/** whether the message can still be read (after adding the key, or after cleaning) */
export const RECOVERABLE: Record<FaultKind, boolean> = {
  'missing-key': true,
  'key-not-base64': false,
  'rsa-padding': false,
  'chat-msg-corrupt': false,
  'body-not-json': false,
  'body-dirty': true,
};

export interface FaultEntry {
  seq: string;
  msgid: string;
  kind: FaultKind;
  recoverable: boolean;
}

/**
 * Where the faults go: spread evenly over the generated records after the first cycle (so every
 * msgtype still decrypts once), in seeded order. Returns record index -> kind.
 */
export function planFaults(
  seed: number,
  total: number,
  skip: number,
  missing: number,
  malformed: number,
): Map<number, FaultKind> {
  const kinds: FaultKind[] = [];
  for (let i = 0; i < missing; i++) kinds.push('missing-key');
  for (let i = 0; i < malformed; i++) kinds.push(MALFORMED_KINDS[i % MALFORMED_KINDS.length] as FaultKind);
  const plan = new Map<number, FaultKind>();
  if (kinds.length === 0) return plan;
  const start = total - skip >= kinds.length ? skip : 0;
  const span = total - start;
  if (span < kinds.length) {
    throw new ArchiverError(
      'WXA_CONFIG_INVALID',
      `faults: ${kinds.length} faulty records asked for but only ${total} messages are generated; generate more messages or ask for fewer faults`,
    );
  }
  Prng.from(seed, 'faults').shuffle(kinds);
  kinds.forEach((kind, j) => plan.set(start + Math.floor(((j + 0.5) * span) / kinds.length), kind));
  return plan;
}

/** Raw control characters and invalid UTF-8 put right after `"content":"` of a text message. */
function dirty(plaintext: Buffer): Buffer {
  const marker = Buffer.from('"content":"', 'utf8');
  const at = plaintext.indexOf(marker);
  if (at < 0) throw new RangeError('body-dirty fault needs a text message');
  const cut = at + marker.length;
  const junk = Buffer.from([0x01, 0x0b, 0xff, 0x1f, 0xfe, 0xc3, 0x20]);
  return Buffer.concat([plaintext.subarray(0, cut), junk, plaintext.subarray(cut)]);
}

/** an RSA input block that decrypts (no padding) to something that is not `00 02 ...` */
function badPaddingBlock(key: TenantKey): Buffer {
  for (;;) {
    const block = randomBytes(256);
    block[0] = 0; // below the modulus
    const plain = privateDecrypt({ key: key.privatePem, padding: constants.RSA_NO_PADDING }, block);
    if (plain[0] !== 0 || plain[1] !== 2) return block;
  }
}

/** The damaged record of `kind` for a message whose good record would be under `key`. */
export function faultyRecord(
  kind: Exclude<FaultKind, 'missing-key'>,
  seq: bigint,
  msgid: string,
  plaintext: Buffer,
  key: TenantKey,
): EncryptedRecord {
  switch (kind) {
    case 'body-not-json':
      return encryptRecord(
        seq,
        msgid,
        key.version,
        key.publicKey,
        plaintext.subarray(0, Math.floor(plaintext.length / 2)),
      );
    case 'body-dirty':
      return encryptRecord(seq, msgid, key.version, key.publicKey, dirty(plaintext));
    case 'key-not-base64': {
      const good = encryptRecord(seq, msgid, key.version, key.publicKey, plaintext);
      // short as well as invalid, so even a lenient base64 decoder gets no 256-byte block
      return { ...good, encrypt_random_key: `%%${good.encrypt_random_key.slice(0, 60)}*~!` };
    }
    case 'rsa-padding': {
      const good = encryptRecord(seq, msgid, key.version, key.publicKey, plaintext);
      return { ...good, encrypt_random_key: badPaddingBlock(key).toString('base64') };
    }
    case 'chat-msg-corrupt': {
      const good = encryptRecord(seq, msgid, key.version, key.publicKey, plaintext);
      const raw = Buffer.from(good.encrypt_chat_msg, 'base64');
      const mid = Math.floor(raw.length / 2);
      raw[mid] = (raw[mid] as number) ^ 0x5a;
      return { ...good, encrypt_chat_msg: raw.toString('base64') };
    }
  }
}

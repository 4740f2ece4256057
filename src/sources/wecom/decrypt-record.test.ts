import { constants, generateKeyPairSync, publicEncrypt, type KeyObject } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { ArchiverError, type ErrorCode } from '../../core/errors.js';
import { type EncryptedRecord, SdkError } from './client.js';
import { decryptRecord, decryptRecordJson, type DecryptDataFn } from './decrypt-record.js';
import { KeyRing } from './keyring.js';

const CORP = 'ww0123456789abcdef';
const RANDOM_KEY = 'Rk29aQ7mX4pL1sV8nB3cZ6tY0wE5uH2j';
let publicKey: KeyObject;
let ring: KeyRing;

beforeAll(() => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  publicKey = pair.publicKey;
  ring = new KeyRing();
  ring.addKey(3, pair.privateKey.export({ type: 'pkcs1', format: 'pem' }));
});

function record(msgid: string, overrides: Partial<EncryptedRecord> = {}): EncryptedRecord {
  const encrypt_random_key = publicEncrypt(
    { key: publicKey, padding: constants.RSA_PKCS1_PADDING },
    Buffer.from(RANDOM_KEY),
  ).toString('base64');
  return {
    seq: '9007199254740993',
    msgid,
    publickey_ver: 3,
    encrypt_random_key,
    encrypt_chat_msg: `body:${msgid}`,
    ...overrides,
  };
}

/** A DecryptData double: checks it got the RSA-decrypted key, then returns the prepared bytes. */
function decryptDataReturning(bytes: Buffer | string): DecryptDataFn {
  return (key, msg) => {
    if (key !== RANDOM_KEY) throw new SdkError(10008);
    if (!msg.startsWith('body:')) throw new SdkError(10006);
    return Buffer.from(bytes);
  };
}

async function rejection(p: Promise<unknown>, code: ErrorCode): Promise<ArchiverError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ArchiverError);
    expect((err as ArchiverError).code).toBe(code);
    return err as ArchiverError;
  }
  throw new Error(`expected ${code}`);
}

const TEXT = JSON.stringify({
  msgid: 'm1',
  action: 'send',
  from: 'zhangsan',
  tolist: ['lisi'],
  roomid: '',
  msgtime: 1700000000000,
  msgtype: 'text',
  text: { content: '你好 hello' },
});

describe('decryptRecord', () => {
  it('chains the RSA step, DecryptData, cleaning and parsing', async () => {
    const m = await decryptRecord(record('m1'), ring, decryptDataReturning(TEXT), CORP);
    expect(m).toMatchObject({
      key: `wecom:${CORP}:m1`,
      seq: '9007199254740993',
      content: { kind: 'text', text: '你好 hello' },
      flags: [],
    });
  });

  it('accepts an asynchronous DecryptData', async () => {
    const decrypt: DecryptDataFn = async (key, msg) => decryptDataReturning(TEXT)(key, msg);
    expect((await decryptRecord(record('m1'), ring, decrypt, CORP)).msgid).toBe('m1');
  });

  it('cleans control characters and invalid UTF-8 and flags the message', async () => {
    const dirty = Buffer.concat([
      Buffer.from(TEXT.replace('你好 hello', 'line 1\nline 2\u0001'), 'utf8').subarray(0, -3),
      Buffer.from([0xff]),
      Buffer.from('"}}'),
    ]);
    const m = await decryptRecord(record('m1'), ring, decryptDataReturning(dirty), CORP);
    expect(m.content).toEqual({ kind: 'text', text: 'line 1\nline 2\ufffd' });
    expect(m.flags).toEqual(['cleaned-text']);
  });

  it('returns the cleaned JSON for replay', async () => {
    const d = await decryptRecordJson(record('m1'), ring, decryptDataReturning(TEXT));
    expect(d).toEqual({ json: JSON.parse(TEXT), text: TEXT, cleaned: false });
  });

  it('names the msgid when the text is not JSON, without quoting the content', async () => {
    const err = await rejection(
      decryptRecord(record('m2'), ring, decryptDataReturning('{"secret":"机密 confidential"'), CORP),
      'WXA_MESSAGE_MALFORMED',
    );
    expect(err.message).toContain('m2');
    expect(err.message).not.toContain('confidential');
    expect(err.cause).toBeUndefined();
  });

  it('refuses a decrypted msgid that differs from the record', async () => {
    const err = await rejection(
      decryptRecord(record('other'), ring, decryptDataReturning(TEXT), CORP),
      'WXA_MESSAGE_MALFORMED',
    );
    expect(err.message).toContain('other');
    expect(err.message).toContain('m1');
  });

  it('names the record when the decrypted JSON has no msgid', async () => {
    const err = await rejection(
      decryptRecord(record('m3'), ring, decryptDataReturning('{"msgtype":"text"}'), CORP),
      'WXA_MESSAGE_MALFORMED',
    );
    expect(err.message).toContain('m3');
    expect(err.message).toContain('no msgid');
  });

  it('classifies DecryptData failures by their vendor code', async () => {
    const failing =
      (err: unknown): DecryptDataFn =>
      () => {
        throw err;
      };
    const held = await rejection(
      decryptRecord(record('m4'), ring, failing(new SdkError(10006)), CORP),
      'WXA_DECRYPT_FAILED',
    );
    expect(held.message).toContain('10006');
    expect(held.message).toContain('m4');
    await rejection(decryptRecord(record('m4'), ring, failing(new SdkError(10003)), CORP), 'WXA_SOURCE_FAILED');
    await rejection(decryptRecord(record('m4'), ring, failing(new Error('host exited')), CORP), 'WXA_SOURCE_FAILED');
    const own = new ArchiverError('WXA_DECRYPT_FAILED', 'as thrown');
    expect(await rejection(decryptRecord(record('m4'), ring, failing(own), CORP), 'WXA_DECRYPT_FAILED')).toBe(own);
    const rejected: DecryptDataFn = () => Promise.reject(new SdkError(10001));
    await rejection(decryptRecord(record('m4'), ring, rejected, CORP), 'WXA_SOURCE_FAILED');
  });

  it('passes the key ring errors through', async () => {
    const never: DecryptDataFn = () => {
      throw new Error('must not be called');
    };
    const missing = await rejection(
      decryptRecord(record('m5', { publickey_ver: 4 }), ring, never, CORP),
      'WXA_KEY_MISSING',
    );
    expect(missing.message).toContain('publickey_ver 4');
    await rejection(
      decryptRecord(record('m5', { encrypt_random_key: 'not base64!' }), ring, never, CORP),
      'WXA_RECORD_MALFORMED',
    );
  });

  it('rejects records lacking fields, naming them', async () => {
    const never: DecryptDataFn = () => Buffer.from(TEXT);
    const bad = { ...record('m6'), encrypt_chat_msg: undefined, seq: 1.5 } as unknown as EncryptedRecord;
    const err = await rejection(decryptRecord(bad, ring, never, CORP), 'WXA_RECORD_MALFORMED');
    expect(err.message).toContain('seq');
    expect(err.message).toContain('encrypt_chat_msg');
    expect(err.message).toContain('m6');
    const stringVersion = { ...record('m1'), publickey_ver: '3' } as unknown as EncryptedRecord;
    expect((await decryptRecord(stringVersion, ring, decryptDataReturning(TEXT), CORP)).msgid).toBe('m1');
  });
});

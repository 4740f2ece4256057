import { constants, generateKeyPairSync, publicEncrypt, type KeyObject } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiverError, type ErrorCode } from '../../core/errors.js';
import { KeyRing } from './keyring.js';

function rsaPair(): { publicKey: KeyObject; privateKey: KeyObject } {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

/** What WeCom does: RSA-encrypt the random key with PKCS#1 v1.5 padding and base64 it. */
function encryptRandomKey(publicKey: KeyObject, plain: string | Buffer): string {
  return publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from(plain)).toString('base64');
}

function caught(fn: () => unknown): ArchiverError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ArchiverError);
    return err as ArchiverError;
  }
  throw new Error('expected an ArchiverError');
}

async function caughtAsync(p: Promise<unknown>): Promise<ArchiverError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ArchiverError);
    return err as ArchiverError;
  }
  throw new Error('expected an ArchiverError');
}

function expectCode(err: ArchiverError, code: ErrorCode, ...words: string[]): void {
  expect(err.code).toBe(code);
  for (const w of words) expect(err.message).toContain(w);
}

const RANDOM_KEY = 'Kx3Q9vLrT2mZp8Wn4Bc7Hd1Fg6Js5Ay0';
let one: ReturnType<typeof rsaPair>;
let two: ReturnType<typeof rsaPair>;
let pkcs1Pem: string;
let pkcs8Pem: string;
let dir: string;

beforeAll(async () => {
  one = rsaPair();
  two = rsaPair();
  pkcs1Pem = one.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  pkcs8Pem = two.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  dir = await mkdtemp(join(tmpdir(), 'wxa-keyring-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('KeyRing', () => {
  it('decrypts with PKCS#1 and PKCS#8 keys by version', () => {
    expect(pkcs1Pem).toContain('BEGIN RSA PRIVATE KEY');
    expect(pkcs8Pem).toContain('BEGIN PRIVATE KEY');
    const ring = new KeyRing();
    ring.addKey(1, pkcs1Pem);
    ring.addKey(2, Buffer.from(pkcs8Pem));
    expect(ring.decryptRandomKey(1, encryptRandomKey(one.publicKey, RANDOM_KEY))).toBe(RANDOM_KEY);
    expect(ring.decryptRandomKey(2, encryptRandomKey(two.publicKey, 'abc'))).toBe('abc');
    expect(ring.versions()).toEqual([1, 2]);
    expect(ring.has(2)).toBe(true);
    expect(ring.has(3)).toBe(false);
  });

  it('tolerates line breaks in the base64', () => {
    const ring = new KeyRing();
    ring.addKey(1, pkcs1Pem);
    const wrapped = encryptRandomKey(one.publicKey, RANDOM_KEY).replace(/(.{76})/g, '$1\r\n');
    expect(ring.decryptRandomKey(1, wrapped)).toBe(RANDOM_KEY);
  });

  it('names the missing version and says to add the key', () => {
    const ring = new KeyRing();
    ring.addKey(1, pkcs1Pem);
    const err = caught(() => ring.decryptRandomKey(7, encryptRandomKey(one.publicKey, RANDOM_KEY)));
    expectCode(err, 'WXA_KEY_MISSING', 'publickey_ver 7', 'add');
    expect(err.kind).toBe('data');
  });

  it('rejects a ciphertext made for another key as a padding error', () => {
    const ring = new KeyRing();
    ring.addKey(1, pkcs1Pem);
    expectCode(
      caught(() => ring.decryptRandomKey(1, encryptRandomKey(two.publicKey, RANDOM_KEY))),
      'WXA_RSA_PADDING',
    );
  });

  it('rejects a ciphertext not below the modulus', () => {
    const ring = new KeyRing();
    ring.addKey(1, pkcs1Pem);
    expectCode(
      caught(() => ring.decryptRandomKey(1, Buffer.alloc(256, 0xff).toString('base64'))),
      'WXA_RSA_PADDING',
    );
  });

  it('rejects a random key that is not ASCII text', () => {
    const ring = new KeyRing();
    ring.addKey(1, pkcs1Pem);
    const bytes = Buffer.from([0x41, 0x00, 0x42]);
    expectCode(
      caught(() => ring.decryptRandomKey(1, encryptRandomKey(one.publicKey, bytes))),
      'WXA_RSA_PADDING',
      'ASCII',
    );
    const high = Buffer.from('clé', 'utf8');
    expectCode(
      caught(() => ring.decryptRandomKey(1, encryptRandomKey(one.publicKey, high))),
      'WXA_RSA_PADDING',
    );
  });

  it('rejects invalid base64 and a wrong length as malformed records', () => {
    const ring = new KeyRing();
    ring.addKey(1, pkcs1Pem);
    const good = encryptRandomKey(one.publicKey, RANDOM_KEY);
    expectCode(
      caught(() => ring.decryptRandomKey(1, `${good.slice(0, 100)}!${good.slice(101)}`)),
      'WXA_RECORD_MALFORMED',
      'base64',
    );
    const short = Buffer.alloc(255, 1).toString('base64');
    expectCode(
      caught(() => ring.decryptRandomKey(1, short)),
      'WXA_RECORD_MALFORMED',
      '255 bytes',
      '256',
    );
    expectCode(
      caught(() => ring.decryptRandomKey(1, '')),
      'WXA_RECORD_MALFORMED',
    );
    expectCode(
      caught(() => ring.decryptRandomKey(1, 42 as unknown as string)),
      'WXA_RECORD_MALFORMED',
    );
  });

  it('rejects unreadable PEM naming the version and origin', () => {
    const ring = new KeyRing();
    expectCode(
      caught(() => ring.addKey(3, 'not a key', 'v3.pem')),
      'WXA_KEY_INVALID',
      'publickey_ver 3',
      'v3.pem',
    );
    const publicPem = one.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expectCode(
      caught(() => ring.addKey(4, publicPem)),
      'WXA_KEY_INVALID',
      'publickey_ver 4',
    );
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' });
    expectCode(
      caught(() => ring.addKey(5, ec)),
      'WXA_KEY_INVALID',
      'ec key',
    );
    expectCode(
      caught(() => ring.addKey(-1, pkcs1Pem)),
      'WXA_KEY_INVALID',
    );
    expect(ring.versions()).toEqual([]);
  });

  it('ignores the same key twice and refuses a different key for a known version', () => {
    const ring = new KeyRing();
    ring.addKey(1, pkcs1Pem);
    ring.addKey(1, one.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    expectCode(
      caught(() => ring.addKey(1, pkcs8Pem)),
      'WXA_KEY_INVALID',
      'differs',
    );
    expect(ring.decryptRandomKey(1, encryptRandomKey(one.publicKey, RANDOM_KEY))).toBe(RANDOM_KEY);
  });

  it('loads v<N>.pem files from a directory and ignores other files', async () => {
    const keys = join(dir, 'good');
    await mkdir(keys);
    await writeFile(join(keys, 'v1.pem'), pkcs1Pem);
    await writeFile(join(keys, 'v12.pem'), pkcs8Pem);
    await writeFile(join(keys, 'README.txt'), 'one v<N>.pem per key');
    await writeFile(join(keys, 'v2.pem.bak'), 'garbage');
    const ring = new KeyRing();
    expect(await ring.loadKeyDir(keys)).toEqual([1, 12]);
    expect(ring.versions()).toEqual([1, 12]);
    expect(ring.decryptRandomKey(12, encryptRandomKey(two.publicKey, RANDOM_KEY))).toBe(RANDOM_KEY);
  });

  it('names the bad or unreadable key file', async () => {
    const bad = join(dir, 'bad');
    await mkdir(bad);
    await writeFile(join(bad, 'v3.pem'), '-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n');
    expectCode(await caughtAsync(new KeyRing().loadKeyDir(bad)), 'WXA_KEY_INVALID', 'v3.pem', 'publickey_ver 3');

    const unreadable = join(dir, 'unreadable');
    await mkdir(join(unreadable, 'v4.pem'), { recursive: true });
    expectCode(await caughtAsync(new KeyRing().loadKeyDir(unreadable)), 'WXA_KEY_INVALID', 'v4.pem');

    expectCode(await caughtAsync(new KeyRing().loadKeyDir(join(dir, 'absent'))), 'WXA_CONFIG_NOT_FOUND', 'absent');
  });
});

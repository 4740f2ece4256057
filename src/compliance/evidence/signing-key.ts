/**
 * The Ed25519 key that signs checkpoints. Kept outside the database like the master key
 * (`evidence.key` in the data directory, mode 0600, refused when looser; or a path from the
 * configuration), so that someone who can rewrite the database cannot re-sign what they
 * changed. Its public half goes into every checkpoint and the evidence package.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ArchiverError } from '../../core/errors.js';
import { createPrivateFile, readPrivateFile } from '../../security/private-file.js';

export const EVIDENCE_KEY_FILE = 'evidence.key';

export interface SigningKey {
  /** first 16 hex digits of SHA-256 of the public key (SPKI DER) */
  keyId: string;
  publicKeyPem: string;
  sign(bytes: Buffer): Buffer;
}

function keyError(message: string, cause?: unknown): ArchiverError {
  return new ArchiverError('WXA_EVIDENCE_KEY_INVALID', message, cause === undefined ? undefined : { cause });
}

export function evidenceKeyPath(dataDir: string, keyFile?: string): string {
  return keyFile ?? join(dataDir, EVIDENCE_KEY_FILE);
}

export function publicKeyId(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

function fromPem(pem: string, path: string): SigningKey {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw keyError(`${path} is not a PEM private key; restore it from your copy`, err);
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw keyError(`${path} holds a ${key.asymmetricKeyType ?? 'unknown'} key; checkpoints are signed with Ed25519`);
  }
  const pub = createPublicKey(key);
  return {
    keyId: publicKeyId(pub),
    publicKeyPem: pub.export({ type: 'spki', format: 'pem' }).toString(),
    sign: (bytes) => sign(null, bytes, key),
  };
}

/** Where the public half is kept beside the key: `evidence.key` -> `evidence.pub`. */
export function publicKeyPath(keyPath: string): string {
  return keyPath.replace(/(\.key)?$/, '.pub');
}

/**
 * Loads the signing key; creates it when `create` and it does not exist yet. The public half
 * is written beside it, so that `verify` on a copy that holds no private key still knows which
 * key it trusts, without trusting the database.
 */
export async function openSigningKey(path: string, create: boolean): Promise<SigningKey | undefined> {
  const existing = await readPrivateFile(path, keyError);
  let key: SigningKey;
  if (existing !== undefined) key = fromPem(existing, path);
  else if (!create) return undefined;
  else {
    const { privateKey } = generateKeyPairSync('ed25519');
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    key = fromPem(await createPrivateFile(path, pem, keyError), path);
  }
  // Private like everything in the data directory; auditors get the public key in the evidence package.
  await writeFile(publicKeyPath(path), key.publicKeyPem, { flag: 'wx', mode: 0o600 }).catch(
    (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw keyError(`cannot write ${publicKeyPath(path)}`, err);
    },
  );
  return key;
}

/**
 * The public key `verify` trusts: a file the operator names, else the one beside the signing
 * key, else the signing key's own public half; undefined when none exists.
 */
export async function trustedPublicKey(keyPath: string, explicitFile?: string): Promise<string | undefined> {
  const read = async (p: string) => {
    try {
      return await readFile(p, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  };
  if (explicitFile) {
    const pem = await read(explicitFile);
    if (pem === undefined) throw keyError(`the public key file ${explicitFile} does not exist`);
    return createPublicKey(pem).export({ type: 'spki', format: 'pem' }).toString();
  }
  const pub = await read(publicKeyPath(keyPath));
  if (pub !== undefined) return createPublicKey(pub).export({ type: 'spki', format: 'pem' }).toString();
  return (await openSigningKey(keyPath, false))?.publicKeyPem;
}

/** Checks an Ed25519 signature (base64) over `bytes` with a PEM public key. */
export function verifySignature(publicKeyPem: string, bytes: Buffer, signatureB64: string): boolean {
  try {
    return verify(null, bytes, createPublicKey(publicKeyPem), Buffer.from(signatureB64, 'base64'));
  } catch {
    return false;
  }
}

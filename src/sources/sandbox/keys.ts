/**
 * The sandbox corp's RSA keys, one per `publickey_ver` as uploaded in the WeCom admin console:
 * v1 in PKCS#8 and v2 in PKCS#1 (so the key ring's readers of both PEM forms are exercised),
 * and v3 which the tenant withholds to simulate records whose key was never configured.
 */
import { createPublicKey, generateKeyPair } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ArchiverError } from '../../core/errors.js';
import { testOnlyVariable } from '../../core/test-only.js';

export type PemFormat = 'pkcs1' | 'pkcs8';

export interface TenantKey {
  version: number;
  privatePem: string;
  format: PemFormat;
  publicKey: KeyObject;
}

export const KEYS_DIR = 'keys';
export const WITHHELD_DIR = 'keys-withheld';
/** the version whose private key is not in keys/ (fault `missingKeyVersion`) */
export const WITHHELD_VERSION = 3;

const FORMATS: Record<number, PemFormat> = { 1: 'pkcs8', 2: 'pkcs1', 3: 'pkcs8' };
const generate = promisify(generateKeyPair);

function tenantKey(version: number, privatePem: string): TenantKey {
  const format: PemFormat = privatePem.includes('BEGIN RSA PRIVATE KEY') ? 'pkcs1' : 'pkcs8';
  return { version, privatePem, format, publicKey: createPublicKey(privatePem) };
}

async function newKey(version: number): Promise<TenantKey> {
  const format = FORMATS[version] ?? 'pkcs8';
  const { privateKey } = await generate('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: format, format: 'pem' },
  });
  return tenantKey(version, privateKey);
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ArchiverError('WXA_KEY_INVALID', `${path}: cannot be read`, { cause: err });
  }
}

/**
 * Keys made once for a whole test run (the `keys` folder of a generated tenant), which the
 * sandbox uses instead of fresh ones when no `keysDir` is given. The suite generates a few hundred
 * tenants, in its own processes and in the `serve` processes it starts; three fresh RSA-2048 keys
 * cost about 0.6 s of CPU each time, some 60 s of a suite bound by CPU. Only under the test runner
 * (see core/test-only.ts).
 */
export const TEST_KEYS_VARIABLE = 'WXA_TEST_SANDBOX_KEYS';

/**
 * Keys v1..v3. Fresh random keys by default (generation is the slow part of a small dataset);
 * with `keysDir`, v1.pem and v2.pem come from there and v3.pem from there or from its sibling
 * keys-withheld/, so tests can reuse one set of keys across datasets.
 */
export async function prepareKeys(
  keysDir: string | undefined = testOnlyVariable(TEST_KEYS_VARIABLE, 'gives every sandbox tenant the same keys'),
): Promise<Map<number, TenantKey>> {
  const out = new Map<number, TenantKey>();
  const pending: Promise<void>[] = [];
  for (const version of [1, 2, WITHHELD_VERSION]) {
    pending.push(
      (async () => {
        let pem: string | undefined;
        if (keysDir) {
          pem = await readIfExists(join(keysDir, `v${version}.pem`));
          if (!pem && version === WITHHELD_VERSION) {
            pem = await readIfExists(join(dirname(keysDir), WITHHELD_DIR, `v${version}.pem`));
          }
          if (!pem && version !== WITHHELD_VERSION) {
            throw new ArchiverError('WXA_CONFIG_NOT_FOUND', `${join(keysDir, `v${version}.pem`)} does not exist`);
          }
        }
        try {
          out.set(version, pem ? tenantKey(version, pem) : await newKey(version));
        } catch (err) {
          if (err instanceof ArchiverError) throw err;
          throw new ArchiverError('WXA_KEY_INVALID', `key v${version}: not an RSA private key in PEM`, { cause: err });
        }
      })(),
    );
  }
  await Promise.all(pending);
  return out;
}

/** keys/v1.pem, keys/v2.pem and keys-withheld/v3.pem, readable by the owner only. */
export async function writeKeys(outDir: string, keys: Map<number, TenantKey>): Promise<void> {
  for (const key of keys.values()) {
    const dir = join(outDir, key.version === WITHHELD_VERSION ? WITHHELD_DIR : KEYS_DIR);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `v${key.version}.pem`), key.privatePem, { mode: 0o600 });
  }
}

/** A written tenant's key of `version` from its PEM file (`file` relative to the dataset). */
export async function loadTenantKey(dir: string, version: number, file: string): Promise<TenantKey> {
  const path = join(dir, file);
  const pem = await readIfExists(path);
  if (!pem) throw new ArchiverError('WXA_CONFIG_NOT_FOUND', `${path} does not exist; the tenant's keys were removed`);
  try {
    return tenantKey(version, pem);
  } catch (err) {
    throw new ArchiverError('WXA_KEY_INVALID', `${path}: not an RSA private key in PEM`, { cause: err });
  }
}

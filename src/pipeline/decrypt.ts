/**
 * Decryption of captured records into canonical messages: RSA unwrap of the random key (the
 * costliest step of the whole product, ~3,500 ops/s per core), DecryptData, cleaning and
 * parsing. Runs on worker threads so that every core decrypts; a failure comes back as data
 * (code and message) for the pipeline to hold, never as a crash of the batch.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { ChatMessage } from '../core/model.js';
import { ArchiverError, describeError } from '../core/errors.js';
import { SdkError } from '../sources/wecom/client.js';
import { decryptRecord, KeyRing } from '../sources/wecom/index.js';
import { sandboxDecryptData } from '../sources/sandbox/index.js';
import type { EncryptedRecord } from '../sources/wecom/client.js';

export type DecryptResult = { ok: true; msg: ChatMessage } | { ok: false; code: string; message: string };

export interface Decryptor {
  decrypt(records: string[]): Promise<DecryptResult[]>;
  close(): Promise<void>;
}

/** What a decrypting thread needs: where the keys are and which DecryptData to use. */
export interface DecryptSetup {
  corpId: string;
  keysDir: string;
  decryptData: 'sandbox';
}

/** Decrypts one captured record (its JSON as stored) without throwing. */
export async function decryptOne(json: string, keyring: KeyRing, setup: DecryptSetup): Promise<DecryptResult> {
  try {
    let record: EncryptedRecord;
    try {
      record = JSON.parse(json) as EncryptedRecord;
    } catch (err) {
      throw new ArchiverError('WXA_RECORD_MALFORMED', 'stored raw record is not valid JSON', { cause: err });
    }
    const msg = await decryptRecord(record, keyring, sandboxDecryptData, setup.corpId);
    return { ok: true, msg };
  } catch (err) {
    if (err instanceof ArchiverError) return { ok: false, code: err.code, message: err.message };
    if (err instanceof SdkError) return { ok: false, code: `SDK_${err.sdkCode}`, message: err.message };
    return { ok: false, code: 'WXA_INTERNAL', message: describeError(err) };
  }
}

export async function loadKeyRing(keysDir: string): Promise<KeyRing> {
  const ring = new KeyRing();
  await ring.loadKeyDir(keysDir);
  return ring;
}

/** Decrypts on the calling thread: used by tests and by `workers: 0`. */
export async function inlineDecryptor(setup: DecryptSetup): Promise<Decryptor> {
  const ring = await loadKeyRing(setup.keysDir);
  return {
    decrypt: (records) => Promise.all(records.map((r) => decryptOne(r, ring, setup))),
    close: async () => undefined,
  };
}

/** Decrypts on a pool of worker threads, one per core by default. */
export function poolDecryptor(setup: DecryptSetup, threads = availableParallelism()): Decryptor {
  const here = import.meta.url;
  // Under the test runner this module is TypeScript: the worker then needs the tsx loader.
  const isTs = here.endsWith('.ts');
  const filename = fileURLToPath(new URL(isTs ? './decrypt-worker.ts' : './decrypt-worker.js', here));
  const pool = new Piscina({
    filename,
    minThreads: threads,
    maxThreads: threads,
    workerData: setup,
    execArgv: isTs ? ['--import', 'tsx'] : [],
  });
  return {
    decrypt: (records) => pool.run(records) as Promise<DecryptResult[]>,
    close: () => pool.destroy(),
  };
}

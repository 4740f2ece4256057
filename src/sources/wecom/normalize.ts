/**
 * The WeCom prepare step as the prepare threads run it: the RSA unwrap of each record's random
 * key (the costliest step of the product, ~3,500 ops/s per core), DecryptData, cleaning and the
 * msgtype parser. With the vendor library, DecryptData lives in its host process, reachable only
 * from the main thread: the thread unwraps the key (`begin`), the main thread asks the host, and
 * the thread parses the answer (`end`). This module is the one `source.ts` names for that path.
 */
import { ArchiverError } from '../../core/errors.js';
import type { CreateNormalizer, RecordNormalizer } from '../types.js';
import type { EncryptedRecord } from './client.js';
import { decryptRecord, type DecryptDataFn } from './decrypt-record.js';
import { loadKeyRing } from './keyring.js';

/** What a prepare thread needs to decrypt a corp's records; plain data, so it reaches the threads. */
export interface WecomPrepareSetup {
  corpId: string;
  keysDir: string;
  /** private keys held in the encrypted secret store (console connectors), added to the directory's */
  keys?: { version: number; pem: string }[];
}

/** The main thread's part of the split step: DecryptData of `data` with the unwrapped `key`. */
export interface DecryptAsk {
  key: string;
  data: string;
}

function parseRecord(json: string): EncryptedRecord {
  try {
    return JSON.parse(json) as EncryptedRecord;
  } catch (err) {
    throw new ArchiverError('WXA_RECORD_MALFORMED', 'stored raw record is not valid JSON', { cause: err });
  }
}

/**
 * A normalizer over the corp's key ring. With `decryptData` (a pure function any thread can
 * call, as the sandbox's is) `normalize` does the whole step; without it only begin/end can.
 */
export async function recordNormalizer(
  setup: WecomPrepareSetup,
  decryptData?: DecryptDataFn,
): Promise<RecordNormalizer> {
  const ring = await loadKeyRing(setup.keysDir, setup.keys);
  return {
    normalize: async (json) => {
      if (!decryptData)
        throw new Error('DecryptData of this source runs on the main thread: prepare with begin and end');
      return decryptRecord(parseRecord(json), ring, decryptData, setup.corpId);
    },
    begin: (json): DecryptAsk => {
      const r = parseRecord(json);
      return {
        key: ring.decryptRandomKey(Number(r.publickey_ver), r.encrypt_random_key),
        data: String(r.encrypt_chat_msg),
      };
    },
    end: (json, ask, answer) => {
      const bytes = Buffer.from(answer.buffer, answer.byteOffset, answer.byteLength);
      const key = (ask as DecryptAsk).key;
      return decryptRecord(parseRecord(json), { decryptRandomKey: () => key }, () => bytes, setup.corpId);
    },
  };
}

export const createNormalizer: CreateNormalizer = (setup) => recordNormalizer(setup as WecomPrepareSetup);

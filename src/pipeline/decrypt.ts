/**
 * Decrypting, parsing, mapping and (where possible) rendering captured records, on worker
 * threads so that every core works: the RSA unwrap of each record's key is the costliest step
 * of the whole product (~3,500 ops/s per core). A failure comes back as data (code and
 * message) for the pipeline to hold, never as a crash of the batch.
 */
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { DirectorySnapshot } from '../core/directory.js';
import { ArchiverError, describeError } from '../core/errors.js';
import type { ChatMessage } from '../core/model.js';
import { sandboxDecryptData } from '../sources/sandbox/index.js';
import { SdkError, type EncryptedRecord } from '../sources/wecom/client.js';
import { decryptRecord, KeyRing } from '../sources/wecom/index.js';
import {
  buildLookups,
  mapParticipants,
  renderableAnywhere,
  renderItem,
  sha256,
  type Lookups,
  type MappingOutcome,
  type MappingSetup,
} from './prepare.js';

export type PreparedResult =
  | { ok: false; code: string; message: string }
  | { ok: true; msg: ChatMessage; mapping: MappingOutcome; mime?: Uint8Array; mimeSha256?: string };

export interface Preparer {
  prepare(records: string[]): Promise<PreparedResult[]>;
  close(): Promise<void>;
}

/** Everything a preparing thread needs; plain data, so it can be handed to a worker. */
export interface PrepareSetup {
  corpId: string;
  keysDir: string;
  decryptData: 'sandbox';
  directory: DirectorySnapshot;
  mapping: MappingSetup;
}

export async function loadKeyRing(keysDir: string): Promise<KeyRing> {
  const ring = new KeyRing();
  await ring.loadKeyDir(keysDir);
  return ring;
}

/** Prepares one captured record (its JSON as stored) without throwing. */
export async function prepareOne(
  json: string,
  keyring: KeyRing,
  lookups: Lookups,
  setup: PrepareSetup,
): Promise<PreparedResult> {
  let msg: ChatMessage;
  try {
    let record: EncryptedRecord;
    try {
      record = JSON.parse(json) as EncryptedRecord;
    } catch (err) {
      throw new ArchiverError('WXA_RECORD_MALFORMED', 'stored raw record is not valid JSON', { cause: err });
    }
    msg = await decryptRecord(record, keyring, sandboxDecryptData, setup.corpId);
  } catch (err) {
    if (err instanceof ArchiverError) return { ok: false, code: err.code, message: err.message };
    if (err instanceof SdkError) return { ok: false, code: `SDK_${err.sdkCode}`, message: err.message };
    return { ok: false, code: 'WXA_INTERNAL', message: describeError(err) };
  }
  const mapping = mapParticipants(msg, lookups);
  if (!renderableAnywhere(msg)) return { ok: true, msg, mapping };
  try {
    const mime = renderItem(msg, mapping, lookups, { attachmentBytes: () => undefined });
    return { ok: true, msg, mapping, mime, mimeSha256: sha256(mime) };
  } catch (err) {
    if (err instanceof ArchiverError) return { ok: false, code: err.code, message: err.message };
    return { ok: false, code: 'WXA_INTERNAL', message: describeError(err) };
  }
}

/** Prepares on the calling thread: used by tests and by `workers: 0`. */
export async function inlinePreparer(setup: PrepareSetup): Promise<Preparer> {
  const ring = await loadKeyRing(setup.keysDir);
  const lookups = buildLookups(setup.directory, setup.mapping);
  return {
    prepare: async (records) => {
      const out: PreparedResult[] = [];
      for (const r of records) out.push(await prepareOne(r, ring, lookups, setup));
      return out;
    },
    close: async () => undefined,
  };
}

/** Prepares on a pool of worker threads, one per core by default; a batch is split across them. */
export function poolPreparer(setup: PrepareSetup, threads = availableParallelism()): Preparer {
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
    prepare: async (records) => {
      const size = Math.max(8, Math.ceil(records.length / (threads * 2)));
      const parts: Promise<PreparedResult[]>[] = [];
      for (let i = 0; i < records.length; i += size) {
        parts.push(pool.run(records.slice(i, i + size)) as Promise<PreparedResult[]>);
      }
      return (await Promise.all(parts)).flat();
    },
    close: () => pool.destroy(),
  };
}

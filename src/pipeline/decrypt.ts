/**
 * Decrypting, parsing, mapping and (where possible) rendering captured records, on worker
 * threads so that every core works: the RSA unwrap of each record's key is the costliest step
 * of the whole product (~3,500 ops/s per core). A failure comes back as data (code and
 * message) for the pipeline to hold, never as a crash of the batch.
 */
import { availableParallelism } from 'node:os';
import { leasePool, runWithRetry } from './worker-pool.js';
import type { Logger } from '../core/logger.js';
import type { DirectorySnapshot } from '../core/directory.js';
import { ArchiverError, describeError } from '../core/errors.js';
import type { ChatMessage } from '../core/model.js';
import { sandboxDecryptData } from '../sources/sandbox/encrypt.js';
import { sha256Hex } from '../store/blobs/local.js';
import { SDK_ERRORS, SdkError, type EncryptedRecord } from '../sources/wecom/client.js';
import { decryptRecord, KeyRing, type DecryptDataFn } from '../sources/wecom/index.js';
import { recallTextOf } from '../compliance/search/message-text.js';
import { searchRowOf, type SearchDocument } from '../compliance/search/document.js';
import type { SearchRowWrite } from '../store/search-index.js';
import { contentDigest } from './content-digest.js';
import { searchDocumentOf } from './search-document.js';
import {
  buildLookups,
  mapParticipants,
  renderableAnywhere,
  renderItem,
  summaryOf,
  type Lookups,
  type MappingOutcome,
  type MappingSetup,
} from './prepare.js';

/**
 * A prepared record. Besides the message, the threads compute what the main thread would
 * otherwise spend its time on: the stored model's JSON and content digest, the recall texts and,
 * for a message rendered here, its search document and index row.
 */
export type PreparedResult = { ok: false; code: string; message: string } | PreparedMessage;

export interface PreparedMessage {
  ok: true;
  msg: ChatMessage;
  mapping: MappingOutcome;
  /** JSON of the model as the item stores it */
  modelJson: string;
  /** see content-digest.ts */
  digest: string;
  /** a one-line summary and the searchable text, for naming the message where it is recalled */
  summary: string;
  recallText: string;
  mime?: Uint8Array;
  mimeSha256?: string;
  /** set with `mime`: the item's search document and index row */
  search?: { doc: SearchDocument; row: SearchRowWrite };
}

export interface Preparer {
  prepare(records: string[]): Promise<PreparedResult[]>;
  close(): Promise<void>;
}

/** Everything a preparing thread needs; plain data, so it can be handed to a worker. */
export interface PrepareSetup {
  corpId: string;
  /** the connector the records belong to (named in their search documents) */
  connectorId: string;
  keysDir: string;
  /** private keys held in the encrypted secret store (console connectors), added to the directory's */
  keys?: { version: number; pem: string }[];
  /**
   * Where DecryptData runs: 'sandbox' is a pure function any thread can call; 'remote' is the
   * vendor library in its host process, reachable only from the main thread (see below).
   */
  decryptData: 'sandbox' | 'remote';
  directory: DirectorySnapshot;
  mapping: MappingSetup;
}

export async function loadKeyRing(keysDir: string, keys: { version: number; pem: string }[] = []): Promise<KeyRing> {
  const ring = new KeyRing();
  if (keysDir) await ring.loadKeyDir(keysDir);
  for (const k of keys) ring.addKey(k.version, k.pem, `secret store (version ${k.version})`);
  return ring;
}

/** The vendor's DecryptData as the main thread reaches it (the SDK host process). */
export type RemoteDecrypt = (encryptKey: string, encryptChatMsg: string) => Promise<Buffer>;

function failure(err: unknown): PreparedResult {
  if (err instanceof ArchiverError) return { ok: false, code: err.code, message: err.message };
  if (err instanceof SdkError) {
    // A vendor code that will not pass by itself is a verdict on the record; the rest retry.
    const retry = SDK_ERRORS[err.sdkCode]?.retry ?? true;
    return { ok: false, code: retry ? 'WXA_SOURCE_FAILED' : 'WXA_DECRYPT_FAILED', message: err.message };
  }
  return { ok: false, code: 'WXA_INTERNAL', message: describeError(err) };
}

function parseRecord(json: string): EncryptedRecord {
  try {
    return JSON.parse(json) as EncryptedRecord;
  } catch (err) {
    throw new ArchiverError('WXA_RECORD_MALFORMED', 'stored raw record is not valid JSON', { cause: err });
  }
}

/** Decrypts one record with the given key step and DecryptData, then maps and (where possible) renders it. */
async function prepareWith(
  json: string,
  keys: Pick<KeyRing, 'decryptRandomKey'>,
  decryptData: DecryptDataFn,
  lookups: Lookups,
  setup: PrepareSetup,
): Promise<PreparedResult> {
  let msg: ChatMessage;
  try {
    msg = await decryptRecord(parseRecord(json), keys, decryptData, setup.corpId);
  } catch (err) {
    return failure(err);
  }
  const mapping = mapParticipants(msg, lookups);
  const base: PreparedMessage = {
    ok: true,
    msg,
    mapping,
    modelJson: JSON.stringify(msg),
    digest: contentDigest(msg),
    summary: summaryOf(msg),
    recallText: recallTextOf(msg.content),
  };
  if (!renderableAnywhere(msg)) return base;
  try {
    const mime = renderItem(msg, mapping, lookups, { attachmentBytes: () => undefined });
    const doc = searchDocumentOf(setup.connectorId, msg, mapping, lookups, { texts: [], unreadable: 0 }, undefined);
    return { ...base, mime, mimeSha256: sha256Hex(mime), search: { doc, row: searchRowOf(doc) } };
  } catch (err) {
    return failure(err);
  }
}

/** Prepares one captured record with the sandbox's DecryptData, without throwing. */
export function prepareOne(
  json: string,
  keyring: KeyRing,
  lookups: Lookups,
  setup: PrepareSetup,
): Promise<PreparedResult> {
  return prepareWith(json, keyring, sandboxDecryptData, lookups, setup);
}

/** Step 1 of the remote path: the RSA unwrap of each record's random key (worker threads). */
export type Unwrapped = { ok: true; key: string; encryptChatMsg: string } | { ok: false; result: PreparedResult };

export function unwrapOne(json: string, keyring: KeyRing): Unwrapped {
  try {
    const r = parseRecord(json);
    const version = Number(r.publickey_ver);
    return {
      ok: true,
      key: keyring.decryptRandomKey(version, r.encrypt_random_key),
      encryptChatMsg: String(r.encrypt_chat_msg),
    };
  } catch (err) {
    return { ok: false, result: failure(err) };
  }
}

/** Step 3 of the remote path: parse, map and render with the key and plaintext already at hand. */
export function finishOne(
  json: string,
  key: string,
  plaintext: Uint8Array,
  lookups: Lookups,
  setup: PrepareSetup,
): Promise<PreparedResult> {
  const bytes = Buffer.from(plaintext.buffer, plaintext.byteOffset, plaintext.byteLength);
  return prepareWith(json, { decryptRandomKey: () => key }, () => bytes, lookups, setup);
}

/** The work a preparing thread is given. */
export type PrepareTask =
  | { op: 'prepare'; records: string[] }
  | { op: 'unwrap'; records: string[] }
  | { op: 'finish'; items: { json: string; key: string; plaintext: Uint8Array }[] };

export async function runTask(
  task: PrepareTask,
  keyring: KeyRing,
  lookups: Lookups,
  setup: PrepareSetup,
): Promise<PreparedResult[] | Unwrapped[]> {
  if (task.op === 'unwrap') return task.records.map((r) => unwrapOne(r, keyring));
  const out: PreparedResult[] = [];
  if (task.op === 'prepare') for (const r of task.records) out.push(await prepareOne(r, keyring, lookups, setup));
  else for (const i of task.items) out.push(await finishOne(i.json, i.key, i.plaintext, lookups, setup));
  return out;
}

/**
 * The remote path around a task runner: unwrap keys on the threads, call the vendor's DecryptData
 * from here (the host process batches the calls), then parse and render on the threads again.
 */
async function prepareRemote(
  records: string[],
  run: (t: PrepareTask) => Promise<PreparedResult[] | Unwrapped[]>,
  decrypt: RemoteDecrypt,
): Promise<PreparedResult[]> {
  const unwrapped = (await run({ op: 'unwrap', records })) as Unwrapped[];
  const out: (PreparedResult | undefined)[] = new Array(records.length);
  const items: { json: string; key: string; plaintext: Uint8Array }[] = [];
  const where: number[] = [];
  await Promise.all(
    unwrapped.map(async (u, i) => {
      if (!u.ok) {
        out[i] = u.result;
        return;
      }
      try {
        const plaintext = await decrypt(u.key, u.encryptChatMsg);
        items.push({ json: records[i]!, key: u.key, plaintext });
        where.push(i);
      } catch (err) {
        out[i] = failure(err);
      }
    }),
  );
  const finished = items.length ? ((await run({ op: 'finish', items })) as PreparedResult[]) : [];
  finished.forEach((r, k) => (out[where[k]!] = r));
  return out as PreparedResult[];
}

/** Prepares on the calling thread: used by tests and by `workers: 0`. */
export async function inlinePreparer(setup: PrepareSetup, remote?: RemoteDecrypt): Promise<Preparer> {
  const ring = await loadKeyRing(setup.keysDir, setup.keys);
  const lookups = buildLookups(setup.directory, setup.mapping);
  const run = (t: PrepareTask) => runTask(t, ring, lookups, setup);
  return {
    prepare: async (records) =>
      remote ? prepareRemote(records, run, remote) : ((await run({ op: 'prepare', records })) as PreparedResult[]),
    close: async () => undefined,
  };
}

/**
 * Prepares on a pool of worker threads, one per core by default; a batch is split across them.
 * `opts.slot` (the connector id) shares the pool across runs (see worker-pool.ts).
 */
export async function poolPreparer(
  setup: PrepareSetup,
  threads = availableParallelism(),
  remote?: RemoteDecrypt,
  opts: { slot?: string; logger?: Logger } = {},
): Promise<Preparer> {
  const { pool, release } = await leasePool(setup, threads, opts.slot);
  const split = async <T, R>(list: T[], task: (part: T[]) => PrepareTask): Promise<R[]> => {
    const size = Math.max(8, Math.ceil(list.length / (threads * 2)));
    const parts: Promise<R[]>[] = [];
    for (let i = 0; i < list.length; i += size)
      parts.push(runWithRetry<R[]>(pool, task(list.slice(i, i + size)), opts.logger));
    return (await Promise.all(parts)).flat();
  };
  const run = (t: PrepareTask): Promise<PreparedResult[] | Unwrapped[]> =>
    t.op === 'finish'
      ? split<(typeof t.items)[number], PreparedResult>(t.items, (items) => ({ op: 'finish', items }))
      : (split<string, PreparedResult | Unwrapped>(t.records, (records) => ({ op: t.op, records })) as Promise<
          PreparedResult[] | Unwrapped[]
        >);
  return {
    prepare: async (records) =>
      remote ? prepareRemote(records, run, remote) : ((await run({ op: 'prepare', records })) as PreparedResult[]),
    close: release,
  };
}

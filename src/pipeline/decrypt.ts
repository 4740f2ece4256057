/**
 * Preparing captured records on worker threads so that every core works: the source's prepare
 * step (for WeCom, the RSA unwrap of each record's key, the costliest step of the whole product
 * at ~3,500 ops/s per core, then DecryptData and parsing), then mapping and (where possible)
 * rendering. A failure comes back as data (code and message) for the pipeline to hold, never as
 * a crash of the batch.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { leasePool, runWithRetry } from './worker-pool.js';
import type { Logger } from '../core/logger.js';
import type { DirectorySnapshot } from '../core/directory.js';
import { ArchiverError, describeError } from '../core/errors.js';
import type { ChatMessage } from '../core/model.js';
import type { CreateNormalizer, PrepareSpec, RecordNormalizer } from '../sources/types.js';
import { sha256Hex } from '../store/blobs/local.js';
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
  /** the connector the records belong to (named in their search documents) */
  connectorId: string;
  /** the module the source names for its prepare step, and what it is created with */
  normalizer: Pick<PrepareSpec, 'module' | 'setup'>;
  directory: DirectorySnapshot;
  mapping: MappingSetup;
}

/**
 * Loads a module named by its file URL. Under the test runner the prepare threads load
 * TypeScript through tsx's require hook (Node 20 gives worker threads no import hooks of their
 * own): there importing a TypeScript module fails with ERR_UNKNOWN_FILE_EXTENSION, and it is
 * required instead. The build (JavaScript) always imports.
 */
async function importNamed(url: string): Promise<unknown> {
  try {
    return (await import(url)) as unknown;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (!url.endsWith('.ts') || code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
    return createRequire(url)(fileURLToPath(url)) as unknown;
  }
}

/** The source's normalizer, from the module it names (on a prepare thread, or inline). */
export async function loadNormalizer(spec: PrepareSetup['normalizer']): Promise<RecordNormalizer> {
  const mod = (await importNamed(spec.module)) as { createNormalizer?: CreateNormalizer };
  if (typeof mod.createNormalizer !== 'function') {
    throw new ArchiverError('WXA_INTERNAL', `prepare module ${spec.module} exports no createNormalizer`);
  }
  return mod.createNormalizer(spec.setup);
}

/** The main thread's part of a split prepare step (PrepareSpec.answer). */
export type RemoteAnswer = (ask: unknown) => Promise<Uint8Array>;

function failure(err: unknown): PreparedResult {
  if (err instanceof ArchiverError) return { ok: false, code: err.code, message: err.message };
  return { ok: false, code: 'WXA_INTERNAL', message: describeError(err) };
}

/** Turns one record into its message with `normalize`, then maps and (where possible) renders it. */
async function prepareWith(
  normalize: () => Promise<ChatMessage>,
  lookups: Lookups,
  setup: PrepareSetup,
): Promise<PreparedResult> {
  let msg: ChatMessage;
  try {
    msg = await normalize();
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

/** Part 1 of the split path, on the threads: what the main thread must answer for each record. */
export type Begun = { ok: true; ask: unknown } | { ok: false; result: PreparedResult };

function beginOne(json: string, normalizer: RecordNormalizer): Begun {
  try {
    return { ok: true, ask: normalizer.begin(json) };
  } catch (err) {
    return { ok: false, result: failure(err) };
  }
}

/** The work a preparing thread is given. */
export type PrepareTask =
  | { op: 'prepare'; records: string[] }
  | { op: 'begin'; records: string[] }
  | { op: 'end'; items: { json: string; ask: unknown; answer: Uint8Array }[] };

export async function runTask(
  task: PrepareTask,
  normalizer: RecordNormalizer,
  lookups: Lookups,
  setup: PrepareSetup,
): Promise<PreparedResult[] | Begun[]> {
  if (task.op === 'begin') return task.records.map((r) => beginOne(r, normalizer));
  const out: PreparedResult[] = [];
  if (task.op === 'prepare') {
    for (const r of task.records) out.push(await prepareWith(() => normalizer.normalize(r), lookups, setup));
  } else {
    for (const i of task.items)
      out.push(await prepareWith(() => normalizer.end(i.json, i.ask, i.answer), lookups, setup));
  }
  return out;
}

/**
 * The split path around a task runner: begin on the threads, answer from here (for WeCom the
 * vendor's DecryptData in its host process, which batches the calls), end on the threads again.
 */
async function prepareSplit(
  records: string[],
  run: (t: PrepareTask) => Promise<PreparedResult[] | Begun[]>,
  answer: RemoteAnswer,
): Promise<PreparedResult[]> {
  const begun = (await run({ op: 'begin', records })) as Begun[];
  const out: (PreparedResult | undefined)[] = new Array(records.length);
  const items: { json: string; ask: unknown; answer: Uint8Array }[] = [];
  const where: number[] = [];
  await Promise.all(
    begun.map(async (b, i) => {
      if (!b.ok) {
        out[i] = b.result;
        return;
      }
      try {
        items.push({ json: records[i]!, ask: b.ask, answer: await answer(b.ask) });
        where.push(i);
      } catch (err) {
        out[i] = failure(err);
      }
    }),
  );
  const ended = items.length ? ((await run({ op: 'end', items })) as PreparedResult[]) : [];
  ended.forEach((r, k) => (out[where[k]!] = r));
  return out as PreparedResult[];
}

/** A preparer over a task runner: the whole step on the threads, or split around the main thread's answer. */
function preparerOver(
  run: (t: PrepareTask) => Promise<PreparedResult[] | Begun[]>,
  answer: RemoteAnswer | undefined,
  close: () => Promise<void>,
): Preparer {
  return {
    prepare: async (records) =>
      answer ? prepareSplit(records, run, answer) : ((await run({ op: 'prepare', records })) as PreparedResult[]),
    close,
  };
}

/** Prepares on the calling thread: used by tests and by `workers: 0`. */
export async function inlinePreparer(setup: PrepareSetup, answer?: RemoteAnswer): Promise<Preparer> {
  const normalizer = await loadNormalizer(setup.normalizer);
  const lookups = buildLookups(setup.directory, setup.mapping);
  return preparerOver(
    (t) => runTask(t, normalizer, lookups, setup),
    answer,
    async () => undefined,
  );
}

/**
 * Prepares on a pool of worker threads, one per core by default; a batch is split across them.
 * `opts.slot` (the connector id) shares the pool across runs (see worker-pool.ts).
 */
export async function poolPreparer(
  setup: PrepareSetup,
  threads = availableParallelism(),
  answer?: RemoteAnswer,
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
  const run = (t: PrepareTask): Promise<PreparedResult[] | Begun[]> =>
    t.op === 'end'
      ? split<(typeof t.items)[number], PreparedResult>(t.items, (items) => ({ op: 'end', items }))
      : (split<string, PreparedResult | Begun>(t.records, (records) => ({ op: t.op, records })) as Promise<
          PreparedResult[] | Begun[]
        >);
  return preparerOver(run, answer, release);
}

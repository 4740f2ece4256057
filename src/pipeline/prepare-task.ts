/**
 * What a prepare thread runs: the source's normalizer turns each record into its message, which
 * is then mapped and (where possible) rendered. A failure comes back as data (code and message)
 * for the pipeline to hold, never as a crash of the batch. Apart from the pool that runs it
 * (decrypt.ts), so that each thread loads only what it uses: not the thread pool's own code.
 */
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compiledTwin } from '../core/sibling-module.js';
import type { DirectorySnapshot } from '../core/directory.js';
import { ArchiverError, describeError } from '../core/errors.js';
import type { ChatMessage } from '../core/model.js';
import { modelSha256, sha256Hex } from '../core/sha256.js';
import type { CreateNormalizer, PrepareSpec, RecordNormalizer } from '../sources/types.js';
import { recallTextOf } from '../compliance/search/message-text.js';
import { searchRowOf, type SearchDocument } from '../compliance/search/document.js';
import type { SearchRowWrite } from '../store/search-index.js';
import { contentDigest } from './content-digest.js';
import { searchDocumentOf } from './search-document.js';
import {
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
  /** SHA-256 of `modelJson`, which the item's ingest digest covers (store/ingest-digest.ts) */
  modelSha256: string;
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
  // A compiled prepare thread under a test run on the compiled code: the source (TypeScript
  // there) named its own module; its compiled twin is the one this thread can load, and the
  // one whose classes (ArchiverError...) this thread's code knows. Inline (on the test's thread)
  // the TypeScript module is loaded, for the same reason.
  if (url.endsWith('.ts') && !import.meta.url.endsWith('.ts')) {
    const twin = compiledTwin(fileURLToPath(url));
    if (twin !== undefined) url = pathToFileURL(twin).href;
  }
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

export function failure(err: unknown): PreparedResult {
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
  const modelJson = JSON.stringify(msg);
  const base: PreparedMessage = {
    ok: true,
    msg,
    mapping,
    modelJson,
    modelSha256: modelSha256(modelJson),
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

/**
 * The Source seam: what the pipeline knows of a place messages come from. A source checks that
 * it can work, reads raw records after an opaque cursor with checkpoints between them, names the
 * module its prepare threads load to turn a raw record into the canonical model, and fetches
 * media. WeCom and the sandbox tenant implement it; a journal or SMTP source plugs in the same
 * way, registered by kind in `./index.ts`, without a change to the pipeline.
 */
import type { ConnectorConfig } from '../config/index.js';
import type { DirectorySnapshot } from '../core/directory.js';
import type { Logger } from '../core/logger.js';
import type { AttachmentRef, ChatMessage } from '../core/model.js';
import type { Db, MediaWrite, PreparedBlob, Store } from '../store/index.js';

/** A record exactly as the source sent it, with the few fields the store indexes. */
export interface RawRecord {
  /**
   * The record's position in the source's order, an unsigned decimal integer (at most 20
   * digits): the store keeps records in this order and processes them in it.
   */
  seq: string;
  /** the source's id of the message (well-formed text) */
  msgid: string;
  /** version of the key the record is encrypted with (0 for a source that does not encrypt) */
  keyVersion: number;
  /** the record as received, kept byte for byte */
  json: string;
}

/**
 * What `read` yields. A checkpoint says that every record yielded before it may be committed
 * together with its cursor: the pipeline stores those records and the cursor in one
 * transaction, and never commits records that no checkpoint has covered yet.
 */
export type ReadEvent = { type: 'record'; record: RawRecord } | { type: 'checkpoint'; cursor: string };

/** One line of `connector check`. */
export interface SourceCheckLine {
  check: string;
  ok: boolean;
  detail: string;
}

/** What a directory refresh before a run looked up, for the run's report. */
export interface DirectoryRefresh {
  looked: number;
  failures: string[];
}

/** An attachment fetched into the blob store (not yet committed: the pipeline's transaction does). */
export interface FetchedMedia {
  write: MediaWrite;
  blob?: PreparedBlob;
  /** the bytes, for files that fit in one chunk; larger ones are only in the store */
  bytes?: Buffer;
  /** size of the stored file */
  size?: number;
}

/** What fetching media needs from the pipeline: where to put it and whose it is. */
export interface MediaContext {
  store: Store;
  connectorId: string;
  now: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The thread side of a source's prepare step. Every prepare thread (and the main thread when a
 * run has no threads) imports `PrepareSpec.module` and calls its `createNormalizer(setup)`.
 */
export interface RecordNormalizer {
  /** the whole step on the thread: raw record -> canonical message */
  normalize(json: string): Promise<ChatMessage>;
  /** split step, part 1 (thread): what the main-thread step must be asked */
  begin(json: string): unknown;
  /** split step, part 3 (thread): the message, from the record, the question and the main thread's answer */
  end(json: string, ask: unknown, answer: Uint8Array): Promise<ChatMessage>;
}

/** The module export a prepare module provides. */
export type CreateNormalizer = (setup: unknown) => Promise<RecordNormalizer>;

/** How a source's records are prepared; plain data except `answer`, so it can reach the threads. */
export interface PrepareSpec {
  /** file URL of the module the prepare threads load; it exports `createNormalizer` */
  module: string;
  /** handed to `createNormalizer` on every thread (structured-cloned: plain data only) */
  setup: unknown;
  /**
   * Set when part of the step can run only on the main thread (the vendor library lives in a
   * host process reached from there): the thread's `begin` asks, this answers, `end` finishes.
   * It throws a coded error (ArchiverError) for a record it cannot answer.
   */
  answer?: (ask: unknown) => Promise<Uint8Array>;
}

/** An opened source of one connector. */
export interface Source {
  /** the `source` line of `connector check`: what was opened */
  readonly description: string;
  readonly prepare: PrepareSpec;
  /**
   * Looks up, before a run, the people and rooms the archive met but does not know yet, into
   * the store's directory cache (a source with a directory API); undefined when it has none.
   */
  refreshDirectory?(now: number): Promise<DirectoryRefresh | undefined>;
  /** the directory the run maps people with */
  directory(): Promise<DirectorySnapshot>;
  /** key versions configured now, so records held for a missing key can be released */
  keyVersions(): Promise<number[]>;
  /** the source-specific lines of `connector check`, testing on records after `cursor` */
  check(cursor: string | undefined): Promise<SourceCheckLine[]>;
  /** records after `cursor` (undefined: from the start), with checkpoints; ends when nothing more is there */
  read(cursor: string | undefined): AsyncIterable<ReadEvent>;
  /** downloads one attachment into the blob store, resuming an unfinished download */
  fetchMedia(ref: AttachmentRef, ctx: MediaContext): Promise<FetchedMedia>;
  /** the seq of the newest record at the source (in RawRecord.seq's terms), when it can tell */
  head?(): Promise<string | undefined>;
  close(): Promise<void>;
}

/**
 * Secrets of a connector defined from the console, read from the encrypted secret store by the
 * caller; they take the place of the environment variables a config-file connector names.
 */
export interface RuntimeSecrets {
  archiveSecret?: string;
  proxyPassword?: string;
  privateKeys?: { version: number; pem: string }[];
}

export interface SourceContext {
  /** the store, when the caller has one (`connector check` from the console has none) */
  db?: Db;
  secrets: RuntimeSecrets;
  logger?: Logger;
}

/** Opens the source of a connector; each kind's opener refuses a configuration of another kind. */
export type OpenSource = (cfg: ConnectorConfig, ctx: SourceContext) => Promise<Source>;

/** The sources available, by `source.kind`. */
export type SourceRegistry = Readonly<Record<string, OpenSource>>;

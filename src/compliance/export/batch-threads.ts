/**
 * An export's batches written by several writers at once (the export's own thread and, for EML,
 * threads of their own: batch-worker.ts), and journaled in order. Each writer takes the next
 * batch of the key list when it has room; a batch's control numbers come from its place in the
 * list, not from who writes it, so the files are the same whatever the number of writers. The
 * journal takes the batches in list order only: every batch that is ready in order at once is
 * made durable with one sync and then journaled, so a crash leaves at most the batches after the
 * journal's last line to do again, as with one writer.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ArchiverError, isErrorCode } from '../../core/errors.js';
import { threadModule } from '../../core/sibling-module.js';
import type { ExportKeyPage, StoreLocation } from '../../store/index.js';
import type { BatchDone } from './batch-write.js';
import type { JournalFile, JournalHeader } from './journal.js';
import type { RsmfChunk } from './rsmf-chunk.js';

/**
 * What a batch thread is started with: where the archive and the export are. The export's
 * header follows in a message of its own (`BatchThread.begin`), so a thread can be started, and
 * open the archive, while the export's selection is still being resolved.
 */
export interface BatchThreadData {
  location: StoreLocation;
  out: string;
}

/** The message that gives a started thread its export's header, before its first batch. */
export interface BeginRequest {
  header: JournalHeader;
}

export interface BatchRequest {
  id: number;
  first: number;
  page: ExportKeyPage;
}

/** RSMF: a chunk of files to build and write (rsmf-chunk.ts), answered with their journal entries. */
export interface RsmfRequest {
  id: number;
  rsmf: RsmfChunk;
}

interface ErrorReply {
  code?: string;
  message: string;
}

export type BatchReply = { id: number; done: BatchDone | JournalFile[] } | { id: number; error: ErrorReply };

/** A failure as it crosses from a batch thread: its code and message. */
export function errorReply(err: unknown): ErrorReply {
  const e = err as { code?: unknown; message?: unknown };
  return {
    ...(typeof e?.code === 'string' ? { code: e.code } : {}),
    message: typeof e?.message === 'string' ? e.message : String(err),
  };
}

/** The failure again on the export's thread: an ArchiverError with its code, or an Error with the system's code. */
function errorOf(r: ErrorReply): Error {
  if (r.code && isErrorCode(r.code)) return new ArchiverError(r.code, r.message);
  return Object.assign(new Error(r.message), r.code ? { code: r.code } : {});
}

/** Batches a thread holds at once: the one it writes and the next, so it never waits for work. */
const THREAD_DEPTH = 2;

/** Something that writes batches: the export's own thread, or a BatchThread. */
export interface BatchWriter {
  /** the items of `page` (their keys, with rowids where the selection gave them), numbered from `first` */
  write(first: number, page: ExportKeyPage): Promise<BatchDone>;
  /** batches it may hold at once (a thread holds a short queue so that it never waits for work) */
  readonly depth: number;
  /** settles once it can take batches: false when it never will (a thread that could not start) */
  readonly ready?: Promise<boolean>;
  close(): Promise<void>;
}

/**
 * A thread that joins the writers once it has started, so the export's own thread does not wait
 * for it (a thread takes some 0.3-0.5 s to load its modules and open the archive); one that
 * cannot start takes no batch, and the others do its share.
 */
export class StartingThread implements BatchWriter {
  readonly depth = THREAD_DEPTH;
  readonly ready: Promise<boolean>;

  constructor(private readonly thread: Promise<BatchThread>) {
    this.ready = thread.then(
      () => true,
      () => false,
    );
  }

  async write(first: number, page: ExportKeyPage): Promise<BatchDone> {
    return (await this.thread).write(first, page);
  }

  async rsmf(files: RsmfChunk): Promise<JournalFile[]> {
    return (await this.thread).rsmf(files);
  }

  async close(): Promise<void> {
    if (await this.ready) await (await this.thread).close();
  }
}

/**
 * Threads besides the export's own for an EML export of `items` items in batches of `batch`:
 * one per core but one (the export's thread is itself busy writing), at most three, and none for
 * an export of fewer than four batches, which a thread's start-up would not repay.
 */
export function defaultBatchThreads(items: number, batch: number, cores = availableParallelism()): number {
  if (items < 4 * batch) return 0;
  return Math.max(0, Math.min(3, cores - 1));
}

/**
 * A thread writing an EML export's batches, or an RSMF export's files a chunk at a time
 * (batch-worker.ts), with its own connection to the archive.
 */
export class BatchThread implements BatchWriter {
  readonly depth = THREAD_DEPTH;
  private readonly waiting = new Map<number, { resolve: (d: never) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private failure?: Error;
  private readonly exited: Promise<void>;

  private constructor(private readonly worker: Worker) {
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (m: BatchReply | { ready: true }) => {
      if (!('id' in m)) return;
      const w = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      if ('done' in m) w?.resolve(m.done as never);
      else w?.reject(errorOf(m.error));
    });
    worker.on('error', (err) => this.fail(err));
    worker.once('exit', (code) => this.fail(new Error(`an export thread stopped (exit code ${code})`)));
  }

  /** Starts a thread and waits until it has opened the archive. */
  static start(data: BatchThreadData): Promise<BatchThread> {
    const { entry, options } = threadModule(import.meta.url, './batch-worker');
    const worker = new Worker(entry, { ...options, workerData: data });
    return new Promise((resolve, reject) => {
      const failed = (err: Error) => reject(err);
      worker.once('error', failed);
      worker.once('exit', (code) => failed(new Error(`an export thread stopped as it started (exit code ${code})`)));
      worker.once('message', () => {
        worker.off('error', failed);
        worker.removeAllListeners('exit');
        resolve(new BatchThread(worker));
      });
    });
  }

  /** Gives the thread its export's header: once, before its first batch. */
  begin(header: JournalHeader): void {
    this.worker.postMessage({ header } satisfies BeginRequest);
  }

  write(first: number, page: ExportKeyPage): Promise<BatchDone> {
    return this.request((id) => ({ id, first, page }) satisfies BatchRequest);
  }

  rsmf(files: RsmfChunk): Promise<JournalFile[]> {
    return this.request((id) => ({ id, rsmf: files }) satisfies RsmfRequest);
  }

  /** Sends the request `message` makes with its id; settles with the thread's answer to it. */
  private request<R>(message: (id: number) => BatchRequest | RsmfRequest): Promise<R> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (d: never) => void, reject });
      this.worker.postMessage(message(id));
    });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiting.values()) w.reject(this.failure);
    this.waiting.clear();
  }

  async close(): Promise<void> {
    if (this.failure) {
      await this.worker.terminate();
    } else {
      this.worker.postMessage('close');
    }
    await this.exited;
  }
}

/** One of the workers runInOrder hands work to: the export's own thread, or a thread of its own. */
export interface OrderedWorker<T, R> {
  run(work: T): Promise<R>;
  /** pieces of work it may hold at once (a thread holds a short queue so that it never waits) */
  readonly depth: number;
  /** settles once it can take work: false when it never will (a thread that could not start) */
  readonly ready?: Promise<boolean>;
}

/**
 * Runs the batches that `batches` yields (in list order, the first starting at item `first`) on
 * the writers, and hands them to `journal` in list order, every batch that is ready in order at
 * once (see runInOrder).
 */
export async function writeBatches(opts: {
  batches: AsyncIterable<ExportKeyPage>;
  first: number;
  writers: readonly BatchWriter[];
  journal: (done: BatchDone[]) => Promise<void>;
}): Promise<void> {
  await runInOrder({
    work: numbered(opts.batches, opts.first),
    workers: opts.writers.map((w) => ({
      depth: w.depth,
      ...(w.ready ? { ready: w.ready } : {}),
      run: ({ first, page }: NumberedBatch) => w.write(first, page),
    })),
    done: opts.journal,
  });
}

interface NumberedBatch {
  first: number;
  page: ExportKeyPage;
}

/** Each batch with the number of its first item: its place in the list, whoever writes it. */
async function* numbered(batches: AsyncIterable<ExportKeyPage>, first: number): AsyncGenerator<NumberedBatch> {
  for await (const page of batches) {
    yield { first, page };
    first += page.keys.length;
  }
}

/**
 * Runs the work that `work` yields on the workers and hands the results to `done` in the order
 * of the work, every result that is ready in order at once. A worker holds at most its depth of
 * work, and no work is begun more than a few pieces ahead of `done`. When a piece fails, no new
 * piece is begun, the results before it are handed on, and the failure of the earliest failed
 * piece is raised.
 */
export async function runInOrder<T, R>(opts: {
  work: AsyncIterable<T>;
  workers: readonly OrderedWorker<T, R>[];
  done: (results: R[]) => Promise<void>;
}): Promise<void> {
  const iter = opts.work[Symbol.asyncIterator]();
  const slots = opts.workers.flatMap((w) => Array.from({ length: w.depth }, () => w));
  // how far ahead of `done` work may be begun: every slot busy, and one piece besides for each
  // slot to start as soon as `done` catches up
  const window = 2 * slots.length;
  const settled = new Map<number, R>();
  const failures = new Map<number, unknown>();
  let begun = 0;
  let journaled = 0;
  let stopped = false;
  let exhausted = false;

  let wake!: () => void;
  let woken = new Promise<void>((r) => (wake = r));
  const notify = () => {
    const w = wake;
    woken = new Promise<void>((r) => (wake = r));
    w();
  };

  // the next piece of work, one taker at a time
  let taking: Promise<unknown> = Promise.resolve();
  const take = (): Promise<{ index: number; work: T } | undefined> => {
    const p = taking.then(async () => {
      while (!stopped && !exhausted && begun - journaled >= window) await woken;
      if (stopped || exhausted) return undefined;
      const r = await iter.next();
      if (r.done) {
        exhausted = true;
        return undefined;
      }
      return { index: begun++, work: r.value };
    });
    taking = p.catch(() => undefined);
    return p;
  };

  const run = async (w: OrderedWorker<T, R>) => {
    if (w.ready && !(await w.ready)) return;
    for (let b = await take(); b; b = await take()) {
      try {
        settled.set(b.index, await w.run(b.work));
      } catch (err) {
        failures.set(b.index, err);
        stopped = true;
      }
      notify();
    }
  };
  let running = true;
  // every slot's loop ends before this does, even when one fails (reading the work)
  const runs = Promise.allSettled(slots.map(async (w) => run(w))).then((ends) => {
    running = false;
    notify();
    const failed = ends.find((e): e is PromiseRejectedResult => e.status === 'rejected');
    if (failed) throw failed.reason;
  });
  // raised below, once `done` has stopped; not an unhandled rejection meanwhile
  runs.catch(() => undefined);

  try {
    for (;;) {
      const ready: R[] = [];
      for (let d = settled.get(journaled); d !== undefined; d = settled.get(journaled)) {
        settled.delete(journaled++);
        ready.push(d);
      }
      if (ready.length) {
        notify();
        await opts.done(ready);
        continue;
      }
      if (!running || failures.has(journaled)) break;
      await woken;
    }
  } finally {
    stopped = true;
    notify();
    await runs;
  }
  if (failures.size) throw failures.get(Math.min(...failures.keys()));
}

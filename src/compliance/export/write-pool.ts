/**
 * Whole files written by the export's write threads while the main thread reads the next items.
 * Files are grouped into tasks (a few dozen files, their bytes copied into one buffer that is
 * moved to the thread, not cloned): the main thread then pays one message per task, where
 * writing through the thread pool cost it three round trips per file (open, write, close) and
 * with them most of its time on a busy disk. The threads also check each file's SHA-256 before
 * writing it, which took the main thread's time too. `write` waits only when enough bytes or
 * tasks are in flight; `drain` waits for all and raises the first failure. Files are not fsynced
 * here: the caller makes a batch durable at once.
 */
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { ArchiverError, type ErrorCode } from '../../core/errors.js';
import type { WriteFailure, WriteTask } from './write-worker.js';

export interface WritePoolOptions {
  /** write threads (default 2: file creation waits on the disk, not the CPU) */
  threads?: number;
  /** bytes in flight, queued or being written (default 8 MiB; one file of any size may always go) */
  maxBytes?: number;
  /** a task closes at this many files or bytes, whichever first */
  taskFiles?: number;
  taskBytes?: number;
}

function workerFile(): { filename: string; execArgv: string[] } {
  const here = import.meta.url;
  // Under the test runner this module is TypeScript: the worker then needs the tsx loader.
  const isTs = here.endsWith('.ts');
  return {
    filename: fileURLToPath(new URL(isTs ? './write-worker.ts' : './write-worker.js', here)),
    execArgv: isTs ? ['--import', 'tsx'] : [],
  };
}

/** A failure as the thread reported it, made an error again (codes do not survive the crossing). */
function failureError(f: WriteFailure, path: string): Error {
  if (f.code?.startsWith('WXA_')) return new ArchiverError(f.code as ErrorCode, f.message);
  return Object.assign(new Error(`${f.message} (writing ${path})`), f.code ? { code: f.code } : {});
}

export class WritePool {
  private pool: Piscina | undefined;
  private readonly threads: number;
  private readonly maxBytes: number;
  private readonly taskFiles: number;
  private readonly taskBytes: number;
  /** tasks started on a thread */
  private readonly running = new Set<Promise<void>>();
  /** every task not yet done, started or waiting for room */
  private readonly all = new Set<Promise<unknown>>();
  /** task buffers back from the threads, for the next tasks (at most what may be in flight) */
  private readonly spare: ArrayBuffer[] = [];
  private bytesInFlight = 0;
  private failure: unknown;
  private paths: string[] = [];
  private shas: string[] = [];
  private pieces: Buffer[][] = [];
  private pendingBytes = 0;

  constructor(opts: WritePoolOptions = {}) {
    this.threads = opts.threads ?? 2;
    this.maxBytes = opts.maxBytes ?? 8 << 20;
    this.taskFiles = opts.taskFiles ?? 64;
    this.taskBytes = opts.taskBytes ?? 1 << 20;
  }

  /** Queues `pieces` (a message's bytes, checked against `sha256` before the file is written) for `path`. */
  async write(path: string, pieces: readonly Buffer[], sha256: string): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    let size = 0;
    for (const p of pieces) size += p.length;
    // a task's files fit its buffer; a larger file goes alone
    if (this.pendingBytes + size > this.taskBytes) await this.flush();
    this.paths.push(path);
    this.shas.push(sha256);
    this.pieces.push([...pieces]);
    this.pendingBytes += size;
    if (this.paths.length >= this.taskFiles || this.pendingBytes >= this.taskBytes) await this.flush();
  }

  /** A buffer for a task of `size` bytes: a spare one when it fits. */
  private buffer(size: number): ArrayBuffer {
    if (size <= this.taskBytes) return this.spare.pop() ?? new ArrayBuffer(this.taskBytes);
    return new ArrayBuffer(size);
  }

  /**
   * Sends the files queued so far as one task, once the bytes in flight leave room for it. The
   * files are taken at once, so that files queued while this one waits go in a later task.
   */
  private flush(): Promise<void> {
    if (!this.paths.length) return Promise.resolve();
    const files = { paths: this.paths, shas: this.shas, pieces: this.pieces, size: this.pendingBytes };
    this.paths = [];
    this.shas = [];
    this.pieces = [];
    this.pendingBytes = 0;
    const sent = this.send(files).catch((err: unknown) => {
      this.failure ??= err;
      return { running: Promise.resolve() };
    });
    const done = sent.then((t) => t.running);
    // written() waits for this task from now on, whether it is waiting for room or running
    this.all.add(done);
    void done.then(() => this.all.delete(done));
    return sent.then(() => undefined);
  }

  /** Waits for room, then starts the task; answers the task's end. */
  private async send(f: { paths: string[]; shas: string[]; pieces: Buffer[][]; size: number }) {
    while (this.running.size > 0 && this.bytesInFlight + f.size > this.maxBytes) await Promise.race(this.running);
    const data = this.buffer(f.size);
    const view = Buffer.from(data);
    const ends: number[] = [];
    let o = 0;
    for (const file of f.pieces) {
      for (const p of file) o += p.copy(view, o);
      ends.push(o);
    }
    const task: WriteTask = { paths: f.paths, shas: f.shas, ends, data };
    this.bytesInFlight += f.size;
    // made on the first task: an export of another format starts no thread
    this.pool ??= new Piscina({
      ...workerFile(),
      minThreads: this.threads,
      maxThreads: this.threads,
      resourceLimits: { maxYoungGenerationSizeMb: 4 },
    });
    const p: Promise<void> = (this.pool.run(task, { transferList: [data] }) as Promise<WriteFailure | ArrayBuffer>)
      .then(
        (r) => {
          if (r instanceof ArrayBuffer) {
            if (r.byteLength === this.taskBytes && this.spare.length < this.maxBytes / this.taskBytes)
              this.spare.push(r);
          } else this.failure ??= failureError(r, task.paths[r.index]!);
        },
        (err: unknown) => {
          this.failure ??= err;
        },
      )
      .finally(() => {
        this.running.delete(p);
        this.bytesInFlight -= f.size;
      });
    this.running.add(p);
    return { running: p };
  }

  /**
   * Sends what is queued and answers a promise that settles once every file queued so far is
   * written (the caller goes on queueing the next ones meanwhile), rejected with the first failure.
   */
  written(): Promise<void> {
    void this.flush();
    return Promise.all([...this.all]).then(() => {
      if (this.failure !== undefined) throw this.failure;
    });
  }

  /** Waits for every file queued to be written; raises the first failure. */
  drain(): Promise<void> {
    return this.written();
  }

  /** Ends the threads (after a drain, or to give up). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.all]);
    await this.pool?.destroy();
    this.pool = undefined;
  }
}

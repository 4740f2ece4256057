/**
 * The export's file-system plumbing, kept out of the run loop: bounded parallelism, folders
 * made once, and one durability pass per batch instead of an fsync per file (an fsync per file
 * makes the file system commit its journal once per exported item).
 */
import fs, { closeSync, mkdirSync, openSync, writeSync, writevSync } from 'node:fs';
import { mkdir, open, readdir, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ArchiverError } from '../../core/errors.js';
import { syncfs, syncfsAvailable } from '../../core/syncfs.js';
import { syncDir } from '../../store/blobs/local.js';

/** `fn` over `items` with at most `limit` running at once; results in the items' order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Folders already made in this run, so each is made once, not once per file. */
export class KnownDirs {
  private readonly made = new Set<string>();
  private readonly making = new Map<string, Promise<void>>();

  /**
   * The folder made through the thread pool, once: a file written there waits for it (on a busy
   * disk making a folder waits for the file system's journal; the caller goes on meanwhile).
   */
  ready(dir: string): Promise<void> {
    let p = this.making.get(dir);
    if (!p) {
      p = this.made.has(dir) ? Promise.resolve() : mkdir(dir, { recursive: true }).then(() => void this.made.add(dir));
      // a failure is raised to the file that waits for the folder
      p.catch(() => undefined);
      this.making.set(dir, p);
    }
    return p;
  }

  async ensure(dir: string): Promise<void> {
    if (this.made.has(dir)) return;
    await mkdir(dir, { recursive: true });
    this.made.add(dir);
  }

  /** The same, by a plain system call, for the synchronous file writers. */
  ensureSync(dir: string): void {
    if (this.made.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    this.made.add(dir);
  }
}

/**
 * Makes files durable before the journal names them: one syncfs(2) of the export's file system
 * (one journal commit for a whole batch, where an fsync per file makes the file system commit
 * once per file); where that is not available, each file named (or, with none named, every
 * file under `dir`) is fsynced, then their folders.
 */
export async function syncFiles(dir: string, files?: readonly string[]): Promise<void> {
  if (syncfsAvailable()) {
    try {
      await syncfs(dir);
    } catch (err) {
      throw new ArchiverError(
        'WXA_EXPORT_FAILED',
        `the files written under ${dir} could not be made durable (${(err as Error).message}); check the disk, then run the same export again to resume`,
        { cause: err },
      );
    }
    return;
  }
  const paths =
    files ??
    (await readdir(dir, { withFileTypes: true, recursive: true }))
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name));
  await mapLimit(paths, 4, async (path) => {
    const fh = await open(path, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  });
  // and the folders, so that the new names survive too
  for (const d of new Set(paths.map((p) => dirname(p)))) await syncDir(d);
}

/** Every file of a finished export made durable (see syncFiles). */
export const syncExport = (dir: string): Promise<void> => syncFiles(dir);

const openP = promisify(fs.open);
const writevP = promisify(fs.writev);
const closeP = promisify(fs.close);

/**
 * Whole files written through the thread pool, a few at a time, while the caller prepares the
 * next ones (RSMF: few files, each built from many messages): on a busy disk creating a file can wait milliseconds for the file system's journal,
 * and those waits then overlap each other and the caller's work instead of adding up. `write`
 * waits only when `limit` files (or their bytes) are already in flight; `drain` waits for all and raises the
 * first failure. Files are not fsynced here (the caller syncs a batch at once).
 */
export class FileWriter {
  private readonly inFlight = new Set<Promise<void>>();
  private bytes = 0;
  private failure: unknown;

  /** at most `limit` files and `maxBytes` bytes in flight (one file of any size may always go) */
  constructor(
    private readonly limit = 8,
    private readonly maxBytes = 32 << 20,
  ) {}

  /** Writes `pieces` to `path` (created or replaced) once `dir` (its folder, being made) is ready. */
  async write(path: string, pieces: readonly Buffer[], dir?: Promise<void>): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    const size = pieces.reduce((a, p) => a + p.length, 0);
    while (this.inFlight.size >= this.limit || (this.inFlight.size > 0 && this.bytes + size > this.maxBytes))
      await Promise.race(this.inFlight);
    this.bytes += size;
    const settle = () => {
      this.inFlight.delete(p);
      this.bytes -= size;
    };
    const p = (dir ? dir.then(() => writeWhole(path, pieces)) : writeWhole(path, pieces)).then(
      settle,
      (err: unknown) => {
        settle();
        this.failure ??= err;
      },
    );
    this.inFlight.add(p);
  }

  async drain(): Promise<void> {
    await Promise.all(this.inFlight);
    if (this.failure !== undefined) throw this.failure;
  }
}

/** What is left of `pieces` after a write of `n` bytes: a short write (rare on a regular file) continues where it stopped. */
function unwritten(pieces: readonly Buffer[], n: number): Buffer[] {
  const next: Buffer[] = [];
  for (const p of pieces) {
    if (n >= p.length) n -= p.length;
    else {
      next.push(n > 0 ? p.subarray(n) : p);
      n = 0;
    }
  }
  return next;
}

/** Writes all of `b` at the descriptor's position by plain system calls: a short write goes on where it stopped. */
export function writeAllSync(fd: number, b: Buffer): void {
  for (let o = 0; o < b.length;) o += writeSync(fd, b, o, b.length - o);
}

/** Writes all of `pieces` at the handle's position: a short write goes on where it stopped. */
export async function writeAllTo(fh: FileHandle, pieces: readonly Buffer[]): Promise<void> {
  let rest = pieces.filter((p) => p.length > 0);
  while (rest.length) rest = unwritten(rest, (await fh.writev(rest)).bytesWritten);
}

async function writeWhole(path: string, pieces: readonly Buffer[]): Promise<void> {
  const fd = await openP(path, 'w');
  try {
    let rest = pieces.filter((p) => p.length > 0);
    while (rest.length) rest = unwritten(rest, (await writevP(fd, rest)).bytesWritten);
  } finally {
    await closeP(fd);
  }
}

/**
 * Writes `pieces` to `path` (created or replaced) by plain system calls on the calling thread:
 * what the EML export does for each message (see batch-write.ts). Not fsynced either.
 */
export function writeWholeSync(path: string, pieces: readonly Buffer[]): void {
  const fd = openSync(path, 'w');
  try {
    let rest = pieces.filter((p) => p.length > 0);
    while (rest.length) rest = unwritten(rest, writevSync(fd, rest));
  } finally {
    closeSync(fd);
  }
}

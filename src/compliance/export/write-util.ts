/**
 * The export's file-system plumbing, kept out of the run loop: bounded parallelism, folders
 * made once, and one durability pass per batch instead of an fsync per file (an fsync per file
 * makes the file system commit its journal once per exported item).
 */
import { closeSync, mkdirSync, openSync, writeSync, writevSync } from 'node:fs';
import { mkdir, open, readdir, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
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
  /** ensureFolder's: the folders made, by their parent and name */
  private readonly byParent = new Map<string, Set<string>>();

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

  /**
   * The folder `name` in the folder `parent`, made by a plain system call the first time: known
   * by its parent and name, so an item's file needs no path joined and hashed to find it.
   */
  ensureFolder(parent: string, name: string): void {
    let names = this.byParent.get(parent);
    if (!names) this.byParent.set(parent, (names = new Set()));
    if (names.has(name)) return;
    mkdirSync(join(parent, name), { recursive: true });
    names.add(name);
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

/**
 * Writes `pieces` to `path` (created or replaced) by plain system calls on the calling thread:
 * what the EML export does for each message (see batch-write.ts), and the RSMF export for each
 * file. Not fsynced either.
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

/**
 * The export's file-system plumbing, kept out of the run loop: bounded parallelism, folders
 * made once, and one durability pass at the end instead of an fsync per file (an fsync per
 * file makes the file system commit its journal once per exported item).
 */
import { execFile } from 'node:child_process';
import { mkdir, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

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
  async ensure(dir: string): Promise<void> {
    if (this.made.has(dir)) return;
    await mkdir(dir, { recursive: true });
    this.made.add(dir);
  }
}

/**
 * Makes every file of a finished export durable. `sync --file-system` (coreutils; syncfs(2))
 * flushes the export's file system in one call; where it is missing, each file is fsynced.
 * A process killed before this point resumes from its journal, which only names files whose
 * bytes were handed to the kernel.
 */
export async function syncExport(dir: string): Promise<void> {
  try {
    await promisify(execFile)('sync', ['--file-system', dir]);
    return;
  } catch {
    // not Linux coreutils: fall back to a file at a time
  }
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const fh = await open(join(e.parentPath, e.name), 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
}

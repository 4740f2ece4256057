/**
 * syncfs(2): makes everything written to one file system durable in a single call, one journal
 * commit where an fsync per file makes the file system commit once per file. Node has no
 * binding for it, so it is called in the C library through koffi (already used for the vendor
 * SDK), on koffi's worker thread so the event loop keeps running. Spawning `sync -f` instead
 * forks the whole process each time, which cost more than the flush itself on a busy export.
 * Elsewhere than Linux with glibc, `syncfsAvailable()` is false and callers fsync file by file.
 */
import { closeSync, openSync } from 'node:fs';
import koffi from 'koffi';

type SyncfsFn = ((fd: number) => number) & {
  async: (fd: number, cb: (err: unknown, res: number) => void) => void;
};

let fn: SyncfsFn | null | undefined;

function binding(): SyncfsFn | null {
  if (fn !== undefined) return fn;
  try {
    fn = process.platform === 'linux' ? (koffi.load('libc.so.6').func('int syncfs(int fd)') as SyncfsFn) : null;
  } catch {
    fn = null;
  }
  return fn;
}

export const syncfsAvailable = (): boolean => binding() !== null;

/** Flushes the file system holding `path` (a file or folder on it). */
export async function syncfs(path: string): Promise<void> {
  const f = binding();
  if (!f) throw new Error('syncfs is not available here');
  const fd = openSync(path, 'r');
  try {
    const rc = await new Promise<number>((resolve, reject) =>
      f.async(fd, (err, res) => (err ? reject(err as Error) : resolve(res))),
    );
    // the errno is the worker thread's, out of reach here: the caller names what failed
    if (rc !== 0) throw new Error(`syncfs of the file system holding ${path} failed`);
  } finally {
    closeSync(fd);
  }
}

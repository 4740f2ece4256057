/**
 * The local-disk blob store: today's content-addressed files (local.ts) behind the BlobStore
 * seam. Writes keep local.ts's durability (temp file, fsync, rename, fsync of the directory);
 * this file adds the operations the seam needs on top: streaming reads, stat, listing, and
 * storing an already-hashed file without reading it into memory.
 */
import { closeSync, constants, createReadStream, openSync, readSync } from 'node:fs';
import { copyFile, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ArchiverError } from '../../core/errors.js';
import { diskFull } from '../transaction.js';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../private-files.js';
import { hashLocalFile } from './hash-file.js';
import { LocalBlobFiles, syncDir } from './local.js';
import { isSha256Hex, type BlobRef, type BlobStat, type BlobStore } from './types.js';
import { verifiedStream } from './verified-stream.js';

/** Read size for blob files: large reads keep the hash, not the system calls, the bottleneck. */
const READ_BYTES = 1 << 20;

const missingFile = (sha256: string, root: string, cause: unknown) =>
  new ArchiverError('WXA_BLOB_MISSING', `blob ${sha256} is not on disk under ${root}`, { cause });

export class LocalBlobStore implements BlobStore {
  readonly kind = 'local' as const;
  readonly files: LocalBlobFiles;

  constructor(rootOrFiles: string | LocalBlobFiles) {
    this.files = typeof rootOrFiles === 'string' ? new LocalBlobFiles(rootOrFiles) : rootOrFiles;
  }

  get location(): string {
    return this.files.root;
  }

  put(bytes: Buffer): Promise<BlobRef> {
    return this.files.put(bytes);
  }

  async putFile(path: string, ref: BlobRef): Promise<void> {
    if (await this.files.has(ref.sha256)) return;
    const { sha256 } = await hashLocalFile(path);
    if (sha256 !== ref.sha256) {
      throw new ArchiverError(
        'WXA_BLOB_CORRUPT',
        `${path} does not hash to ${ref.sha256}; it was changed while stored`,
      );
    }
    const target = this.files.pathOf(ref.sha256);
    const tmp = join(this.files.root, 'tmp', `${ref.sha256}.${randomBytes(6).toString('hex')}`);
    try {
      await ensurePrivateDir(dirname(tmp));
      await ensurePrivateDir(dirname(target));
      await copyFile(path, tmp, constants.COPYFILE_EXCL);
      const fh = await open(tmp, 'r+');
      try {
        await fh.chmod(PRIVATE_FILE_MODE);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, target);
      await syncDir(dirname(target));
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw diskFull(err, this.files.root) ?? err;
    }
  }

  get(sha256: string): Promise<Buffer> {
    return this.files.get(sha256);
  }

  async stream(sha256: string): Promise<Readable> {
    const path = this.files.pathOf(sha256);
    // Opened before returning, so a missing file rejects here rather than mid-stream.
    const fh = await open(path, 'r').catch((err: unknown) => {
      throw missingFile(sha256, this.files.root, err);
    });
    return verifiedStream(createReadStream('', { fd: fh, highWaterMark: READ_BYTES }), sha256, this.files.root);
  }

  *chunksSync(sha256: string, buffer: Buffer): Generator<Buffer> {
    let fd: number;
    try {
      fd = openSync(this.files.pathOf(sha256), 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      throw missingFile(sha256, this.files.root, err);
    }
    try {
      for (;;) {
        // a chunk fills the buffer whatever the reads return, so a reader's cuts fall where it chose
        let n = 0;
        for (let got = -1; n < buffer.length && got !== 0; n += got)
          got = readSync(fd, buffer, n, buffer.length - n, null);
        if (n > 0) yield buffer.subarray(0, n);
        if (n < buffer.length) return;
      }
    } finally {
      closeSync(fd);
    }
  }

  exists(sha256: string): Promise<boolean> {
    return this.files.has(sha256);
  }

  async stat(sha256: string): Promise<BlobStat | null> {
    try {
      return { size: (await stat(this.files.pathOf(sha256))).size };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  delete(sha256: string): Promise<void> {
    return this.files.remove(sha256);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Walks the two levels of fan-out directories in order; `tmp/` and stray names are skipped. */
  async *list(after = ''): AsyncIterable<string> {
    const hexDirs = async (dir: string, len: number) =>
      (await readdir(dir).catch(() => [] as string[])).filter((n) => n.length === len && /^[0-9a-f]+$/.test(n)).sort();
    for (const a of await hexDirs(this.files.root, 2)) {
      if (a < after.slice(0, 2)) continue;
      for (const b of await hexDirs(join(this.files.root, a), 2)) {
        if (a + b < after.slice(0, 4)) continue;
        const names = (await readdir(join(this.files.root, a, b))).filter((n) => isSha256Hex(n) && n > after);
        for (const n of names.sort()) yield n;
      }
    }
  }
}

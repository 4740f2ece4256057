/**
 * A blob written piece by piece (a large media download): appended to a temp file whose
 * position is recorded, so that a crash resumes there; when complete it is synced once, hashed
 * (SHA-256 and MD5 in one read) and renamed to its address with the same durability as any
 * blob. Pieces are not synced one by one: after a power loss a temp file shorter than recorded
 * starts over, and bytes that were lost inside it fail the MD5 the source announced, which
 * downloads the file again; only the finished blob, which rows point at, must be durable.
 * Memory stays at one piece, whatever the file's size.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, stat, truncate, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalBlobFiles } from './local.js';
import { syncDir } from './local.js';
import { injectedFault } from '../../core/fault-points.js';
import { diskFull } from '../transaction.js';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../private-files.js';

export interface PartialFile {
  readonly name: string;
  readonly bytes: number;
  append(chunk: Buffer): Promise<void>;
  /** hashes, moves into the store and returns the address; the partial file is gone afterwards */
  complete(): Promise<{ sha256: string; size: number; md5: string }>;
  discard(): Promise<void>;
  /**
   * Closes the file and leaves it in place for a later resume (a download that failed part
   * way). Closing again, or after complete or discard, does nothing.
   */
  close(): Promise<void>;
}

/** Opens (or resumes at `resumeAt` bytes) the partial file `name` under the store's tmp directory. */
export async function openPartial(files: LocalBlobFiles, name: string, resumeAt = 0): Promise<PartialFile> {
  const dir = join(files.root, 'tmp');
  await ensurePrivateDir(dir);
  const path = join(dir, name);
  const existing = await stat(path).then(
    (s) => s.size,
    () => -1,
  );
  // Bytes past the recorded position were written but never confirmed: drop them.
  if (existing >= resumeAt && resumeAt > 0) await truncate(path, resumeAt);
  else if (existing >= 0) await truncate(path, 0);
  let bytes = existing >= resumeAt && resumeAt > 0 ? resumeAt : 0;
  const fh = await open(path, 'a', PRIVATE_FILE_MODE);
  try {
    await fh.chmod(PRIVATE_FILE_MODE);
  } catch (err) {
    await fh.close();
    throw err;
  }
  let closed = false;
  const close = async () => {
    if (!closed) {
      closed = true;
      await fh.close();
    }
  };
  return {
    name,
    get bytes() {
      return bytes;
    },
    async append(chunk) {
      try {
        const injected = injectedFault('blob-write', path);
        if (injected) throw injected;
        await fh.write(chunk);
      } catch (err) {
        throw diskFull(err, path) ?? err;
      }
      bytes += chunk.length;
    },
    async complete() {
      try {
        // The one sync of the file: durable before the rename that gives it its address.
        await fh.sync();
      } catch (err) {
        await close().catch(() => undefined);
        throw diskFull(err, path) ?? err;
      }
      await close();
      const sha = createHash('sha256');
      const md5 = createHash('md5');
      for await (const piece of createReadStream(path)) {
        sha.update(piece as Buffer);
        md5.update(piece as Buffer);
      }
      const sha256 = sha.digest('hex');
      const target = files.pathOf(sha256);
      const targetDir = join(files.root, sha256.slice(0, 2), sha256.slice(2, 4));
      await ensurePrivateDir(targetDir);
      if (await files.has(sha256)) await unlink(path);
      else {
        await rename(path, target);
        await syncDir(targetDir);
      }
      return { sha256, size: bytes, md5: md5.digest('hex') };
    },
    async discard() {
      await close();
      await unlink(path).catch(() => undefined);
    },
    close,
  };
}

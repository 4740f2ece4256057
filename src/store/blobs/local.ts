/**
 * Content-addressed blob files on local disk, named by SHA-256. A write is durable before it
 * returns (temp file, fsync, rename, fsync of the directory), so a database row that points at
 * a blob can only commit after its bytes are safe. Reads re-hash and refuse corrupt files.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ArchiverError } from '../../core/errors.js';
import { sha256Hex } from '../../core/sha256.js';
import { injectedFault } from '../../core/fault-points.js';
import { diskFull } from '../transaction.js';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../private-files.js';

export interface BlobRef {
  sha256: string;
  size: number;
}

export { sha256Hex };

export class LocalBlobFiles {
  readonly root: string;
  private readonly tmpDir: string;
  private readonly knownDirs = new Set<string>();

  constructor(root: string) {
    this.root = root;
    this.tmpDir = join(root, 'tmp');
  }

  pathOf(sha256: string): string {
    return join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await stat(this.pathOf(sha256));
      return true;
    } catch {
      return false;
    }
  }

  /** Stores bytes durably and returns their address; storing the same bytes twice is a no-op. */
  async put(bytes: Buffer): Promise<BlobRef> {
    try {
      return await this.write(bytes);
    } catch (err) {
      throw diskFull(err, this.root) ?? err;
    }
  }

  private async write(bytes: Buffer): Promise<BlobRef> {
    const sha256 = sha256Hex(bytes);
    const ref = { sha256, size: bytes.length };
    if (await this.has(sha256)) return ref;
    const dir = join(this.root, sha256.slice(0, 2), sha256.slice(2, 4));
    await this.ensureDir(this.tmpDir);
    await this.ensureDir(dir);
    const tmp = join(this.tmpDir, `${sha256}.${randomBytes(6).toString('hex')}`);
    const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, PRIVATE_FILE_MODE);
    try {
      await fh.chmod(PRIVATE_FILE_MODE);
      const injected = injectedFault('blob-write', tmp);
      if (injected) throw injected;
      await fh.writeFile(bytes);
      // An fsync failure is fatal, never retried silently: the page cache may have dropped the data.
      await fh.sync();
    } catch (err) {
      // A partly written temp file is of no use to anyone, least of all on a full disk.
      await fh.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    await fh.close();
    try {
      await rename(tmp, join(dir, sha256));
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    await syncDir(dir);
    return ref;
  }

  /** Reads a blob and verifies it against its name. */
  async get(sha256: string): Promise<Buffer> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.pathOf(sha256));
    } catch (err) {
      throw new ArchiverError('WXA_BLOB_MISSING', `blob ${sha256} is not on disk under ${this.root}`, { cause: err });
    }
    if (sha256Hex(bytes) !== sha256) {
      throw new ArchiverError('WXA_BLOB_CORRUPT', `blob ${sha256} does not match its SHA-256; restore it from a copy`);
    }
    return bytes;
  }

  /** Deletes a blob file whose row is gone (a disposed item); a file already gone is fine. */
  async remove(sha256: string): Promise<void> {
    try {
      await unlink(this.pathOf(sha256));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  private async ensureDir(dir: string): Promise<void> {
    if (this.knownDirs.has(dir)) return;
    await ensurePrivateDir(dir);
    this.knownDirs.add(dir);
  }
}

/** fsync of a directory, so that a rename in it survives a power loss. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, constants.O_RDONLY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

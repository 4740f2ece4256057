/**
 * Copies the blob files an archive's snapshot names into the destination blob store. A file on
 * local disk is sent from its path (the S3 store hashes it first and uploads large ones in
 * parts, without holding them in memory); from another store it is read verified and written.
 * A blob already at the destination is skipped, which makes the copy resumable: content
 * addressing means "there" is "copied".
 */
import type SQLite from 'better-sqlite3';
import { ArchiverError, isArchiverError } from '../../core/errors.js';
import { LocalBlobStore, type BlobStore } from '../../store/index.js';
import { snapshotFileBlobs } from '../../store/migrate-store/index.js';

const PAGE = 500;

export interface BlobCopy {
  files: number;
  copied: number;
  bytes: number;
}

export async function copyBlobs(src: SQLite.Database, from: BlobStore, to: BlobStore): Promise<BlobCopy> {
  const out: BlobCopy = { files: 0, copied: 0, bytes: 0 };
  if (from.location === to.location) {
    for (let after = ''; ;) {
      const page = snapshotFileBlobs(src, after, PAGE);
      if (page.length === 0) return out;
      out.files += page.length;
      after = page[page.length - 1]!.sha256;
    }
  }
  for (let after = ''; ;) {
    const page = snapshotFileBlobs(src, after, PAGE);
    if (page.length === 0) return out;
    for (const b of page) {
      out.files++;
      if (await to.exists(b.sha256)) continue;
      try {
        if (from instanceof LocalBlobStore) await to.putFile(from.files.pathOf(b.sha256), b);
        else await to.put(await from.get(b.sha256));
      } catch (err) {
        if (isArchiverError(err, 'WXA_BLOB_MISSING') || (err as NodeJS.ErrnoException).code === 'ENOENT')
          throw new ArchiverError(
            'WXA_BLOB_MISSING',
            `blob ${b.sha256} is not in ${from.location}; restore it from a backup, then run migrate-store again (the copy resumes)`,
            { cause: err },
          );
        throw err;
      }
      out.copied++;
      out.bytes += b.size;
    }
    after = page[page.length - 1]!.sha256;
  }
}

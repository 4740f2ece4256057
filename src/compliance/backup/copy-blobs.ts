/**
 * Copies the blobs a database names from one blob store to another (the archive's store, local
 * or S3, to a backup directory, and back on restore), each checked against its SHA-256 as it is
 * read so that a corrupt source never becomes a trusted copy, and written durably by the target
 * store's own write. Blobs already in the target are skipped: this is what makes later backups
 * incremental.
 */
import { crashPoint } from '../../core/fault-points.js';
import { ArchiverError, isArchiverError } from '../../core/errors.js';
import { fileBlobsPage, type BlobStore, type Db } from '../../store/index.js';

const PAGE = 1000;

export async function copyBlobFiles(
  db: Db,
  from: BlobStore,
  to: BlobStore,
): Promise<{ files: number; copied: number; bytes: number }> {
  const out = { files: 0, copied: 0, bytes: 0 };
  let after = '';
  for (;;) {
    const page = await fileBlobsPage(db, after, PAGE);
    if (page.length === 0) break;
    for (const sha of page) {
      out.files++;
      if (await to.exists(sha)) continue;
      let bytes: Buffer;
      try {
        bytes = await from.get(sha);
      } catch (err) {
        if (isArchiverError(err, 'WXA_BLOB_MISSING')) {
          throw new ArchiverError('WXA_BLOB_MISSING', `blob ${sha} is not in ${from.location}; the copy stops here`, {
            cause: err,
          });
        }
        if (isArchiverError(err, 'WXA_BLOB_CORRUPT')) {
          throw new ArchiverError(
            'WXA_BLOB_CORRUPT',
            `blob ${sha} in ${from.location} does not match its SHA-256; restore it from another copy, then copy again`,
            { cause: err },
          );
        }
        throw err;
      }
      await to.put(bytes);
      out.copied++;
      out.bytes += bytes.length;
      crashPoint('backup-blob');
    }
    after = page[page.length - 1]!;
  }
  return out;
}

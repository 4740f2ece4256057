/**
 * Copies the blob files a database names from one blob directory to another, each checked
 * against its SHA-256 before it is written (durably, by the blob store's own write) so that a
 * corrupt source never becomes a trusted copy. Files already in the target are skipped: this
 * is what makes later backups incremental.
 */
import { readFile } from 'node:fs/promises';
import { crashPoint } from '../../core/fault-points.js';
import { ArchiverError } from '../../core/errors.js';
import { LocalBlobFiles } from '../../store/blobs/index.js';
import { fileBlobsPage, sha256Hex, type Db } from '../../store/index.js';

const PAGE = 1000;

export async function copyBlobFiles(
  db: Db,
  fromRoot: string,
  toRoot: string,
): Promise<{ files: number; copied: number; bytes: number }> {
  const from = new LocalBlobFiles(fromRoot);
  const to = new LocalBlobFiles(toRoot);
  const out = { files: 0, copied: 0, bytes: 0 };
  let after = '';
  for (;;) {
    const page = await fileBlobsPage(db, after, PAGE);
    if (page.length === 0) break;
    for (const sha of page) {
      out.files++;
      if (await to.has(sha)) continue;
      let bytes: Buffer;
      try {
        bytes = await readFile(from.pathOf(sha));
      } catch (err) {
        throw new ArchiverError('WXA_BLOB_MISSING', `blob ${sha} is not in ${fromRoot}; the copy stops here`, {
          cause: err,
        });
      }
      if (sha256Hex(bytes) !== sha) {
        throw new ArchiverError(
          'WXA_BLOB_CORRUPT',
          `blob ${sha} in ${fromRoot} does not match its SHA-256; restore it from another copy, then copy again`,
        );
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

/**
 * Re-hashes every blob: inline ones from the database, large ones streamed from the blob store
 * (local files in large reads, as fast as `sha256sum`, measured in bench/verify.bench.ts; or
 * objects from an S3-compatible bucket), and messages stored as a
 * skeleton re-assembled from their media exactly as a reader would get them. Also names items
 * whose rendered message has no blob at all.
 */
import { isArchiverError } from '../../core/errors.js';
import { blobsPage, itemsWithoutBlob, sha256Hex, type ArchiveBlobs, type Db } from '../../store/index.js';
import type { Problems } from './problems.js';

const PAGE = 100;

export interface BlobCheck {
  checked: number;
  bytes: number;
}

export async function verifyBlobs(
  db: Db,
  blobs: ArchiveBlobs,
  sinceAt: number,
  problems: Problems,
  /** called after each page with the blobs checked so far */
  onProgress?: (checked: number) => void,
): Promise<BlobCheck> {
  const out: BlobCheck = { checked: 0, bytes: 0 };
  let after = '';
  for (;;) {
    const page = await blobsPage(db, after, sinceAt, PAGE);
    if (page.length === 0) break;
    for (const b of page) {
      out.checked++;
      out.bytes += Number(b.size);
      const reason = await checkBlob(db, blobs, b);
      if (reason) problems.add({ kind: 'blob', sha256: b.sha256, reason });
    }
    after = page[page.length - 1]!.sha256;
    onProgress?.(out.checked);
  }
  for (const i of await itemsWithoutBlob(db, sinceAt, 20)) {
    problems.add({
      kind: 'item',
      itemKey: i.key,
      msgid: i.msgid,
      sha256: i.mime_sha256,
      reason: 'the rendered message of this item is not in the blob store',
    });
  }
  return out;
}

async function checkBlob(
  db: Db,
  blobs: ArchiveBlobs,
  b: { sha256: string; data: Buffer | null; encoding: string },
): Promise<string | null> {
  if (b.data === null) {
    try {
      // The stream re-hashes as it goes and fails at its end if the bytes do not match.
      for await (const _ of await blobs.stream(b.sha256));
      return null;
    } catch (err) {
      if (isArchiverError(err, 'WXA_BLOB_MISSING')) return `the blob file is missing from ${blobs.objects.location}`;
      if (isArchiverError(err, 'WXA_BLOB_CORRUPT')) {
        return 'the blob file no longer matches its SHA-256: its bytes were altered';
      }
      throw err;
    }
  }
  if (b.encoding === 'raw') {
    return sha256Hex(b.data) === b.sha256 ? null : 'the blob no longer matches its SHA-256: its bytes were altered';
  }
  try {
    await blobs.read(db, b.sha256); // re-assembles and checks the whole message
    return null;
  } catch (err) {
    return `the message re-assembled from its parts does not match its SHA-256: ${(err as Error).message}`;
  }
}

/**
 * Re-hashes every blob: inline ones from the database, files streamed from disk in large reads
 * (as fast as `sha256sum`, measured in bench/verify.bench.ts), and messages stored as a
 * skeleton re-assembled from their media exactly as a reader would get them. Also names items
 * whose rendered message has no blob at all.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { blobsPage, itemsWithoutBlob, sha256Hex, type BlobStore, type Db } from '../../store/index.js';
import type { Problems } from './problems.js';

const PAGE = 100;
/** Read size for blob files: large reads keep the hash, not the system calls, the bottleneck. */
const READ_BYTES = 1 << 20;

export interface BlobCheck {
  checked: number;
  bytes: number;
}

export async function hashFile(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: READ_BYTES })) h.update(chunk as Buffer);
  return h.digest('hex');
}

export async function verifyBlobs(
  db: Db,
  blobs: BlobStore,
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
  blobs: BlobStore,
  b: { sha256: string; data: Buffer | null; encoding: string },
): Promise<string | null> {
  if (b.data === null) {
    let actual: string;
    try {
      actual = await hashFile(blobs.files.pathOf(b.sha256));
    } catch {
      return `the blob file is missing from ${blobs.files.root}`;
    }
    return actual === b.sha256 ? null : 'the blob file no longer matches its SHA-256: its bytes were altered';
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

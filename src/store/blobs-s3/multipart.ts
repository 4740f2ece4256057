/**
 * Large blobs go to S3 in parts (lib-storage's Upload: parts in parallel, aborted on failure).
 * Each part carries its SHA-256 checksum, which AWS checks; since not every S3-compatible server
 * checks those, the stored object's ETag is also compared with the one S3 defines for a
 * multipart upload, the MD5 of the parts' MD5s and the part count, computed here while the
 * source is hashed. A mismatch means the bytes were damaged on the way: the upload is sent
 * again once (a new version replaces the damaged one), then the failure is reported.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ArchiverError } from '../../core/errors.js';
import { hashLocalFile } from '../blobs/hash-file.js';
import type { BlobRef } from '../blobs/types.js';
import { MAX_PARTS, MIN_PART_SIZE } from './options.js';
import type { S3BlobStore } from './s3-store.js';

export type PartSource = { path: string } | { bytes: Buffer };

const ATTEMPTS = 2;

/** The part size for `size` bytes: the configured one, raised so that at most 10,000 parts are needed. */
export function partSizeFor(size: number, configured: number): number {
  const needed = Math.ceil(size / MAX_PARTS);
  const mib = 1024 * 1024;
  return Math.max(MIN_PART_SIZE, configured, Math.ceil(needed / mib) * mib);
}

/** S3's ETag of a multipart upload: hex MD5 of the concatenated part MD5s, a dash, the part count. */
export function multipartEtag(partMd5s: Buffer[]): string {
  return `${createHash('md5').update(Buffer.concat(partMd5s)).digest('hex')}-${partMd5s.length}`;
}

function bufferPartMd5s(bytes: Buffer, partSize: number): Buffer[] {
  const out: Buffer[] = [];
  for (let o = 0; o < bytes.length; o += partSize) {
    out.push(
      createHash('md5')
        .update(bytes.subarray(o, o + partSize))
        .digest(),
    );
  }
  return out;
}

export async function uploadFileInParts(
  store: S3BlobStore,
  source: PartSource,
  ref: BlobRef,
  lock: ReturnType<S3BlobStore['lockParams']>,
): Promise<void> {
  const partSize = partSizeFor(ref.size, store.options.partSize);
  let partMd5s: Buffer[];
  if ('path' in source) {
    // Hashed before sending: a file that does not match its name must never be stored under it.
    const h = await hashLocalFile(source.path, partSize);
    if (h.sha256 !== ref.sha256 || h.size !== ref.size) {
      throw new ArchiverError(
        'WXA_BLOB_CORRUPT',
        `${source.path} does not hash to ${ref.sha256}; it was changed while stored`,
      );
    }
    partMd5s = h.partMd5s;
  } else partMd5s = bufferPartMd5s(source.bytes, partSize);
  const expected = multipartEtag(partMd5s);
  const { bucket } = store.options;
  const key = store.key(ref.sha256);
  for (let attempt = 1; ; attempt++) {
    const upload = new Upload({
      client: store.client,
      params: {
        Bucket: bucket,
        Key: key,
        Body: 'path' in source ? createReadStream(source.path, { highWaterMark: 1 << 20 }) : source.bytes,
        ContentType: 'application/octet-stream',
        ChecksumAlgorithm: 'SHA256',
        ...lock,
      },
      partSize,
      queueSize: store.options.queueSize,
      leavePartsOnError: false,
    });
    await upload.done();
    const head = await store.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    const etag = (head.ETag ?? '').replace(/"/g, '');
    const sizeOk = Number(head.ContentLength) === ref.size;
    // A server-side-encrypted object's ETag is not an MD5 (AWS SSE-KMS): only the size and
    // the SHA-256 part checksums speak for it then.
    const etagOk = !/^[0-9a-f]{32}-\d+$/.test(etag) || etag === expected;
    if (sizeOk && etagOk) return;
    if (attempt >= ATTEMPTS) {
      throw new ArchiverError(
        'WXA_BLOB_STORE_UNAVAILABLE',
        `blob ${ref.sha256} arrived damaged in ${store.location} (size ${String(head.ContentLength)} of ${ref.size}, ETag ${etag}, expected ${expected}); the next attempt retries`,
      );
    }
  }
}

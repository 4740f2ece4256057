/**
 * The blob store: small blobs (most rendered messages) are kept inline in the database, in the
 * same transaction as the rows that use them, so they cost no extra fsync; larger ones are
 * files on disk made durable before that transaction commits. Both are addressed by SHA-256
 * and verified on every read. An S3-compatible backend can replace the files later.
 */
import { base64Lines } from '../../core/base64-lines.js';
import { ArchiverError } from '../../core/errors.js';
import type { Db } from '../db.js';
import { LocalBlobFiles, sha256Hex, type BlobRef } from './local.js';
import { decodeSkeleton, encodeSkeleton, type SkeletonPart } from './skeleton.js';

export { LocalBlobFiles, sha256Hex, type BlobRef, type SkeletonPart };
export { openPartial, type PartialFile } from './partial.js';

/** Blobs up to this size live in the database (bytes). */
export const INLINE_MAX = 256 * 1024;

/** A blob whose bytes are safe (inline data still to be inserted with its row, or a durable file). */
export interface PreparedBlob extends BlobRef {
  kind: string;
  data: Buffer | null;
  /** 'raw' bytes, or a 'skeleton' that references media blobs (see skeleton.ts) */
  encoding: 'raw' | 'skeleton';
}

export class BlobStore {
  readonly files: LocalBlobFiles;

  constructor(root: string) {
    this.files = new LocalBlobFiles(root);
  }

  /** Makes bytes ready to be referenced: large ones are written durably now, small ones travel with the row. */
  /** A blob already durable on disk (written piece by piece): ready to be referenced. */
  preparedFile(ref: BlobRef, kind: string): PreparedBlob {
    return { ...ref, kind, data: null, encoding: 'raw' };
  }

  async prepare(bytes: Buffer, kind: string, knownSha256?: string): Promise<PreparedBlob> {
    // A hash computed on a worker thread is trusted here; reads verify it anyway.
    if (bytes.length <= INLINE_MAX) {
      return { sha256: knownSha256 ?? sha256Hex(bytes), size: bytes.length, kind, data: bytes, encoding: 'raw' };
    }
    const ref = await this.files.put(bytes);
    return { ...ref, kind, data: null, encoding: 'raw' };
  }

  /**
   * A message stored as its skeleton: `full` is the whole message (its hash and size name the
   * blob), `parts` the same bytes with attachment bodies replaced by the media blobs they encode.
   */
  prepareSkeleton(full: { sha256: string; size: number }, parts: SkeletonPart[], kind: string): PreparedBlob {
    return { sha256: full.sha256, size: full.size, kind, data: encodeSkeleton(parts), encoding: 'skeleton' };
  }

  /** Reads a blob by address and checks that its bytes still hash to it. */
  async read(db: Db, sha256: string): Promise<Buffer> {
    const row = await db
      .selectFrom('blobs')
      .select(['data', 'encoding'])
      .where('sha256', '=', sha256)
      .executeTakeFirst();
    if (!row) throw new ArchiverError('WXA_BLOB_MISSING', `blob ${sha256} is not recorded in the database`);
    if (row.data === null) return this.files.get(sha256);
    let bytes = Buffer.from(row.data);
    if (row.encoding === 'skeleton') {
      const parts = decodeSkeleton(bytes, sha256);
      const out: Buffer[] = [];
      for (const p of parts) out.push(Buffer.isBuffer(p) ? p : base64Lines(await this.read(db, p.media)));
      bytes = Buffer.concat(out);
    }
    if (sha256Hex(bytes) !== sha256) {
      throw new ArchiverError('WXA_BLOB_CORRUPT', `blob ${sha256} does not match its SHA-256; restore it from a copy`);
    }
    return bytes;
  }
}

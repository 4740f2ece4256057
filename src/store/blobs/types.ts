/**
 * The seam between the archive and wherever blob bytes live: a directory on local disk (the
 * default) or an S3-compatible bucket (scale-out, Object Lock for WORM). Callers name a blob by
 * its SHA-256 only, never by a path, so the same pipeline, verify, backup, export and deletion
 * code runs on either.
 */
import type { Readable } from 'node:stream';

export interface BlobRef {
  sha256: string;
  size: number;
}

export interface BlobStat {
  size: number;
  /** the end of the object's WORM retention, when the store keeps one (S3 Object Lock) */
  retainUntil?: Date;
}

export interface BlobStore {
  /** which implementation: 'local' (a directory) or 's3' (a bucket) */
  readonly kind: 'local' | 's3';
  /** where the bytes are, for messages to an operator: a directory or s3://bucket/prefix */
  readonly location: string;
  /**
   * Stores bytes under their SHA-256 and returns only once they are durable, so that a row
   * naming them may commit. Storing bytes already there is a no-op (content addressing).
   */
  put(bytes: Buffer): Promise<BlobRef>;
  /**
   * Stores a local file the caller has already hashed (a large download), with the same
   * durability as `put`; the file itself is left where it is. Large files are sent in parts.
   */
  putFile(path: string, ref: BlobRef): Promise<void>;
  /** The bytes of a blob, verified against its SHA-256 (WXA_BLOB_MISSING, WXA_BLOB_CORRUPT). */
  get(sha256: string): Promise<Buffer>;
  /**
   * The bytes as a stream, for blobs too large to hold: a missing blob rejects the promise,
   * and a stream whose bytes do not hash to the name ends with WXA_BLOB_CORRUPT.
   */
  stream(sha256: string): Promise<Readable>;
  /**
   * The bytes of a blob kept on local disk, read by plain system calls into `buffer` a chunk at
   * a time: each chunk is a view of `buffer` (valid until the next is read) and fills it, but for
   * the last. Not checked against the blob's SHA-256: for a reader whose own hash covers these
   * bytes (an export's message hash covers its media's base64 lines). Only a store on local disk
   * has it; a bucket is read over the network (`stream`). A missing blob throws WXA_BLOB_MISSING.
   */
  chunksSync?(sha256: string, buffer: Buffer): Generator<Buffer>;
  exists(sha256: string): Promise<boolean>;
  /** Size (and retention) of a stored blob, or null when it is not there. */
  stat(sha256: string): Promise<BlobStat | null>;
  /**
   * Deletes a blob whose last row is gone; one already gone is fine. A blob still under
   * Object Lock retention is refused with WXA_BLOB_LOCKED and stays.
   */
  delete(sha256: string): Promise<void>;
  /** Every stored blob's SHA-256 in ascending order, after `after`: for audits and migrations. */
  list(after?: string): AsyncIterable<string>;
  /** Releases connections (an S3 client's sockets); the store is not used afterwards. */
  close(): Promise<void>;
}

/** A SHA-256 in the lower-case hex form blobs are named by. */
export function isSha256Hex(s: string): boolean {
  return /^[0-9a-f]{64}$/.test(s);
}

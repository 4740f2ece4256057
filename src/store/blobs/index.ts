/**
 * The archive's blobs: small ones (most rendered messages) are kept inline in the database, in
 * the same transaction as the rows that use them, so they cost no extra fsync; larger ones go
 * to a BlobStore (a local directory or an S3-compatible bucket) and are durable there before
 * that transaction commits. All are addressed by SHA-256 and verified on every read.
 */
import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { ArchiverError } from '../../core/errors.js';
import type { Db } from '../db.js';
import { LocalBlobFiles, sha256Hex } from './local.js';
import { LocalBlobStore } from './local-store.js';
import { openPartial as openLocalPartial, type PartialFile } from './partial.js';
import { encodeSkeleton, type SkeletonPart } from './skeleton.js';
import { readMessages, readWhole, type StoredMessage } from './read-batch.js';
import type { BlobRef, BlobStat, BlobStore } from './types.js';

export { LocalBlobFiles, LocalBlobStore, sha256Hex, type BlobRef, type BlobStat, type BlobStore, type SkeletonPart };
export { isSha256Hex } from './types.js';
export { type PartialFile } from './partial.js';

/** Blobs up to this size live in the database (bytes). */
export const INLINE_MAX = 256 * 1024;

/** A blob whose bytes are safe (inline data still to be inserted with its row, or a durable object). */
export interface PreparedBlob extends BlobRef {
  kind: string;
  data: Buffer | null;
  /** 'raw' bytes, or a 'skeleton' that references media blobs (see skeleton.ts) */
  encoding: 'raw' | 'skeleton';
}

export class ArchiveBlobs {
  /** where bytes too large for the database go */
  readonly objects: BlobStore;
  /**
   * Local scratch space for downloads written piece by piece (they resume after a crash): the
   * blob directory itself when blobs are local, so a finished download is only renamed.
   */
  readonly staging: LocalBlobFiles;

  constructor(objects: BlobStore | string, staging?: LocalBlobFiles) {
    this.objects = typeof objects === 'string' ? new LocalBlobStore(objects) : objects;
    if (staging) this.staging = staging;
    else if (this.objects instanceof LocalBlobStore) this.staging = this.objects.files;
    else throw new Error('a remote blob store needs a local staging directory');
  }

  private get stagingIsStore(): boolean {
    return this.objects instanceof LocalBlobStore && this.objects.files.root === this.staging.root;
  }

  /** A blob already durable in the object store (written piece by piece): ready to be referenced. */
  preparedFile(ref: BlobRef, kind: string): PreparedBlob {
    return { ...ref, kind, data: null, encoding: 'raw' };
  }

  /** Makes bytes ready to be referenced: large ones are written durably now, small ones travel with the row. */
  async prepare(bytes: Buffer, kind: string, knownSha256?: string): Promise<PreparedBlob> {
    // A hash computed on a worker thread is trusted here; reads verify it anyway.
    if (bytes.length <= INLINE_MAX) {
      return { sha256: knownSha256 ?? sha256Hex(bytes), size: bytes.length, kind, data: bytes, encoding: 'raw' };
    }
    const ref = await this.objects.put(bytes);
    return { ...ref, kind, data: null, encoding: 'raw' };
  }

  /**
   * A message stored as its skeleton: `full` is the whole message (its hash and size name the
   * blob), `parts` the same bytes with attachment bodies replaced by the media blobs they encode.
   */
  prepareSkeleton(full: { sha256: string; size: number }, parts: SkeletonPart[], kind: string): PreparedBlob {
    return { sha256: full.sha256, size: full.size, kind, data: encodeSkeleton(parts), encoding: 'skeleton' };
  }

  /**
   * Opens (or resumes at `resumeAt` bytes) a download written piece by piece in local staging.
   * Completing it leaves the blob durable in the object store and the staging file gone.
   */
  async openPartial(name: string, resumeAt = 0): Promise<PartialFile> {
    const part = await openLocalPartial(this.staging, name, resumeAt);
    if (this.stagingIsStore) return part;
    return {
      name: part.name,
      get bytes() {
        return part.bytes;
      },
      append: (chunk) => part.append(chunk),
      discard: () => part.discard(),
      close: () => part.close(),
      complete: async () => {
        const done = await part.complete();
        const path = this.staging.pathOf(done.sha256);
        await this.objects.putFile(path, done);
        // Only after the object store holds it: until then the staged file is the one copy.
        await rm(path, { force: true });
        return done;
      },
    };
  }

  /** The bytes of a blob too large to hold (media stored in the object store), verified as they stream. */
  stream(sha256: string): Promise<Readable> {
    return this.objects.stream(sha256);
  }

  /** Size and retention of a blob kept in the object store, or null. */
  stat(sha256: string): Promise<BlobStat | null> {
    return this.objects.stat(sha256);
  }

  /** Stored messages a batch at a time, as pieces the caller hashes as it reads them (read-batch.ts). */
  readMessages(db: Db, shas: readonly string[]): Promise<Map<string, StoredMessage>> {
    return readMessages(db, this.objects, shas);
  }

  /** Reads a blob by address and checks that its bytes still hash to it. */
  async read(db: Db, sha256: string): Promise<Buffer> {
    const got = (await readWhole(db, this.objects, [sha256])).get(sha256)!;
    if (got instanceof ArchiverError) throw got;
    return got;
  }

  /**
   * Whole blobs a batch at a time, each checked against its SHA-256; a missing or damaged one
   * comes back as its error (read-batch.ts).
   */
  readMany(db: Db, shas: readonly string[]): Promise<Map<string, Buffer | ArchiverError>> {
    return readWhole(db, this.objects, shas);
  }
}

/**
 * Chooses the blob store of a data directory from the configuration's `blobs` section: files
 * under `<dataDir>/blobs` (the default), or an S3-compatible bucket with `<dataDir>/blobs` kept
 * as local staging for downloads in progress.
 */
import { join } from 'node:path';
import { S3BlobStore, type S3BlobStoreOptions } from '../blobs-s3/index.js';
import { ArchiveBlobs, LocalBlobFiles } from './index.js';

export type BlobsOptions = { kind: 'local' } | ({ kind: 's3' } & S3BlobStoreOptions);

export function openBlobStore(dataDir: string, opts: BlobsOptions = { kind: 'local' }): ArchiveBlobs {
  const local = join(dataDir, 'blobs');
  if (opts.kind === 'local') return new ArchiveBlobs(local);
  const { kind: _kind, ...s3 } = opts;
  return new ArchiveBlobs(new S3BlobStore(s3), new LocalBlobFiles(local));
}

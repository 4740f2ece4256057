/**
 * Chooses the blob store of a data directory from the configuration's `blobs` section: files
 * under `<dataDir>/blobs` (the default), or an S3-compatible bucket with `<dataDir>/blobs` kept
 * as local staging for downloads in progress. The AWS SDK is loaded only for an S3 store: it
 * takes longer to import than most commands take to run.
 */
import { join } from 'node:path';
import type { S3BlobStoreOptions } from '../blobs-s3/options.js';
import { ArchiveBlobs, LocalBlobFiles } from './index.js';

export type BlobsOptions = { kind: 'local' } | ({ kind: 's3' } & S3BlobStoreOptions);

export async function openBlobStore(dataDir: string, opts: BlobsOptions = { kind: 'local' }): Promise<ArchiveBlobs> {
  const local = join(dataDir, 'blobs');
  if (opts.kind === 'local') return new ArchiveBlobs(local);
  const { kind: _kind, ...s3 } = opts;
  const { S3BlobStore } = await import('../blobs-s3/s3-store.js');
  return new ArchiveBlobs(new S3BlobStore(s3), new LocalBlobFiles(local));
}

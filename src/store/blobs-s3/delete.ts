/**
 * Deleting a blob from S3 for good. A bucket with Object Lock is versioned, where a plain
 * DELETE only hides the object behind a delete marker and keeps its bytes; a disposed item's
 * bytes must really go, so every version of the key is deleted by its id. A version still under
 * retention is refused by the service: that is reported as WXA_BLOB_LOCKED with its date.
 */
import { DeleteObjectCommand, HeadObjectCommand, ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { ArchiverError } from '../../core/errors.js';
import { fromS3Error, httpStatus, isNotFound } from './errors.js';
import type { S3BlobStore } from './s3-store.js';

export async function deleteAllVersions(store: S3BlobStore, sha256: string): Promise<void> {
  const { bucket } = store.options;
  const key = store.key(sha256);
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  for (;;) {
    const page = await store.guarded('list versions of', sha256, () =>
      store.client.send(
        new ListObjectVersionsCommand({
          Bucket: bucket,
          Prefix: key,
          ...(keyMarker ? { KeyMarker: keyMarker, VersionIdMarker: versionMarker } : {}),
        }),
      ),
    );
    const versions = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].filter((v) => v.Key === key);
    for (const v of versions) await deleteVersion(store, sha256, v.VersionId);
    if (!page.IsTruncated) return;
    keyMarker = page.NextKeyMarker;
    versionMarker = page.NextVersionIdMarker;
  }
}

async function deleteVersion(store: S3BlobStore, sha256: string, versionId: string | undefined): Promise<void> {
  const target = { Bucket: store.options.bucket, Key: store.key(sha256), VersionId: versionId };
  try {
    await store.client.send(new DeleteObjectCommand(target));
  } catch (err) {
    if (isNotFound(err)) return;
    if (httpStatus(err) === 403) {
      const until = await retainedUntil(store, target);
      if (until && until.getTime() > Date.now()) {
        throw new ArchiverError(
          'WXA_BLOB_LOCKED',
          `blob ${sha256} in ${store.location} is under Object Lock until ${until.toISOString()}; the service keeps it until then`,
          { cause: err, details: { retainUntil: until.toISOString() } },
        );
      }
    }
    throw fromS3Error(err, `deleting blob ${sha256}`, store.location);
  }
}

async function retainedUntil(
  store: S3BlobStore,
  target: { Bucket: string; Key: string; VersionId: string | undefined },
): Promise<Date | undefined> {
  try {
    const h = await store.client.send(new HeadObjectCommand(target));
    return h.ObjectLockRetainUntilDate ? new Date(h.ObjectLockRetainUntilDate) : undefined;
  } catch {
    return undefined; // the refusal itself is reported by the caller
  }
}

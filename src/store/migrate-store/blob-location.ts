/**
 * Records, in the data directory a migrated deployment will run with, that its blob files are
 * in the bucket `migrate-store --blobs` filled: the same `blob-store.json` the store writes for
 * an archive begun on S3 (blobs/location.ts), without which that deployment would refuse to
 * open a database whose blobs it takes for local files.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ArchiverError } from '../../core/errors.js';
import { LOCATION_FILE } from '../blobs/location.js';
import type { BlobStore } from '../blobs/types.js';
import { ensurePrivateDir, PRIVATE_FILE_MODE } from '../private-files.js';

export async function recordBlobLocation(dataDir: string, store: BlobStore): Promise<void> {
  await ensurePrivateDir(dataDir);
  const file = join(dataDir, LOCATION_FILE);
  const was = await readFile(file, 'utf8').then(
    (t) => JSON.parse(t) as { location?: string },
    () => undefined,
  );
  if (was?.location === store.location) return;
  if (was)
    throw new ArchiverError(
      'WXA_BLOB_STORE_CONFIG',
      `${file} names ${String(was.location)} as this data directory's blob store, not ${store.location}; give --new-data-dir a new directory`,
    );
  await writeFile(file, `${JSON.stringify({ kind: store.kind, location: store.location })}\n`, {
    mode: PRIVATE_FILE_MODE,
  });
}

/** The blob store an archive recorded beside its database, or null for local files (no record). */
export async function recordedBlobLocation(dataDir: string): Promise<{ kind: string; location: string } | null> {
  const file = join(dataDir, LOCATION_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    return JSON.parse(text) as { kind: string; location: string };
  } catch {
    throw new ArchiverError(
      'WXA_BLOB_STORE_CONFIG',
      `${file} is not valid JSON; it names the bucket this archive's blobs are in`,
    );
  }
}

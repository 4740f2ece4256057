/**
 * Which blob store an archive's database points into, remembered beside the database
 * (`blob-store.json`) once blobs go to a bucket. Opening the archive with another store would
 * read "missing" for every blob kept in the first, and write new blobs where the old ones are
 * not: that is refused, naming where the blobs are. Archives on local disk (the default) write
 * no file, so every existing data directory opens as before.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ArchiverError } from '../../core/errors.js';
import type { Db } from '../db.js';
import { PRIVATE_FILE_MODE } from '../private-files.js';
import type { BlobStore } from './types.js';

export const LOCATION_FILE = 'blob-store.json';

interface Recorded {
  kind: string;
  location: string;
}

async function recorded(dataDir: string): Promise<Recorded | null> {
  let text: string;
  try {
    text = await readFile(join(dataDir, LOCATION_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    return JSON.parse(text) as Recorded;
  } catch {
    throw new ArchiverError(
      'WXA_BLOB_STORE_CONFIG',
      `${join(dataDir, LOCATION_FILE)} is not valid JSON; it names the bucket this archive's blobs are in`,
    );
  }
}

export async function checkBlobLocation(dataDir: string, db: Db, store: BlobStore): Promise<void> {
  const was = await recorded(dataDir);
  if (was) {
    if (was.location === store.location) return;
    throw new ArchiverError(
      'WXA_BLOB_STORE_CONFIG',
      `this archive keeps its blobs in ${was.location}, but the configuration names ${store.kind === 'local' ? 'local files' : store.location}; open it with the configuration whose blobs section names ${was.location} (--config)`,
    );
  }
  if (store.kind === 'local') return;
  const onDisk = await db.selectFrom('blobs').select('sha256').where('data', 'is', null).limit(1).executeTakeFirst();
  if (onDisk) {
    throw new ArchiverError(
      'WXA_BLOB_STORE_CONFIG',
      `this archive keeps blobs as local files under ${join(dataDir, 'blobs')}; blobs.kind "s3" is for a new archive (copy an existing one to a bucket before switching)`,
    );
  }
  await writeFile(join(dataDir, LOCATION_FILE), `${JSON.stringify({ kind: store.kind, location: store.location })}\n`, {
    mode: PRIVATE_FILE_MODE,
  });
}

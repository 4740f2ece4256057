/** Where each large media download stands (see blobs/partial.ts), so a crash resumes it. */
import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Db } from './db.js';

export interface MediaProgress {
  tempName: string;
  indexbuf: string;
  bytes: number;
}

export async function getMediaProgress(
  db: Db,
  connectorId: string,
  sdkfileid: string,
): Promise<MediaProgress | undefined> {
  const row = await db
    .selectFrom('media_progress')
    .select(['temp_name', 'indexbuf', 'bytes'])
    .where('connector_id', '=', connectorId)
    .where('sdkfileid', '=', sdkfileid)
    .executeTakeFirst();
  return row ? { tempName: row.temp_name, indexbuf: row.indexbuf, bytes: Number(row.bytes) } : undefined;
}

export async function saveMediaProgress(
  db: Db,
  connectorId: string,
  sdkfileid: string,
  p: MediaProgress,
  now: number,
): Promise<void> {
  const row = { temp_name: p.tempName, indexbuf: p.indexbuf, bytes: p.bytes, updated_at: now };
  await db
    .insertInto('media_progress')
    .values({ connector_id: connectorId, sdkfileid, ...row })
    .onConflict((oc) => oc.columns(['connector_id', 'sdkfileid']).doUpdateSet(row))
    .execute();
}

export async function clearMediaProgress(db: Db, connectorId: string, sdkfileid: string): Promise<void> {
  await db
    .deleteFrom('media_progress')
    .where('connector_id', '=', connectorId)
    .where('sdkfileid', '=', sdkfileid)
    .execute();
}

/**
 * Deletes temporary files under `blobs/tmp` that no recorded download resumes: what a killed
 * process was writing. Only safe while holding the data directory's writer lock, when no other
 * process can be writing there. Returns how many were removed.
 */
export async function removeOrphanTempFiles(db: Db, blobsRoot: string): Promise<number> {
  const dir = join(blobsRoot, 'tmp');
  const names = await readdir(dir).catch(() => [] as string[]);
  if (names.length === 0) return 0;
  const kept = new Set((await db.selectFrom('media_progress').select('temp_name').execute()).map((r) => r.temp_name));
  let removed = 0;
  for (const n of names) {
    if (kept.has(n)) continue;
    await unlink(join(dir, n)).catch(() => undefined);
    removed++;
  }
  return removed;
}

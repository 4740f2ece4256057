/** Where each large media download stands (see blobs/partial.ts), so a crash resumes it. */
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

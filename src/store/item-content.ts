/** The stored version of an item key, for telling an identical replay from a conflicting one. */
import type { Db } from './db.js';

export interface StoredItemVersion {
  rawId: number;
  seqKey: string;
  modelJson: string;
}

export async function storedItemVersion(db: Db, key: string): Promise<StoredItemVersion | undefined> {
  const row = await db
    .selectFrom('items')
    .select(['raw_id', 'seq_key', 'model_json'])
    .where('key', '=', key)
    .executeTakeFirst();
  return row ? { rawId: row.raw_id, seqKey: row.seq_key, modelJson: row.model_json } : undefined;
}

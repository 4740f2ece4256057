/** The stored versions of item keys, for telling an identical replay from a conflicting one. */
import type { Db } from './db.js';

export interface StoredItemVersion {
  rawId: number;
  seqKey: string;
  modelJson: string;
}

/** The stored versions of several item keys in one query per 500 (a batch's worth), by key. */
export async function storedItemVersions(db: Db, keys: readonly string[]): Promise<Map<string, StoredItemVersion>> {
  const out = new Map<string, StoredItemVersion>();
  for (let i = 0; i < keys.length; i += 500) {
    const rows = await db
      .selectFrom('items')
      .select(['key', 'raw_id', 'seq_key', 'model_json'])
      .where('key', 'in', keys.slice(i, i + 500))
      .execute();
    for (const r of rows) out.set(r.key, { rawId: r.raw_id, seqKey: r.seq_key, modelJson: r.model_json });
  }
  return out;
}

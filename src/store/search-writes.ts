/**
 * The one door through which the item transaction (process.ts, process-portable.ts) and the
 * deletion path (deletion.ts) change the search index, whatever the database. On SQLite it
 * runs the index's prepared statements on the connection, inside the caller's open transaction.
 *
 * On PostgreSQL the pipeline does not write the index yet: an item archived there is stored,
 * logged and counted, and `status` counts it as not yet indexed. Removal is the compliance-
 * relevant direction, so it is never skipped silently: should index rows exist on PostgreSQL
 * for items being deleted, the deletion refuses (and rolls back) rather than leave deleted
 * content searchable.
 */
import type { Transaction } from 'kysely';
import { ArchiverError } from '../core/errors.js';
import { dialectKind, type Db } from './db.js';
import type { Database } from './schema.js';
import { markSearchRecalled, removeSearchRows, writeSearchRows, type SearchRowWrite } from './search-index.js';

export interface SearchIndexChange {
  /** items to index (or re-index in place) */
  write?: readonly SearchRowWrite[];
  /** items now recalled (is:recalled) */
  recalled?: readonly { connectorId: string; msgid: string }[];
  /** items deleted from the archive */
  remove?: readonly string[];
  now: number;
}

/**
 * Applies `change` to the index inside `tx`, a transaction open on `db`: on SQLite the index
 * statements run on `db`'s one connection, which is inside `tx`.
 */
export async function updateSearchIndex(db: Db, tx: Transaction<Database>, change: SearchIndexChange): Promise<void> {
  if (dialectKind(db) === 'sqlite') {
    if (change.write?.length) writeSearchRows(db, change.write, change.now);
    for (const r of change.recalled ?? []) markSearchRecalled(db, r.connectorId, r.msgid);
    if (change.remove?.length) removeSearchRows(db, change.remove);
    return;
  }
  if (!change.remove?.length) return;
  const indexed = await tx
    .selectFrom('search_items')
    .select('item_key')
    .where('item_key', 'in', [...change.remove])
    .executeTakeFirst();
  if (indexed)
    throw new ArchiverError(
      'WXA_STORE_SQLITE_ONLY',
      `item ${indexed.item_key} has a search index row on PostgreSQL, which this version cannot remove; nothing ` +
        'was deleted. Delete it on a version that maintains the PostgreSQL search index',
    );
}

/**
 * The one door through which the item transaction (process.ts, process-portable.ts) and the
 * deletion path (deletion.ts) change the search index, whatever the database. On SQLite it
 * runs the index's prepared statements on the connection, inside the caller's open transaction;
 * on PostgreSQL it writes through the caller's transaction. Either way an item, its deletion or
 * its recall and the index rows that describe it commit together: deleted content never stays
 * searchable, and archived content is never missing from the index.
 */
import type { Transaction } from 'kysely';
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
  // PostgreSQL: the index's rows are written in the caller's transaction, so they commit (or
  // roll back) with the items they describe.
  if (change.write?.length) await writeSearchRows(tx, change.write, change.now);
  for (const r of change.recalled ?? []) await markSearchRecalled(tx, r.connectorId, r.msgid);
  if (change.remove?.length) await removeSearchRows(tx, change.remove);
}

/**
 * The audit log's rows: appending one in chain order, and reading them back a page at a time
 * (newest first for the console, oldest first for verification and export). What the hash
 * covers is the audit module's business; this module only keeps the chain's order: the new
 * row's id is taken under the write lock, and its predecessor is the row just before it.
 */
import { sql, type Selectable } from 'kysely';
import { dialectOf, type Db } from './db.js';
import type { AuditEventTable } from './schema.js';

export type AuditRow = Selectable<AuditEventTable>;

/**
 * Inserts an event and links it to the one before: `hashOf` gets the predecessor's hash (or
 * `genesis`) and returns this event's. Called inside a write transaction, so no other writer
 * can slip an event in between: SQLite has one writer; on PostgreSQL writers run at once, so an
 * advisory lock held to the end of the transaction makes them append one after the other (else
 * two could both link to the same predecessor, or one to a row the other has not committed).
 */
export async function insertChainedAuditRow(
  tx: Db,
  row: Pick<AuditRow, 'at' | 'actor' | 'action' | 'target' | 'detail_json' | 'ip'>,
  genesis: string,
  hashOf: (prevHash: string) => string,
): Promise<{ id: number; prevHash: string; hash: string }> {
  await dialectOf(tx).lockInTransaction(tx, 'audit_events');
  // placeholders, filled below once the write lock is held
  const { id } = await tx
    .insertInto('audit_events')
    .values({ ...row, prev_hash: '', hash: '' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const prev = await tx
    .selectFrom('audit_events')
    .select('hash')
    .where('id', '<', id)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  const prevHash = prev?.hash ?? genesis;
  const hash = hashOf(prevHash);
  await tx.updateTable('audit_events').set({ prev_hash: prevHash, hash }).where('id', '=', id).execute();
  return { id, prevHash, hash };
}

export interface AuditRowFilter {
  actor?: string;
  /** an exact action, or a prefix ending in `.*` */
  action?: string;
  from?: number;
  to?: number;
  /** only ids below this one (the keyset of the next page) */
  beforeId?: number;
  limit: number;
}

/** Rows newest first, filtered (keyset on id: stable while events are added). */
export async function auditRowsNewestFirst(db: Db, f: AuditRowFilter): Promise<AuditRow[]> {
  let q = db.selectFrom('audit_events').selectAll();
  if (f.actor !== undefined && f.actor !== '') q = q.where('actor', '=', f.actor);
  if (f.action !== undefined && f.action !== '') {
    if (f.action.endsWith('.*')) {
      const prefix = f.action.slice(0, -1);
      // substr, not LIKE: '_' and '%' in a prefix are not wildcards; counted in characters.
      q = q.where(sql`substr(action, 1, ${[...prefix].length})`, '=', prefix);
    } else {
      q = q.where('action', '=', f.action);
    }
  }
  if (f.from !== undefined) q = q.where('at', '>=', f.from);
  if (f.to !== undefined) q = q.where('at', '<', f.to);
  if (f.beforeId !== undefined) q = q.where('id', '<', f.beforeId);
  return q.orderBy('id', 'desc').limit(f.limit).execute();
}

/** The next `limit` rows in chain order after `afterId`, optionally only those at or after `sinceAt`. */
export async function auditRowsAfter(db: Db, afterId: number, limit: number, sinceAt?: number): Promise<AuditRow[]> {
  let q = db.selectFrom('audit_events').selectAll().where('id', '>', afterId);
  if (sinceAt !== undefined) q = q.where('at', '>=', sinceAt);
  return q.orderBy('id', 'asc').limit(limit).execute();
}

/**
 * Legal holds as the store sees them: placing, releasing and reporting holds, and THE guard,
 * `heldEntries`, that every deletion path asks before removing a mailbox entry. A custodian hold
 * covers every entry of its mailbox, whenever archived; a query hold covers every entry of the
 * items its stored condition matches, in every mailbox. An item the search index does not know
 * is treated as held while any query hold is active: a hold that cannot be checked must not
 * let its item go.
 */
import { sql } from 'kysely';
import { dialectOf, type Db } from './db.js';
import { inTransaction } from './ingest-log.js';
import type { LegalHoldTable } from './schema.js';
import { searchCondSql, type SearchCond } from './search-query.js';

export type LegalHoldRow = Omit<LegalHoldTable, 'id'> & { id: number };

/** The key `heldEntries` returns for a held mailbox entry. */
export function holdEntryKey(itemKey: string, mailbox: string): string {
  return `${itemKey}\n${mailbox.toLowerCase()}`;
}

const CHUNK = 400;

function timeRange(h: { date_from: number | null; date_to: number | null }) {
  const parts = [];
  if (h.date_from !== null) parts.push(sql`s.msg_time >= ${h.date_from}`);
  if (h.date_to !== null) parts.push(sql`s.msg_time < ${h.date_to}`);
  return parts;
}

function holdPredicate(db: Db, h: LegalHoldRow) {
  const cond = JSON.parse(h.cond_json ?? '{"op":"all"}') as SearchCond;
  return sql.join([searchCondSql(cond, db), ...timeRange(h)], sql` AND `);
}

export async function activeHolds(db: Db): Promise<LegalHoldRow[]> {
  return (await db
    .selectFrom('legal_holds')
    .selectAll()
    .where('released_at', 'is', null)
    .orderBy('id')
    .execute()) as LegalHoldRow[];
}

/**
 * Which of these mailbox entries a legal hold covers, as `holdEntryKey`s. Deletion refuses
 * every one of them.
 */
export async function heldEntries(db: Db, entries: { itemKey: string; mailbox: string }[]): Promise<Set<string>> {
  const held = new Set<string>();
  if (entries.length === 0) return held;
  const holds = await activeHolds(db);
  if (holds.length === 0) return held;
  const custodians = new Set(holds.filter((h) => h.kind === 'custodian').map((h) => (h.custodian ?? '').toLowerCase()));
  for (const e of entries) if (custodians.has(e.mailbox.toLowerCase())) held.add(holdEntryKey(e.itemKey, e.mailbox));
  const queryHolds = holds.filter((h) => h.kind === 'query');
  if (queryHolds.length === 0) return held;
  const keys = [...new Set(entries.map((e) => e.itemKey))];
  const heldItems = new Set<string>();
  for (let i = 0; i < keys.length; i += CHUNK) {
    const chunk = keys.slice(i, i + CHUNK);
    const indexed = await db.selectFrom('search_items').select('item_key').where('item_key', 'in', chunk).execute();
    const known = new Set(indexed.map((r) => r.item_key));
    for (const k of chunk) if (!known.has(k)) heldItems.add(k);
    for (const h of queryHolds) {
      const r = await sql<{ item_key: string }>`SELECT s.item_key FROM search_items s
        WHERE s.item_key IN (${sql.join(chunk)}) AND ${holdPredicate(db, h)}`.execute(db);
      for (const row of r.rows) heldItems.add(row.item_key);
    }
  }
  for (const e of entries) if (heldItems.has(e.itemKey)) held.add(holdEntryKey(e.itemKey, e.mailbox));
  return held;
}

export interface NewLegalHold {
  caseId: number;
  kind: 'custodian' | 'query';
  custodian?: string;
  query?: string;
  cond?: SearchCond;
  dateFrom?: number;
  dateTo?: number;
  placedBy: string;
}

/**
 * The lock a deletion holds while it reads the holds and deletes (deletion.ts): a hold placed
 * meanwhile waits for it, so it is either seen by the deletion or placed after it. Closing a
 * case takes it too, so a case is never closed while a hold of it is being placed. On SQLite the
 * single writer already orders them.
 */
export const LEGAL_HOLDS_LOCK = 'legal_holds';

/**
 * Takes the locks that order hold placement, deletion and closing a case: PostgreSQL's advisory
 * lock, then (on both) a write to the case's row, so that SQLite's transaction holds the write
 * lock before it reads: a deferred transaction that reads first could be refused the upgrade.
 */
async function lockCase(tx: Db, caseId: number): Promise<string | undefined> {
  await dialectOf(tx).lockInTransaction(tx, LEGAL_HOLDS_LOCK);
  const r = await tx
    .updateTable('cases')
    .set((eb) => ({ status: eb.ref('status') }))
    .where('id', '=', caseId)
    .returning('status')
    .executeTakeFirst();
  return r?.status;
}

/**
 * Places a hold on an active case; undefined (nothing placed) when the case is closed or does
 * not exist. The case's status is read under the lock closing a case takes, so a hold can never
 * land on a case closed meanwhile.
 */
export async function insertLegalHold(db: Db, h: NewLegalHold, now: number): Promise<number | undefined> {
  return inTransaction(db, async (tx) => {
    if ((await lockCase(tx, h.caseId)) !== 'active') return undefined;
    return insertLegalHoldRow(tx, h, now);
  });
}

/**
 * Runs `fn` (the writes that add to a case: searches, review sets, tags, comments, reviewers) in
 * one transaction under the lock closing a case takes, only while the case is active: `fn`'s
 * result, or `closed` (nothing written) when the case is closed or gone. Without it a check of
 * the status, then the write, could straddle a close made in between by another process.
 */
export async function whileCaseActive<T>(
  db: Db,
  caseId: number,
  fn: (tx: Db) => Promise<T>,
): Promise<{ value: T } | 'closed'> {
  return inTransaction(db, async (tx) => {
    if ((await lockCase(tx, caseId)) !== 'active') return 'closed' as const;
    return { value: await fn(tx) };
  });
}

/**
 * Closes an active case unless one of its holds is active; returns those holds (nothing changed),
 * or [] when the case is closed now. Read and closed under the lock placing a hold takes, so no
 * hold is placed between the check and the close.
 */
export async function closeCaseUnlessHeld(db: Db, caseId: number, now: number): Promise<LegalHoldRow[]> {
  return inTransaction(db, async (tx) => {
    await lockCase(tx, caseId);
    const active = (await tx
      .selectFrom('legal_holds')
      .selectAll()
      .where('case_id', '=', caseId)
      .where('released_at', 'is', null)
      .orderBy('id')
      .execute()) as LegalHoldRow[];
    if (active.length > 0) return active;
    await tx
      .updateTable('cases')
      .set({ status: 'closed', closed_at: now })
      .where('id', '=', caseId)
      .where('status', '=', 'active')
      .execute();
    return [];
  });
}

async function insertLegalHoldRow(db: Db, h: NewLegalHold, now: number): Promise<number> {
  const r = await db
    .insertInto('legal_holds')
    .values({
      case_id: h.caseId,
      kind: h.kind,
      custodian: h.custodian ?? null,
      query: h.query ?? null,
      cond_json: h.cond ? JSON.stringify(h.cond) : null,
      date_from: h.dateFrom ?? null,
      date_to: h.dateTo ?? null,
      placed_by: h.placedBy,
      placed_at: now,
      released_by: null,
      released_at: null,
      release_reason: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(r.id);
}

export async function legalHoldById(db: Db, id: number): Promise<LegalHoldRow | undefined> {
  return (await db.selectFrom('legal_holds').selectAll().where('id', '=', id).executeTakeFirst()) as
    LegalHoldRow | undefined;
}

export async function legalHolds(db: Db, filter: { caseIds?: readonly number[] } = {}): Promise<LegalHoldRow[]> {
  let q = db.selectFrom('legal_holds').selectAll().orderBy('id');
  if (filter.caseIds) {
    if (filter.caseIds.length === 0) return [];
    q = q.where('case_id', 'in', [...filter.caseIds]);
  }
  return (await q.execute()) as LegalHoldRow[];
}

/** Releases an active hold; false when it was already released. */
export async function releaseLegalHold(
  db: Db,
  id: number,
  by: string,
  reason: string | null,
  now: number,
): Promise<boolean> {
  const r = await db
    .updateTable('legal_holds')
    .set({ released_by: by, released_at: now, release_reason: reason })
    .where('id', '=', id)
    .where('released_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Items and bytes (archived MIME) a hold covers now. */
export async function legalHoldCounts(db: Db, h: LegalHoldRow): Promise<{ items: number; bytes: number }> {
  const r =
    h.kind === 'custodian'
      ? await sql<{ n: number; b: number | null }>`SELECT count(*) AS n, sum(i.mime_size) AS b FROM items i
          WHERE i.key IN (SELECT item_key FROM mailbox_entries WHERE lower(mailbox) = ${(h.custodian ?? '').toLowerCase()})`.execute(
          db,
        )
      : await sql<{ n: number; b: number | null }>`SELECT count(*) AS n, sum(i.mime_size) AS b FROM search_items s
          JOIN items i ON i.key = s.item_key WHERE ${holdPredicate(db, h)}`.execute(db);
  return { items: Number(r.rows[0]?.n ?? 0), bytes: Number(r.rows[0]?.b ?? 0) };
}

/**
 * Review sets of a case: the items added to them (from saved searches), the reviewers assigned,
 * tags and comments on items, and the case's saved searches with their last counts.
 */
import { sql } from 'kysely';
import type { Db } from './db.js';
import { searchCondSql, type SearchCond } from './search-query.js';

export async function insertReviewSet(db: Db, caseId: number, name: string, by: string, now: number): Promise<number> {
  const r = await db
    .insertInto('review_sets')
    .values({ case_id: caseId, name, created_by: by, created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(r.id);
}

export async function reviewSetsOf(db: Db, caseId: number) {
  return db
    .selectFrom('review_sets as r')
    .select((eb) => [
      'r.id',
      'r.name',
      'r.created_by',
      'r.created_at',
      eb
        .selectFrom('review_set_items as i')
        .whereRef('i.review_set_id', '=', 'r.id')
        .select(eb.fn.countAll<number>().as('n'))
        .as('items'),
    ])
    .where('r.case_id', '=', caseId)
    .orderBy('r.id')
    .execute();
}

/** How many items a review set holds (its primary key's index counted, not its rows read). */
export async function reviewSetSize(db: Db, reviewSetId: number): Promise<number> {
  const r = await db
    .selectFrom('review_set_items')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('review_set_id', '=', reviewSetId)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** Adds the items a condition matches (that exist in the archive); returns how many were new. */
export async function addMatchesToReviewSet(
  db: Db,
  reviewSetId: number,
  cond: SearchCond,
  by: string,
  now: number,
): Promise<number> {
  const r = await sql`INSERT INTO review_set_items (review_set_id, item_key, added_by, added_at)
    SELECT ${reviewSetId}, s.item_key, ${by}, ${now} FROM search_items s
    WHERE ${searchCondSql(cond, db)} AND s.item_key IN (SELECT key FROM items) ON CONFLICT DO NOTHING`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

export async function reviewItemKeysIn(db: Db, reviewSetId: number, keys: readonly string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db
    .selectFrom('review_set_items')
    .select('item_key')
    .where('review_set_id', '=', reviewSetId)
    .where('item_key', 'in', [...keys])
    .execute();
  return new Set(rows.map((r) => r.item_key));
}

export async function setTags(
  db: Db,
  reviewSetId: number,
  keys: readonly string[],
  tag: string,
  present: boolean,
  by: string,
  now: number,
): Promise<void> {
  if (keys.length === 0) return;
  if (present)
    await db
      .insertInto('review_tags')
      .values(keys.map((k) => ({ review_set_id: reviewSetId, item_key: k, tag, tagged_by: by, tagged_at: now })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  else
    await db
      .deleteFrom('review_tags')
      .where('review_set_id', '=', reviewSetId)
      .where('tag', '=', tag)
      .where('item_key', 'in', [...keys])
      .execute();
}

export async function insertComment(
  db: Db,
  c: { reviewSetId: number; itemKey: string; author: string; body: string },
  now: number,
): Promise<number> {
  const r = await db
    .insertInto('review_comments')
    .values({ review_set_id: c.reviewSetId, item_key: c.itemKey, author: c.author, body: c.body, created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(r.id);
}

export interface ReviewItemRow {
  itemKey: string;
  msgid: string;
  msgtype: string;
  msgTime: number;
  tags: string[];
  comments: { author: string; body: string; at: number }[];
}

/** Items of a review set (optionally only those with a tag), oldest first, a page at a time. */
export async function reviewItems(
  db: Db,
  reviewSetId: number,
  opts: { tag?: string; limit: number; offset: number },
): Promise<{ total: number; items: ReviewItemRow[] }> {
  let q = db
    .selectFrom('review_set_items as r')
    .innerJoin('items as i', 'i.key', 'r.item_key')
    .where('r.review_set_id', '=', reviewSetId);
  if (opts.tag !== undefined)
    q = q.where('r.item_key', 'in', (eb) =>
      eb
        .selectFrom('review_tags')
        .select('item_key')
        .where('review_set_id', '=', reviewSetId)
        .where('tag', '=', opts.tag!),
    );
  const total = Number((await q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  const rows = await q
    .select(['i.key', 'i.msgid', 'i.msgtype', 'i.msg_time'])
    .orderBy('i.msg_time')
    .orderBy('i.key')
    .limit(opts.limit)
    .offset(opts.offset)
    .execute();
  const keys = rows.map((r) => r.key);
  const tags = keys.length
    ? await db
        .selectFrom('review_tags')
        .select(['item_key', 'tag'])
        .where('review_set_id', '=', reviewSetId)
        .where('item_key', 'in', keys)
        .execute()
    : [];
  const comments = keys.length
    ? await db
        .selectFrom('review_comments')
        .select(['item_key', 'author', 'body', 'created_at'])
        .where('review_set_id', '=', reviewSetId)
        .where('item_key', 'in', keys)
        .orderBy('id')
        .execute()
    : [];
  return {
    total,
    items: rows.map((r) => ({
      itemKey: r.key,
      msgid: r.msgid,
      msgtype: r.msgtype,
      msgTime: Number(r.msg_time),
      tags: tags
        .filter((t) => t.item_key === r.key)
        .map((t) => t.tag)
        .sort(),
      comments: comments
        .filter((c) => c.item_key === r.key)
        .map((c) => ({ author: c.author, body: c.body, at: Number(c.created_at) })),
    })),
  };
}

/** What a condition matches now: items, mailboxes, bytes and items per message type. */
export async function searchCounts(
  db: Db,
  cond: SearchCond,
): Promise<{ items: number; mailboxes: number; bytes: number; byType: Record<string, number> }> {
  const where = searchCondSql(cond, db);
  const byType = await sql<{
    msgtype: string;
    n: number;
    b: number | null;
  }>`SELECT s.msgtype, count(*) AS n, sum(i.mime_size) AS b
    FROM search_items s JOIN items i ON i.key = s.item_key WHERE ${where} GROUP BY s.msgtype ORDER BY s.msgtype`.execute(
    db,
  );
  const mb = await sql<{ n: number }>`SELECT count(DISTINCT m.mailbox) AS n FROM mailbox_entries m
    WHERE m.item_key IN (SELECT s.item_key FROM search_items s WHERE ${where})`.execute(db);
  const out = { items: 0, mailboxes: Number(mb.rows[0]?.n ?? 0), bytes: 0, byType: {} as Record<string, number> };
  for (const r of byType.rows) {
    out.items += Number(r.n);
    out.bytes += Number(r.b ?? 0);
    out.byType[r.msgtype] = Number(r.n);
  }
  return out;
}

export async function insertSavedSearch(
  db: Db,
  s: { caseId: number; name: string; query: string; counts: unknown; by: string },
  now: number,
): Promise<number> {
  const r = await db
    .insertInto('saved_searches')
    .values({
      case_id: s.caseId,
      name: s.name,
      query: s.query,
      counts_json: JSON.stringify(s.counts),
      run_at: now,
      created_by: s.by,
      created_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(r.id);
}

export async function updateSavedSearchCounts(db: Db, id: number, counts: unknown, now: number): Promise<void> {
  await db
    .updateTable('saved_searches')
    .set({ counts_json: JSON.stringify(counts), run_at: now })
    .where('id', '=', id)
    .execute();
}

export async function savedSearchesOf(db: Db, caseId: number) {
  return db.selectFrom('saved_searches').selectAll().where('case_id', '=', caseId).orderBy('id').execute();
}

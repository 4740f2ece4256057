/**
 * What an export reads: the ordered item keys of a selection (a query's condition, a case's
 * holds, a review set), and the rows of a batch of items with their mailboxes and review tags.
 * The order (sent time, then item key) fixes control numbers, so an export resumed after a
 * crash numbers every item as the uninterrupted one would.
 */
import type SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { connectionOf, dialectKind, preparedPerConnection, type Db } from './db.js';
import { searchCondSql, type SearchCond } from './search-query.js';

export type ExportSelection =
  | { kind: 'query'; cond: SearchCond }
  /** a case: its custodians' entries, and the items its query holds (`holds`) preserve */
  | { kind: 'case'; caseId: number; holds?: readonly SearchCond[] }
  | { kind: 'review-set'; reviewSetId: number; tags?: readonly string[] };

function keysSql(db: Db, sel: ExportSelection) {
  switch (sel.kind) {
    case 'query':
      return sql`SELECT s.item_key FROM search_items s WHERE ${searchCondSql(sel.cond, db)}`;
    case 'review-set':
      return sel.tags && sel.tags.length > 0
        ? sql`SELECT item_key FROM review_tags WHERE review_set_id = ${sel.reviewSetId} AND tag IN (${sql.join([...sel.tags])})`
        : sql`SELECT item_key FROM review_set_items WHERE review_set_id = ${sel.reviewSetId}`;
    case 'case':
      // Everything the case's active holds preserve: its custodians' entries and its queries' items.
      return sql.join(
        [
          sql`SELECT item_key FROM mailbox_entries WHERE lower(mailbox) IN
          (SELECT custodian FROM legal_holds WHERE case_id = ${sel.caseId} AND kind = 'custodian' AND released_at IS NULL)`,
          ...(sel.holds ?? []).map((c) => sql`SELECT s.item_key FROM search_items s WHERE ${searchCondSql(c, db)}`),
        ],
        sql` UNION `,
      );
  }
}

/** Numbers the temporary key lists of the selections being read on this process's connections. */
let keyLists = 0;

/**
 * A page of a selection's keys in export order, with each item's rowid in the archive where the
 * database has one (SQLite; `null` on PostgreSQL): a hint that lets a batch read the item's row
 * without looking its key up again (exportItemRows).
 */
export interface ExportKeyPage {
  keys: string[];
  rowids: number[] | null;
}

/**
 * The keys of the selection, oldest first (sent time, then key), a page at a time, never a list
 * of the whole selection in memory. SQLite: the selection runs and is sorted once, into a
 * temporary table numbered in that order, and the pages are read from it by number (running the
 * selection again for each page sorted it again each time). PostgreSQL: each page starts after
 * the last key of the one before.
 */
export async function* exportKeyPages(db: Db, sel: ExportSelection, page = 20_000): AsyncGenerator<ExportKeyPage> {
  if (dialectKind(db) === 'sqlite') {
    yield* sqliteKeyPages(db, sel, page);
    return;
  }
  let after: { t: number; key: string } | undefined;
  for (;;) {
    const r = await sql<{ key: string; msg_time: number | string }>`SELECT key, msg_time FROM items
      WHERE key IN (${keysSql(db, sel)})
      ${after ? sql`AND (msg_time > ${after.t} OR (msg_time = ${after.t} AND key > ${after.key}))` : sql``}
      ORDER BY msg_time, key LIMIT ${page}`.execute(db);
    if (r.rows.length === 0) return;
    const last = r.rows[r.rows.length - 1]!;
    after = { t: Number(last.msg_time), key: last.key };
    yield { keys: r.rows.map((x) => x.key), rowids: null };
    if (r.rows.length < page) return;
  }
}

async function* sqliteKeyPages(db: Db, sel: ExportSelection, page: number): AsyncGenerator<ExportKeyPage> {
  const name = `export_keys_${process.pid}_${++keyLists}`;
  const table = sql.table(`temp.${name}`);
  await sql`CREATE TEMP TABLE ${table} (n INTEGER PRIMARY KEY, key TEXT NOT NULL, rid INTEGER NOT NULL)`.execute(db);
  try {
    // The items are found by their key's index, then read in rowid order (the table's own):
    // read in the order of the keys' index, the table's pages were visited at random and read
    // again through SQLite's small page cache (0.67-0.93 s against 0.35-0.53 s for a review set
    // of 100,000 items).
    await sql`INSERT INTO ${table} (n, key, rid)
      SELECT row_number() OVER (ORDER BY msg_time, key), key, rowid FROM items
      WHERE rowid IN (SELECT rowid FROM items WHERE key IN (${keysSql(db, sel)}))`.execute(db);
    const read = connectionOf(db).prepare(`SELECT key, rid FROM temp.${name} WHERE n > ? ORDER BY n LIMIT ?`).raw();
    for (let after = 0; ; after += page) {
      const rows = read.all(after, page) as [string, number][];
      if (rows.length === 0) return;
      yield { keys: rows.map((r) => r[0]), rowids: rows.map((r) => r[1]) };
      if (rows.length < page) return;
    }
  } finally {
    await sql`DROP TABLE IF EXISTS ${table}`.execute(db);
  }
}

export interface ExportItemRow {
  key: string;
  msgid: string;
  msgtype: string;
  conversationId: string;
  msgTime: number;
  mimeSha256: string;
  mimeSize: number;
  /** the msgid of the recall, when this message was recalled */
  recalledBy: string | null;
  /** sorted */
  mailboxes: string[];
  tags: string[];
}

interface ItemRowsStatements {
  items: SQLite.Statement;
  byRowid: SQLite.Statement;
  tags: SQLite.Statement;
}

/** An item's row for the export, with its mailboxes as a JSON array (SQLite). */
const ITEM_COLUMNS = `key, msgid, msgtype, conversation_id, msg_time, mime_sha256, mime_size, recalled_by,
          (SELECT json_group_array(mailbox) FROM mailbox_entries e WHERE e.item_key = items.key) AS mailboxes`;

/** A row of ITEM_COLUMNS as SQLite gives it in raw mode: the columns in that order. */
type ItemTuple = [
  key: string,
  msgid: string,
  msgtype: string,
  conversationId: string,
  msgTime: number,
  mimeSha256: string,
  mimeSize: number,
  recalledBy: string | null,
  mailboxes: string,
];

/**
 * SQLite: the batch's keys go in as one JSON array (`json_each`), so each statement is prepared
 * once per connection and reused for every batch, instead of a query of 500 parameters built,
 * compiled and prepared again for each (that building cost several times the reads themselves).
 * Rows come as arrays (raw mode), not objects: better-sqlite3 makes an object's every key again
 * for every row (the items of 100,000 batches read alone: 1.19-1.25 s against 1.51-1.52 s).
 */
const itemRowsStatements = preparedPerConnection((c): ItemRowsStatements => ({
  // read in rowid order, as the selection is (see sqliteKeyPages): 430-440 ms against 480-610 ms
  // for the batches of 100,000 items. Each item's mailboxes come with it, one JSON array per
  // item: a statement of their own (one row per entry) cost 12-18% more for the two together.
  // The array may name a mailbox twice (an item filed in two of its folders): made unique below,
  // where most items have one; `DISTINCT` here cost a sorter per item (1.30-1.31 s against
  // 1.38-1.49 s for the batches of 100,000 items, read alone).
  items: c
    .prepare(
      `SELECT ${ITEM_COLUMNS} FROM items WHERE rowid IN (SELECT rowid FROM items WHERE key IN (SELECT value FROM json_each(?)))`,
    )
    .raw(),
  // by the rowids the selection found (ExportKeyPage): no lookup of each key in its index, a
  // random page of it per item. The batches of 100,000 items, read alone: 147,000 page reads
  // against 265,000, 1.04-1.55 s against 1.44-1.88 s (three rounds each, alternating)
  byRowid: c.prepare(`SELECT ${ITEM_COLUMNS} FROM items WHERE rowid IN (SELECT value FROM json_each(?))`).raw(),
  tags: c
    .prepare(
      `SELECT item_key, tag FROM review_tags WHERE review_set_id = ? AND item_key IN (SELECT value FROM json_each(?))`,
    )
    .raw(),
}));

/**
 * SQLite: the items' rows by their rowids when the selection gave them. A rowid is only a hint:
 * the archive may have numbered its rows anew since the selection (VACUUM), so a row is taken
 * only for a key asked for, and each key the rowids do not give is looked up by itself.
 */
function sqliteItems(
  s: ItemRowsStatements,
  keys: readonly string[],
  list: string,
  rowids: readonly number[] | undefined,
): ItemTuple[] {
  if (!rowids) return s.items.all(list) as ItemTuple[];
  const wanted = new Set(keys);
  const rows = (s.byRowid.all(JSON.stringify(rowids)) as ItemTuple[]).filter((r) => wanted.delete(r[0]));
  if (wanted.size) rows.push(...(s.items.all(JSON.stringify([...wanted])) as ItemTuple[]));
  return rows;
}

const exportRow = (r: ItemTuple): ExportItemRow => ({
  key: r[0],
  msgid: r[1],
  msgtype: r[2],
  conversationId: r[3],
  msgTime: Number(r[4]),
  mimeSha256: r[5],
  mimeSize: Number(r[6]),
  recalledBy: r[7],
  mailboxes: JSON.parse(r[8]) as string[],
  tags: [],
});

/** The items' rows by key, with each item's mailboxes (once per folder it is filed in), and their review tags. */
async function itemRowsData(
  db: Db,
  keys: readonly string[],
  reviewSetId: number | undefined,
  rowids: readonly number[] | undefined,
): Promise<{ items: Map<string, ExportItemRow>; tags: [itemKey: string, tag: string][] }> {
  if (dialectKind(db) === 'sqlite') {
    const s = itemRowsStatements(connectionOf(db));
    const list = JSON.stringify(keys);
    return {
      items: new Map(sqliteItems(s, keys, list, rowids).map((r) => [r[0], exportRow(r)])),
      tags: reviewSetId === undefined ? [] : (s.tags.all(reviewSetId, list) as [string, string][]),
    };
  }
  const rows = await db
    .selectFrom('items')
    .select(['key', 'msgid', 'msgtype', 'conversation_id', 'msg_time', 'mime_sha256', 'mime_size', 'recalled_by'])
    .where('key', 'in', [...keys])
    .execute();
  const items = new Map(
    rows.map((i): [string, ExportItemRow] => [
      i.key,
      {
        key: i.key,
        msgid: i.msgid,
        msgtype: i.msgtype,
        conversationId: i.conversation_id,
        msgTime: Number(i.msg_time),
        mimeSha256: i.mime_sha256,
        mimeSize: Number(i.mime_size),
        recalledBy: i.recalled_by,
        mailboxes: [],
        tags: [],
      },
    ]),
  );
  // The mailboxes in a query of their own, not with each row as on SQLite: there a subquery per
  // item (`array_agg`) took 1.67-1.79 s for the batches of 100,000 items against 1.40-1.56 s for
  // the two queries (PostgreSQL 15, the same client CPU).
  for (const e of await db
    .selectFrom('mailbox_entries')
    .select(['item_key', 'mailbox'])
    .where('item_key', 'in', [...keys])
    .execute())
    items.get(e.item_key)?.mailboxes.push(e.mailbox);
  const tags =
    reviewSetId === undefined
      ? []
      : await db
          .selectFrom('review_tags')
          .select(['item_key', 'tag'])
          .where('review_set_id', '=', reviewSetId)
          .where('item_key', 'in', [...keys])
          .execute();
  return { items, tags: tags.map((t): [string, string] => [t.item_key, t.tag]) };
}

/**
 * The rows of the items `keys`, with their mailboxes and their tags in the review set
 * `reviewSetId`; `rowids` (in the keys' order, where the selection gave them: ExportKeyPage)
 * spare SQLite a lookup of each key.
 */
export async function exportItemRows(
  db: Db,
  keys: readonly string[],
  reviewSetId?: number,
  rowids?: readonly number[],
): Promise<Map<string, ExportItemRow>> {
  if (keys.length === 0) return new Map();
  const { items: out, tags } = await itemRowsData(db, keys, reviewSetId, rowids);
  for (const [key, tag] of tags) out.get(key)?.tags.push(tag);
  for (const r of out.values()) {
    // a mailbox once, however many of its folders hold the item (on either dialect)
    if (r.mailboxes.length > 1) r.mailboxes = [...new Set(r.mailboxes)].sort();
    if (r.tags.length > 1) r.tags.sort();
  }
  return out;
}

/** The active query holds of a case, with their stored conditions. */
export async function caseQueryHolds(
  db: Db,
  caseId: number,
): Promise<{ cond: SearchCond; from: number | null; to: number | null }[]> {
  const rows = await db
    .selectFrom('legal_holds')
    .select(['cond_json', 'date_from', 'date_to'])
    .where('case_id', '=', caseId)
    .where('kind', '=', 'query')
    .where('released_at', 'is', null)
    .execute();
  return rows.map((r) => ({
    cond: JSON.parse(r.cond_json ?? '{"op":"all"}') as SearchCond,
    from: r.date_from === null ? null : Number(r.date_from),
    to: r.date_to === null ? null : Number(r.date_to),
  }));
}

/** The sender's and recipients' WeCom ids of items (from the archived model), for RSMF account ids. */
export async function exportItemPeople(
  db: Db,
  keys: readonly string[],
): Promise<Map<string, { from: string; tolist: string[] }>> {
  const out = new Map<string, { from: string; tolist: string[] }>();
  if (keys.length === 0) return out;
  const rows = await db
    .selectFrom('items')
    .select(['key', 'model_json'])
    .where('key', 'in', [...keys])
    .execute();
  for (const r of rows) {
    const m = JSON.parse(r.model_json) as { from?: unknown; tolist?: unknown };
    out.set(r.key, {
      from: typeof m.from === 'string' ? m.from : '',
      tolist: Array.isArray(m.tolist) ? m.tolist.filter((t): t is string => typeof t === 'string') : [],
    });
  }
  return out;
}

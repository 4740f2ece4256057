/**
 * What `reindex` reads and the cursor that makes it resumable: items in key order a batch at a
 * time with what their search document needs (model, recall, mailboxes, the mapped addresses
 * recorded when they were indexed, their media blobs), and a durable position written in the
 * transaction of each batch, so a reindex killed half-way continues where it stopped.
 */
import { sql, type Transaction } from 'kysely';
import { connectionOf, dialectKind, type Db } from './db.js';
import type { Database } from './schema.js';
import { indexSearchRows, type SearchRowWrite } from './search-index.js';

const CURSOR_KEY = 'search.reindex.cursor';

export interface ReindexItem {
  key: string;
  connectorId: string;
  modelJson: string;
  recalled: boolean;
  mailboxes: string[];
  /** participant id -> mailbox from the item's previous index row, when there is one */
  addresses: [string, string][];
}

export async function loadReindexBatch(db: Db, afterKey: string, limit: number): Promise<ReindexItem[]> {
  const rows = await db
    .selectFrom('items')
    .leftJoin('search_items', 'search_items.item_key', 'items.key')
    .select(['items.key', 'items.connector_id', 'items.model_json', 'items.recalled_by', 'search_items.addresses_json'])
    .where('items.key', '>', afterKey)
    .orderBy('items.key')
    .limit(limit)
    .execute();
  if (rows.length === 0) return [];
  const entries = await db
    .selectFrom('mailbox_entries')
    .select(['item_key', 'mailbox'])
    .where(
      'item_key',
      'in',
      rows.map((r) => r.key),
    )
    .orderBy('id')
    .execute();
  const boxes = new Map<string, string[]>();
  for (const e of entries) {
    const list = boxes.get(e.item_key) ?? [];
    if (!list.includes(e.mailbox)) list.push(e.mailbox);
    boxes.set(e.item_key, list);
  }
  return rows.map((r) => ({
    key: r.key,
    connectorId: r.connector_id,
    modelJson: r.model_json,
    recalled: r.recalled_by !== null,
    mailboxes: boxes.get(r.key) ?? [],
    addresses: r.addresses_json ? (JSON.parse(r.addresses_json) as [string, string][]) : [],
  }));
}

/** The stored media blob of an attachment, when it was fetched. */
export async function mediaBlobOf(db: Db, connectorId: string, sdkfileid: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('media')
    .select(['sha256', 'status'])
    .where('connector_id', '=', connectorId)
    .where('sdkfileid', '=', sdkfileid)
    .executeTakeFirst();
  return row?.sha256 ?? undefined;
}

export async function getReindexCursor(db: Db): Promise<string | undefined> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', CURSOR_KEY).executeTakeFirst();
  return row?.value;
}

/** Indexes a batch of a reindex and saves its position, in one transaction. */
export async function writeReindexBatch(
  db: Db,
  rows: readonly SearchRowWrite[],
  cursor: string,
  now: number,
): Promise<void> {
  await indexSearchRows(db, rows, now, {
    sqlite: (d) => setReindexCursor(d, cursor, now),
    pg: (tx) => setReindexCursorOn(tx, cursor, now),
  });
}

async function setReindexCursorOn(tx: Transaction<Database>, value: string, now: number): Promise<void> {
  await tx
    .insertInto('settings')
    .values({ key: CURSOR_KEY, value, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now }))
    .execute();
}

/** Saves the position, inside the caller's transaction of the connection (inSearchTransaction). */
export function setReindexCursor(db: Db, value: string, now: number): void {
  connectionOf(db)
    .prepare(
      `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    )
    .run(CURSOR_KEY, value, now);
}

export async function clearReindexCursor(db: Db): Promise<void> {
  await db.deleteFrom('settings').where('key', '=', CURSOR_KEY).execute();
}

/** Index rows whose item is no longer in the archive (deleted since): reindex removes them. */
export async function orphanSearchKeys(db: Db, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('search_items')
    .select('item_key')
    .where(({ not, exists, selectFrom }) =>
      not(exists(selectFrom('items').select('items.key').whereRef('items.key', '=', 'search_items.item_key'))),
    )
    .limit(limit)
    .execute();
  return rows.map((r) => r.item_key);
}

/** Every index row's item key and fingerprint, in key order: two indexes compare by this. */
export async function searchFingerprints(
  db: Db,
): Promise<{ itemKey: string; id: number; docSha256: string; recalled: boolean }[]> {
  const rows = await db
    .selectFrom('search_items')
    .select(['item_key', 'id', 'doc_sha256', 'recalled'])
    .orderBy('item_key')
    .execute();
  return rows.map((r) => ({
    itemKey: r.item_key,
    id: Number(r.id),
    docSha256: r.doc_sha256,
    recalled: r.recalled === 1,
  }));
}

/**
 * FTS5's own consistency check of the index structure; throws when it is corrupt. PostgreSQL
 * checks its GIN index itself; here every item must have its token row and no token row its
 * item missing.
 */
export async function checkSearchIntegrity(db: Db): Promise<void> {
  if (dialectKind(db) === 'postgres') {
    const r = await sql<{ n: number }>`SELECT
        (SELECT count(*) FROM search_items s WHERE NOT EXISTS (SELECT 1 FROM search_fts f WHERE f.id = s.id))
      + (SELECT count(*) FROM search_fts f WHERE NOT EXISTS (SELECT 1 FROM search_items s WHERE s.id = f.id)) AS n`.execute(
      db,
    );
    const n = Number(r.rows[0]?.n ?? 0);
    if (n > 0) throw new Error(`search index: ${n} items and token rows do not pair up; run reindex`);
    return;
  }
  await sql`INSERT INTO search_fts (search_fts) VALUES ('integrity-check')`.execute(db);
}

/** Segments of one level FTS5 lets pile up before merging them: its default, and during a bulk load. */
const MERGE_FAN_IN = 4;
const BULK_MERGE_FAN_IN = 16;

/**
 * During a bulk load (a rebuild) the full-text index merges its segments a level at a time only
 * when 16 have piled up instead of 4: each token's postings are rewritten about half as often
 * (measured at 200,000 messages: a tenth less CPU for the writes), and the compaction that
 * ends the load merges everything once anyway. Between a load and its compaction queries read
 * more segments; the setting is kept in the database, so after a crash it stays until the
 * resumed rebuild compacts (results are the same either way, only slower).
 */
export function setSearchBulkLoad(db: Db, bulk: boolean): void {
  // FTS5's setting; a GIN index buffers new entries in its pending list by itself.
  if (dialectKind(db) === 'postgres') return;
  connectionOf(db)
    .prepare(`INSERT INTO search_fts (search_fts, rank) VALUES ('automerge', ?)`)
    .run(BigInt(bulk ? BULK_MERGE_FAN_IN : MERGE_FAN_IN));
}

/** Pages of the index one compaction step may rewrite: a step holds the write lock for it. */
const MERGE_PAGES = 500;

/**
 * One step of merging the full-text index's segments into one (FTS5 'merge' with a negative
 * page count merges whatever segments there are, level or not). Returns false when there was
 * nothing left to merge. A rebuild leaves many segments; every query reads each of them, so
 * a compacted index answers a filtered query (a rowid look-up per candidate) several times
 * faster. Steps are short transactions, so a running `serve` keeps writing between them.
 */
export function compactSearchIndexStep(db: Db): boolean {
  if (dialectKind(db) === 'postgres') return false;
  const c = connectionOf(db);
  const before = c.prepare('SELECT total_changes()').pluck().get() as number;
  c.prepare(`INSERT INTO search_fts (search_fts, rank) VALUES ('merge', ?)`).run(BigInt(-MERGE_PAGES));
  const after = c.prepare('SELECT total_changes()').pluck().get() as number;
  // The command's own row counts as one change; merging work writes many more.
  return after - before > 1;
}

/** Items in the archive, and of those the ones at or before `throughKey` (a reindex's position). */
export async function reindexItemCounts(db: Db, throughKey?: string): Promise<{ total: number; done: number }> {
  const count = async (through?: string) => {
    let q = db.selectFrom('items').select((eb) => eb.fn.countAll<number>().as('n'));
    if (through !== undefined) q = q.where('key', '<=', through);
    return Number((await q.executeTakeFirstOrThrow()).n);
  };
  return { total: await count(), done: throughKey === undefined ? 0 : await count(throughKey) };
}

/** Attachments that could not be read for the index, over the whole archive. */
export async function unreadableAttachmentCount(db: Db): Promise<number> {
  const r = await db
    .selectFrom('search_items')
    .select((eb) => eb.fn.sum<number>('unreadable_attachments').as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n ?? 0);
}

/**
 * PostgreSQL's counterpart of compacting after a bulk load: the GIN index's pending list is
 * merged into the index (queries otherwise scan it unsorted), and the tables' statistics are
 * brought up to date so the planner knows how many items each token and facet selects.
 */
export async function settleSearchIndexPg(db: Db): Promise<void> {
  await sql`SELECT gin_clean_pending_list('search_fts_tokens'::regclass)`.execute(db);
  await sql`ANALYZE search_items, search_fts, search_facet_rows, search_facet_values, search_aliases`.execute(db);
}

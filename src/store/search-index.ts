/**
 * Writes of the embedded search index (tables in migrations/006-search.ts): rows arrive
 * already tokenized by compliance/search, so this file knows SQL and nothing of languages.
 * Writes run on the caller's open transaction: the pipeline indexes an item in the
 * transaction that stores it, so what a run archived is searchable when the run returns, and
 * a crash leaves neither without the other.
 *
 * Indexing is the hot path of a rebuild (a million items), so on SQLite it uses prepared
 * statements on the connection, reused row after row, instead of building SQL text per batch.
 * On PostgreSQL the same functions take the caller's Kysely transaction and write through
 * search-index-pg.ts; callers do not know which dialect they write to.
 */
import type SQLite from 'better-sqlite3';
import type { Transaction } from 'kysely';
import { committedCache, trackedTransactionSync, type CommittedCache } from './committed-cache.js';
import { connectionOf, dialectKind, preparedPerConnection, type Db } from './db.js';
import type { Database } from './schema.js';
import { removeSearchRowsPg, writeSearchRowsPg } from './search-index-pg.js';
import { SEARCH_ID_SLOTS, type SearchRowWrite } from './search-index-rows.js';
import { transact, transactionOwner } from './transaction.js';

export { SEARCH_ID_SLOTS, type SearchRowWrite } from './search-index-rows.js';

type Tx = Transaction<Database>;

/**
 * Runs a write of the index given a Db (SQLite: synchronously, on the connection's open
 * transaction) or a transaction of `transact` (any dialect: a promise). A SQLite transaction
 * runs on the Db's one connection, so the synchronous write joins it.
 */
function dispatch<T>(q: Db | Tx, sqlite: (db: Db) => T, pg: (tx: Tx) => Promise<T>): T | Promise<T> {
  if (!q.isTransaction) {
    if (dialectKind(q) === 'postgres')
      throw new Error('search index writes on PostgreSQL take the transaction they belong to, not the database');
    return sqlite(q);
  }
  const tx = q as Tx;
  if (dialectKind(tx) === 'postgres') return pg(tx);
  const db = transactionOwner(tx);
  if (!db) return Promise.reject(new Error('search index: a SQLite transaction not opened by transact()'));
  try {
    return Promise.resolve(sqlite(db));
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

interface Statements {
  existing: SQLite.Statement<[string], { id: number; recalled: number }>;
  top: SQLite.Statement<[number, number], { id: number }>;
  deleteFts: SQLite.Statement<[number]>;
  deleteFacets: SQLite.Statement<[number]>;
  deleteItem: SQLite.Statement<[number]>;
  insertItem: SQLite.Statement<unknown[]>;
  insertFts: SQLite.Statement<[number, string]>;
  facetId: SQLite.Statement<[string, string], { id: number }>;
  insertFacetValue: SQLite.Statement<[string, string]>;
  insertFacet: SQLite.Statement<[number, number]>;
  insertAlias: SQLite.Statement<[string, string]>;
  recalled: SQLite.Statement<[string, string]>;
}

/** Aliases and facet value ids known to be in the database, per Db (see committed-cache.ts). */
interface Known {
  aliases: CommittedCache<true>;
  facetIds: CommittedCache<number>;
}

const KNOWN = new WeakMap<Db, Known>();

function knownOf(db: Db): Known {
  let k = KNOWN.get(db);
  if (!k) {
    k = { aliases: committedCache(db), facetIds: committedCache(db) };
    KNOWN.set(db, k);
  }
  return k;
}

const statements = preparedPerConnection((c): Statements => ({
  existing: c.prepare('SELECT id, recalled FROM search_items WHERE item_key = ?'),
  top: c.prepare('SELECT id FROM search_items WHERE id >= ? AND id < ? ORDER BY id DESC LIMIT 1'),
  deleteFts: c.prepare('DELETE FROM search_fts WHERE rowid = ?'),
  deleteFacets: c.prepare('DELETE FROM search_facet_rows WHERE row_id = ?'),
  deleteItem: c.prepare('DELETE FROM search_items WHERE id = ?'),
  insertItem: c.prepare(`INSERT INTO search_items (id, item_key, connector_id, msgid, msg_time, msgtype, from_id,
        from_name, from_mailbox, conversation_id, conversation_name, conversation_kind, mailboxes_json,
        addresses_json, recalled, has_attachments, external, body, doc_sha256, tokenizer_version,
        unreadable_attachments, indexed_at) VALUES (${Array(22).fill('?').join(', ')})`),
  insertFts: c.prepare('INSERT INTO search_fts (rowid, tokens) VALUES (?, ?)'),
  facetId: c.prepare('SELECT id FROM search_facet_values WHERE field = ? AND value = ?'),
  insertFacetValue: c.prepare('INSERT INTO search_facet_values (field, value) VALUES (?, ?)'),
  insertFacet: c.prepare('INSERT OR IGNORE INTO search_facet_rows (facet_id, row_id) VALUES (?, ?)'),
  insertAlias: c.prepare('INSERT OR IGNORE INTO search_aliases (alias, person_id) VALUES (?, ?)'),
  recalled: c.prepare('UPDATE search_items SET recalled = 1 WHERE connector_id = ? AND msgid = ?'),
}));

/** The id of a facet value, added when new. */
function facetIdOf(s: Statements, ids: CommittedCache<number>, field: string, value: string): number {
  const key = `${field}\u0000${value}`;
  let id = ids.get(key);
  if (id === undefined) {
    const found = s.facetId.get(field, value);
    id = found ? Number(found.id) : Number(s.insertFacetValue.run(field, value).lastInsertRowid);
    ids.stage(key, id);
  }
  return id;
}

/** The row id of an item: its existing one, or the next free slot of its millisecond. */
function rowIdFor(s: Statements, time: number): number {
  const base = Math.max(0, Math.floor(time)) * SEARCH_ID_SLOTS;
  const top = s.top.get(base, base + SEARCH_ID_SLOTS);
  if (!top) return base;
  // More than 1024 items in one millisecond spill into the next slots: order stays by time to
  // the millisecond, which is all a message's time carries.
  let id = Number(top.id) + 1;
  while (s.top.get(id, id + 1)) id++;
  return id;
}

function deleteRow(s: Statements, id: number): void {
  s.deleteFts.run(id);
  s.deleteFacets.run(id);
  s.deleteItem.run(id);
}

/**
 * Indexes (or re-indexes in place) items; an item keeps its row id across re-indexing. Call it
 * inside a transaction: on SQLite with the Db (synchronous) or the transaction, on PostgreSQL
 * with the transaction (see dispatch).
 */
export function writeSearchRows(tx: Tx, rows: readonly SearchRowWrite[], now: number): Promise<void>;
export function writeSearchRows(db: Db, rows: readonly SearchRowWrite[], now: number): void;
export function writeSearchRows(q: Db | Tx, rows: readonly SearchRowWrite[], now: number): void | Promise<void> {
  return dispatch(
    q,
    (db) => writeSqlite(db, rows, now),
    (tx) => writeSearchRowsPg(tx, rows, now),
  );
}

function writeSqlite(db: Db, rows: readonly SearchRowWrite[], now: number): void {
  if (rows.length === 0) return;
  const s = statements(connectionOf(db));
  // Most items of a batch share their people: each alias is written once a batch (it was a
  // quarter of the indexing time when written once per item).
  const known = knownOf(db);
  const aliases = new Map<string, [string, string]>();
  for (const r of rows) {
    const old = s.existing.get(r.itemKey);
    let id: number;
    // A recall is for good: a reindex that read the item before a recall was recorded (by a
    // running `serve`) must not clear the mark.
    let recalled = r.recalled;
    if (old) {
      id = Number(old.id);
      recalled ||= old.recalled === 1;
      deleteRow(s, id);
    } else id = rowIdFor(s, r.time);
    s.insertItem.run(
      id,
      r.itemKey,
      r.connectorId,
      r.msgid,
      r.time,
      r.msgtype,
      r.fromId,
      r.fromName ?? null,
      r.fromMailbox ?? null,
      r.conversationId,
      r.conversationName ?? null,
      r.conversationKind,
      JSON.stringify(r.mailboxes),
      JSON.stringify(r.addresses),
      recalled ? 1 : 0,
      r.hasAttachments ? 1 : 0,
      r.external ? 1 : 0,
      r.body,
      r.docSha256,
      r.tokenizerVersion,
      r.unreadableAttachments,
      now,
    );
    s.insertFts.run(id, r.tokens);
    for (const f of r.facets) s.insertFacet.run(facetIdOf(s, known.facetIds, f.field, f.value), id);
    for (const a of r.aliases) {
      const key = `${a.alias}\u0000${a.personId}`;
      if (!known.aliases.get(key)) aliases.set(key, [a.alias, a.personId]);
    }
  }
  for (const [key, [alias, personId]] of aliases) {
    s.insertAlias.run(alias, personId);
    known.aliases.stage(key, true);
  }
}

/**
 * Runs fn in a transaction of the connection (for callers outside a Kysely transaction). It
 * takes the write lock when it begins (BEGIN IMMEDIATE): a deferred transaction reads first
 * (the item's existing row), and when another process (a running `serve`) commits before it
 * writes, SQLite cannot upgrade its stale read and fails at once with "database is locked",
 * without waiting; asking for the lock first makes it wait its turn instead.
 */
export function inSearchTransaction<T>(db: Db, fn: () => T): T {
  return trackedTransactionSync(db, () => connectionOf(db).transaction(fn).immediate());
}

/**
 * Indexes rows in a transaction of their own, on either dialect (SQLite: inSearchTransaction).
 * `also` runs in the same transaction after the rows (reindex saves its position there).
 */
export async function indexSearchRows(
  db: Db,
  rows: readonly SearchRowWrite[],
  now: number,
  also?: { sqlite(db: Db): void; pg(tx: Tx): Promise<void> },
): Promise<void> {
  if (dialectKind(db) === 'postgres')
    return transact(db, async (tx) => {
      await writeSearchRows(tx, rows, now);
      await also?.pg(tx);
    });
  inSearchTransaction(db, () => {
    writeSearchRows(db, rows, now);
    also?.sqlite(db);
  });
}

/** Removes items from the index in a transaction of their own, on either dialect. */
export async function unindexSearchRows(db: Db, itemKeys: readonly string[]): Promise<number> {
  if (dialectKind(db) === 'postgres') return transact(db, (tx) => removeSearchRows(tx, itemKeys));
  return inSearchTransaction(db, () => removeSearchRows(db, itemKeys));
}

/** Removes items from the index (an item deleted from the archive); unknown keys are ignored. */
export function removeSearchRows(tx: Tx, itemKeys: readonly string[]): Promise<number>;
export function removeSearchRows(db: Db, itemKeys: readonly string[]): number;
export function removeSearchRows(q: Db | Tx, itemKeys: readonly string[]): number | Promise<number> {
  return dispatch(
    q,
    (db) => removeSqlite(db, itemKeys),
    (tx) => removeSearchRowsPg(tx, itemKeys),
  );
}

function removeSqlite(db: Db, itemKeys: readonly string[]): number {
  const s = statements(connectionOf(db));
  let removed = 0;
  for (const key of itemKeys) {
    const row = s.existing.get(key);
    if (!row) continue;
    deleteRow(s, Number(row.id));
    removed++;
  }
  return removed;
}

/** Marks an indexed item as recalled (is:recalled), in the transaction that records the recall. */
export function markSearchRecalled(tx: Tx, connectorId: string, msgid: string): Promise<void>;
export function markSearchRecalled(db: Db, connectorId: string, msgid: string): void;
export function markSearchRecalled(q: Db | Tx, connectorId: string, msgid: string): void | Promise<void> {
  return dispatch(
    q,
    (db) => void statements(connectionOf(db)).recalled.run(connectorId, msgid),
    async (tx) => {
      await tx
        .updateTable('search_items')
        .set({ recalled: 1 })
        .where('connector_id', '=', connectorId)
        .where('msgid', '=', msgid)
        .execute();
    },
  );
}

/** What `status` and `reindex` report about the index. */
export interface SearchIndexStats {
  indexed: number;
  items: number;
  stale: number;
  unreadableAttachments: number;
}

export async function searchIndexStats(db: Db, tokenizerVersion: number): Promise<SearchIndexStats> {
  const s = await db
    .selectFrom('search_items')
    .select((eb) => [
      eb.fn.countAll<number>().as('indexed'),
      eb.fn.sum<number>(eb.case().when('tokenizer_version', '<>', tokenizerVersion).then(1).else(0).end()).as('stale'),
      eb.fn.sum<number>('unreadable_attachments').as('unreadable'),
    ])
    .executeTakeFirstOrThrow();
  const items = await db
    .selectFrom('items')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return {
    indexed: Number(s.indexed),
    items: Number(items.n),
    stale: Number(s.stale ?? 0),
    unreadableAttachments: Number(s.unreadable ?? 0),
  };
}

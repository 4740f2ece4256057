/**
 * SQLite's spelling of the dialect points, and its connection: better-sqlite3 under Kysely,
 * with the pragmas the archive's invariants need. `connectionOf` hands the raw connection to the
 * few hot paths that reuse prepared statements (capture, processing, the ingest log, the search
 * index); on a PostgreSQL store it refuses with WXA_STORE_SQLITE_ONLY instead of failing later.
 */
import SQLite from 'better-sqlite3';
import { Kysely, sql, SqliteDialect, type RawBuilder, type SqliteDatabase } from 'kysely';
import { ArchiverError } from '../../core/errors.js';
import type { StoreDialect } from './index.js';

export const sqliteDialect: StoreDialect = {
  kind: 'sqlite',
  jsonArrayAgg: (expr) => sql<string>`json_group_array(${expr})`,
  jsonStrings: (column, alias) => sql`json_each(${column}) ${sql.id(alias)}`,
  jsonField: (column, field) => sql<string | null>`json_extract(${column}, ${'$.' + field})`,
  groupConcat: (expr, separator) => sql<string | null>`group_concat(${expr}, ${separator})`,
  bytesContain: (column, needle) => sql<boolean>`instr(${column}, ${needle}) > 0`,
  utcDay: (ms: RawBuilder<unknown>) => sql<string>`strftime('%Y-%m-%d', ${ms} / 1000, 'unixepoch')`,
  lockInTransaction: async () => undefined,
  claimRows: (q) => q,
  lockRows: async () => undefined,
  shareRows: (q) => q,
  snapshotTransaction: (db) => db.transaction(),
};

/** The connection under each Kysely made here, for the hot paths that reuse prepared statements. */
const CONNECTIONS = new WeakMap<object, SQLite.Database>();

/**
 * The page cache of a connection, in KiB (SQLite's own default). better-sqlite3 builds SQLite
 * with 16 MB per connection; a pipeline run filled it within seconds and kept it as its RSS
 * grew, while the writes it serves touch the tail of the tables and indexes, which the
 * operating system's file cache keeps anyway (bench/README.md, pipeline section, measures it).
 */
export const SQLITE_CACHE_KIB = 2000;

/** Statements kept prepared per connection for the queries Kysely builds (by their SQL text). */
export const STATEMENT_CACHE = 256;

/**
 * The connection as Kysely's SQLite driver sees it, with its statements kept prepared: the driver
 * prepares every query it runs anew, and preparing cost about as much CPU as running on the
 * console's requests (a profile of the API under test: 1.4 s preparing against 1.6 s running).
 * The SQL text is the key, so a query run again with other values reuses its statement; the
 * least recently used is dropped past STATEMENT_CACHE. A statement still iterating (a stream not
 * finished) is never handed out twice: another is prepared for that call. SQLite re-prepares a
 * kept statement itself when the schema changes under it.
 */
export function withStatementCache(conn: SQLite.Database): SqliteDatabase {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => conn.close(),
    prepare(text: string) {
      const kept = cache.get(text);
      if (kept && !kept.busy) {
        // most recently used last: Map keeps insertion order
        cache.delete(text);
        cache.set(text, kept);
        return kept;
      }
      const stmt = conn.prepare(text);
      if (!kept) {
        cache.set(text, stmt);
        if (cache.size > STATEMENT_CACHE) cache.delete(cache.keys().next().value!);
      }
      return stmt;
    },
  };
}

/** Opens `file` (':memory:' for tests) with WAL, full sync, foreign keys, a busy timeout and a bounded page cache. */
export function openSqlite<DB>(file: string): Kysely<DB> {
  const conn = new SQLite(file);
  // WAL lets readers (status, console) run beside the writer; synchronous=FULL makes every
  // committed transaction survive power loss, which the cursor-with-records invariant needs.
  conn.pragma('journal_mode = WAL');
  conn.pragma('synchronous = FULL');
  conn.pragma('foreign_keys = ON');
  conn.pragma('busy_timeout = 10000');
  conn.pragma(`cache_size = -${SQLITE_CACHE_KIB}`);
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(conn) }) });
  CONNECTIONS.set(db, conn);
  return db;
}

/**
 * The better-sqlite3 connection of a Db. There is one connection per Db, so statements run on it
 * inside a Kysely transaction's callback belong to that transaction. `what` names the store
 * function that needs it, for the message on a PostgreSQL store.
 */
export function sqliteConnection(db: object, what = 'this store function'): SQLite.Database {
  const c = CONNECTIONS.get(db);
  if (c) return c;
  throw new ArchiverError(
    'WXA_STORE_SQLITE_ONLY',
    `${what} runs only on the embedded SQLite database for now (it uses prepared statements of that ` +
      'database directly); open the archive without --database / WXA_DATABASE_URL for this',
  );
}

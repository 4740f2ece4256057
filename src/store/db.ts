/**
 * Opens the database: SQLite (better-sqlite3) in the data directory by default, or PostgreSQL
 * when a postgres:// URL is given (`--database` / WXA_DATABASE_URL), and brings its schema to
 * the latest migration. All SQL lives under store/; what differs between the two is in dialect/.
 */
import { DEFAULT_MIGRATION_TABLE, Migrator, sql } from 'kysely';
import { ArchiverError } from '../core/errors.js';
import { dialectKind } from './dialect/index.js';
import type { PoolOptions } from './dialect/postgres-pool.js';
import { isPostgresUrl, redactUrl } from './dialect/postgres-url.js';
import { openSqlite, sqliteConnection } from './dialect/sqlite.js';
import { migrationProvider } from './migrations/index.js';
import type { Database } from './schema.js';
import { registerDatabaseFile } from './transaction.js';
import type { Kysely } from 'kysely';
import type SQLite from 'better-sqlite3';

export type Db = Kysely<Database>;
export type { PoolOptions } from './dialect/postgres-pool.js';
export { dialectKind, dialectOf, type DialectKind } from './dialect/index.js';

/**
 * The better-sqlite3 connection of a Db, for the few hot paths that reuse prepared statements.
 * There is one connection per SQLite Db, so statements run on it inside a Kysely transaction's
 * callback belong to that transaction. On PostgreSQL: WXA_STORE_SQLITE_ONLY naming `what`.
 */
export function connectionOf(db: Db, what?: string): SQLite.Database {
  return sqliteConnection(db, what);
}

/**
 * A hot path's statements for each SQLite connection: made by `prepare` the first time a
 * connection asks for them and kept while it lives, so a statement is prepared once per
 * connection instead of a query being built, compiled and prepared for every call.
 */
export function preparedPerConnection<T>(prepare: (c: SQLite.Database) => T): (c: SQLite.Database) => T {
  const made = new WeakMap<SQLite.Database, T>();
  return (c) => {
    let s = made.get(c);
    if (s === undefined) {
      s = prepare(c);
      made.set(c, s);
    }
    return s;
  };
}

export type OpenOptions =
  /** path of the SQLite file; ':memory:' for tests */
  | { file: string }
  /** a postgres:// URL and the pool's settings */
  | { url: string; pool?: PoolOptions };

export async function openDatabase(opts: OpenOptions): Promise<Db> {
  if ('file' in opts) {
    const db = openSqlite<Database>(opts.file);
    registerDatabaseFile(db, opts.file);
    await migrate(db);
    return db;
  }
  isPostgresUrl(opts.url);
  // node-postgres loads only for an archive on PostgreSQL
  const { openPostgres } = await import('./dialect/postgres-pool.js');
  const db = openPostgres<Database>(opts.url, opts.pool);
  registerDatabaseFile(db, redactUrl(opts.url));
  try {
    await migrate(db);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return db;
}

/**
 * Migrates to the latest schema. Several processes may start on an empty PostgreSQL database at
 * once: Kysely's migrator takes a session advisory lock there (pg_advisory_lock) and re-reads
 * what is done under it, so one process migrates and the others find the work done. On SQLite
 * the migration runs in one write transaction, which does the same.
 */
async function migrate(db: Db): Promise<void> {
  if (await upToDate(db)) return;
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    if (!failed && dialectKind(db) === 'postgres' && isConnectionError(error))
      throw new ArchiverError(
        'WXA_DATABASE_UNAVAILABLE',
        `cannot connect to the PostgreSQL database: ${(error as Error).message}; check that the server runs and ` +
          'that the URL (host, port, user, password, database) is right',
        { cause: error },
      );
    throw new ArchiverError('WXA_CONFIG_INVALID', `database migration ${failed ?? 'unknown'} failed`, { cause: error });
  }
}

/**
 * Whether every migration this code knows has been applied, and no other: what nearly every
 * start finds, read in one query. The migrator finds it out by introspecting the whole schema
 * twice (every column of every table) and taking its lock: on PostgreSQL about 35 ms of the
 * server's CPU on each start of a command or a process, besides the connection. Any doubt (no
 * table yet, a migration missing, one this code does not know) is left to the migrator, which
 * decides under its lock as before. The migrator writes a migration's row only after the
 * migration has run, so a complete list means a complete schema.
 */
async function upToDate(db: Db): Promise<boolean> {
  let applied: string[];
  try {
    const { rows } = await sql<{ name: string }>`SELECT name FROM ${sql.table(DEFAULT_MIGRATION_TABLE)}`.execute(db);
    applied = rows.map((r) => r.name).sort();
  } catch {
    return false;
  }
  const known = Object.keys(await migrationProvider.getMigrations()).sort();
  return applied.length === known.length && applied.every((name, i) => name === known[i]);
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'ETIMEDOUT',
  'ECONNRESET',
  'EAI_AGAIN',
  '3D000',
  '28P01',
  '28000',
]);

function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  return /timeout exceeded when trying to connect|Connection terminated/i.test(String((err as Error)?.message));
}

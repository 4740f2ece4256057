/**
 * Opens the database: SQLite (better-sqlite3) in the data directory by default. All SQL lives
 * under store/ so that a PostgreSQL dialect can be added without touching the pipeline.
 */
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { ArchiverError } from '../core/errors.js';
import { migrationProvider } from './migrations/index.js';
import type { Database } from './schema.js';
import { registerDatabaseFile } from './transaction.js';

export type Db = Kysely<Database>;

/** The connection under each Db, for the few hot paths that reuse prepared statements. */
const CONNECTIONS = new WeakMap<Db, SQLite.Database>();

/**
 * The better-sqlite3 connection of a Db. There is one connection per Db, so statements run on it
 * inside a Kysely transaction's callback belong to that transaction.
 */
export function connectionOf(db: Db): SQLite.Database {
  const c = CONNECTIONS.get(db);
  if (!c) throw new Error('connectionOf: not a Db made by openDatabase');
  return c;
}

export interface OpenOptions {
  /** path of the SQLite file; ':memory:' for tests */
  file: string;
}

export async function openDatabase(opts: OpenOptions): Promise<Db> {
  const sqlite = new SQLite(opts.file);
  // WAL lets readers (status, console) run beside the writer; synchronous=FULL makes every
  // committed transaction survive power loss, which the cursor-with-records invariant needs.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 10000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  CONNECTIONS.set(db, sqlite);
  registerDatabaseFile(db, opts.file);
  await migrate(db);
  return db;
}

async function migrate(db: Db): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationProvider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new ArchiverError('WXA_CONFIG_INVALID', `database migration ${failed} failed`, { cause: error });
  }
}

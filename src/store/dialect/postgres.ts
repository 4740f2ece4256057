/**
 * PostgreSQL's spelling of the dialect points, and its connection pool (node-postgres under
 * Kysely's PostgresDialect). 64-bit integers come back as JavaScript numbers, as SQLite gives
 * them: every such value here (ids, epoch milliseconds, byte counts, the time-ordered search
 * ids) stays far below 2^53, and a value that does not is refused rather than rounded.
 */
import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { ArchiverError } from '../../core/errors.js';
import type { StoreDialect } from './index.js';
import { PostgresSchemaPlugin } from './postgres-schema.js';

export const postgresDialect: StoreDialect = {
  kind: 'postgres',
  jsonArrayAgg: (expr) => sql<string>`json_agg(${expr})::text`,
  jsonStrings: (column, alias) => sql`json_array_elements_text(${column}::json) AS ${sql.id(alias)}(value)`,
  jsonField: (column, field) => sql<string | null>`(${column}::json ->> ${field})`,
  // string_agg follows no input order unless told: ordered by the value, as callers feed it on SQLite.
  groupConcat: (expr, separator) => sql<string | null>`string_agg(${expr}::text, ${separator} ORDER BY ${expr})`,
  bytesContain: (column, needle) => sql<boolean>`position(${needle}::bytea in ${column}) > 0`,
  utcDay: (ms) => sql<string>`to_char(to_timestamp(${ms} / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD')`,
  lockInTransaction: async (tx, key) => {
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(tx);
  },
  claimRows: (q) => q.forUpdate().skipLocked(),
  lockRows: async (q) => {
    await q.forUpdate().execute();
  },
  shareRows: (q) => q.forShare(),
  snapshotTransaction: (db) => db.transaction().setIsolationLevel('repeatable read'),
};

export interface PoolOptions {
  /** most connections this process opens (default 10) */
  max?: number;
  /** ms an idle connection is kept before it is closed (default 30 s) */
  idleTimeoutMs?: number;
  /** ms to wait for a connection before giving up (default 10 s) */
  connectionTimeoutMs?: number;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

function safeNumber(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) && !/[.eE]/.test(text))
    throw new RangeError(`PostgreSQL returned ${text}, beyond the integers JavaScript holds exactly`);
  return n;
}

/** node-postgres type parsers per pool (not its global registry, which other code may share). */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8_OID || oid === NUMERIC_OID) return safeNumber;
    return pg.types.getTypeParser(oid, format);
  }) as typeof pg.types.getTypeParser,
};

/** A pool on `url` (postgres://...), with the schema mapping for migrations. */
export function openPostgres<DB>(url: string, pool: PoolOptions = {}): Kysely<DB> {
  const p = new pg.Pool({
    connectionString: url,
    max: pool.max ?? 10,
    idleTimeoutMillis: pool.idleTimeoutMs ?? 30_000,
    connectionTimeoutMillis: pool.connectionTimeoutMs ?? 10_000,
    application_name: 'wechat-archiver',
    types,
  });
  // An idle connection the server drops (restart, failover) must not crash the process; the
  // next query gets a fresh connection or a clear error.
  p.on('error', () => undefined);
  return new Kysely<DB>({ dialect: new PostgresDialect({ pool: p }), plugins: [new PostgresSchemaPlugin()] });
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'the database URL';
  }
}

/** Whether `url` names a PostgreSQL database; throws WXA_DATABASE_URL_INVALID for any other URL. */
export function isPostgresUrl(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ArchiverError(
      'WXA_DATABASE_URL_INVALID',
      'the database URL is not a URL; give postgres://USER:PASSWORD@HOST:PORT/DATABASE',
    );
  }
  if (u.protocol === 'postgres:' || u.protocol === 'postgresql:') return true;
  throw new ArchiverError(
    'WXA_DATABASE_URL_INVALID',
    `the database URL has the scheme "${u.protocol}"; only postgres:// or postgresql:// are supported ` +
      '(leave it unset for the embedded SQLite database)',
  );
}

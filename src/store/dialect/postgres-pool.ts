/**
 * PostgreSQL's connection pool (node-postgres under Kysely's PostgresDialect), loaded only when
 * an archive is on PostgreSQL. 64-bit integers come back as JavaScript numbers, as SQLite gives
 * them: every such value here (ids, epoch milliseconds, byte counts, the time-ordered search
 * ids) stays far below 2^53, and a value that does not is refused rather than rounded.
 */
import pg from 'pg';
import { Kysely, PostgresDialect } from 'kysely';
import { PostgresSchemaPlugin } from './postgres-schema.js';

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

/**
 * PostgreSQL's spelling of the dialect points. Its connection pool is in postgres-pool.ts and
 * the URL helpers in postgres-url.ts, so that an archive on SQLite never loads node-postgres.
 */
import { sql } from 'kysely';
import type { StoreDialect } from './index.js';

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

/**
 * The few points where SQLite and PostgreSQL differ, in one place per dialect (sqlite.ts,
 * postgres.ts): JSON arrays, string aggregation, dates from epoch milliseconds, row locks and
 * advisory locks. Repositories ask `dialectOf(db)` for a fragment instead of writing either
 * spelling, so the same query runs on both. Column types and ids are mapped once for the whole
 * schema by postgres-schema.ts; the raw better-sqlite3 hot paths stay in sqlite.ts.
 */
import {
  PostgresAdapter,
  type Kysely,
  type RawBuilder,
  type SelectQueryBuilder,
  type TransactionBuilder,
} from 'kysely';
import { postgresDialect } from './postgres.js';
import { sqliteDialect } from './sqlite.js';

export type DialectKind = 'sqlite' | 'postgres';

export interface StoreDialect {
  readonly kind: DialectKind;
  /** A JSON array (as text) of `expr` over the group: json_group_array / json_agg. */
  jsonArrayAgg(expr: RawBuilder<unknown>): RawBuilder<string>;
  /**
   * A FROM item listing the strings of the JSON array held as text in `column`, each as
   * `<alias>.value`: SQLite's json_each, PostgreSQL's json_array_elements_text.
   */
  jsonStrings(column: RawBuilder<unknown>, alias: string): RawBuilder<unknown>;
  /** The text of a top-level field of a JSON object held as text. */
  jsonField(column: RawBuilder<unknown>, field: string): RawBuilder<string | null>;
  /**
   * `expr` values of the group joined by `separator`, in ascending order: group_concat over rows
   * the caller feeds in that order (SQLite keeps it) / string_agg ... ORDER BY.
   */
  groupConcat(expr: RawBuilder<unknown>, separator: string): RawBuilder<string | null>;
  /** Whether the bytes of `column` contain `needle` anywhere: instr / position. */
  bytesContain(column: RawBuilder<unknown>, needle: Buffer): RawBuilder<boolean>;
  /** The UTC day (YYYY-MM-DD) of an epoch-milliseconds expression. */
  utcDay(ms: RawBuilder<unknown>): RawBuilder<string>;
  /**
   * Serialises writers of one kind (a hash chain, a lease table) until the transaction ends.
   * PostgreSQL: a transaction-level advisory lock on `key`. SQLite: nothing, its single writer
   * already does it.
   */
  lockInTransaction(tx: Kysely<any>, key: string): Promise<void>; // eslint-disable-line @typescript-eslint/no-explicit-any -- any schema
  /**
   * Claims the rows a SELECT finds for this transaction, passing over rows another transaction
   * has claimed: PostgreSQL's `FOR UPDATE SKIP LOCKED`, so concurrent workers get disjoint rows
   * without waiting on each other. SQLite: the query unchanged, its single writer already does it.
   */
  claimRows<DB, TB extends keyof DB, O>(q: SelectQueryBuilder<DB, TB, O>): SelectQueryBuilder<DB, TB, O>;
  /**
   * Locks the rows `q` finds for this transaction, in `q`'s order, waiting for rows another
   * transaction holds: PostgreSQL runs it `FOR UPDATE` (with ORDER BY, rows are locked in that
   * order). Transactions that update several rows of a table take them this way first, ordered
   * by id, so two of them never each hold a row the other waits for (a deadlock, which
   * PostgreSQL ends by failing one of them). SQLite: nothing is run, its single writer already
   * does it.
   */
  lockRows<DB, TB extends keyof DB, O>(q: SelectQueryBuilder<DB, TB, O>): Promise<void>;
  /**
   * Keeps the rows a SELECT finds from changing until the transaction ends (PostgreSQL's
   * `FOR SHARE`), so a check made on them still holds when the transaction's writes commit.
   * SQLite: the query unchanged (one writer at a time).
   */
  shareRows<DB, TB extends keyof DB, O>(q: SelectQueryBuilder<DB, TB, O>): SelectQueryBuilder<DB, TB, O>;
  /**
   * A transaction whose reads all see one snapshot, for figures that must agree with each
   * other (a chain's head and its count). PostgreSQL: REPEATABLE READ (its default, READ
   * COMMITTED, gives each statement a new snapshot). SQLite: a plain transaction, whose first
   * read fixes the snapshot until it ends.
   */
  snapshotTransaction<DB>(db: Kysely<DB>): TransactionBuilder<DB>;
}

// Kysely<any>: the dialect is read from the executor, whatever the schema type (migrations use Kysely<unknown>).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function dialectKind(db: Kysely<any>): DialectKind {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function dialectOf(db: Kysely<any>): StoreDialect {
  return dialectKind(db) === 'postgres' ? postgresDialect : sqliteDialect;
}

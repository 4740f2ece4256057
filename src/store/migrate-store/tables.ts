/**
 * What `migrate-store` copies, read from the two databases themselves rather than listed by
 * hand: the destination's tables as the migrations made them on PostgreSQL (columns, types,
 * primary key, identity columns, foreign keys), checked against the same tables in the SQLite
 * snapshot. Both were brought to the latest migration by this build, so a difference means a
 * damaged schema, reported by table and column. New tables added by later migrations are
 * copied without a change here.
 */
import type SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { ArchiverError } from '../../core/errors.js';
import type { Db } from '../db.js';

export interface TableColumn {
  name: string;
  /** PostgreSQL's data_type: bigint, text, bytea, boolean, ... */
  type: string;
  identity: boolean;
}

export interface TablePlan {
  name: string;
  columns: TableColumn[];
  /** the primary key's columns, in key order: the order rows are copied and compared in */
  key: string[];
}

/**
 * The search index is not copied: on SQLite its token table is FTS5's contentless index, whose
 * tokens cannot be read back, and the other search tables without it would be an index that
 * answers wrongly. `reindex` rebuilds all of it on the destination from the items.
 */
export const SEARCH_INDEX_PREFIX = 'search_';

/** Tables each database keeps for itself: the migrator's bookkeeping and SQLite's sequence table. */
function isOwnBookkeeping(name: string): boolean {
  return name.startsWith('kysely_') || name.startsWith('sqlite_') || name.startsWith('migrate_store_');
}

/**
 * Counters the destination's own triggers keep (migration 033): they are made there as the rows
 * they count are copied, exactly once each (a resumed copy starts after its last committed key),
 * so copying them too would count every record and delivery twice.
 */
const KEPT_BY_TRIGGERS = new Set(['outcome_counters', 'delivery_counters']);

export function isSearchIndexTable(name: string): boolean {
  return name.startsWith(SEARCH_INDEX_PREFIX);
}

interface PgColumnRow {
  table_name: string;
  column_name: string;
  data_type: string;
  is_identity: string;
}

/** Every table of the destination that holds archive data, parents before the tables that reference them. */
export async function destinationTables(db: Db): Promise<{ copy: TablePlan[]; skipped: string[] }> {
  const cols = await sql<PgColumnRow>`SELECT table_name, column_name, data_type, is_identity
    FROM information_schema.columns WHERE table_schema = current_schema()
    ORDER BY table_name, ordinal_position`.execute(db);
  const keys = await sql<{ table_name: string; column_name: string }>`SELECT k.table_name, k.column_name
    FROM information_schema.table_constraints t
    JOIN information_schema.key_column_usage k
      ON k.constraint_schema = t.constraint_schema AND k.constraint_name = t.constraint_name
    WHERE t.constraint_type = 'PRIMARY KEY' AND t.table_schema = current_schema()
    ORDER BY k.table_name, k.ordinal_position`.execute(db);
  const refs = await sql<{ child: string; parent: string }>`SELECT DISTINCT c.relname AS child, p.relname AS parent
    FROM pg_constraint f JOIN pg_class c ON c.oid = f.conrelid JOIN pg_class p ON p.oid = f.confrelid
    WHERE f.contype = 'f' AND c.relnamespace = current_schema()::regnamespace`.execute(db);
  const plans = new Map<string, TablePlan>();
  const skipped = new Set<string>();
  for (const c of cols.rows) {
    if (isOwnBookkeeping(c.table_name) || KEPT_BY_TRIGGERS.has(c.table_name)) continue;
    if (isSearchIndexTable(c.table_name)) {
      skipped.add(c.table_name);
      continue;
    }
    const plan = plans.get(c.table_name) ?? { name: c.table_name, columns: [], key: [] };
    plan.columns.push({ name: c.column_name, type: c.data_type, identity: c.is_identity === 'YES' });
    plans.set(c.table_name, plan);
  }
  for (const k of keys.rows) plans.get(k.table_name)?.key.push(k.column_name);
  for (const p of plans.values()) {
    // Every table the migrations make has a primary key; one without would have no order to resume in.
    if (p.key.length === 0)
      throw new ArchiverError(
        'WXA_MIGRATE_SCHEMA_MISMATCH',
        `table ${p.name} of the destination has no primary key, so its copy could not resume in order; ` +
          'migrate-store copies only into a database made by this version (an empty database it migrates itself)',
      );
  }
  return { copy: parentsFirst([...plans.values()], refs.rows), skipped: [...skipped].sort() };
}

/** Tables in name order, except that a referenced table comes before the tables that reference it. */
function parentsFirst(plans: TablePlan[], refs: { child: string; parent: string }[]): TablePlan[] {
  const byName = new Map(plans.map((p) => [p.name, p]));
  const out: TablePlan[] = [];
  const placed = new Set<string>();
  const visit = (p: TablePlan, path: Set<string>) => {
    if (placed.has(p.name) || path.has(p.name)) return;
    path.add(p.name);
    for (const r of refs)
      if (r.child === p.name && r.parent !== p.name && byName.has(r.parent)) visit(byName.get(r.parent)!, path);
    placed.add(p.name);
    out.push(p);
  };
  for (const p of [...plans].sort((a, b) => (a.name < b.name ? -1 : 1))) visit(p, new Set());
  return out;
}

/** Checks that the snapshot has each table with the same columns; returns the snapshot's search tables. */
export function checkSourceTables(src: SQLite.Database, plans: TablePlan[]): void {
  const tables = new Set(
    (src.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((r) => r.name),
  );
  for (const p of plans) {
    if (!tables.has(p.name))
      throw new ArchiverError(
        'WXA_MIGRATE_SCHEMA_MISMATCH',
        `table ${p.name} is in the destination but not in the archive's database; both should be at this version's schema (is the destination from a newer version?)`,
      );
    const have = new Set(
      (src.prepare(`SELECT name FROM pragma_table_info(?)`).all(p.name) as { name: string }[]).map((r) => r.name),
    );
    const missing = p.columns.filter((c) => !have.has(c.name)).map((c) => c.name);
    if (missing.length > 0)
      throw new ArchiverError(
        'WXA_MIGRATE_SCHEMA_MISMATCH',
        `table ${p.name}: the archive's database lacks column(s) ${missing.join(', ')} that the destination has; both should be at this version's schema`,
      );
  }
  const extra = [...tables].filter(
    (t) =>
      !isOwnBookkeeping(t) && !isSearchIndexTable(t) && !KEPT_BY_TRIGGERS.has(t) && !plans.some((p) => p.name === t),
  );
  if (extra.length > 0)
    throw new ArchiverError(
      'WXA_MIGRATE_SCHEMA_MISMATCH',
      `the archive's database has table(s) ${extra.join(', ')} that the destination lacks; its rows would be left behind. ` +
        'Run migrate-store with the version that wrote the archive, or a newer one',
    );
}

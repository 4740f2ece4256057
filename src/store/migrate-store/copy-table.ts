/**
 * Copies one table from the SQLite snapshot into PostgreSQL in primary-key order, a batch per
 * transaction, each transaction also moving the table's progress record: after a crash the
 * next run starts after the last committed key, so rows are neither lost nor written twice.
 * Identity columns (SQLite's integer primary keys) get their sequence moved past the copied
 * ids, and past ids SQLite's AUTOINCREMENT already handed out, so no id is ever used again.
 */
import type SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import type { Db } from '../db.js';
import { saveProgress, type TableProgress } from './state.js';
import type { TablePlan } from './tables.js';
import { decodeKey, describeKey, encodeKey, toDestination, type SqlValue } from './values.js';

/** PostgreSQL takes at most 65,535 parameters per statement. */
const MAX_PARAMS = 60_000;

export const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The statement reading the next `limit` rows after a key (or from the start) in key order. */
export function sourcePage(src: SQLite.Database, plan: TablePlan, after: boolean): SQLite.Statement {
  const cols = plan.columns.map((c) => q(c.name)).join(', ');
  const key = plan.key.map(q).join(', ');
  const where = after ? `WHERE (${key}) > (${plan.key.map(() => '?').join(', ')})` : '';
  return src
    .prepare(`SELECT ${cols} FROM ${q(plan.name)} ${where} ORDER BY ${key} LIMIT ?`)
    .raw(true)
    .safeIntegers(true);
}

/** Reads rows after `after` (a decoded key, or null for the start), a page at a time. */
export function* sourceRows(
  src: SQLite.Database,
  plan: TablePlan,
  after: unknown[] | null,
  page: number,
): Generator<unknown[][]> {
  const first = sourcePage(src, plan, false);
  const next = sourcePage(src, plan, true);
  const keyIdx = plan.key.map((k) => plan.columns.findIndex((c) => c.name === k));
  let last = after;
  for (;;) {
    const rows = (last ? next.all(...last, page) : first.all(page)) as unknown[][];
    if (rows.length === 0) return;
    yield rows;
    const end = rows[rows.length - 1]!;
    last = keyIdx.map((i) => end[i]);
    if (rows.length < page) return;
  }
}

export interface CopyTableResult {
  /** rows in the destination table when done */
  rows: number;
  /** rows this run copied */
  copied: number;
}

export async function copyTable(
  src: SQLite.Database,
  dest: Db,
  plan: TablePlan,
  progress: TableProgress | undefined,
  batch: number,
  onBatch?: (rows: number) => void,
): Promise<CopyTableResult> {
  let done = progress?.rows ?? 0;
  if (progress?.done) return { rows: done, copied: 0 };
  const page = Math.max(1, Math.min(batch, Math.floor(MAX_PARAMS / plan.columns.length)));
  const keyIdx = plan.key.map((k) => plan.columns.findIndex((c) => c.name === k));
  const after = progress?.lastKey ? decodeKey(progress.lastKey) : null;
  let copied = 0;
  let lastKey = progress?.lastKey ?? null;
  for (const rows of sourceRows(src, plan, after, page)) {
    const values = rows.map((r) => toRow(plan, r, keyIdx));
    lastKey = encodeKey(keyIdx.map((i) => rows[rows.length - 1]![i]));
    done += rows.length;
    copied += rows.length;
    const state = { lastKey, rows: done, done: rows.length < page };
    await dest.transaction().execute(async (tx) => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- every table, by name
      await (tx as any).insertInto(plan.name).values(values).execute();
      await saveProgress(tx as unknown as Db, plan.name, state);
    });
    onBatch?.(rows.length);
  }
  // A table whose last page was full (or that is empty) is marked done here.
  await dest.transaction().execute(async (tx) => {
    await saveProgress(tx as unknown as Db, plan.name, { lastKey, rows: done, done: true });
  });
  await advanceIdentities(src, dest, plan);
  return { rows: done, copied };
}

function toRow(plan: TablePlan, r: unknown[], keyIdx: number[]): Record<string, SqlValue> {
  const out: Record<string, SqlValue> = {};
  const key = () =>
    describeKey(
      plan.key,
      keyIdx.map((i) => r[i]),
    );
  plan.columns.forEach((c, i) => {
    out[c.name] = toDestination(r[i], c, plan.name, key);
  });
  return out;
}

/** Moves each identity sequence past the highest id copied and past SQLite's AUTOINCREMENT high-water mark. */
async function advanceIdentities(src: SQLite.Database, dest: Db, plan: TablePlan): Promise<void> {
  for (const c of plan.columns.filter((col) => col.identity)) {
    const seqTable = src.prepare(`SELECT name FROM sqlite_master WHERE name = 'sqlite_sequence'`).get();
    const used = seqTable
      ? ((
          src.prepare('SELECT seq FROM sqlite_sequence WHERE name = ?').safeIntegers(true).get(plan.name) as
            { seq: bigint } | undefined
        )?.seq ?? 0n)
      : 0n;
    await sql`SELECT setval(pg_get_serial_sequence(${plan.name}, ${c.name}),
        GREATEST(COALESCE((SELECT max(${sql.ref(c.name)}) FROM ${sql.table(plan.name)}), 0), ${used.toString()}::bigint, 1),
        GREATEST(COALESCE((SELECT max(${sql.ref(c.name)}) FROM ${sql.table(plan.name)}), 0), ${used.toString()}::bigint) > 0)`.execute(
      dest,
    );
  }
}

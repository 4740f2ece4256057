/**
 * The proof that a table arrived whole: its row count and a SHA-256 over every row in key
 * order, each value in one normal form (values.ts), computed on the snapshot (after the same
 * conversion the copy applies) and on the destination as PostgreSQL returns it. Equal digests
 * mean the same rows with the same values, not only the same number of them.
 */
import { createHash } from 'node:crypto';
import type SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import type { Db } from '../db.js';
import { sourceRows } from './copy-table.js';
import type { TablePlan } from './tables.js';
import { describeKey, normalForm, toDestination } from './values.js';

export interface TableDigest {
  rows: number;
  sha256: string;
}

const PAGE = 2000;

function hashRow(h: ReturnType<typeof createHash>, row: unknown[]): void {
  h.update(JSON.stringify(row.map(normalForm)));
  h.update('\n');
}

export function sourceDigest(src: SQLite.Database, plan: TablePlan): TableDigest {
  const h = createHash('sha256');
  const keyIdx = plan.key.map((k) => plan.columns.findIndex((c) => c.name === k));
  let rows = 0;
  for (const page of sourceRows(src, plan, null, PAGE)) {
    for (const r of page) {
      const key = () =>
        describeKey(
          plan.key,
          keyIdx.map((i) => r[i]),
        );
      hashRow(
        h,
        plan.columns.map((c, i) => toDestination(r[i], c, plan.name, key)),
      );
      rows++;
    }
  }
  return { rows, sha256: h.digest('hex') };
}

export async function destinationDigest(db: Db, plan: TablePlan): Promise<TableDigest> {
  const h = createHash('sha256');
  const isText = (k: string) => plan.columns.find((c) => c.name === k)?.type === 'text';
  // Byte order for text keys, as SQLite's BINARY collation orders them, whatever the column's collation.
  const keyExpr = plan.key.map((k) => (isText(k) ? sql`${sql.ref(k)} COLLATE "C"` : sql.ref(k)));
  const cols = sql.join(plan.columns.map((c) => sql.ref(c.name)));
  const keyIdx = plan.key.map((k) => plan.columns.findIndex((c) => c.name === k));
  let rows = 0;
  let last: unknown[] | null = null;
  for (;;) {
    const where: ReturnType<typeof sql> = last
      ? sql`WHERE (${sql.join(keyExpr)}) > (${sql.join(last.map((v) => sql`${v}`))})`
      : sql``;
    const page = await sql<Record<string, unknown>>`SELECT ${cols} FROM ${sql.table(plan.name)} ${where}
      ORDER BY ${sql.join(keyExpr)} LIMIT ${PAGE}`.execute(db);
    for (const r of page.rows) {
      hashRow(
        h,
        plan.columns.map((c) => r[c.name]),
      );
      rows++;
    }
    if (page.rows.length < PAGE) break;
    const end = page.rows[page.rows.length - 1]!;
    last = keyIdx.map((i) => end[plan.columns[i]!.name]);
  }
  return { rows, sha256: h.digest('hex') };
}

/**
 * The progress record of `migrate-store`, kept in the destination database itself so that it
 * commits in the same transaction as the rows it counts: a copy killed at any moment resumes
 * at the first row not committed, and no row is written twice. It also says which archive the
 * destination is a copy of, which is how a destination that is not a previous run of the same
 * source is refused, and what the finished copy was verified against.
 */
import { sql, type Kysely } from 'kysely';
import { openDatabase, type Db } from '../db.js';
import { connectionOf } from '../db.js';
import type { TablePlan } from './tables.js';

/** Who the destination is a copy of. */
export interface MigrationSource {
  /** the data directory copied, as given (for messages: an archive may be moved) */
  dataDir: string;
  /** hash of the first ingest event and of the first audit event: the archive's identity */
  firstIngestHash: string | null;
  firstAuditHash: string | null;
}

export interface MigrationRun {
  source: MigrationSource;
  /** the snapshot the rows are copied from: a resumed copy must read the same one */
  snapshotId: string;
  startedAt: number;
  completedAt: number | null;
  /** per table: rows and digest, as verified when the copy finished */
  result: Record<string, { rows: number; sha256: string }> | null;
}

export interface TableProgress {
  lastKey: string | null;
  rows: number;
  done: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tables outside the archive schema
const anyDb = (db: Db) => db as unknown as Kysely<any>;

export async function ensureStateTables(db: Db): Promise<void> {
  await anyDb(db)
    .schema.createTable('migrate_store_run')
    .ifNotExists()
    .addColumn('id', 'integer', (c) => c.primaryKey())
    .addColumn('source_json', 'text', (c) => c.notNull())
    .addColumn('snapshot_id', 'text', (c) => c.notNull())
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('completed_at', 'bigint')
    .addColumn('result_json', 'text')
    .execute();
  await anyDb(db)
    .schema.createTable('migrate_store_tables')
    .ifNotExists()
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('last_key', 'text')
    .addColumn('rows', 'bigint', (c) => c.notNull())
    .addColumn('done', 'integer', (c) => c.notNull())
    .execute();
}

export async function readRun(db: Db): Promise<MigrationRun | undefined> {
  const r = await anyDb(db).selectFrom('migrate_store_run').selectAll().where('id', '=', 1).executeTakeFirst();
  if (!r) return undefined;
  return {
    source: JSON.parse(r.source_json as string) as MigrationSource,
    snapshotId: r.snapshot_id as string,
    startedAt: Number(r.started_at),
    completedAt: r.completed_at === null ? null : Number(r.completed_at),
    result: r.result_json === null ? null : (JSON.parse(r.result_json as string) as MigrationRun['result']),
  };
}

/** Rows per table of a database that only the migrations have written to (seed rows such as the chain heads). */
export async function seededRowCounts(plans: TablePlan[]): Promise<Map<string, number>> {
  const fresh = await openDatabase({ file: ':memory:' });
  try {
    const conn = connectionOf(fresh, 'counting seed rows');
    const out = new Map<string, number>();
    for (const p of plans) {
      const row = conn.prepare(`SELECT count(*) AS n FROM "${p.name}"`).get() as { n: number } | undefined;
      out.set(p.name, Number(row?.n ?? 0));
    }
    return out;
  } finally {
    await fresh.destroy();
  }
}

export async function rowCount(db: Db, table: string): Promise<number> {
  const r = await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

/** Tables holding more rows than a freshly migrated database: the destination is in use. */
export async function tablesInUse(db: Db, plans: TablePlan[]): Promise<{ table: string; rows: number }[]> {
  const seeded = await seededRowCounts(plans);
  const out: { table: string; rows: number }[] = [];
  for (const p of plans) {
    const n = await rowCount(db, p.name);
    if (n > (seeded.get(p.name) ?? 0)) out.push({ table: p.name, rows: n });
  }
  return out;
}

/**
 * Starts a copy from nothing: empties every table (the migrations' seed rows are replaced by
 * the archive's own) and records the run, in one transaction.
 */
export async function startRun(
  db: Db,
  plans: TablePlan[],
  run: Omit<MigrationRun, 'completedAt' | 'result'>,
): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const t = anyDb(tx as unknown as Db);
    // TRUNCATE fires no row triggers (the locked-retention-policy trigger guards DELETE), and
    // naming every table at once satisfies the foreign keys between them.
    await sql`TRUNCATE ${sql.join(plans.map((p) => sql.table(p.name)))} RESTART IDENTITY`.execute(tx);
    await t.deleteFrom('migrate_store_tables').execute();
    await t.deleteFrom('migrate_store_run').execute();
    await t
      .insertInto('migrate_store_run')
      .values({
        id: 1,
        source_json: JSON.stringify(run.source),
        snapshot_id: run.snapshotId,
        started_at: run.startedAt,
        completed_at: null,
        result_json: null,
      })
      .execute();
  });
}

export async function tableProgress(db: Db): Promise<Map<string, TableProgress>> {
  const rows = await anyDb(db).selectFrom('migrate_store_tables').selectAll().execute();
  return new Map(
    rows.map((r) => [
      r.name as string,
      { lastKey: (r.last_key as string | null) ?? null, rows: Number(r.rows), done: Number(r.done) === 1 },
    ]),
  );
}

/** Records a table's progress; called inside the transaction that wrote the rows. */
export async function saveProgress(tx: Db, table: string, p: TableProgress): Promise<void> {
  await anyDb(tx)
    .insertInto('migrate_store_tables')
    .values({ name: table, last_key: p.lastKey, rows: p.rows, done: p.done ? 1 : 0 })
    .onConflict((oc) => oc.column('name').doUpdateSet({ last_key: p.lastKey, rows: p.rows, done: p.done ? 1 : 0 }))
    .execute();
}

export async function completeRun(db: Db, at: number, result: NonNullable<MigrationRun['result']>): Promise<void> {
  await anyDb(db)
    .updateTable('migrate_store_run')
    .set({ completed_at: at, result_json: JSON.stringify(result) })
    .where('id', '=', 1)
    .execute();
}

/** The last ingest and audit event ids in the destination (what a finished copy holds). */
export async function destinationChainEnds(db: Db): Promise<{ ingest: number; audit: number }> {
  const max = async (t: string) =>
    Number(
      (await sql<{ n: number }>`SELECT coalesce(max(id), 0) AS n FROM ${sql.table(t)}`.execute(db)).rows[0]?.n ?? 0,
    );
  return { ingest: await max('ingest_log'), audit: await max('audit_events') };
}

/**
 * The register of exports made with the `export` command: one row per export (by the id its
 * journal carries), begun when its selection is journaled, and marked done or failed when the
 * command ends. Running it again into the same directory resumes the export, and its row.
 */
import type { Selectable } from 'kysely';
import type { Db } from './db.js';
import type { CaseExportTable } from './schema.js';

export type CliExportRow = Selectable<CaseExportTable>;

export interface CliExportBegin {
  exportId: string;
  caseId: number | null;
  reviewSetId: number | null;
  query: string | null;
  tags: readonly string[];
  format: string;
  outDir: string;
  by: string;
  holder: string;
  at: number;
}

/**
 * Registers the export as running in the process `holder`: a new row, or the row of the export
 * being resumed (the same export id), which keeps when and by whom it was started.
 */
export async function beginCliExport(db: Db, e: CliExportBegin): Promise<void> {
  const resumed = await db
    .updateTable('case_exports')
    .set({ status: 'running', holder: e.holder, error: null, finished_at: null, out_dir: e.outDir })
    .where('export_id', '=', e.exportId)
    .executeTakeFirst();
  if (Number(resumed.numUpdatedRows) > 0) return;
  await db
    .insertInto('case_exports')
    .values({
      export_id: e.exportId,
      case_id: e.caseId,
      review_set_id: e.reviewSetId,
      query: e.query,
      tags_json: e.tags.length ? JSON.stringify(e.tags) : null,
      format: e.format,
      out_dir: e.outDir,
      status: 'running',
      counts_json: null,
      manifest_sha256: null,
      created_by: e.by,
      created_at: e.at,
      finished_at: null,
      holder: e.holder,
      error: null,
    })
    .execute();
}

export async function finishCliExport(
  db: Db,
  exportId: string,
  end:
    | { status: 'done'; at: number; counts: { items: number; files: number; bytes: number }; manifestSha256: string }
    | { status: 'failed'; at: number; error: string },
): Promise<void> {
  await db
    .updateTable('case_exports')
    .set(
      end.status === 'done'
        ? {
            status: 'done',
            finished_at: end.at,
            counts_json: JSON.stringify(end.counts),
            manifest_sha256: end.manifestSha256,
            error: null,
          }
        : { status: 'failed', finished_at: end.at, error: end.error },
    )
    .where('export_id', '=', exportId)
    .execute();
}

/** Registered exports, the latest first (rows without an export id predate the register). */
const registered = (db: Db) =>
  db
    .selectFrom('case_exports')
    .selectAll()
    .where('export_id', 'is not', null)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc');

/** The case's registered exports, the latest first. */
export async function cliExportsOf(db: Db, caseId: number): Promise<CliExportRow[]> {
  return registered(db).where('case_id', '=', caseId).execute();
}

/** Every registered export, a case's or a query's made without one, the latest first. */
export async function allCliExports(db: Db): Promise<CliExportRow[]> {
  return registered(db).execute();
}
